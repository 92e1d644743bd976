"""Create the warehouse schema and (re)load its reference data.

Reference data (status codes, the working-day calendar, plan targets) comes from files in the
repository, so every fresh database has it; the case data comes only from loads.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import duckdb

from core import settings

ETL_DIR = Path(__file__).resolve().parent
SCHEMA_VERSION = "1"

# DVCQG TrangThaiHoSo codes are the canonical status codes (DOMAIN.md, "Where the data comes from").
STATUSES = [
    # code, name, is_received, is_finished, waits_applicant
    (1, "Mới đăng ký", False, False, False),
    (2, "Được tiếp nhận", True, False, False),
    (3, "Không được tiếp nhận", False, False, False),
    (4, "Đang xử lý", True, False, False),
    (5, "Yêu cầu bổ sung giấy tờ", True, False, True),
    (6, "Yêu cầu thực hiện nghĩa vụ tài chính", True, False, True),
    (7, "Công dân yêu cầu rút hồ sơ", True, True, False),
    (8, "Dừng xử lý", True, True, False),
    (9, "Đã xử lý xong", True, True, False),
    (10, "Đã trả kết quả", True, True, False),
]


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table (idempotent) and fill the reference data."""
    con.execute((ETL_DIR / "schema.sql").read_text(encoding="utf-8"))
    con.execute("delete from statuses")
    con.executemany("insert into statuses values (?, ?, ?, ?, ?)", STATUSES)
    if not con.execute("select count(*) from meta where key = 'schema_version'").fetchall()[0][0]:
        con.execute("insert into meta values ('schema_version', ?), ('created_at', ?), ('data_version', '0')",
                    [SCHEMA_VERSION, datetime.now().isoformat(timespec="seconds")])
    # The closing time the due dates were computed with, read back by queries/views.sql.
    con.execute("delete from meta where key = 'office_close'")
    con.execute("insert into meta values ('office_close', ?)", [settings.get("office_close")])
    load_calendar(con)
    # Metric views and macros. The table macros read table case_facts, which must exist when they
    # are created, so it is materialised right after the view it copies.
    views = (ETL_DIR.parent / "queries" / "views.sql").read_text(encoding="utf-8")
    for statement in duckdb.extract_statements(views):
        con.execute(statement.query)
        if "create or replace view case_facts_view" in statement.query:
            _ensure_facts_table(con)
        if "create or replace view time_saving_month_cube_view" in statement.query:
            _ensure_cubes(con)
    if not con.execute("select count(*) from targets").fetchall()[0][0]:
        load_targets(con)


def load_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild holidays and work_calendar from the Labour Code rules, the announced adjustments
    file and the centre's own rows (source 'centre', kept across rebuilds)."""
    from core import calendar as wcal

    first, last = settings.get("calendar_first_year"), settings.get("calendar_last_year")
    adjustments = Path(settings.get("reference_dir")) / "holiday_adjustments.csv"
    rows = wcal.build_holiday_rows(first, last, adjustments)
    centre = con.execute("select day, kind, name, source from holidays where source = 'centre'").fetchall()
    centre_days = {r[0] for r in centre}
    rows = [r for r in rows if r[0] not in centre_days] + centre
    con.execute("delete from holidays")
    con.executemany("insert into holidays values (?, ?, ?, ?)", rows)
    con.execute("delete from work_calendar")
    # One statement, not executemany: ~6000 single-row inserts took seconds on every load.
    days, working, index = zip(*wcal.calendar_rows(first, last, rows))
    con.execute("insert into work_calendar select unnest(?), unnest(?), unnest(?)",
                [list(days), list(working), list(index)])
    con.execute((ETL_DIR / "macros.sql").read_text(encoding="utf-8"))


def load_targets(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> int:
    """Replace the targets table with the registry file's rows; returns the row count."""
    path = path or Path(settings.get("reference_dir")) / "targets.csv"
    con.execute("delete from targets")
    con.execute(
        """
        insert into targets
        select plan_id, plan_name, nullif(unit, ''), nullif(metric, ''), nullif(comparator, ''),
               value, effective_from, effective_to, nullif(sector_scope, ''), measurable,
               target_text, citation
        from read_csv(?, header = true, all_varchar = false, quote = '"',
                      types = {'plan_id': 'varchar', 'value': 'double', 'effective_from': 'date',
                               'effective_to': 'date', 'measurable': 'boolean'})
        """,
        [str(path)],
    )
    return con.execute("select count(*) from targets").fetchall()[0][0]


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("update meta set value = cast(cast(value as integer) + 1 as varchar) where key = 'data_version'")


FACTS_FINGERPRINT = "facts_fingerprint"


def facts_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What every case_facts row depends on besides its own case and rating rows: the view and
    macro definitions, the status codes, the office closing time, the working-day calendar and
    the procedure catalogue. When it changes, all rows are recomputed; otherwise a load refreshes
    only the cases it touched."""
    h = hashlib.sha256()
    for path in (ETL_DIR.parent / "queries" / "views.sql", ETL_DIR / "macros.sql"):
        h.update(path.read_bytes())
    h.update(repr(STATUSES).encode())
    h.update(str(con.execute("select value from meta where key = 'office_close'").fetchall()).encode())
    for sql in ("select md5(coalesce(string_agg(concat_ws('|', day, is_working, wd_index), ',' order by day), '')) "
                "from work_calendar",
                "select md5(coalesce(string_agg(concat_ws('|', procedure_code, statutory_days, fee_amount, "
                "full_online_eligible, loaded_at), ',' order by all), '')) from procedures"):
        h.update(con.execute(sql).fetchall()[0][0].encode())
    return h.hexdigest()


def _stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    return con.execute("select max(value) from meta where key = ?", [FACTS_FINGERPRINT]).fetchall()[0][0]


def _ensure_facts_table(con: duckdb.DuckDBPyConnection) -> None:
    """case_facts must exist, with the view's columns, before the macros that read it are created.
    Rebuilt here only when missing, outdated in shape, or computed under other definitions
    (facts_fingerprint); a load then refreshes the rows it touched (refresh_facts)."""
    found = con.execute("select table_type from information_schema.tables "
                        "where table_schema = 'main' and table_name = 'case_facts'").fetchall()
    if found and found[0][0] == "VIEW":
        con.execute("drop view case_facts")  # warehouses built before case_facts was materialised
    columns = ("select column_name from information_schema.columns where table_schema = 'main' "
               "and table_name = ? order by ordinal_position")
    if (con.execute(columns, ["case_facts"]).fetchall() != con.execute(columns, ["case_facts_view"]).fetchall()
            or _stored_fingerprint(con) != facts_fingerprint(con)):
        # the cubes' views stored in this file may be an older version's: _ensure_cubes rebuilds
        # the cubes once create_schema has replaced them
        refresh_facts(con, cubes=False)


# Monthly cubes of case_facts (queries/views.sql): table -> (view, table macro over a facts table).
# kpi_table reads a period's whole months from them, so they are kept exactly in step with
# case_facts: rebuilt with it, and per (unit, month) cell for the cases a load touched.
CUBES = {
    "case_month_cube": ("case_month_cube_view", "case_month_cube_of"),
    "time_saving_month_cube": ("time_saving_month_cube_view", "time_saving_month_cube_of"),
}
CUBES_FINGERPRINT = "cubes_fingerprint"


def rebuild_cubes(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every cube from case_facts (stored in month order: a period reads its months' row
    groups only) and record the facts fingerprint they were built under."""
    for table, (view, _) in CUBES.items():
        con.execute(f"create or replace table {table} as select * from {view} order by month")
    con.execute("delete from meta where key = ?", [CUBES_FINGERPRINT])
    con.execute("insert into meta values (?, ?)", [CUBES_FINGERPRINT, _stored_fingerprint(con)])


def _ensure_cubes(con: duckdb.DuckDBPyConnection) -> None:
    """The cube tables must exist, with their views' columns, before kpi_table is created; rebuilt when
    missing, outdated in shape or built under other definitions than case_facts'."""
    columns = ("select column_name, data_type from information_schema.columns where table_schema = 'main' "
               "and table_name = ? order by ordinal_position")
    stored = con.execute("select max(value) from meta where key = ?", [CUBES_FINGERPRINT]).fetchall()[0][0]
    if (stored != _stored_fingerprint(con)
            or any(con.execute(columns, [t]).fetchall() != con.execute(columns, [v]).fetchall()
                   for t, (v, _) in CUBES.items())):
        rebuild_cubes(con)


def _refresh_cube_cells(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the cube rows of the (unit, month) cells in temp table _cube_cells from every case
    with an event in them (a cell's rows are sums over all its cases, so all of them are re-read)."""
    con.execute(
        "create or replace temp table _cube_facts as select * from case_facts where case_id in ("
        "select e.case_id from case_event_months_of('case_facts') e semi join _cube_cells x "
        "on x.unit is not distinct from e.unit and x.month = e.month)")
    try:
        for table, (_, macro) in CUBES.items():
            con.execute(f"delete from {table} c using _cube_cells x "
                        "where c.unit is not distinct from x.unit and c.month = x.month")
            con.execute(f"insert into {table} select v.* from {macro}('_cube_facts') v "
                        "semi join _cube_cells x on v.unit is not distinct from x.unit and v.month = x.month")
    finally:
        con.execute("drop table if exists _cube_facts")


def refresh_facts(con: duckdb.DuckDBPyConnection, since: datetime | None = None, cubes: bool = True) -> str:
    """Bring table case_facts up to date with case_facts_view (queries/views.sql): the per-case
    derivations, computed once per load so metric queries only scan and aggregate.

    With `since`, only cases a load changed at or after that time (cases.last_loaded_at, or a
    rating's loaded_at) are recomputed, unless facts_fingerprint changed, which recomputes all.
    The monthly cubes (CUBES) follow: all of them after a full refresh (unless `cubes` is false),
    else the (unit, month) cells the changed cases had or now have events in.
    Returns 'full', 'incremental' or 'none'."""
    fingerprint = facts_fingerprint(con)
    if since is None or _stored_fingerprint(con) != fingerprint:
        # sorted by active_from so a period's scan skips the row groups after the period
        con.execute("create or replace table case_facts as select * from case_facts_view order by active_from")
        con.execute("delete from meta where key = ?", [FACTS_FINGERPRINT])
        con.execute("insert into meta values (?, ?)", [FACTS_FINGERPRINT, fingerprint])
        if cubes:
            rebuild_cubes(con)
        else:   # stale until _ensure_cubes rebuilds them
            con.execute("delete from meta where key = ?", [CUBES_FINGERPRINT])
        return "full"
    # the changed cases' rows, so case_facts_of computes only them (a filter on the view's output
    # would compute every case first)
    con.execute(
        "create or replace temp table _facts_dirty as select * from cases where case_id in ("
        "select case_id from cases where last_loaded_at >= $since "
        "union select case_id from ratings where loaded_at >= $since)", {"since": since})
    try:
        if not con.execute("select count(*) from _facts_dirty").fetchall()[0][0]:
            return "none"
        # the cube cells (unit, month) the changed cases' events were in before and are in after
        touched = ("create or replace temp table _facts_touched as select case_id, unit, received_date, "
                   "finish_date, overdue_from from case_facts where case_id in (select case_id from _facts_dirty)")
        cells = "insert into _cube_cells select distinct unit, month from case_event_months_of('_facts_touched')"
        con.execute("create or replace temp table _cube_cells (unit varchar, month date)")
        con.execute(touched)
        con.execute(cells)
        con.execute("delete from case_facts where case_id in (select case_id from _facts_dirty)")
        con.execute("insert into case_facts select * from case_facts_of('_facts_dirty') order by active_from")
        con.execute(touched)
        con.execute(cells)        # a cell listed twice is harmless: it is only deleted and semi-joined
        _refresh_cube_cells(con)
        return "incremental"
    finally:
        con.execute("drop table if exists _facts_dirty")
        con.execute("drop table if exists _cube_cells")
        con.execute("drop table if exists _facts_touched")


def outdated(db: Path) -> bool:
    """True when the warehouse at `db` was built under other metric definitions than this code's
    (queries/views.sql, etl/macros.sql, status codes: the stored facts_fingerprint differs), so
    its stored macros and case_facts must be rebuilt (upgrade) before the app can use them."""
    from core.db import connect_readonly

    con = connect_readonly(db)
    try:
        return _stored_fingerprint(con) != facts_fingerprint(con)
    except duckdb.Error:
        return True                       # no meta, no work_calendar: a warehouse from before both
    finally:
        con.close()


def upgrade(db: Path) -> None:
    """Rebuild the schema objects and case_facts of an existing warehouse under this code's
    definitions, atomically (readers keep the old file until the new one replaces it)."""
    from etl import atomic

    with atomic.replacing(Path(db)) as con:
        con.execute("begin transaction")
        create_schema(con)
        con.execute("commit")
