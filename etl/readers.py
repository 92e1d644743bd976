"""Read an export into a DuckDB relation of text cells, whatever its format.

Every reader yields the same shape: `_row` (the row number a clerk sees in the file), `_skip`
(blank, numbering and total rows), one VARCHAR column `f_<field>` per recognised field, and
`p_id_number` when the file has an ID-number column (hashed or dropped by the stager). Personal
columns other than that are never selected, so they cannot reach the database.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa

from etl.mapping import FIELD_LABELS, KIND_KEY, Header, Mapping, detect_kind, find_header, norm


# The header scan parses the file's first 256 KB with the csv module; a data row with a huge cell
# must not stop it (DuckDB reads the data itself, with its own max_line_size).
csv.field_size_limit(1 << 30)


class ReadError(Exception):
    """A file that cannot be read at all; the message is for the clerk (Vietnamese)."""


@dataclass
class RawSource:
    path: Path
    format: str                       # 'xlsx' | 'csv' | 'json' | 'jsonl'
    kind: str                         # 'cases' | 'ratings' | 'feedback' | 'procedures'
    fields: dict[str, str]            # field -> header text as the file writes it
    has_id_number: bool
    relation: duckdb.DuckDBPyRelation
    unknown_headers: list[str] = field(default_factory=list)
    blank_x_fields: set[str] = field(default_factory=set)
    # When the relation has no `_row`: rows are numbered by their order in it, plus this offset
    # (the stager materialises the relation and uses the rowid: a parallel read keeps the order).
    row_offset: int = 0
    # A slower relation of the same rows, for when reading `relation` fails: a CSV read without
    # parallelism, a JSON file's documents parsed one field at a time.
    fallback: Callable[[], duckdb.DuckDBPyRelation] | None = None


# --- format detection ------------------------------------------------------------------

def detect_format(path: Path) -> str:
    """Tell the format from the bytes, not the extension."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError("tệp rỗng")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise ReadError("tệp Excel bị hỏng (không giải nén được)") from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ReadError("tệp nén nhưng không phải bảng tính Excel .xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE container: an old .xls, or an .xlsx encrypted with a password.
        with open(path, "rb") as fh:
            blob = fh.read(1 << 20)
        if "EncryptedPackage".encode("utf-16-le") in blob:
            raise ReadError("tệp Excel được bảo vệ bằng mật khẩu; hãy mở và lưu lại không có mật khẩu")
        return "xls"
    if _encoding(head) == "utf-8":
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls > len(head) // 20:
            raise ReadError("tệp không phải bảng tính, CSV hay JSON (nội dung nhị phân)")
    text = _decode_head(head)
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        first_line = stripped.split("\n", 1)[0].strip()
        try:
            json.loads(first_line)
            return "jsonl"
        except ValueError:
            return "json"
    if "\x00" in text or sum(ch.isprintable() or ch in "\r\n\t" for ch in text) < 0.9 * len(text):
        raise ReadError("tệp không phải bảng tính, CSV hay JSON (nội dung nhị phân)")
    return "csv"


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    # UTF-16 without BOM: every other byte of ASCII text is NUL.
    if len(head) >= 4 and head[1] == 0 and head[3] == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0:
        return "utf-16-be"
    return "utf-8"


def _decode_head(head: bytes) -> str:
    enc = _encoding(head)
    if enc.startswith("utf-16") and len(head) % 2:
        head = head[:-1]
    try:
        return head.decode(enc)
    except UnicodeDecodeError:
        # A multibyte character cut at the end of the sample is fine; real garbage is not.
        text = head.decode(enc, errors="replace")
        if text[:-4].count("\ufffd") > 2:
            raise ReadError("tệp văn bản không ở mã UTF-8 hay UTF-16; hãy lưu lại dạng CSV UTF-8")
        return text


# --- shared helpers -----------------------------------------------------------------------

def _skip_expr(columns: list[str], key: str | None = None) -> str:
    """Rows that carry no case: blank, column numbering like (1) (2) (3), or a total row."""
    if not columns:
        return "false"
    cells = ", ".join(f"coalesce(trim({c}), '')" for c in columns)
    non_empty = " + ".join(f"(coalesce(trim({c}), '') <> '')::int" for c in columns)
    numbering = " and ".join(
        f"(coalesce(trim({c}), '') = '' or regexp_full_match(trim({c}), '\\(?[0-9]{{1,2}}\\)?'))" for c in columns)
    # The row's label is its first non-empty cell: a case whose handler is "Tổng Thị Hoa" is no total.
    first = "coalesce(" + ", ".join(f"nullif(trim({c}), '')" for c in columns) + ", '')"
    total = f"regexp_matches(lower({first}), '^\\s*(tổng cộng|tổng số|cộng|tổng)\\b')"
    full = (f"(({non_empty}) = 0) or (({non_empty}) >= 2 and {numbering}) "
            f"or (concat_ws('', {cells}) <> '' and ({total}))")
    if key is None or key not in columns:
        return full
    # Fast path, for almost every row: a key cell that is not blank and not a number of one or two
    # digits rules out the blank and the numbering row, and the row's label (its first non-empty
    # cell, at the latest the key) is no total unless it starts with t/c (any case) or whitespace
    # that regex \s* skips. Only the other rows pay for the full test.
    k = f"trim({key})"
    label = k if columns.index(key) == 0 else (
        "coalesce(" + ", ".join(f"nullif(trim({c}), '')" for c in columns[:columns.index(key) + 1]) + ")")
    plain = (f"{k} <> '' and (strlen({k}) > 4 or not regexp_full_match({k}, '\\(?[0-9]{{1,2}}\\)?')) "
             f"and left({label}, 1) not in ('t', 'T', 'c', 'C', chr(9), chr(10), chr(12), chr(13))")
    return f"case when {plain} then false else ({full}) end"


def _relation_from_columns(con, src: str, header: Header, offset_expr: str) -> tuple[str, dict, bool]:
    """SQL select list over a source whose cells are columns c0..cN."""
    fields = header.fields()
    sel = [f"{offset_expr} as _row"] if offset_expr else []
    # Whether a row carries a case is judged on the columns the load keeps: personal ones are
    # not even read from an Excel sheet (read_xlsx_sheet), and a CSV must judge alike.
    all_cols = [f"c{c.index}" for c in header.columns if c.kind != "personal"]
    kind = detect_kind(set(fields))
    key = f"c{fields[KIND_KEY[kind]]}" if kind else None
    sel.append(f"({_skip_expr(all_cols, key)}) as _skip")
    for name, idx in fields.items():
        sel.append(f"c{idx} as f_{name}")
    pid = header.personal().get("id_number")
    if pid is not None:
        sel.append(f"c{pid} as p_id_number")
    texts = {c.name: c.header for c in header.columns if c.kind == "field"}
    return f"select {', '.join(sel)} from {src}", texts, pid is not None


def _finish(con, path, fmt, header: Header, sql: str, texts: dict, has_pid: bool, params=None) -> RawSource:
    kind = detect_kind(set(texts))
    if kind is None:
        raise ReadError("không nhận ra loại danh sách (hồ sơ, đánh giá, PAKN hay danh mục TTHC) từ tiêu đề cột")
    rel = con.sql(sql, params=params) if params else con.sql(sql)
    return RawSource(path, fmt, kind, texts, has_pid, rel, header.unknown_headers())


def _no_header_message() -> str:
    return ("không tìm thấy dòng tiêu đề có cột mã (Mã hồ sơ / Mã PAKN / Mã thủ tục); "
            "nếu nhà cung cấp đặt tên cột khác, hãy thêm tên đó vào etl/mappings")


# --- xlsx ---------------------------------------------------------------------------------

_EXCEL_ERRORS = {"NA": "#N/A", "Value": "#VALUE!", "Div0": "#DIV/0!", "Ref": "#REF!", "Name": "#NAME?",
                 "Num": "#NUM!", "Null": "#NULL!", "GettingData": "#GETTING_DATA"}


def _restore_error_cells(table: pa.Table, errors) -> pa.Table:
    """fastexcel reads an error cell (#N/A, #VALUE! ...) as empty and reports it aside; put the
    error text back, so the row is rejected with the reason instead of loading a blank."""
    import numpy as np
    import pyarrow.compute as pc

    found = getattr(errors, "errors", None) or []
    by_col: dict[int, dict[int, str]] = {}
    for err in found:
        row, col = err.position
        kind = str(err.detail).rsplit("Error(", 1)[-1].rstrip(")'\"")
        by_col.setdefault(col, {})[row] = _EXCEL_ERRORS.get(kind, "#" + kind.upper())
    for col, cells in by_col.items():
        if col >= table.num_columns:
            continue
        column = table.column(col)
        if isinstance(column, pa.ChunkedArray):  # fastexcel hands over a RecordBatch, not a Table
            column = column.combine_chunks()
        cells = sorted((r, t) for r, t in cells.items() if r < len(column))
        if not cells:
            continue
        # Only the error cells are touched, in Arrow (no Python list of the whole column).
        mask = np.zeros(len(column), dtype=bool)
        mask[[r for r, _ in cells]] = True
        column = pc.replace_with_mask(column.cast(pa.string()), pa.array(mask),
                                      pa.array([t for _, t in cells], pa.string()))
        table = table.set_column(col, pa.field(table.schema.field(col).name, pa.string()), column)
    return table


@dataclass
class XlsxSheet:
    """A sheet fastexcel has read: its cells as Arrow strings and the header found in it."""
    table: pa.Table
    header: Header


def _dropped(header: Header) -> set[int]:
    """The columns of a header the load does not keep: personal ones, except the ID number, which
    the stager hashes (or drops) itself."""
    return {c.index for c in header.columns if c.kind == "personal" and c.name != "id_number"}


def _signature(header: Header) -> tuple:
    """What the load takes from a header, personal columns aside, whatever the columns' positions."""
    dropped = _dropped(header)
    return header.first_data_row, [(c.kind, c.name, norm(c.header or "")) for c in header.columns
                                   if c.index not in dropped and (c.header or "").strip()]


def _columns_to_read(path: Path, mapping: Mapping) -> dict[str, tuple[Callable, tuple]]:
    """Per sheet name, a fastexcel use_columns filter that leaves the personal columns out, and the
    header signature fastexcel's cells must then give. Empty when the XML was not as expected."""
    from etl import xlsx_head

    sheets = xlsx_head.top_rows(path) or []
    for name, rows in sheets:
        header = find_header(mapping, rows)
        if header is None:
            continue
        dropped = _dropped(header)   # xlsx_head's rows start at column A: indices are absolute
        if not dropped:
            return {}
        return {name: (lambda col: col.absolute_index not in dropped, _signature(header))}
    return {}


def read_xlsx_sheet(path: Path, mapping: Mapping) -> XlsxSheet:
    """The first sheet of the workbook with a recognised header row. Touches no DuckDB connection:
    the load runs it on a worker thread (fastexcel releases the GIL) while it does other work.
    The personal columns other than the ID number are not read (about 1 s a million rows for
    three of 24 columns), unless the header scan of the sheet's XML and fastexcel's cells disagree."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise ReadError(f"không mở được tệp Excel ({str(exc).splitlines()[0][:120]})") from exc
    narrow = _columns_to_read(path, mapping)
    last_error = _no_header_message()
    for sheet_name in reader.sheet_names:
        use_columns, expected = narrow.get(sheet_name, (None, None))
        for columns in ([use_columns, None] if use_columns is not None else [None]):
            try:
                # skip_rows=0: keep leading blank rows, or row numbers would not be the sheet's.
                sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", skip_rows=0,
                                          use_columns=columns)
                table, errors = sheet.to_arrow_with_errors()
                table = _restore_error_cells(table, errors)
            except Exception as exc:
                last_error = f"không đọc được trang {sheet_name} ({str(exc).splitlines()[0][:120]})"
                break
            if table.num_rows == 0:
                break
            table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
            top = table.slice(0, 40).to_pylist()
            rows = [[r[f"c{i}"] for i in range(table.num_columns)] for r in top]
            header = find_header(mapping, rows)
            if columns is not None and (header is None or _signature(header) != expected):
                continue     # the XML scan misread the sheet: read it again, every column
            if header is None:
                break
            return XlsxSheet(table, header)
    raise ReadError(last_error if reader.sheet_names else "tệp Excel không có trang tính nào")


def read_xlsx(con, path: Path, mapping: Mapping, name: str, sheet: XlsxSheet | None = None) -> RawSource:
    """`sheet`: read_xlsx_sheet's result when the caller has read the sheet already."""
    sheet = sheet if sheet is not None else read_xlsx_sheet(path, mapping)
    header = sheet.header
    con.register(name, sheet.table.slice(header.first_data_row))
    # No `_row` column: the stager numbers rows by their order (row_offset), as for CSV.
    sql, texts, has_pid = _relation_from_columns(con, name, header, "")
    src = _finish(con, path, "xlsx", header, sql, texts, has_pid)
    src.row_offset = header.first_data_row
    return src


# --- csv ----------------------------------------------------------------------------------

def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines if ln.strip()]
        score = max(counts) if counts else 0
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(con, path: Path, mapping: Mapping, name: str) -> RawSource:
    with open(path, "rb") as fh:
        head = fh.read(1 << 18)
    enc = _encoding(head)
    text = _decode_head(head)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()[:60]
    delim = _sniff_delimiter(lines[:40])
    parsed = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
    header = find_header(mapping, parsed)
    if header is None:
        raise ReadError(_no_header_message())
    # csv.reader rows map 1:1 to lines here unless a title cell holds a line break; count lines.
    reader = csv.reader(io.StringIO("\n".join(lines) + "\n"), delimiter=delim)
    for _ in range(header.first_data_row):
        next(reader)
    skip_lines = reader.line_num
    width = len(header.columns)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    duck_enc = "utf-16" if enc.startswith("utf-16") else "utf-8"
    if enc in ("utf-16-le", "utf-16-be"):
        raise ReadError("tệp UTF-16 thiếu dấu BOM; hãy lưu lại từ Excel dạng 'Unicode Text' hoặc CSV UTF-8")
    def relation(parallel: bool):
        # SQL read_csv, not con.read_csv: the Python API of duckdb 2.0 refuses encoding='utf-16'.
        rel = con.sql(f"select * from read_csv($p, header = false, skip = $skip, auto_detect = false, "
                      f"delim = $delim, quote = '\"', escape = '\"', null_padding = true, strict_mode = false, "
                      f"parallel = {'true' if parallel else 'false'}, "
                      f"columns = {columns}, encoding = $enc, max_line_size = $max, buffer_size = $max)",
                      # buffer_size: DuckDB's default is 16 × max_line_size, a 1 GB buffer that
                      # breaks the load's memory_limit on a big file.
                      params={"p": str(path), "skip": skip_lines, "delim": delim, "enc": duck_enc,
                              "max": 64 << 20})
        rel.create_view(name)
        return rel

    try:
        relation(duck_enc == "utf-8")
    except duckdb.Error as exc:
        raise ReadError(f"không đọc được CSV ({str(exc).splitlines()[0][:160]})") from exc
    # No `_row` here: the stager numbers rows by file order (row_offset), without serialising the read.
    sql, texts, has_pid = _relation_from_columns(con, name, header, None)
    src = _finish(con, path, "csv", header, sql, texts, has_pid)
    src.row_offset = int(skip_lines)

    def serial():
        # The parallel scanner cannot pad short rows when quoted cells hold line breaks: DuckDB
        # stops with an error, and the stager reads the file again with the serial scanner.
        relation(False)
        return con.sql(sql)

    src.fallback = serial
    return src


# --- DVCQG JSON / JSONL ----------------------------------------------------------------------

# Fields the DVCQG format carries in nested arrays; each derivation is the national format's own
# meaning (DOMAIN.md) and applies only when no flat column gave the field. `{a}` is the array's
# value (JSON), present only when the document has the key.
_JSON_DERIVED = {
    "fee_amount": ("DanhSachLePhi",
                   "cast(list_sum(list_transform(json_extract({a}, '$[*].Gia'), "
                   "lambda x: try_cast(x->>'$' as double))) as varchar)"),
    "e_result": ("DanhSachGiayToKetQua",
                 "case when json_array_length({a}) > 0 then '1' else '0' end"),
    "data_reused": ("TaiLieuNop",
                    "case when list_contains(list_transform(json_extract({a}, '$[*].DuocTaiSuDung'), "
                    "lambda x: x->>'$'), '1') or list_contains(list_transform(json_extract({a}, "
                    "'$[*].DuocLayTuKhoDMQG'), lambda x: x->>'$'), '1') then '1' else '0' end"),
    "digitised": ("TaiLieuNop",
                  "case when list_contains(list_transform(json_extract({a}, '$[*].DuocSoHoa'), "
                  "lambda x: x->>'$'), '1') then '1' else '0' end"),
}


def read_json(con, path: Path, mapping: Mapping, name: str, fmt: str) -> RawSource:
    # Each document is parsed for its keys (all of them: a key only late in the file still
    # counts), then once for the values: a json_extract with the list of every path wanted, not
    # one call (one parse) per field.
    try:
        rel = con.sql("select json as j from read_json_objects($p, format = $f)",
                      params={"p": str(path), "f": "array" if fmt == "json" else "auto"})
        rel.create_view(name)
        # Distinct key lists first (a sync file has a handful), then their keys.
        keys = [r[0] for r in con.sql(f"select distinct unnest(k) from (select distinct json_keys(j) as k "
                                      f"from {name}) where k is not null").fetchall()]
    except duckdb.Error as exc:
        raise ReadError(f"không đọc được JSON ({str(exc).splitlines()[0][:160]})") from exc
    fields: dict[str, tuple[str, int]] = {}
    pid_key = None
    unknown = []
    for key in keys:
        kind, fname, rank = mapping.classify(key)
        if kind == "field" and (fname not in fields or rank < fields[fname][1]):
            fields[fname] = (key, rank)
        elif kind == "personal" and fname == "id_number":
            pid_key = key
        elif kind == "unknown":
            unknown.append(key)
    # _skip: a document that is no object. read_json_objects hands documents over minified, so
    # '{' first is an object; anything else is asked properly.
    skip = "case when starts_with(j, '{') then false else json_type(j) <> 'OBJECT' end"
    # The values are read one of two ways (below): per field, as the elements of one
    # json_extract_string list over the whole document (numbers rendered as text, so 2 and "2"
    # read alike) and of one json_extract list for the derived fields' arrays; or as read_json's
    # columns. `sel` is written once for both, with a slot {s<i>} / {a<i>} for each value.
    scalars: list[str] = []        # keys
    arrays: list[str] = []
    sel: list[tuple[str, str]] = []   # (expression with {s1}/{a1} placeholders, output column)
    texts: dict[str, str] = {}
    for fname, (key, _) in sorted(fields.items()):
        scalars.append(key)
        sel.append((f"{{s{len(scalars)}}}", f"f_{fname}"))
        texts[fname] = key
    for fname, (key, expr) in _JSON_DERIVED.items():
        if fname not in fields and key in keys:
            if key not in arrays:
                arrays.append(key)
            a = f"{{a{arrays.index(key) + 1}}}"
            sel.append((f"case when {a} is not null then {expr.format(a=a)} end", f"f_{fname}"))
            texts[fname] = key
    if pid_key is not None:
        scalars.append(pid_key)
        sel.append((f"{{s{len(scalars)}}}", "p_id_number"))
    for key in [k for k in unknown if k in {v for v, _ in _JSON_DERIVED.values()}]:
        unknown.remove(key)
    if not fields:
        raise ReadError("tệp JSON không có khóa nào của định dạng đồng bộ DVCQG (MaHoSo, ...)")
    kind = detect_kind(set(texts))
    if kind is None:
        raise ReadError("tệp JSON thiếu MaHoSo")

    def select(cell: Callable[[str, int], str]) -> str:   # cell("s" or "a", i): the i-th value
        slots = {f"s{i + 1}": cell("s", i) for i in range(len(scalars))}
        slots |= {f"a{i + 1}": cell("a", i) for i in range(len(arrays))}
        return ", ".join(f"{expr.format(**slots)} as {out}" for expr, out in sel)

    # No `_row`: the stager numbers documents by file order (row_offset 0).
    def parsed_per_field() -> duckdb.DuckDBPyRelation:
        # a JSON null is no value, as a missing key (and as read_json has it)
        inner = "j, json_extract_string(j, $scalars) as _s" + (
            ", list_transform(json_extract(j, $arrays), lambda x: if(json_type(x) = 'NULL', null, x)) as _a"
            if arrays else "")
        params = {"scalars": ["$." + json.dumps(k) for k in scalars],
                  **({"arrays": ["$." + json.dumps(k) for k in arrays]} if arrays else {})}
        body = select(lambda t, i: f"_{t}[{i + 1}]")
        return con.sql(f"select {skip} as _skip, {body} from (select {inner} from {name})", params=params)

    # Faster: DuckDB's JSON reader splits each document straight into the wanted keys' values,
    # read as JSON; a scalar's text is then taken as json_extract_string takes it (as VARCHAR,
    # read_json would render doubles its own way: 1e+16, not 10000000000000000.0). It stops at a
    # document that is no object (the per-field reading skips it) or a broken one (which fails
    # there too), and the stager then falls back. Keys that differ only in case would make its
    # column names clash: not tried then.
    columns = {f"s{i + 1}": k for i, k in enumerate(scalars)} | {f"a{i + 1}": k for i, k in enumerate(arrays)}
    if len({k.lower() for k in columns.values()}) == len(columns):
        types = {k: "JSON" for k in columns.values()}
        quoted = {slot: '"' + k.replace('"', '""') + '"' for slot, k in columns.items()}
        quoted = {slot: (f"({q} ->> '$')" if slot.startswith("s") else q) for slot, q in quoted.items()}
        relation = con.sql(f"select false as _skip, {select(lambda t, i: quoted[f'{t}{i + 1}'])} "
                           f"from read_json($p, format = $f, records = true, columns = $columns)",
                           params={"p": str(path), "f": "array" if fmt == "json" else "auto", "columns": types})
        src = RawSource(path, fmt, kind, texts, pid_key is not None, relation, unknown)
        src.fallback = parsed_per_field
        return src
    return RawSource(path, fmt, kind, texts, pid_key is not None, parsed_per_field(), unknown)


def open_source(con, path: Path, mapping: Mapping, name: str = "raw_src",
                sheet: XlsxSheet | None = None) -> RawSource:
    """`sheet`: an Excel file's sheet read ahead by read_xlsx_sheet."""
    path = Path(path)
    if sheet is not None:
        return read_xlsx(con, path, mapping, name, sheet)
    if not path.is_file():
        raise ReadError("không tìm thấy tệp")
    fmt = detect_format(path)
    if fmt == "xls":
        raise ReadError("tệp Excel 97-2003 (.xls) chưa được hỗ trợ; hãy lưu lại dạng .xlsx")
    if fmt == "xlsx":
        return read_xlsx(con, path, mapping, name)
    if fmt == "csv":
        return read_csv(con, path, mapping, name)
    return read_json(con, path, mapping, name, fmt)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


__all__ = ["RawSource", "ReadError", "XlsxSheet", "detect_format", "open_source", "read_xlsx_sheet", "norm"]
