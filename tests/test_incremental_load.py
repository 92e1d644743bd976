"""What keeps a week's load into a big warehouse small: rowid ranges around the rows it touches,
due dates derived for its own cases only, a schema step that writes nothing when nothing changed,
the replaced file removed in the background. Each must give what the full work would."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from core import settings
from etl import atomic, load, warehouse
from etl.merge import derive_due_dates
from tests.test_etl_merge import HEADER, row, write_csv

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


# --- rowid_ranges ----------------------------------------------------------------------------------

@pytest.fixture()
def numbers():
    con = duckdb.connect()
    con.execute("create table t as select range as id, range % 7 as k from range(4000000)")
    return con


def _ids(con, where, params=None):
    return [r[0] for r in con.execute(f"select id from t where {where} order by id", params or {}).fetchall()]


def test_rowid_ranges_cover_exactly_the_matching_rows_in_clusters(numbers):
    con = numbers
    # three clusters far apart, and rows this transaction appends (another cluster again)
    con.execute("begin")
    con.execute("insert into t select 9000000 + range, 0 from range(10)")
    where = "(id between 1000 and 1100 or id between 1500000 and 1500050 or id in (3999990, 9000003, 9000007))"
    ranges, bound, n = warehouse.rowid_ranges(con, "t", where)
    assert n == 101 + 51 + 3
    assert ranges.count("between") == 4, ranges           # 1000.., 1500000.., 3999990, the new rows
    assert _ids(con, f"{ranges} and {where}", bound) == _ids(con, where)
    # the ranges hold no row far from a match: the scan skips what lies between
    inside = con.execute(f"select count(*) from t where {ranges}", bound).fetchall()[0][0]
    assert inside == 101 + 51 + 1 + 5
    con.execute("rollback")


def test_rowid_ranges_merge_many_clusters_and_match_nothing(numbers, monkeypatch):
    con = numbers
    where = "id % 500000 = 0"                              # eight rows, each in a row group of its own
    assert warehouse.rowid_ranges(con, "t", where)[0].count("between") == 8
    monkeypatch.setattr(warehouse, "MAX_ROWID_RANGES", 4)
    ranges, bound, n = warehouse.rowid_ranges(con, "t", where)
    assert ranges.count("between") == 1 and n == 8
    assert _ids(con, f"{ranges} and {where}", bound) == _ids(con, where) == list(range(0, 4000000, 500000))
    assert warehouse.rowid_ranges(con, "t", "id < $n", {"n": 0}) == ("false", {}, 0)


# --- a load's work, scoped to its own cases, equals the full work -----------------------------------

def _warehouse(tmp_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load.load_into(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv"], progress=False)
    return con


def _week(tmp_path) -> Path:
    """Some of the sample's cases again, still without a due date (derived from the catalogue),
    received a week later; and new ones."""
    con = duckdb.connect()
    rows = con.execute(
        "select * from read_csv($p, all_varchar = true) limit 60", {"p": str(SAMPLE / "ho_so_2025_vendorB.csv")}
    ).fetchall()
    header = [d[0] for d in con.execute("select * from read_csv($p, all_varchar = true) limit 0",
                                        {"p": str(SAMPLE / "ho_so_2025_vendorB.csv")}).description]
    due, key = header.index("Hạn xử lý"), header.index("Số hồ sơ")
    out = []
    for n, row in enumerate(rows):
        row = list(row)
        row[due] = None
        if n % 2:
            row[key] = f"{row[key]}-MOI"
        out.append(",".join('"' + (v or "").replace('"', '""') + '"' for v in row))
    path = tmp_path / "tuan.csv"
    path.write_text(",".join(header) + "\n" + "\n".join(out) + "\n", encoding="utf-8")
    return path


def _statutory(con) -> int:
    return con.execute("select count(*) from cases where due_source = 'statutory'").fetchall()[0][0]


def test_due_dates_of_an_incremental_load_equal_a_full_derivation(tmp_path):
    con = _warehouse(tmp_path)
    load.load_into(con, [_week(tmp_path)], progress=False)
    new = con.execute("select count(*), count(*) filter (where due_source = 'statutory') from cases c "
                      "join procedures p using (procedure_code) "
                      "where case_id like '%-MOI' and p.statutory_days > 0 and received_at is not null").fetchall()[0]
    assert new[0] >= 10 and new[1] == new[0]               # the week's new cases got one
    # the full derivation over every case finds nothing left to change
    state = "select bit_xor(hash(case_id, due_at, due_source)) from cases"
    scoped = con.execute(state).fetchall()
    derive_due_dates(con, settings.get("office_close"))
    assert con.execute(state).fetchall() == scoped


def test_a_catalogue_loaded_later_still_fills_every_due_date(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load.load_into(con, [_week(tmp_path)], progress=False)
    assert _statutory(con) == 0                            # no catalogue, no statutory days
    load.load_into(con, [SAMPLE / "bo_tthc.xlsx"], progress=False)   # not this load's cases, all of them
    assert _statutory(con) == con.execute(
        "select count(*) from cases c join procedures p using (procedure_code) "
        "where coalesce(c.statutory_days, p.statutory_days) is not null and received_at is not null").fetchall()[0][0] > 20


# --- merge: the records a file touches, kept (small file) or read through a view (big file) -------

def test_a_small_and_a_big_file_merge_alike(tmp_path, monkeypatch):
    states = []
    for small_rows in (10**9, 0):                          # every file small, every file big
        monkeypatch.setenv("TTHC_LOAD_KEEP_TOUCHED_MAX_ROWS", str(small_rows))
        con = duckdb.connect()
        load.load_into(con, [SAMPLE / "bo_tthc.xlsx", SAMPLE / "ho_so_2025_vendorB.csv"], progress=False)
        # a later sync of some of the same cases, and the first file again (all unchanged)
        results = load.load_into(con, [SAMPLE / "dvcqg_2026.jsonl", SAMPLE / "ho_so_2025_vendorB.csv"],
                                 progress=False)
        counts = [(r.rows_inserted, r.rows_updated, r.rows_unchanged) for r in results]
        rows = con.execute("select * exclude (first_loaded_at, last_loaded_at) from cases order by case_id").fetchall()
        states.append((counts, rows))
        assert not con.execute("select count(*) from duckdb_tables() where table_name = '_cur'").fetchall()[0][0]
    assert states[0][0][0][1] > 0 and states[0][0][1][2] > 0    # updates, and unchanged rows, were seen
    assert states[0] == states[1]


def test_a_small_file_updates_records_in_row_groups_far_apart_as_a_big_one(tmp_path, monkeypatch):
    """The small path finds the touched records' rowid ranges once and scopes both the copy of them
    and the update to those ranges; records in row groups far apart, and a new one, end as the big
    path (no ranges) leaves them."""
    pending = "Đang xử lý"
    states = []
    for small_rows in (10**9, 0):
        monkeypatch.setenv("TTHC_LOAD_KEEP_TOUCHED_MAX_ROWS", str(small_rows))
        con = duckdb.connect()
        load.load_into(con, [write_csv(tmp_path / "a.csv", HEADER, [row("M-1", pending, handler="An")])],
                       progress=False)
        # four row groups of other cases between M-1 and M-2: two rowid ranges, not one
        con.execute("insert into cases (case_id, unit) select 'PAD-' || range, 'Xã Đệm' from range(500000)")
        load.load_into(con, [write_csv(tmp_path / "b.csv", HEADER, [
            row("M-2", pending, "07/01/2025 08:00", "10/01/2025 17:00", handler="Bình")])], progress=False)
        rowids = dict(con.execute("select case_id, rowid from cases where case_id in ('M-1', 'M-2')").fetchall())
        assert rowids["M-2"] - rowids["M-1"] > 3 * warehouse.ROW_GROUP_ROWS
        results = load.load_into(con, [write_csv(tmp_path / "c.csv", HEADER, [
            row("M-1", "Đã trả kết quả", finished="08/01/2025 15:00", handler="Cúc"),
            row("M-2", "Đã trả kết quả", "07/01/2025 08:00", "10/01/2025 17:00", "09/01/2025 11:00", handler="Cúc"),
            row("M-3", pending, "08/01/2025 08:00", "13/01/2025 17:00", handler="Cúc")])], progress=False)
        assert [(r.rows_inserted, r.rows_updated, r.rows_unchanged) for r in results] == [(1, 2, 0)]
        rows = con.execute("select case_id, status, finished_at, handler, source_file from cases "
                           "where case_id not like 'PAD-%' order by case_id").fetchall()
        assert [(r[0], r[1], r[3], r[4]) for r in rows] == [("M-1", 10, "Cúc", "c.csv"), ("M-2", 10, "Cúc", "c.csv"),
                                                            ("M-3", 4, "Cúc", "c.csv")]
        assert con.execute("select count(*) from cases where case_id like 'PAD-%' and source_file is null"
                           ).fetchall()[0][0] == 500000       # no other record touched
        states.append(rows)
    assert states[0] == states[1]


# --- create_schema writes nothing when nothing changed -------------------------------------------

def test_create_schema_skips_a_current_warehouse_and_rewrites_a_changed_one(tmp_path, monkeypatch):
    con = _warehouse(tmp_path)
    marker = "create or replace macro rate_pct(num, den) as -1"
    con.execute(marker)
    con.execute("delete from targets")
    warehouse.create_schema(con)                           # nothing it depends on changed
    assert con.execute("select rate_pct(1, 2)").fetchall() == [(-1,)]
    assert con.execute("select count(*) from targets").fetchall()[0][0] > 0   # an empty registry is refilled
    monkeypatch.setenv("TTHC_OFFICE_CLOSE", "16:30")      # the closing time is part of what it writes
    warehouse.create_schema(con)
    assert con.execute("select rate_pct(1, 2)").fetchall() == [(50.0,)]
    assert con.execute("select value from meta where key = 'office_close'").fetchall() == [("16:30",)]
    # a warehouse whose facts are outdated is not skipped either
    con.execute(marker)
    con.execute("update meta set value = 'old' where key = ?", [warehouse.FACTS_FINGERPRINT])
    warehouse.create_schema(con)
    assert con.execute("select rate_pct(1, 2)").fetchall() == [(50.0,)]


# --- the replaced file ---------------------------------------------------------------------------

def _files_of(db: Path) -> list[str]:
    """The files next to `db` that belong to it, once the loads' background work is done; the spare
    copy of the live file as it is now is listed as `<name>.spare`."""
    atomic.wait_background()
    spare = db.name + atomic.SPARE + atomic._identity(db)
    return sorted(db.name + ".spare" if p.name == spare else p.name
                  for p in db.parent.iterdir() if p.name.startswith(db.name))


def test_the_replaced_file_is_removed_and_a_reader_keeps_reading_it(tmp_path):
    db = tmp_path / "w.duckdb"
    load.load_files(db, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    reader = duckdb.connect(str(db), read_only=True)
    before = reader.execute("select count(*) from cases").fetchall()[0][0]
    load.load_files(db, [_week(tmp_path)])
    atomic.wait_background()
    # the replaced file is gone; the next load's spare copy is there, named after the live file
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.spare"]
    assert reader.execute("select count(*) from cases").fetchall()[0][0] == before   # its own file still
    reader.close()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from cases").fetchall()[0][0] == before + 30
    con.close()
    # a replaced file a killed load left behind goes with the next load
    shutil.copyfile(db, db.with_name("w.duckdb.old-123-456"))
    load.load_files(db, [_week(tmp_path)])
    atomic.wait_background()
    assert not list(tmp_path.glob("w.duckdb.old-*"))


# --- the spare copy a load starts from -------------------------------------------------------------

def _loaded(db: Path) -> dict:
    """What loads wrote, without the times they ran at."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table, times in (("cases", "first_loaded_at, last_loaded_at"), ("case_facts", ""),
                             ("case_month_cube", ""), ("rejects", ""), ("ingestions", "started_at, finished_at")):
            cols = f"* exclude ({times})" if times else "*"
            out[table] = sorted(map(repr, con.execute(f"select {cols} from {table}").fetchall()))
        return out
    finally:
        con.close()


def _no_copy(src, dst):
    raise AssertionError("the load copied the live file instead of taking its spare")


def _counted_copy(monkeypatch) -> list:
    copies, real = [], atomic._copy
    monkeypatch.setattr(atomic, "_copy", lambda src, dst: copies.append(Path(dst).name) or real(src, dst))
    return copies


def test_a_load_starts_from_the_spare_the_last_load_made_and_ends_as_one_that_copied(tmp_path, monkeypatch):
    db, control = tmp_path / "w.duckdb", tmp_path / "control" / "w.duckdb"
    control.parent.mkdir()
    for target in (db, control):
        load.load_files(target, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    monkeypatch.setenv("TTHC_LOAD_SPARE_COPY", "false")
    load.load_files(control, [_week(tmp_path)])               # copies the live file
    assert _files_of(control) == ["w.duckdb", "w.duckdb.lock"]
    monkeypatch.delenv("TTHC_LOAD_SPARE_COPY")
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.spare"]
    monkeypatch.setattr(atomic, "_copy", _no_copy)
    monkeypatch.setattr(atomic, "make_spare", lambda db: False)          # its next spare: below
    load.load_files(db, [_week(tmp_path)])
    assert _loaded(db) == _loaded(control)
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock"]
    monkeypatch.undo()
    atomic.make_spare(db)
    # the taken spare is gone, and the next one is a copy of the new file
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.spare"]
    spare = db.with_name(db.name + atomic.SPARE + atomic._identity(db))
    assert spare.read_bytes() == db.read_bytes()


def test_a_database_named_like_a_pattern_finds_its_spare(tmp_path, monkeypatch):
    db = tmp_path / "kho [2026]*.duckdb"
    load.load_files(db, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    assert _files_of(db) == [db.name, db.name + ".lock", db.name + ".spare"]
    db.with_name(db.name + ".old-1-2").write_bytes(b"a replaced file a killed load left")
    monkeypatch.setattr(atomic, "_copy", _no_copy)
    monkeypatch.setattr(atomic, "make_spare", lambda db: False)
    load.load_files(db, [_week(tmp_path)])
    assert _files_of(db) == [db.name, db.name + ".lock"]      # the spare taken, the stale file removed


def test_a_file_changed_in_place_since_its_spare_was_made_is_copied_afresh(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    load.load_files(db, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    atomic.wait_background()
    con = duckdb.connect(str(db))                              # another program writes the live file
    con.execute("insert into meta values ('written_in_place', 'yes')")
    con.close()
    db.with_name(db.name + atomic.SPARE + "partial").write_bytes(b"what a killed copy left")
    copies = _counted_copy(monkeypatch)
    load.load_files(db, [_week(tmp_path)])
    atomic.wait_background()
    # the load copied the live file; then, in the background, the next spare was made
    assert copies == [f"w.duckdb.tmp-{os.getpid()}", "w.duckdb.spare-partial"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select value from meta where key = 'written_in_place'").fetchall() == [("yes",)]
    con.close()
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.spare"]   # the partial one removed


def test_a_failed_load_leaves_a_new_spare_and_a_busy_lock_makes_none(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    load.load_files(db, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    atomic.wait_background()
    before = db.read_bytes()
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK not a workbook")
    with pytest.raises(load.LoadError):
        load.load_files(db, [_week(tmp_path), bad])
    assert db.read_bytes() == before
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.spare"]   # the used one made again
    for spare in db.parent.glob(db.name + atomic.SPARE + "*"):
        spare.unlink()
    with atomic.load_lock(db):                                  # a load is running: no spare now
        assert atomic.make_spare(db) is False
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock"]
    monkeypatch.setattr(atomic, "_copy", _no_copy)
    assert atomic.make_spare(db) is False                       # a copy that fails leaves nothing
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock"]


# --- free space given back -------------------------------------------------------------------------

def _free_blocks(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        _, _, _, total, _, free, *_ = con.execute("pragma database_size").fetchall()[0]
        return free, total
    finally:
        con.close()


def _everything(db: Path) -> dict:
    """Every row of every table, and the macros' and views' names: what a rewrite must keep."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        out = {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in tables}
        out["_functions"] = con.execute("select function_name from duckdb_functions() where not internal "
                                        "order by 1").fetchall()
        out["_views"] = con.execute("select view_name from duckdb_views() where not internal order by 1").fetchall()
        out["_kpis"] = con.execute("select * from kpi_table(date '2025-01-01', date '2025-12-31', null, null, "
                                   "20.0, 'month', false)").fetchall()
        return out
    finally:
        con.close()


def _cases_then_catalogue(tmp_path: Path, name: str) -> Path:
    """Cases first, the catalogue later: the second load recomputes case_facts whole, which leaves
    the first version's blocks free in the file."""
    db = tmp_path / name
    load.load_files(db, [SAMPLE / "ho_so_2025_vendorB.csv"], fresh=True)
    load.load_files(db, [SAMPLE / "bo_tthc.xlsx"])
    atomic.wait_background()
    return db


def _figures(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (con.execute("select count(*) from cases").fetchall(),
                con.execute("select * from kpi_table(date '2025-01-01', date '2025-12-31', null, null, "
                            "20.0, 'week', true)").fetchall())
    finally:
        con.close()


def test_a_load_that_leaves_free_space_gives_it_back(tmp_path, monkeypatch):
    monkeypatch.setenv("TTHC_LOAD_COMPACT_MIN_FREE_MB", "0")
    monkeypatch.setenv("TTHC_LOAD_COMPACT_FREE_SHARE", "1")          # never: the file as the load left it
    kept = _cases_then_catalogue(tmp_path, "kept.duckdb")
    free, total = _free_blocks(kept)
    assert free / total > 0.2, (free, total)                          # the sample leaves a fifth or more free
    # the rewrite keeps every row, macro and view
    shutil.copyfile(kept, tmp_path / "copy.duckdb")
    rewritten = atomic._compacted(tmp_path / "copy.duckdb", tmp_path / "spill")
    assert rewritten != tmp_path / "copy.duckdb" and not (tmp_path / "copy.duckdb").exists()
    assert _free_blocks(rewritten)[0] == 0 and rewritten.stat().st_size < kept.stat().st_size
    assert _everything(rewritten) == _everything(kept)
    # a load over the share rewrites its file before it replaces the live one
    monkeypatch.setenv("TTHC_LOAD_COMPACT_FREE_SHARE", "0.1")
    compact = _cases_then_catalogue(tmp_path, "compact.duckdb")
    assert _free_blocks(compact)[0] == 0
    assert _files_of(compact) == ["compact.duckdb", "compact.duckdb.lock", "compact.duckdb.spare"]
    assert _figures(compact) == _figures(kept)
    # and the next load works on the rewritten file as on any other
    load.load_files(compact, [_week(tmp_path)])
    load.load_files(kept, [_week(tmp_path)])
    atomic.wait_background()
    assert _figures(compact) == _figures(kept)


def test_a_failed_rewrite_keeps_the_load(tmp_path, monkeypatch):
    monkeypatch.setenv("TTHC_LOAD_COMPACT_MIN_FREE_MB", "0")
    monkeypatch.setenv("TTHC_LOAD_COMPACT_FREE_SHARE", "0.1")
    real = duckdb.connect

    def failing(database=":memory:", *a, **k):       # the rewrite's own connection fails its copy
        con = real(database, *a, **k)
        if database == ":memory:":
            con.execute("create macro boom() as error('disk full')")
            class Failing:
                def execute(self, sql, *args):
                    if sql.startswith("copy from database"):
                        con.execute("select boom()")
                    return con.execute(sql, *args)

                def close(self):
                    con.close()
            return Failing()
        return con

    monkeypatch.setattr(atomic.duckdb, "connect", failing)
    db = _cases_then_catalogue(tmp_path, "w.duckdb")
    monkeypatch.setattr(atomic.duckdb, "connect", real)
    free, _ = _free_blocks(db)
    assert free > 0                                            # not rewritten...
    con = duckdb.connect(str(db), read_only=True)              # ...but loaded: the catalogue is there
    assert con.execute("select count(*) from procedures").fetchall()[0][0] > 0
    con.close()
    assert _files_of(db) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.spare"]
