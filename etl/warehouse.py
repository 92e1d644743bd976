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


ROW_GROUP_ROWS = 122_880      # DuckDB's row group size: the unit a scan skips by its rowid range
MAX_ROWID_RANGES = 8


def rowid_ranges(con: duckdb.DuckDBPyConnection, table: str, where: str,
                 params: dict | None = None, column: str = "rowid") -> tuple[str, dict, int]:
    """A condition on `column` (the rowid, qualified when the statement needs it) covering the rows
    of `table` matching `where` (SQL text, and its parameters, named _r<n>lo/_r<n>hi), for a
    statement that adds it to the same condition; and the number of matching rows.

    A load touches a few thousand rows of millions: finding them reads the key column only, and
    the ranges let the statement that reads or deletes their whole rows skip the row groups outside
    them (stored rows follow receipt order closely, so a week's cases sit together; rows this
    transaction appended are another cluster). Reading 1,200 cases' rows at 5M: 0.21 -> 0.06 s."""
    # the matches' span in each row group (a hash aggregate into at most rows / ROW_GROUP_ROWS
    # groups, not a sort of the matches), then runs of neighbouring groups as ranges
    found = sorted(con.execute(f"select rowid // {ROW_GROUP_ROWS} as g, min(rowid), max(rowid), count(*) "
                               f"from {table} where {where} group by g", params or {}).fetchall())
    rows: list[tuple[int, int]] = []
    for g, lo, hi, _ in found:
        if rows and g <= rows[-1][1] // ROW_GROUP_ROWS + 2:
            rows[-1] = (rows[-1][0], hi)
        else:
            rows.append((lo, hi))
    if len(rows) > MAX_ROWID_RANGES:
        rows = [(rows[0][0], rows[-1][1])]
    if not rows:
        return "false", {}, 0
    text = " or ".join(f"{column} between $_r{n}lo and $_r{n}hi" for n in range(len(rows)))
    bound = {k: v for n, (lo, hi) in enumerate(rows) for k, v in ((f"_r{n}lo", lo), (f"_r{n}hi", hi))}
    return f"({text})", bound, sum(r[3] for r in found)


SCHEMA_FINGERPRINT = "schema_fingerprint"


def _calendar_rows(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    """The holidays rows (the Labour Code rules, the announced adjustments file, the centre's own
    rows: source 'centre', kept across rebuilds) and the work_calendar rows built from them."""
    from core import calendar as wcal

    first, last = settings.get("calendar_first_year"), settings.get("calendar_last_year")
    adjustments = Path(settings.get("reference_dir")) / "holiday_adjustments.csv"
    rows = wcal.build_holiday_rows(first, last, adjustments)
    centre = con.execute("select day, kind, name, source from holidays where source = 'centre'").fetchall()
    centre_days = {r[0] for r in centre}
    rows = [r for r in rows if r[0] not in centre_days] + centre
    return rows, wcal.calendar_rows(first, last, rows)


def _schema_fingerprint(con: duckdb.DuckDBPyConnection, calendar: tuple[list, list]) -> str:
    """Everything create_schema writes besides the tables' data: the SQL files, status codes,
    closing time and calendar rows."""
    h = hashlib.sha256()
    for path in (ETL_DIR / "schema.sql", ETL_DIR / "macros.sql", ETL_DIR.parent / "queries" / "views.sql"):
        h.update(path.read_bytes())
    h.update(repr((SCHEMA_VERSION, STATUSES, settings.get("office_close"), calendar)).encode())
    return h.hexdigest()


def has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """False for a new, empty warehouse file (create_schema has never run on it)."""
    return bool(con.execute("select count(*) from information_schema.tables "
                            "where table_schema = 'main' and table_name = 'meta'").fetchall()[0][0])


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table (idempotent) and fill the reference data.

    Every load calls it. When the file already holds what it would write (meta.schema_fingerprint,
    and case_facts and the cubes current), it writes nothing: re-creating ~60 views and macros and
    the calendar cost 0.2 s, and the checkpoint then rewrote the catalogue, another 0.3 s, at
    every week's load."""
    con.execute((ETL_DIR / "schema.sql").read_text(encoding="utf-8"))
    calendar = _calendar_rows(con)
    fingerprint = _schema_fingerprint(con, calendar)
    if _meta(con, SCHEMA_FINGERPRINT) != fingerprint or not _current(con):
        _create_schema(con, calendar)
        _set_meta(con, SCHEMA_FINGERPRINT, fingerprint)
    if not con.execute("select count(*) from targets").fetchall()[0][0]:
        load_targets(con)


def _current(con: duckdb.DuckDBPyConnection) -> bool:
    """case_facts and the cubes exist and were built under today's definitions."""
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'main' and table_type = 'BASE TABLE'").fetchall()}
    if not {"case_facts", *CUBES} <= tables:
        return False
    return _meta(con, FACTS_FINGERPRINT) == _meta(con, CUBES_FINGERPRINT) == facts_fingerprint(con)


def _create_schema(con: duckdb.DuckDBPyConnection, calendar: tuple[list, list]) -> None:
    """Write the status codes, closing time, calendar, views and macros; bring case_facts and the
    cubes up to date with them."""
    con.execute("delete from statuses")
    con.executemany("insert into statuses values (?, ?, ?, ?, ?)", STATUSES)
    if not con.execute("select count(*) from meta where key = 'schema_version'").fetchall()[0][0]:
        con.execute("insert into meta values ('schema_version', ?), ('created_at', ?), ('data_version', '0')",
                    [SCHEMA_VERSION, datetime.now().isoformat(timespec="seconds")])
    # The closing time the due dates were computed with, read back by queries/views.sql.
    _set_meta(con, "office_close", settings.get("office_close"))
    load_calendar(con, calendar)
    # Metric views and macros. The table macros read table case_facts, which must exist when they
    # are created, so it is materialised right after the view it copies.
    views = (ETL_DIR.parent / "queries" / "views.sql").read_text(encoding="utf-8")
    for statement in duckdb.extract_statements(views):
        con.execute(statement.query)
        if "create or replace view case_facts_view" in statement.query:
            _ensure_facts_table(con)
        if "create or replace view time_saving_month_cube_view" in statement.query:
            _ensure_cubes(con)


def load_calendar(con: duckdb.DuckDBPyConnection, calendar: tuple[list, list] | None = None) -> None:
    """Rebuild holidays and work_calendar from the Labour Code rules, the announced adjustments
    file and the centre's own rows (source 'centre', kept across rebuilds)."""
    rows, days_rows = calendar or _calendar_rows(con)
    con.execute("delete from holidays")
    con.executemany("insert into holidays values (?, ?, ?, ?)", rows)
    con.execute("delete from work_calendar")
    # One statement, not executemany: ~6000 single-row inserts took seconds on every load.
    days, working, index = zip(*days_rows)
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


def facts_current(con: duckdb.DuckDBPyConnection) -> bool:
    """case_facts was computed under today's definitions, catalogue, calendar and closing time."""
    return _stored_fingerprint(con) == facts_fingerprint(con)


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    return con.execute("select max(value) from meta where key = ?", [key]).fetchall()[0][0]


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    """Replace the meta row `key` (none when value is None)."""
    con.execute("delete from meta where key = ?", [key])
    if value is not None:
        con.execute("insert into meta values (?, ?)", [key, value])


def _stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    return _meta(con, FACTS_FINGERPRINT)


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
            or not facts_current(con)):
        # the cubes' views stored in this file may be an older version's: _ensure_cubes rebuilds
        # the cubes once create_schema has replaced them
        refresh_facts(con, cubes=False)


# Monthly cubes of case_facts (queries/views.sql): table -> (view, table macro over a facts table,
# key columns, the column counting a row's events). kpi_table reads a period's whole months from
# them, so they are kept exactly in step with case_facts: rebuilt with it, and after an
# incremental load changed by the changed cases' contributions (_apply_cube_deltas).
CUBES = {
    "case_month_cube": ("case_month_cube_view", "case_month_cube_of",
                        ("month", "unit", "sector", "procedure_key"), "events"),
    "time_saving_month_cube": ("time_saving_month_cube_view", "time_saving_month_cube_of",
                               ("month", "unit", "sector", "time_saving_pct"), "cases"),
}
CUBES_FINGERPRINT = "cubes_fingerprint"


def rebuild_cubes(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every cube from case_facts (stored in month order: a period reads its months' row
    groups only) and record the facts fingerprint they were built under."""
    for table, (view, *_) in CUBES.items():
        con.execute(f"create or replace table {table} as select * from {view} order by month")
    _set_meta(con, CUBES_FINGERPRINT, _stored_fingerprint(con))


def _ensure_cubes(con: duckdb.DuckDBPyConnection) -> None:
    """The cube tables must exist, with their views' columns, before kpi_table is created; rebuilt when
    missing, outdated in shape or built under other definitions than case_facts'."""
    columns = ("select column_name, data_type from information_schema.columns where table_schema = 'main' "
               "and table_name = ? order by ordinal_position")
    if (_meta(con, CUBES_FINGERPRINT) != _stored_fingerprint(con)
            or any(con.execute(columns, [t]).fetchall() != con.execute(columns, [v]).fetchall()
                   for t, (v, *_) in CUBES.items())):
        rebuild_cubes(con)


def _apply_cube_deltas(con: duckdb.DuckDBPyConnection, old: str, new: str) -> None:
    """Bring each cube from the changed cases' old facts (temp table `old`) to their new ones (`new`):
    add the rows the cube's macro makes of `new`, subtract those it makes of `old`. Every cube column
    is an exact sum, so the result equals a rebuild; a row whose event count reaches 0 is deleted.
    Reads only the changed cases (a few thousand), never the cells' other cases."""
    for table, (_, macro, keys, count) in CUBES.items():
        values = [d[0] for d in con.execute(f"select * from {table} limit 0").description if d[0] not in keys]
        key_list = ", ".join(keys)
        same = " and ".join(f"t.{k} is not distinct from d.{k}" for k in keys)
        con.execute(
            f"create or replace temp table _cube_delta as "
            f"select {key_list}, {', '.join(f'sum({v}) as {v}' for v in values)} from ("
            f"select * from {macro}('{new}') union all "
            f"select {key_list}, {', '.join(f'-{v}' for v in values)} from {macro}('{old}')) "
            f"group by {key_list} having {' or '.join(f'sum({v}) <> 0' for v in values)}")
        con.execute(f"create or replace temp table _cube_delta as select d.*, t.{count} is not null as _present "
                    f"from _cube_delta d left join {table} t on {same}")
        con.execute(f"update {table} t set {', '.join(f'{v} = t.{v} + d.{v}' for v in values)} "
                    f"from _cube_delta d where d._present and {same}")
        con.execute(f"insert into {table} by name select {key_list}, {', '.join(values)} "
                    f"from _cube_delta where not _present")
        con.execute(f"delete from {table} t using _cube_delta d where d._present and {same} and t.{count} = 0")
    con.execute("drop table if exists _cube_delta")


def refresh_facts(con: duckdb.DuckDBPyConnection, since: datetime | None = None, cubes: bool = True) -> str:
    """Bring table case_facts up to date with case_facts_view (queries/views.sql): the per-case
    derivations, computed once per load so metric queries only scan and aggregate.

    With `since`, only cases a load changed at or after that time (cases.last_loaded_at, or a
    rating's loaded_at) are recomputed, unless facts_fingerprint changed or more than the
    setting load_incremental_max_share of the cases changed, which recompute all.
    The monthly cubes (CUBES) follow: all of them after a full refresh (unless `cubes` is false),
    else by the difference the changed cases' facts made (_apply_cube_deltas).
    Returns 'full', 'incremental' or 'none'."""
    fingerprint = facts_fingerprint(con)
    changed = "last_loaded_at >= $since"
    ranges = bound = None
    if since is not None and _stored_fingerprint(con) == fingerprint:
        # Only when ratings were loaded too: with the `or`, the scan can no longer skip the row
        # groups whose last_loaded_at is older (5M cases: 60 ms, 1.5 ms without)
        if con.execute("select exists (select 1 from ratings where loaded_at >= $since)",
                       {"since": since}).fetchall()[0][0]:
            changed = f"({changed} or case_id in (select case_id from ratings where loaded_at >= $since))"
        ranges, bound, n_changed = rowid_ranges(con, "cases", changed, {"since": since})
        if not n_changed:
            return "none"
        # case by case costs about 1.5x a full rebuild per case (5M new cases: 32 s against 22 s)
        share = settings.get("load_incremental_max_share")
        if n_changed > share * con.execute("select count(*) from case_facts").fetchall()[0][0]:
            ranges = None        # most cases changed (a first load): recomputing all is cheaper
    if ranges is None:
        # sorted by active_from so a period's scan skips the row groups after the period
        con.execute("create or replace table case_facts as select * from case_facts_view order by active_from")
        _set_meta(con, FACTS_FINGERPRINT, fingerprint)
        if cubes:
            rebuild_cubes(con)
        else:   # stale until _ensure_cubes rebuilds them
            _set_meta(con, CUBES_FINGERPRINT, None)
        return "full"
    # the changed cases' rows, so case_facts_of computes only them (a filter on the view's output
    # would compute every case first)
    con.execute(f"create or replace temp table _facts_dirty as select * from cases "
                f"where {ranges} and {changed}", {"since": since, **bound})
    try:
        dirty = "case_id in (select case_id from _facts_dirty)"
        ranges, bound, _ = rowid_ranges(con, "case_facts", dirty)
        con.execute(f"create or replace temp table _facts_old as select * from case_facts where {ranges} and {dirty}",
                    bound)
        con.execute("create or replace temp table _facts_new as select * from case_facts_of('_facts_dirty')")
        con.execute(f"delete from case_facts where {ranges} and {dirty}", bound)
        con.execute("insert into case_facts select * from _facts_new order by active_from")
        _apply_cube_deltas(con, "_facts_old", "_facts_new")
        return "incremental"
    finally:
        for temp in ("_facts_dirty", "_facts_old", "_facts_new"):
            con.execute(f"drop table if exists {temp}")


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
