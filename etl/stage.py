"""Turn a RawSource's text cells into typed, validated rows in a temp table, all in SQL.

Each row either parses into typed values or gets a Vietnamese reason (`_reason`) a clerk can act
on. No per-row Python: the parsing rules are SQL expressions over whole columns, so a million-row
export costs about as much as scanning it.

Identifiers in the generated SQL come only from mapping.FIELD_TYPES (code), never from a file;
everything that comes from a file (header texts, labels, word lists, the salt) is bound.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from core import settings
from etl.mapping import FIELD_LABELS, FIELD_TYPES, KIND_FIELDS, KIND_KEY, TONE_FOLD, Mapping
from etl.readers import RawSource

_WS = r"[[:space:]\x{00A0}]+"
TS_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
              "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
              "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"]
SQL_TYPES = {"id": "varchar", "text": "varchar", "ts": "timestamp", "int": "integer", "money": "decimal(18,2)",
             "bool": "boolean", "channel": "varchar", "status": "tinyint", "rating": "tinyint"}
MAX_CELL_CHARS = 4000
_EXCEL_ERROR = r"#(N/A|VALUE!|REF!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)"


def text_expr(v: str) -> str:
    return f"nullif(nfc_normalize(trim(regexp_replace({v}, '{_WS}', ' ', 'g'))), '')"


def norm_expr(v: str) -> str:
    """SQL twin of etl.mapping.norm, for matching cells against the mapping's word lists."""
    expr = f"lower({text_expr(v)})"
    for old, new in TONE_FOLD.items():
        expr = f"replace({expr}, '{old}', '{new}')"
    return f"coalesce({expr}, '')"


def blank_trim(v: str) -> str:
    """trim() that also strips tabs, line breaks and NBSP: a cell of only those is blank."""
    return f"trim({v}, ' \t\n\r\u00a0')"


def ts_expr(v: str) -> str:
    """Dates as exports write them: dd/mm/yyyy[ HH:mm[:ss]], ISO, yyyyMMddHHmmss, Excel serials."""
    t = blank_trim(v)
    return (
        f"case when {v} is null or {t} = '' then null "
        f"when regexp_full_match({t}, '[0-9]{{14}}') then try_strptime({t}, '%Y%m%d%H%M%S') "
        f"when regexp_full_match({t}, '[0-9]{{8}}') then try_strptime({t}, '%Y%m%d') "
        f"when regexp_full_match({t}, '[0-9]{{1,6}}([.][0-9]+)?') then "
        # Excel serials, to the millisecond (Excel's own precision): '45667.708333333' is 17:00 sharp.
        f"  timestamp '1899-12-30' + to_microseconds(cast(round(cast({t} as double) * 86400000) as bigint) * 1000) "
        # DuckDB's cast also reads 'infinity', 'INF' and the like as timestamps: not dates
        f"else coalesce(try_strptime({t}, $ts_formats), "
        f"case when isfinite(try_cast({t} as timestamp)) then try_cast({t} as timestamp) end) end"
    )


def int_expr(v: str) -> str:
    n = norm_expr(v)
    return (f"case when {n} = '' then null when {n} = 'trong ngày' then 0 "
            f"else try_cast(nullif(regexp_extract({n}, '^([0-9]+)', 1), '') as integer) end")


def money_expr(v: str) -> str:
    m = f"regexp_replace({norm_expr(v)}, '(vnđ|vnd|đồng|đ|[[:space:]])', '', 'g')"
    return (f"case when {m} = '' then null when {m} in ('miễnphí', 'không', '-') then 0 "
            f"when regexp_full_match({m}, '[0-9]{{1,3}}([.,][0-9]{{3}})+') "
            f"  then try_cast(regexp_replace({m}, '[.,]', '', 'g') as decimal(18,2)) "
            f"when regexp_full_match({m}, '[0-9]+([.,][0-9]+)?') "
            f"  then try_cast(replace({m}, ',', '.') as decimal(18,2)) end")


def lookup_expr(v: str, domain: str, x_blank: bool | str = False) -> str:
    """A cell looked up in the mapping's word list of `domain`. x_blank: whether a blank cell
    means no (True/False, or an SQL boolean expression deciding it)."""
    n = norm_expr(v)
    out = f"($w_{domain})[list_position($w_{domain}, {n})] is not null"
    hit = f"($c_{domain})[list_position($w_{domain}, {n})]"
    if domain == "status":
        return (f"case when {n} = '' then null when regexp_full_match({n}, '[0-9]{{1,2}}') "
                f"and cast({n} as integer) between 1 and 10 then cast({n} as tinyint) "
                f"when {out} then cast({hit} as tinyint) end")
    if isinstance(x_blank, str):
        blank = f"case when {x_blank} then false end"
    else:
        blank = "false" if x_blank else "null"
    return f"case when {n} = '' then {blank} when {out} then {hit} end"


def typed_expr(name: str, v: str, x_blank: bool | str) -> str:
    kind = FIELD_TYPES[name]
    if kind in ("id", "text"):
        return text_expr(v)
    if kind == "ts":
        return ts_expr(v)
    if kind == "int":
        return int_expr(v)
    if kind == "money":
        return money_expr(v)
    if kind == "bool":
        return lookup_expr(v, "boolean", x_blank)
    return f"cast({lookup_expr(v, kind)} as {SQL_TYPES[kind]})"


@dataclass
class Staged:
    table: str
    kind: str
    present: list[str]          # fields the file carries (their columns exist in the file)
    rows_read: int
    rows_rejected: int
    has_applicant_key: bool
    max_dup: int


def _word_params(mapping: Mapping) -> dict:
    params = {}
    for domain in ("channel", "status", "rating", "boolean"):
        words, codes = mapping.value_lists(domain)
        params[f"w_{domain}"] = words
        if domain == "boolean":
            params[f"c_{domain}"] = [bool(c) for c in codes]
        elif domain == "channel":
            params[f"c_{domain}"] = [str(c) for c in codes]
        else:
            params[f"c_{domain}"] = [int(c) for c in codes]
    return params


def x_blank_fields(con, src: RawSource) -> set[str]:
    """Yes/no columns written as x/blank: there a blank cell means no, elsewhere unknown."""
    bools = [f for f in src.fields if FIELD_TYPES[f] == "bool"]
    if not bools:
        return set()
    cols = ", ".join(f"count(*) filter (where lower(trim(f_{f})) = 'x')" for f in bools)
    counts = src.relation.aggregate(cols).fetchall()[0]
    return {f for f, n in zip(bools, counts) if n}


# --- the stage statement and its fast paths ------------------------------------------------------
#
# The general expressions above cost 10-60 µs a cell (regexes, NFC, a 13-format strptime), which
# made staging 5,000 rows/s. Each fast path below gives exactly what the general expression gives
# (tests/test_etl_fastpath.py checks them against each other), and the general expression still
# runs wherever the fast path cannot decide:
# * every column but ids and dates is typed and checked once per distinct value and joined back
#   (a few hundred units, handlers, statuses, flags... among millions of rows);
# * a date column tries the format that parses most of a sample first (one strptime), then the
#   general expression;
# * ids skip whitespace/NFC normalisation when they are plain ASCII with single inner spaces;
# * the per-cell checks of ids and dates run only on cells that could fail them;
# * the row's JSON (`_raw`) is built for rejected rows only; duplicate keys are numbered only
#   where a key occurs twice.

_FORMAT_SAMPLE = 500


def _excel_check(v: str, label: str) -> str:
    return f"case when regexp_full_match(trim({v}), '{_EXCEL_ERROR}') then {label} || ': ô lỗi Excel ' || trim({v}) end"


def _length_check(v: str, label: str) -> str:
    # A cell longer than any real value (a runaway quote, a pasted document) rejects the row
    # instead of filling the warehouse with it.
    return (f"case when length({v}) > $max_cell then {label} || ': nội dung dài bất thường ('"
            f" || length({v}) || ' ký tự)' end")


def _type_check(ftype: str, v: str, p: str, label: str) -> str | None:
    """The reason a cell's value does not parse as its field's type; `p` is the parsed value."""
    bad_value = f"{v} is not null and {blank_trim(v)} <> '' and {p} is null"
    not_error = f"not regexp_full_match(coalesce(trim({v}), ''), '{_EXCEL_ERROR}')"
    if ftype == "ts":
        return (f"case when {not_error} and {bad_value} then {label} || ' \"' || trim({v}) || '\" không phải ngày hợp lệ' "
                f"when year({p}) not between $ymin and $ymax then {label} || ' ' || "
                f"strftime({p}, '%d/%m/%Y') || ' nằm ngoài khoảng năm ' || $ymin || '-' || $ymax end")
    if ftype in ("int", "money"):
        return f"case when {not_error} and {bad_value} then {label} || ' \"' || trim({v}) || '\" không phải số' end"
    if ftype in ("channel", "status", "rating", "bool"):
        return (f"case when {not_error} and {bad_value} then {label} || ' \"' || trim({v}) || '\" không có trong danh mục "
                f"giá trị (bổ sung vào etl/mappings nếu đúng)' end")
    return None


def cell_reasons(ftype: str, v: str, p: str, label: str) -> str:
    """All reasons of one cell, '; '-joined, NULL when none (the general form, any cell)."""
    parts = [_excel_check(v, label), _length_check(v, label)]
    check = _type_check(ftype, v, p, label)
    if check:
        parts.append(check)
    return f"nullif(concat_ws('; ', {', '.join(parts)}), '')"


def fast_id_expr(v: str) -> str:
    """text_expr for ids: a plain ASCII value with single inner spaces needs no normalisation."""
    # RE2 [[:space:]] is ASCII whitespace and NBSP is not ASCII, so such a value comes out of
    # text_expr unchanged (NFC leaves ASCII alone).
    return (f"case when {v} is null then null when not regexp_matches({v}, '[^!-~ ]|^ | $|  ') "
            f"then nullif({v}, '') else {text_expr(v)} end")


def fast_id_reasons(v: str, label: str) -> str:
    """cell_reasons of an id cell: only a cell with a '#' or longer than the limit can fail."""
    # strlen counts bytes, never fewer than length's characters.
    return (f"case when {v} is null or (strlen({v}) <= $max_cell and not contains({v}, '#')) then null "
            f"else {cell_reasons('id', v, 'null', label)} end")


# Shapes a date column may be written in, beside TS_FORMATS: ts_expr's own first branches. A
# cell of exactly that shape has nothing to trim, so the branch applies to the cell as it is.
_TS_SHAPES = {
    "compact14": ("[0-9]{14}", "try_strptime({v}, '%Y%m%d%H%M%S')"),
    "compact8": ("[0-9]{8}", "try_strptime({v}, '%Y%m%d')"),
    "serial": ("[0-9]{1,6}([.][0-9]+)?",
               "timestamp '1899-12-30' + to_microseconds(cast(round(cast({v} as double) * 86400000) as bigint) * 1000)"),
}


def _skeleton(fmt: str) -> str:
    """A format's literal characters, whitespace left out: a cell that the format parses has these
    characters, in this order, between its digits."""
    return "".join(re.sub(r"%[a-zA-Z]", "", fmt).split())


def usual_format(k: int) -> tuple[str | list[str], bool]:
    """What staging tries first for a date column whose usual form is TS_FORMATS[k]: (the format
    or formats to pass to try_strptime, whether a cell must start with four digits first).

    The general expression takes the first format of the list that parses, and a try_strptime that
    fails costs about as much as parsing (0.6-0.7 µs a cell here), so a column in the list's eighth
    form paid seven failures per cell. One format alone gives the same value wherever no earlier
    format can parse the cell too. Only an earlier format with the same literal characters
    (_skeleton) can; in TS_FORMATS those rivals read the day first (%d, at most two digits, then a
    separator) where format k reads a four-digit year first, so a cell that starts with four digits
    is theirs to refuse. Any other rivalry falls back to the list up to k."""
    rivals = [j for j in range(k) if _skeleton(TS_FORMATS[j]) == _skeleton(TS_FORMATS[k])]
    if not rivals:
        return TS_FORMATS[k], False
    if TS_FORMATS[k].startswith("%Y") and all(TS_FORMATS[j].startswith("%d") for j in rivals):
        return TS_FORMATS[k], True
    return TS_FORMATS[:k + 1], False


def fast_ts_expr(v: str, formats_param: str | None, shape: str | None = None, year_first: bool = False) -> str:
    """ts_expr, trying the column's usual form first, then the general expression.

    `formats_param` names what usual_format returns: one of TS_FORMATS, or a list of its first k
    formats (try_strptime with a list returns the first format that parses, as the general
    expression's list does); `year_first` guards it as usual_format says. No TS_FORMATS format
    parses a string the general expression's earlier branches take (all digits, or an Excel
    serial with at most one dot); and strptime itself skips the ASCII whitespace around a date
    that blank_trim would strip (an NBSP makes it fail, and the general expression decides). The
    cell is not trimmed first: a trim with a character list costs more than the strptime.
    `shape` names one of _TS_SHAPES instead."""
    if shape is not None:
        regex, expr = _TS_SHAPES[shape]
        return (f"coalesce(case when regexp_full_match({v}, '{regex}') then {expr.format(v=v)} end, "
                f"{ts_expr(v)})")
    if formats_param is None:
        return ts_expr(v)
    first = f"try_strptime({v}, ${formats_param})"
    if year_first:
        first = f"case when regexp_matches({v}, '^[0-9]{{4}}') then {first} end"
    return f"coalesce({first}, {ts_expr(v)})"


def fast_ts_reasons(v: str, p: str, label: str) -> str:
    """cell_reasons of a date cell: a parsed date inside the valid years, of normal length, has
    none (an Excel error text never parses as a date), nor has an empty cell."""
    return (f"case when {v} is null or {v} = '' or ({p} is not null and strlen({v}) <= $max_cell "
            f"and year({p}) between $ymin and $ymax) then null else {cell_reasons('ts', v, p, label)} end")


def _detect_formats(con, cells: str, cols: list[str]) -> dict[str, tuple[int | None, str | None]]:
    """The usual form of each date column, from a sample of its cells (one query for all): (k, None)
    to try TS_FORMATS' first k formats first (up to the one that parses most), (None, shape) for
    one of _TS_SHAPES, (None, None) when nothing fits. Any answer is exact; a good one is fast."""
    if not cols:
        return {}
    params = {f"f{i}": fmt for i, fmt in enumerate(TS_FORMATS)}
    counts = []
    for col in cols:
        counts += [f"count(try_strptime({col}, $f{i}))" for i in range(len(TS_FORMATS))]
        counts += [f"count(*) filter (where regexp_full_match({col}, '{regex}'))" for regex, _ in _TS_SHAPES.values()]
    row = con.execute(f"select {', '.join(counts)} from (select * from {cells} limit {_FORMAT_SAMPLE})",
                      params).fetchall()[0]
    width = len(TS_FORMATS) + len(_TS_SHAPES)
    out = {}
    for j, col in enumerate(cols):
        part = row[j * width:(j + 1) * width]
        best = max(range(width), key=lambda i: part[i])
        if not part[best]:
            out[col] = (None, None)
        elif best < len(TS_FORMATS):
            out[col] = (best + 1, None)
        else:
            out[col] = (None, list(_TS_SHAPES)[best - len(TS_FORMATS)])
    return out


def stage(con, src: RawSource, mapping: Mapping, table: str, unit_override: str | None = None,
          salt: str | None = None, fast: bool = True) -> Staged:
    """Stage `src` into temp table `table`: _row, _reason, _raw (rejected rows), the typed fields,
    _dup. fast=False evaluates the general expressions on every cell (for tests)."""
    kind = src.kind
    wanted = KIND_FIELDS[kind]
    present = [f for f in wanted if f in src.fields]
    key = KIND_KEY[kind]
    params: dict = {"max_cell": MAX_CELL_CHARS, "ymin": settings.get("valid_year_min"),
                    "ymax": settings.get("valid_year_max"), "ts_formats": TS_FORMATS}
    word_params = _word_params(mapping)
    has_key = kind == "cases" and src.has_id_number and bool(salt)
    raw_fields = [f for f in src.fields if f in wanted]

    # 1. Read the source once (the readers are lazy) into a temp table: every later pass reads
    # this, column by column. Skipped rows stay in it: the x/blank test counts them too.
    cells = f"{table}_cells"
    rel_cols = set(src.relation.columns)
    keep = ["_skip"] + [f"f_{f}" for f in raw_fields]
    if "_row" in rel_cols:
        keep.insert(0, "_row")
    if has_key:
        keep.append("p_id_number")
    def materialise(relation) -> None:
        con.register("_src_rel", relation)
        try:
            con.execute(f"create or replace temp table {cells} as select {', '.join(keep)} from _src_rel")
        finally:
            con.unregister("_src_rel")

    try:
        materialise(src.relation)
    except duckdb.Error:
        if src.fallback is None:
            raise
        # The fast read can fail where the slower one does not (quoted line breaks in a CSV read
        # in parallel, a JSON document that is no object).
        materialise(src.fallback())
    if "_row" in rel_cols:
        row_expr = "c._row"
    else:
        # Readers that number rows by file order leave it to this table's rowids, which follow
        # the insertion order (a parallel read keeps it; row_number() over () would serialise the
        # read). Inside a transaction they start at a large base, hence the offset.
        first, last, n = con.execute(f"select min(rowid), max(rowid), count(*) from {cells}").fetchall()[0]
        if n and last - first + 1 != n:
            row_expr = f"(row_number() over (order by c.rowid) + {int(src.row_offset)})"
        else:
            row_expr = f"(c.rowid - {int(first or 0)} + {int(src.row_offset) + 1})"

    temps = [cells]
    # typed: expressions over the cells table `c` and the lookups `k<i>`; cell_checks: each
    # field's reasons, over the `typed` columns (raw f_<field>, typed <field>, lookup _r_<field>);
    # ctes: the lookups, computed in the same statement (one statement, not one per column:
    # the fixed cost matters for the week's small exports).
    joins, typed, cell_checks, ctes = [], [], [], []
    formats = _detect_formats(con, cells, [f"f_{f}" for f in present if FIELD_TYPES[f] == "ts"]) if fast else {}
    for i, f in enumerate(present):
        ftype = FIELD_TYPES[f]
        label = f"$l{i}"
        params[f"l{i}"] = FIELD_LABELS[f]
        domain = {"bool": "boolean"}.get(ftype, ftype)
        if domain in ("channel", "status", "rating", "boolean"):
            params[f"w_{domain}"] = word_params[f"w_{domain}"]
            params[f"c_{domain}"] = word_params[f"c_{domain}"]
        if not fast:
            # The general form, cell by cell (tests compare the fast paths with it).
            x_blank = ftype == "bool" and bool(con.execute(
                f"select count(*) filter (where lower(trim(f_{f})) = 'x') from {cells}").fetchall()[0][0])
            typed.append(f"{typed_expr(f, f'c.f_{f}', x_blank)} as {f}")
            cell_checks.append(cell_reasons(ftype, f"f_{f}", "null" if ftype in ("id", "text") else f, label))
        elif ftype == "id":
            typed.append(f"{fast_id_expr(f'c.f_{f}')} as {f}")
            cell_checks.append(fast_id_reasons(f"f_{f}", label))
        elif ftype == "ts":
            n, shape = formats[f"f_{f}"]
            year_first = False
            if n is not None:
                params[f"tsf{i}"], year_first = usual_format(n - 1)
            typed.append(f"{fast_ts_expr(f'c.f_{f}', f'tsf{i}' if n else None, shape, year_first)} as {f}")
            cell_checks.append(fast_ts_reasons(f"f_{f}", f, label))
        else:
            # Once per distinct value (NULL included), joined back.
            # Yes/no columns written as x/blank: there a blank cell means no, elsewhere unknown;
            # skipped rows count too (the cells table still has them).
            x_blank = f"(select count(*) filter (where lower(trim(v)) = 'x') > 0 from _dv{i})" if ftype == "bool" else False
            ctes.append(f"_dv{i} as materialized (select distinct f_{f} as v from {cells})")
            ctes.append(f"_lk{i} as (select v, t, {cell_reasons(ftype, 'v', 't', label)} as r from "
                        f"(select v, {typed_expr(f, 'v', x_blank)} as t from _dv{i}))")
            joins.append(f"left join _lk{i} as k{i} on k{i}.v is not distinct from c.f_{f}")
            typed += [f"k{i}.t as {f}", f"k{i}.r as _r_{f}"]
            cell_checks.append(f"_r_{f}")

    # Row checks, in the order of the general form: the key, each field's cells, then the rows'.
    params["lkey"] = FIELD_LABELS[key]
    row_checks = [f"case when {key} is null then 'Thiếu ' || $lkey end"] + cell_checks
    if kind == "ratings" and "rating" in present:
        row_checks.append("case when rating is null and (f_rating is null or trim(f_rating) = '') "
                          "then 'Thiếu mức độ hài lòng' end")
    for later in ("finished_at", "returned_at", "resolved_at"):
        if later in present and "received_at" in present:
            params[f"lt_{later}"] = FIELD_LABELS[later]
            row_checks.append(f"case when cast({later} as date) < cast(received_at as date) then $lt_{later} || ' ' || "
                              f"strftime({later}, '%d/%m/%Y') || ' trước ngày tiếp nhận ' || "
                              f"strftime(received_at, '%d/%m/%Y') end")

    extra = []
    if has_key:
        params["salt"] = salt
        extra.append("case when nullif(trim(c.p_id_number), '') is not null then sha256($salt || "
                     "upper(regexp_replace(c.p_id_number, '[[:space:]]', '', 'g'))) end as applicant_key")
    if kind in ("cases", "feedback") and "unit" not in present and unit_override:
        params["unit_override"] = unit_override
        typed.append("cast($unit_override as varchar) as unit")
        present.append("unit")
    for i, f in enumerate(raw_fields):
        params[f"h{i}"] = src.fields[f]
    raw_json = ("json_object(" + ", ".join(f"$h{i}, left(f_{f}, $max_cell)" for i, f in enumerate(raw_fields)) + ")"
                if raw_fields else "'{}'")
    raw_select = ", ".join(f"c.f_{f}" for f in raw_fields)

    sql = f"""
        create or replace temp table {table} as
        with {''.join(c + ', ' for c in ctes)}typed as (
            select {row_expr} as _row{', ' + raw_select if raw_select else ''},
                   {', '.join(typed + extra)}
            from {cells} c {' '.join(joins)}
            where not c._skip
        ),
        checked as (select *, nullif(concat_ws('; ', {', '.join(row_checks)}), '') as _reason from typed)
        select _row, _reason, case when _reason is not null then cast({raw_json} as varchar) end as _raw,
               {', '.join(present)}{', applicant_key' if has_key else ''},
               case when _reason is null then 1 end as _dup
        from checked
    """
    # DuckDB refuses unused named parameters (e.g. the date formats for a list without dates).
    con.execute(sql, {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)})
    for t in temps:
        con.execute(f"drop table if exists {t}")
    # The same key twice: number its accepted rows in file order (one merge pass each).
    con.execute(f"""
        update {table} set _dup = d.n
        from (select rowid as rid, row_number() over (partition by {key} order by _row) as n
              from {table}
              where _reason is null and {key} in (select {key} from {table} where _reason is null
                                                  group by {key} having count(*) > 1)) d
        where {table}.rowid = d.rid""")
    counts = con.execute(f"select count(*), count(*) filter (where _reason is not null), coalesce(max(_dup), 0) "
                         f"from {table}").fetchall()[0]
    return Staged(table, kind, present, counts[0], counts[1], has_key, counts[2])
