"""Upsert staged rows into the warehouse by the merge rules of DOMAIN.md.

- The later state of a record wins: states are ordered by (finished?, latest event time); on a
  tie the file loaded later wins. So a finished case never goes back to pending because an
  older export is loaded after a newer one.
- A column the file does not carry is not touched; a blank cell never erases a known value; an
  older state may still fill a value the record lacks.
- The same key twice in one file is applied in file order (one pass per occurrence).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import settings
from etl.mapping import KIND_KEY
from etl.stage import Staged
from etl.warehouse import rowid_ranges

TABLES = {"cases": "cases", "ratings": "ratings", "feedback": "feedback", "procedures": "procedures"}

FINISHED = {
    "cases": "(coalesce({x}.status in (7, 8, 9, 10), false) or {x}.finished_at is not null "
             "or {x}.returned_at is not null)",
    "feedback": "({x}.resolved_at is not null)",
    "ratings": "false",
    "procedures": "false",
}
STATE_TIME = {
    "cases": "greatest({x}.submitted_at, {x}.received_at, {x}.finished_at, {x}.returned_at)",
    "feedback": "greatest({x}.received_at, {x}.resolved_at)",
    "ratings": "{x}.rated_at",
    "procedures": "cast(null as timestamp)",
}
# Columns of a state-defining field that an incoming row may lack in this file.
STATE_FIELDS = {
    "cases": ("status", "submitted_at", "received_at", "finished_at", "returned_at"),
    "feedback": ("received_at", "resolved_at"),
    "ratings": ("rated_at",),
    "procedures": (),
}


@dataclass
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _expr(template: str, alias: str) -> str:
    return template.format(x=alias)


def merge(con, staged: Staged, file_name: str, now: datetime) -> MergeCounts:
    kind, table = staged.kind, TABLES[staged.kind]
    key = KIND_KEY[kind]
    fields = [f for f in staged.present if f != key]
    if staged.has_applicant_key:
        fields.append("applicant_key")
    loaded_cols = ["source_file", "first_loaded_at", "last_loaded_at"] if kind == "cases" else ["source_file", "loaded_at"]
    counts = MergeCounts()
    # The incoming row as a full record: fields the file lacks are NULL.
    state_cols = [c for c in STATE_FIELDS[kind] if c not in staged.present]
    pad = "".join(f", cast(null as {'tinyint' if c == 'status' else 'timestamp'}) as {c}" for c in state_cols)
    # A record the file carries more than once can be changed by one pass and changed back by the
    # next (a re-load of the same file): in the end that is no update. Remember such records.
    repeated = staged.max_dup > 1 and bool(fields)
    small = staged.rows_read <= settings.get("load_keep_touched_max_rows")
    if repeated:
        con.execute(f"create or replace temp table _pre as select * from {table} where {key} in "
                    f"(select {key} from {staged.table} where _dup = 2)")
        con.execute(f"create or replace temp table _pre_upd as select {key} from {table} limit 0")
    for k in range(1, staged.max_dup + 1):
        # A view, not a copy of the pass's rows: each statement below reads it once.
        con.execute(f"create or replace temp view _inc as select *{pad} from {staged.table} "
                    f"where _reason is null and _dup = {int(k)}")
        cols = [key] + fields
        # The existing records this pass touches. For a small file, found once and kept: a join of
        # the file's rows with the whole table is planned with the table as its build side (0.45 s
        # at 5M cases for a week's file); a semi join builds on the file's rows and only probes the
        # table, within the rowid ranges of the matches. A big file (a re-exported year) would
        # hold a copy of most of the table in memory: there a view, read by each statement.
        touched = f"{key} in (select {key} from _inc)"
        # the update below joins the table to _upd: within these ranges it reads only the row groups
        # of the touched records, not the key column of every record (1,200 updates at 5M cases:
        # round 13 of docs/performance.md)
        ranges, bound = "true", {}
        if small:
            ranges, bound, _ = rowid_ranges(con, table, touched, column=f"{table}.rowid")
            con.execute(f"create or replace temp table _cur as select * from {table} where {ranges} and {touched}",
                        bound)
        else:
            con.execute(f"create or replace temp view _cur as select * from {table} where {touched}")
        # Existing records first (before this pass inserts any): decide who wins, merge field by
        # field, and count what changed.
        total = changed_n = 0
        if fields:
            fin_i, fin_c = _expr(FINISHED[kind], "i"), _expr(FINISHED[kind], "c")
            st_i, st_c = _expr(STATE_TIME[kind], "i"), _expr(STATE_TIME[kind], "c")
            wins = (f"(({fin_i})::int > ({fin_c})::int or (({fin_i}) = ({fin_c}) and "
                    f"coalesce({st_i}, timestamp '0001-01-01') >= coalesce({st_c}, timestamp '0001-01-01')))")
            merged, changed = [], []
            for f in fields:
                existing = f"c.{f}"
                if kind == "cases" and f == "due_at":
                    # A due date derived from statutory days is ours, not a file's: any file value beats it.
                    existing = "case when c.due_source = 'file' then c.due_at end"
                m = f"case when i.{f} is null then {existing} when w then i.{f} else coalesce({existing}, i.{f}) end"
                if kind == "cases" and f == "due_at":
                    merged.append(f"coalesce({m}, c.due_at) as due_at")
                    merged.append(f"case when ({m}) is not null then 'file' else c.due_source end as due_source")
                    changed.append(f"coalesce({m}, c.due_at) is distinct from c.due_at")
                else:
                    merged.append(f"{m} as {f}")
                    changed.append(f"({m}) is distinct from c.{f}")
            con.execute(
                f"""create or replace temp table _upd as
                    with _w as (select i._row, {wins} as w from _inc i join _cur c on c.{key} = i.{key})
                    select c.{key}, {', '.join(merged)}, ({' or '.join(changed)}) as _changed
                    from _inc i join _w on _w._row = i._row join _cur c on c.{key} = i.{key}"""
            )
            total, changed_n = con.execute(
                "select count(*), count(*) filter (where _changed) from _upd").fetchall()[0]
            if repeated:
                con.execute(f"insert into _pre_upd select {key} from _upd where _changed")
        else:
            total = con.execute(f"select count(*) from _inc i join _cur c on c.{key} = i.{key}").fetchall()[0][0]
        # New records.
        due_src = due_val = ""
        if kind == "cases":
            due_src = ", due_source"
            due_val = ", case when i.due_at is not null then 'file' end" if "due_at" in fields else ", null"
        loaded_vals = ", $file, $now, $now" if kind == "cases" else ", $file, $now"
        inserted = con.execute(
            f"insert into {table} ({', '.join(cols)}{due_src}, {', '.join(loaded_cols)}) "
            f"select {', '.join('i.' + c for c in cols)}{due_val}{loaded_vals} from _inc i "
            f"where not exists (select 1 from _cur t where t.{key} = i.{key})",
            {"file": file_name, "now": now}).fetchall()[0][0]
        counts.inserted += inserted
        if changed_n:
            set_cols = fields + (["due_source"] if kind == "cases" and "due_at" in fields else [])
            stamp = ("source_file = $file, last_loaded_at = $now" if kind == "cases"
                     else "source_file = $file, loaded_at = $now")
            con.execute(
                f"update {table} set {', '.join(f'{c} = u.{c}' for c in set_cols)}, {stamp} "
                f"from _upd u where {ranges} and {table}.{key} = u.{key} and u._changed",
                {"file": file_name, "now": now, **bound})
        counts.updated += changed_n
        counts.unchanged += total - changed_n
    if repeated:
        data_cols = [d[0] for d in con.execute(f"select * from {table} limit 0").description
                     if d[0] not in loaded_cols]
        same = " and ".join(f"t.{c} is not distinct from p.{c}" for c in data_cols)
        back = f"select p.{key} from _pre p join {table} t on t.{key} = p.{key} where {same}"
        n = con.execute(f"select count(*) from _pre_upd where {key} in ({back})").fetchall()[0][0]
        counts.updated -= n
        counts.unchanged += n
        con.execute(f"update {table} set {', '.join(f'{c} = p.{c}' for c in loaded_cols)} from _pre p "
                    f"where {table}.{key} = p.{key} and p.{key} in ({back})")
    con.execute(f"drop {'table' if small else 'view'} if exists _cur")
    for temp in ("_upd", "_pre", "_pre_upd"):
        con.execute(f"drop table if exists {temp}")   # a re-loaded big file's copies: free them now
    return counts


def derive_due_dates(con, office_close: str, since: datetime | None = None) -> None:
    """Cases without a due date in any file get due = received + statutory working days
    (the file's statutory time, else the catalogue's), flagged due_source = 'statutory'.
    Re-run after every load, so a catalogue loaded later still fills them. With `since`, only the
    cases a load changed at or after then: the caller passes it only when the catalogue, calendar
    and closing time are those the other cases' due dates were derived under (facts_current)."""
    scope, bound = "true", {}
    if since is not None:
        changed = "last_loaded_at >= $since"
        ranges, bound, _ = rowid_ranges(con, "cases", changed, {"since": since}, column="cases.rowid")
        scope, bound = f"{ranges} and cases.{changed}", {**bound, "since": since}
    con.execute(
        f"""
        update cases set
            due_at = cast(wd_add(cases.received_at, d.n, $close) as timestamp),
            due_source = case when wd_add(cases.received_at, d.n, $close) is not null then 'statutory' end
        from (
            select c.case_id, coalesce(c.statutory_days, p.statutory_days) as n
            from (select * from cases where {scope}) c left join procedures p on p.procedure_code = c.procedure_code
            where c.due_source is distinct from 'file'
        ) d
        where {scope} and cases.case_id = d.case_id
          and (cases.due_at is distinct from cast(wd_add(cases.received_at, d.n, $close) as timestamp)
               or cases.due_source is distinct from
                  case when wd_add(cases.received_at, d.n, $close) is not null then 'statutory' end)
        """,
        {"close": office_close, **bound},
    )
