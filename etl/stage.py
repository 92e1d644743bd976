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
        f"else coalesce(try_strptime({t}, $ts_formats), try_cast({t} as timestamp)) end"
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


def lookup_expr(v: str, domain: str, x_blank: bool = False) -> str:
    n = norm_expr(v)
    out = f"($w_{domain})[list_position($w_{domain}, {n})] is not null"
    hit = f"($c_{domain})[list_position($w_{domain}, {n})]"
    if domain == "status":
        return (f"case when {n} = '' then null when regexp_full_match({n}, '[0-9]{{1,2}}') "
                f"and cast({n} as integer) between 1 and 10 then cast({n} as tinyint) "
                f"when {out} then cast({hit} as tinyint) end")
    blank = "false" if x_blank else "null"
    return f"case when {n} = '' then {blank} when {out} then {hit} end"


def typed_expr(name: str, v: str, x_blank: bool) -> str:
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


def stage(con, src: RawSource, mapping: Mapping, table: str, unit_override: str | None = None,
          salt: str | None = None) -> Staged:
    kind = src.kind
    wanted = KIND_FIELDS[kind]
    present = [f for f in wanted if f in src.fields]
    x_blank = x_blank_fields(con, src)
    params: dict = {"ts_formats": TS_FORMATS, "max_cell": MAX_CELL_CHARS, "ymin": settings.get("valid_year_min"),
                    "ymax": settings.get("valid_year_max")}
    needed_domains = {FIELD_TYPES[f] for f in present} & {"channel", "status", "rating", "bool"}
    word_params = _word_params(mapping)
    for domain in ("channel", "status", "rating", "boolean"):
        if (domain if domain != "boolean" else "bool") in needed_domains:
            params[f"w_{domain}"] = word_params[f"w_{domain}"]
            params[f"c_{domain}"] = word_params[f"c_{domain}"]

    typed, checks = [], []
    for i, f in enumerate(present):
        v = f"f_{f}"
        ftype = FIELD_TYPES[f]
        typed.append(f"{typed_expr(f, v, f in x_blank)} as {f}")
        params[f"l{i}"] = FIELD_LABELS[f]
        bad_value = f"{v} is not null and {blank_trim(v)} <> '' and p.{f} is null"
        checks.append(f"case when regexp_full_match(trim({v}), '{_EXCEL_ERROR}') "
                      f"then $l{i} || ': ô lỗi Excel ' || trim({v}) end")
        # A cell longer than any real value (a runaway quote, a pasted document) rejects the row
        # instead of filling the warehouse with it.
        checks.append(f"case when length({v}) > $max_cell then $l{i} || ': nội dung dài bất thường ('"
                      f" || length({v}) || ' ký tự)' end")
        if ftype == "ts":
            checks.append(f"case when not regexp_full_match(coalesce(trim({v}), ''), '{_EXCEL_ERROR}') "
                          f"and {bad_value} then $l{i} || ' \"' || trim({v}) || '\" không phải ngày hợp lệ' "
                          f"when year(p.{f}) not between $ymin and $ymax then $l{i} || ' ' || "
                          f"strftime(p.{f}, '%d/%m/%Y') || ' nằm ngoài khoảng năm ' || $ymin || '-' || $ymax end")
        elif ftype in ("int", "money"):
            checks.append(f"case when not regexp_full_match(coalesce(trim({v}), ''), '{_EXCEL_ERROR}') "
                          f"and {bad_value} then $l{i} || ' \"' || trim({v}) || '\" không phải số' end")
        elif ftype in ("channel", "status", "rating", "bool"):
            checks.append(f"case when not regexp_full_match(coalesce(trim({v}), ''), '{_EXCEL_ERROR}') "
                          f"and {bad_value} then $l{i} || ' \"' || trim({v}) || '\" không có trong danh mục "
                          f"giá trị (bổ sung vào etl/mappings nếu đúng)' end")
    key = KIND_KEY[kind]
    checks.insert(0, f"case when p.{key} is null then 'Thiếu ' || $lkey end")
    params["lkey"] = FIELD_LABELS[key]
    if kind == "ratings" and "rating" in present:
        checks.append("case when p.rating is null and (f_rating is null or trim(f_rating) = '') "
                      "then 'Thiếu mức độ hài lòng' end")
    for later in ("finished_at", "returned_at", "resolved_at"):
        if later in present and "received_at" in present:
            params[f"lt_{later}"] = FIELD_LABELS[later]
            checks.append(f"case when cast(p.{later} as date) < cast(p.received_at as date) then $lt_{later} || ' ' || "
                          f"strftime(p.{later}, '%d/%m/%Y') || ' trước ngày tiếp nhận ' || "
                          f"strftime(p.received_at, '%d/%m/%Y') end")

    extra = []
    has_key = False
    if kind == "cases" and src.has_id_number and salt:
        params["salt"] = salt
        extra.append("case when nullif(trim(p_id_number), '') is not null then sha256($salt || "
                      "upper(regexp_replace(p_id_number, '[[:space:]]', '', 'g'))) end as applicant_key")
        has_key = True
    if kind in ("cases", "feedback") and "unit" not in present and unit_override:
        params["unit_override"] = unit_override
        typed.append("cast($unit_override as varchar) as unit")
        present.append("unit")
    raw_cols = [f"f_{f}" for f in src.fields if f in wanted]
    for i, f in enumerate([f for f in src.fields if f in wanted]):
        params[f"h{i}"] = src.fields[f]
    raw_json = ("json_object(" + ", ".join(f"$h{i}, left(f_{f}, $max_cell)" for i, f in enumerate([f for f in src.fields
                                                                                 if f in wanted])) + ")"
                if raw_cols else "'{}'")

    con.register("_src_rel", src.relation)
    sql = f"""
        create or replace temp table {table} as
        with src as (select * from _src_rel where not _skip),
        typed as (select *, {', '.join(typed)} {', ' + ', '.join(extra) if extra else ''} from src),
        checked as (
            select *, nullif(concat_ws('; ', {', '.join(c.replace('p.', 'typed.') for c in checks)}), '')
                   as _reason
            from typed
        )
        select _row, _reason, cast({raw_json} as varchar) as _raw,
               {', '.join(present)}{', applicant_key' if has_key else ''},
               case when _reason is null then row_number() over (partition by {key}, _reason is null order by _row) end
                   as _dup
        from checked
    """
    # DuckDB refuses unused named parameters (e.g. the date formats for a list without dates).
    con.execute(sql, {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)})
    con.unregister("_src_rel")
    counts = con.execute(f"select count(*), count(*) filter (where _reason is not null), coalesce(max(_dup), 0) "
                         f"from {table}").fetchall()[0]
    return Staged(table, kind, present, counts[0], counts[1], has_key, counts[2])
