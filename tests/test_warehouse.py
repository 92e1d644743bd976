"""Schema creation and case_facts: materialised once per load, incrementally when only cases
changed, in full when a definition they depend on changed; older warehouses migrate."""
from datetime import datetime
from pathlib import Path

import duckdb

from core import settings
from etl import load, warehouse
from queries import metrics

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def test_old_warehouse_with_case_facts_view_migrates():
    con = duckdb.connect()
    warehouse.create_schema(con)
    con.execute("insert into cases (case_id, status, channel, received_at) "
                "values ('A', 4, 'online', timestamp '2026-02-03 09:00')")
    # as warehouses built before the materialisation: case_facts was a view
    con.execute("drop table case_facts")
    con.execute("create view case_facts as select * from case_facts_view")
    warehouse.create_schema(con)
    kind = con.execute("select table_type from information_schema.tables where table_name = 'case_facts'").fetchall()
    assert kind == [("BASE TABLE",)]
    assert metrics.kpis(con, "2026-02-01", "2026-02-28")["received"] == 1


def test_create_schema_keeps_the_facts_until_the_load_refreshes_them():
    con = duckdb.connect()
    warehouse.create_schema(con)
    con.execute("insert into case_facts (case_id) values ('MARKER')")
    warehouse.create_schema(con)          # an existing, current table is not rebuilt again
    assert con.execute("select count(*) from case_facts where case_id = 'MARKER'").fetchall() == [(1,)]


def _facts_match_view(con) -> None:
    """case_facts holds exactly what the view computes now, row for row."""
    for a, b in (("case_facts", "case_facts_view"), ("case_facts_view", "case_facts")):
        extra = con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchall()
        assert extra == [(0,)], f"rows of {a} not in {b}"
    _cubes_match_views(con)


def _cubes_match_views(con) -> None:
    """Each monthly cube holds exactly what its view computes from case_facts now, exactly: its
    columns are integer and decimal sums, whatever order a load added and subtracted them in."""
    for table, (view, *_) in warehouse.CUBES.items():
        for a, b in ((table, view), (view, table)):
            extra = con.execute(f"select count(*) from (select * from {a} except all "
                                f"select * from {b})").fetchall()
            assert extra == [(0,)], f"rows of {a} not in {b}"
        assert con.execute(f"select count(*) from {table}").fetchall()[0][0] > 0 or \
            not con.execute("select count(*) from case_facts where received_date is not null").fetchall()[0][0]


def _load(con, paths, calls):
    real = warehouse.refresh_facts

    def spy(c, since=None, **kw):
        calls.append(real(c, since=since, **kw))
        return calls[-1]
    import pytest
    mp = pytest.MonkeyPatch()
    mp.setattr(warehouse, "refresh_facts", spy)
    try:
        return load.load_into(con, paths, progress=False)
    finally:
        mp.undo()


def test_a_load_recomputes_only_the_cases_it_changed(tmp_path, monkeypatch):
    # the sample's 2026 sync and ratings change most of its cases: incremental nonetheless here
    monkeypatch.setenv("TTHC_LOAD_INCREMENTAL_MAX_SHARE", "inf")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    calls: list[str] = []
    _load(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv"], calls)
    assert calls[-1] == "full"          # a new warehouse: every row
    _facts_match_view(con)
    con.execute("insert into case_facts (case_id) values ('MARKER')")   # survives only an incremental refresh
    # the 2026 sync re-exports late-2025 cases in a later state and adds new ones; the ratings
    # file changes cases' ratings without touching the cases table
    results = _load(con, [SAMPLE / "dvcqg_2026.jsonl", SAMPLE / "danh_gia_hai_long.txt"], calls)
    assert results[0].rows_updated > 0 and results[0].rows_inserted > 0
    assert calls[-1] == "incremental"
    assert con.execute("select count(*) from case_facts where case_id = 'MARKER'").fetchall() == [(1,)]
    con.execute("delete from case_facts where case_id = 'MARKER'")
    _facts_match_view(con)
    assert con.execute("select sum(ratings_n) from case_facts").fetchall()[0][0] > 0


def test_a_load_that_changes_most_cases_recomputes_every_case(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    calls: list[str] = []
    _load(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv"], calls)
    con.execute("insert into case_facts (case_id) values ('MARKER')")   # gone only with a full rebuild
    total = con.execute("select count(*) from case_facts").fetchall()[0][0]
    results = _load(con, [SAMPLE / "dvcqg_2026.jsonl", SAMPLE / "danh_gia_hai_long.txt"], calls)
    changed = sum(r.rows_inserted + r.rows_updated for r in results)
    assert changed > settings.get("load_incremental_max_share") * total and calls[-1] == "full"
    assert con.execute("select count(*) from case_facts where case_id = 'MARKER'").fetchall() == [(0,)]
    _facts_match_view(con)


def test_a_catalogue_or_closing_time_change_recomputes_every_case(tmp_path, monkeypatch):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    calls: list[str] = []
    _load(con, [SAMPLE / "ho_so_2025_vendorB.csv"], calls)
    con.execute("insert into case_facts (case_id) values ('MARKER')")
    _load(con, [SAMPLE / "bo_tthc.xlsx"], calls)        # statutory days and fees of every procedure
    assert calls[-1] == "full"
    _facts_match_view(con)
    con.execute("insert into case_facts (case_id) values ('MARKER')")
    monkeypatch.setenv("TTHC_OFFICE_CLOSE", "16:30")    # a new closing time moves base days
    warehouse.create_schema(con)
    assert con.execute("select count(*) from case_facts where case_id = 'MARKER'").fetchall() == [(0,)]
    _facts_match_view(con)


def test_working_day_joins_equal_the_calendar_macros(tmp_path):
    """case_facts_of computes working days by joins on work_calendar; they must agree with the
    wd_base / wd_between macros of etl/macros.sql (the definitions docs/calendar.md describes)."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load.load_into(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv"], progress=False)
    rows = con.execute("""
        select count(*) filter (where working_days_taken is distinct from
                                greatest(0, wd_between(wd_base(received_at, time '17:00'), finish_date))),
               count(*) filter (where days_late is distinct from
                                case when timeliness = 'late' then wd_between(due_date, finish_date) end),
               count(working_days_taken), count(days_late)
        from case_facts""").fetchall()[0]
    assert rows[0] == 0 and rows[1] == 0
    assert rows[2] > 1000 and rows[3] > 10       # the comparison covered real values


def test_an_outdated_warehouse_is_upgraded_keeping_its_data(tmp_path, cli):
    db = tmp_path / "w.duckdb"
    load.load_files(db, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    assert not warehouse.outdated(db)
    con = duckdb.connect(str(db))
    # as a warehouse built by an older version: another fingerprint, a macro of today's code missing
    con.execute("update meta set value = 'old' where key = ?", [warehouse.FACTS_FINGERPRINT])
    con.execute("drop macro table period_cases")
    cases = con.execute("select count(*) from cases").fetchall()[0][0]
    con.close()
    assert warehouse.outdated(db)
    r = cli("sample", "--db", db, "--if-missing")          # what `make run` does
    assert r.returncode == 0 and "đã cập nhật" in r.stdout, r.stderr
    assert not warehouse.outdated(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from cases").fetchall()[0][0] == cases
    assert con.execute("select count(*) from period_cases(date '2025-01-01', date '2025-12-31')").fetchall()[0][0] > 0
    con.close()
    r = cli("upgrade", "--db", db)
    assert r.returncode == 0 and "không cần cập nhật" in r.stdout


def test_an_incremental_refresh_moves_changed_cases_between_cube_rows(tmp_path):
    """A case whose unit, receipt month or finish changes leaves one row of the monthly cubes and
    enters another (rows emptied are deleted, new ones inserted): the cubes equal a full rebuild."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load.load_into(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv"], progress=False)
    _facts_match_view(con)
    before = con.execute("select count(*), sum(received), sum(resolved) from case_month_cube").fetchall()[0]
    since = con.execute("select max(last_loaded_at) + interval 1 second from cases").fetchall()[0][0]
    moved = con.execute(
        "select case_id from cases where finished_at is not null order by case_id limit 40").fetchall()
    ids = [r[0] for r in moved]
    # 20 cases move to another unit and two months earlier; 20 lose their finish (pending again)
    con.execute("update cases set unit = 'Đơn vị chuyển đến', received_at = received_at - interval 2 month, "
                "last_loaded_at = $t where case_id in (select unnest($ids))", {"t": since, "ids": ids[:20]})
    con.execute("update cases set finished_at = null, returned_at = null, status = 4, last_loaded_at = $t "
                "where case_id in (select unnest($ids))", {"t": since, "ids": ids[20:]})
    assert warehouse.refresh_facts(con, since=since) == "incremental"
    _facts_match_view(con)
    after = con.execute("select count(*), sum(received), sum(resolved) from case_month_cube").fetchall()[0]
    assert after[1] == before[1] and after[2] == before[2] - 20     # same receipts, 20 fewer finishes
    assert con.execute("select sum(received) from case_month_cube where unit = 'Đơn vị chuyển đến'"
                       ).fetchall()[0][0] == 20


def _out_of_order(con, where: str = "true") -> int:
    """Rows of case_facts matching `where` stored (rowid order) before such a row with an earlier
    active_from."""
    return con.execute("select count(*) from (select active_from < lag(active_from) over (order by rowid) as back "
                       f"from case_facts where {where}) where back").fetchall()[0][0]


def test_case_facts_are_stored_in_active_from_order_whatever_the_cases_order(tmp_path):
    """A period's scan of case_facts skips the row groups outside it only because the table is
    stored in active_from order. An export listed newest first (or by ID) must not undo that: at
    5M cases, facts in a shuffled order took Giao ban tuần's queries from about 200 ms to 600 ms
    (docs/performance.md, round 11)."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.create_schema(con)
    # newest first, as a vendor list sorted by date received descending
    con.execute("insert into cases (case_id, status, channel, received_at, last_loaded_at) "
                "select 'C' || i, 4, 'online', timestamp '2026-06-30 09:00' - to_days(i::int // 10), "
                "timestamp '2026-07-01 00:00' "
                "from range(5000) t(i) order by i")
    assert warehouse.refresh_facts(con) == "full"
    assert con.execute("select count(distinct active_from) from case_facts").fetchall()[0][0] > 400
    assert _out_of_order(con) == 0
    # an incremental refresh appends the changed cases' facts, themselves in active_from order
    since = datetime(2026, 7, 2)
    con.execute("insert into cases (case_id, status, channel, received_at, last_loaded_at) "
                "select 'N' || i, 4, 'online', timestamp '2026-07-30 09:00' - to_days(i::int // 10), "
                "timestamp '2026-07-03 00:00' from range(300) t(i) order by i")
    assert warehouse.refresh_facts(con, since=since) == "incremental"
    assert con.execute("select count(*) from case_facts where case_id like 'N%'").fetchall() == [(300,)]
    assert _out_of_order(con, "case_id like 'N%'") == 0


def test_a_ratings_file_alone_recomputes_the_rated_cases(tmp_path, monkeypatch):
    """A load of ratings only changes no row of cases: the cases to recompute are found through
    the ratings' loaded_at (refresh_facts adds that condition only when ratings were loaded)."""
    monkeypatch.setenv("TTHC_LOAD_INCREMENTAL_MAX_SHARE", "inf")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    calls: list[str] = []
    _load(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv", SAMPLE / "dvcqg_2026.jsonl"], calls)
    before = con.execute("select sum(ratings_n) from case_facts").fetchall()[0][0]
    cases = con.execute("select count(*), max(last_loaded_at) from cases").fetchall()
    _load(con, [SAMPLE / "danh_gia_hai_long.txt"], calls)
    assert calls[-1] == "incremental"
    assert con.execute("select count(*), max(last_loaded_at) from cases").fetchall() == cases
    assert con.execute("select sum(ratings_n) from case_facts").fetchall()[0][0] > before
    _facts_match_view(con)
