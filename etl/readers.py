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

import duckdb
import pyarrow as pa

from etl.mapping import FIELD_LABELS, Header, Mapping, detect_kind, find_header, norm


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

def _skip_expr(columns: list[str]) -> str:
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
    return (f"(({non_empty}) = 0) or (({non_empty}) >= 2 and {numbering}) "
            f"or (concat_ws('', {cells}) <> '' and ({total}))")


def _relation_from_columns(con, src: str, header: Header, offset_expr: str) -> tuple[str, dict, bool]:
    """SQL select list over a source whose cells are columns c0..cN."""
    fields = header.fields()
    sel = [f"{offset_expr} as _row"]
    all_cols = [f"c{c.index}" for c in header.columns]
    sel.append(f"({_skip_expr(all_cols)}) as _skip")
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
    found = getattr(errors, "errors", None) or []
    by_col: dict[int, dict[int, str]] = {}
    for err in found:
        row, col = err.position
        kind = str(err.detail).rsplit("Error(", 1)[-1].rstrip(")'\"")
        by_col.setdefault(col, {})[row] = _EXCEL_ERRORS.get(kind, "#" + kind.upper())
    for col, cells in by_col.items():
        if col >= table.num_columns:
            continue
        values = table.column(col).to_pylist()
        for row, text in cells.items():
            if row < len(values):
                values[row] = text
        table = table.set_column(col, table.schema.field(col), pa.array(values, pa.string()))
    return table


def read_xlsx(con, path: Path, mapping: Mapping, name: str) -> RawSource:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise ReadError(f"không mở được tệp Excel ({str(exc).splitlines()[0][:120]})") from exc
    last_error = _no_header_message()
    for sheet_name in reader.sheet_names:
        try:
            # skip_rows=0: keep leading blank rows, or row numbers would not be the sheet's.
            sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", skip_rows=0)
            table, errors = sheet.to_arrow_with_errors()
            table = _restore_error_cells(table, errors)
        except Exception as exc:
            last_error = f"không đọc được trang {sheet_name} ({str(exc).splitlines()[0][:120]})"
            continue
        if table.num_rows == 0:
            continue
        table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
        top = table.slice(0, 40).to_pylist()
        rows = [[r[f"c{i}"] for i in range(table.num_columns)] for r in top]
        header = find_header(mapping, rows)
        if header is None:
            continue
        data = table.slice(header.first_data_row)
        data = data.append_column("_n", pa.array(range(header.first_data_row + 1,
                                                       header.first_data_row + 1 + data.num_rows), pa.int64()))
        con.register(name, data)
        sql, texts, has_pid = _relation_from_columns(con, name, header, "_n")
        return _finish(con, path, "xlsx", header, sql, texts, has_pid)
    raise ReadError(last_error if reader.sheet_names else "tệp Excel không có trang tính nào")


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
    try:
        # SQL read_csv, not con.read_csv: the Python API of duckdb 2.0 refuses encoding='utf-16'.
        # parallel = false: the parallel scanner cannot pad short rows when quoted cells hold line breaks.
        rel = con.sql(f"select * from read_csv($p, header = false, skip = $skip, auto_detect = false, "
                      f"delim = $delim, quote = '\"', escape = '\"', null_padding = true, strict_mode = false, parallel = false, "
                      f"columns = {columns}, encoding = $enc, max_line_size = $max)",
                      params={"p": str(path), "skip": skip_lines, "delim": delim, "enc": duck_enc,
                              "max": 64 << 20})
    except duckdb.Error as exc:
        raise ReadError(f"không đọc được CSV ({str(exc).splitlines()[0][:160]})") from exc
    rel.create_view(name)
    sql, texts, has_pid = _relation_from_columns(con, name, header, f"row_number() over () + {int(skip_lines)}")
    return _finish(con, path, "csv", header, sql, texts, has_pid)


# --- DVCQG JSON / JSONL ----------------------------------------------------------------------

# Fields the DVCQG format carries in nested arrays; each derivation is the national format's own
# meaning (DOMAIN.md) and applies only when no flat column gave the field.
_JSON_DERIVED = {
    "fee_amount": ("DanhSachLePhi",
                   "cast(list_sum(list_transform(json_extract(j, '$.DanhSachLePhi[*].Gia'), "
                   "lambda x: try_cast(x->>'$' as double))) as varchar)"),
    "e_result": ("DanhSachGiayToKetQua",
                 "case when json_array_length(j, '$.DanhSachGiayToKetQua') > 0 then '1' else '0' end"),
    "data_reused": ("TaiLieuNop",
                    "case when list_contains(list_transform(json_extract(j, '$.TaiLieuNop[*].DuocTaiSuDung'), "
                    "lambda x: x->>'$'), '1') or list_contains(list_transform(json_extract(j, "
                    "'$.TaiLieuNop[*].DuocLayTuKhoDMQG'), lambda x: x->>'$'), '1') then '1' else '0' end"),
    "digitised": ("TaiLieuNop",
                  "case when list_contains(list_transform(json_extract(j, '$.TaiLieuNop[*].DuocSoHoa'), "
                  "lambda x: x->>'$'), '1') then '1' else '0' end"),
}


def read_json(con, path: Path, mapping: Mapping, name: str, fmt: str) -> RawSource:
    try:
        rel = con.sql("select row_number() over () as _n, json as j from read_json_objects($p, format = $f)",
                      params={"p": str(path), "f": "array" if fmt == "json" else "auto"})
        rel.create_view(name)
        keys = [r[0] for r in con.sql(f"select distinct unnest(json_keys(j)) from {name} "
                                      f"where json_type(j) = 'OBJECT'").fetchall()]
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
    sel = ["_n as _row", "(json_type(j) <> 'OBJECT') as _skip"]
    params: dict[str, str] = {}
    texts: dict[str, str] = {}
    for i, (fname, (key, _)) in enumerate(sorted(fields.items())):
        params[f"k{i}"] = "$." + json.dumps(key)
        # json_extract_string renders numbers as text, so 2 and "2" read alike.
        sel.append(f"json_extract_string(j, $k{i}) as f_{fname}")
        texts[fname] = key
    for fname, (key, expr) in _JSON_DERIVED.items():
        if fname not in fields and key in keys:
            sel.append(f"case when json_exists(j, '$.{key}') then {expr} end as f_{fname}")
            texts[fname] = key
    if pid_key is not None:
        params["kp"] = "$." + json.dumps(pid_key)
        sel.append("json_extract_string(j, $kp) as p_id_number")
    for key in [k for k in unknown if k in {v for v, _ in _JSON_DERIVED.values()}]:
        unknown.remove(key)
    if not fields:
        raise ReadError("tệp JSON không có khóa nào của định dạng đồng bộ DVCQG (MaHoSo, ...)")
    kind = detect_kind(set(texts))
    if kind is None:
        raise ReadError("tệp JSON thiếu MaHoSo")
    relation = con.sql(f"select {', '.join(sel)} from {name}", params=params)
    return RawSource(path, fmt, kind, texts, pid_key is not None, relation, unknown)


def open_source(con, path: Path, mapping: Mapping, name: str = "raw_src") -> RawSource:
    path = Path(path)
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


__all__ = ["RawSource", "ReadError", "detect_format", "open_source", "norm"]
