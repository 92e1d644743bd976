"""Personal data never reaches the database: no column for it, no value of it in any text cell of
any table (rejects included); the ID number only as a salted SHA-256, and only with a salt."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import unicodedata
from pathlib import Path

import duckdb
import fastexcel
import pytest

from core import settings
from etl.load import load_files, sample_files
from etl.mapping import PERSONAL_FIELDS, find_header, load_mapping, norm
from etl.readers import _sniff_delimiter, detect_format

FORBIDDEN_COLUMN_PARTS = ("applicant_name", "id_number", "phone", "email", "address", "content", "cccd", "cmnd",
                          "chu_ho_so", "chuhoso", "dien_thoai", "dienthoai", "dia_chi", "diachi", "giay_to",
                          "giayto", "noi_dung", "nguoi_nop", "ho_ten", "ho_va_ten")


def norm_value(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).lower()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def text_cells(db: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Every (table.column, value) of every VARCHAR cell of every table, and the column names of
    all tables and views. (Views only show what the tables hold, unless they read a file, which
    assert_no_personal_columns rules out.)"""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute("select c.table_name, c.column_name, c.data_type, t.table_type "
                              "from information_schema.columns c join information_schema.tables t "
                              "using (table_catalog, table_schema, table_name) order by all").fetchall()
        cells = []
        for table, column, dtype, table_type in columns:
            if table_type == "BASE TABLE" and (dtype.upper().startswith("VARCHAR") or dtype.upper() == "JSON"):
                for (v,) in con.execute(f'select distinct "{column}" from "{table}" where "{column}" is not null'
                                        ).fetchall():
                    cells.append((f"{table}.{column}", v))
        return cells, [f"{t}.{c}" for t, c, _, _ in columns]
    finally:
        con.close()


def tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", norm_value(text)))


class WordRuns:
    """Finds values (of two words or more) occurring as a run of whole words in a text."""

    def __init__(self, values):
        self.by_length: dict[int, dict[tuple, str]] = {}
        for v in values:
            t = tokens(v)
            if len(t) >= 2:
                self.by_length.setdefault(len(t), {})[t] = v

    def find(self, text: str) -> set[str]:
        words = tokens(text)
        return {table[words[i:i + n]] for n, table in self.by_length.items()
                for i in range(len(words) - n + 1) if words[i:i + n] in table}


def leaks(db: Path, values: set[str], substring_values: set[str] = frozenset()) -> list[tuple[str, str, str]]:
    """(where, value, cell) for each personal value found in a text cell of a table or view:
    - as a run of whole words (any value of two words or more),
    - among the digits of the cell (phone and ID numbers, however spaced or dotted),
    - as a plain substring of the normalised cell (substring_values: the golden values)."""
    runs = WordRuns(values | set(substring_values))
    numbers = {digits(v) for v in values | set(substring_values) if len(digits(v)) >= 8}
    plain = sorted({norm_value(v) for v in substring_values if len(norm_value(v)) >= 5})
    found = []
    cells, _ = text_cells(db)
    for where, cell in cells:
        text = norm_value(cell)
        hits = {v for v in plain if v in text} | runs.find(cell)
        hits.update(digits(run) for run in re.findall(r"\d[\d .-]{6,}\d", cell) if digits(run) in numbers)
        found += [(where, h, cell[:120]) for h in sorted(hits)]
    return found


def assert_no_personal_columns(db: Path) -> None:
    """No column named like a personal field, and no view that reads a source file (whose
    personal columns it would hand out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        views = con.execute("select view_name, sql from duckdb_views() where not internal").fetchall()
    finally:
        con.close()
    assert [name for name, sql in views if re.search(r"read_(csv|json)|read_json_objects|\.(csv|xlsx|jsonl?|txt)'",
                                                     sql, re.I)] == []
    _, names = text_cells(db)
    aliases = {norm(a) for a in load_mapping().personal}
    for name in names:
        column = name.split(".", 1)[1].lower()
        assert column not in PERSONAL_FIELDS and norm(column) not in aliases, name
        assert not any(part in column for part in FORBIDDEN_COLUMN_PARTS), name


# --- the personal values of the sample exports, read straight from the files ----------------------

def _rows_of(path: Path) -> list[list]:
    fmt = detect_format(path)
    if fmt == "xlsx":
        reader = fastexcel.read_excel(str(path))
        rows = []
        for sheet in reader.sheet_names:
            table = reader.load_sheet(sheet, header_row=None, dtypes="string", skip_rows=0).to_arrow()
            rows += [list(r.values()) for r in table.to_pylist()]
        return rows
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    delim = _sniff_delimiter(text.splitlines()[:40])
    return list(csv.reader(io.StringIO(text), delimiter=delim))


def cell_values_of(path: Path) -> tuple[set[str], set[str]]:
    """(values of the personal columns, values of the recognised non-personal columns) of a file."""
    mapping = load_mapping()
    if detect_format(path) in ("json", "jsonl"):
        text = path.read_text(encoding="utf-8")
        objects = json.loads(text) if text.lstrip().startswith("[") else \
            [json.loads(line) for line in text.splitlines() if line.strip()]
        pairs = [(mapping.classify(k)[0], v) for o in objects if isinstance(o, dict) for k, v in o.items()]
    else:
        rows = _rows_of(path)
        header = find_header(mapping, rows)
        if header is None:
            return set(), set()
        kinds = {c.index: c.kind for c in header.columns}
        pairs = [(kinds.get(j), v) for r in rows[header.first_data_row:] for j, v in enumerate(r)]
    personal = {str(v) for kind, v in pairs
                if kind == "personal" and v not in (None, "") and not re.fullmatch(r"\(?\d{1,3}\)?", str(v))}
    other = {str(v) for kind, v in pairs if kind == "field" and isinstance(v, (str, int, float)) and v != ""}
    return personal, other


def personal_values_of(path: Path) -> set[str]:
    return cell_values_of(path)[0]


# --- tests ----------------------------------------------------------------------------------------------

def test_golden_personal_values_are_in_the_golden_files(make_golden, golden_dir):
    """The scan below looks for the right things: every listed value is really in a source file,
    and the values the files' personal columns hold are all listed."""
    blob = "\n".join(norm_value((golden_dir / n).read_bytes().decode("utf-16" if n.endswith(".txt") else "utf-8",
                                                                     errors="ignore"))
                     for n in make_golden.FILES if not n.endswith(".xlsx"))
    xlsx = set().union(*(personal_values_of(golden_dir / n) for n in make_golden.FILES if n.endswith(".xlsx")))
    for value in make_golden.PERSONAL_VALUES:
        assert norm_value(value) in blob or value in xlsx, value
    from_columns = set().union(*(personal_values_of(golden_dir / n) for n in make_golden.FILES))
    assert from_columns <= set(make_golden.PERSONAL_VALUES)
    assert len(from_columns) >= 70


def test_no_personal_data_after_loading_the_golden_files(golden_db, make_golden):
    db, run = golden_db
    assert run.returncode == 0, run.stderr
    assert_no_personal_columns(db)
    assert leaks(db, set(), set(make_golden.PERSONAL_VALUES)) == []


def test_leak_scan_finds_a_planted_value(tmp_path, golden_db, make_golden):
    """The scan itself works: a phone number and a name hidden in text cells are found."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(golden_db[0], db)
    con = duckdb.connect(str(db))
    con.execute("update cases set late_reason = 'gọi 0987.654.321' where case_id = 'B-2025-0201'")
    con.execute("update rejects set raw_values = '{\"x\": \"TRẦN THỊ BÍCH  NGỌC\"}' where row_number = 5")
    con.close()
    found = {(where, value) for where, value, _ in leaks(db, set(), set(make_golden.PERSONAL_VALUES))}
    assert {("cases.late_reason", "0987654321"), ("rejects.raw_values", "trần thị bích ngọc")} <= found
    assert {where for where, _ in found if where.startswith(("cases.", "rejects."))} == {
        "cases.late_reason", "rejects.raw_values"}


def test_no_personal_data_after_loading_the_sample_exports(tmp_path, golden_db, golden_dir, make_golden):
    files = sample_files()
    if not files:
        pytest.skip(f"no sample exports in {settings.get('sample_dir')} (sample_data/generate.py writes them)")
    db = tmp_path / "w.duckdb"
    shutil.copyfile(golden_db[0], db)
    load_files(db, files)
    values = set(make_golden.PERSONAL_VALUES)
    personal, other = set(), set()
    for path in files:
        p, o = cell_values_of(path)
        personal |= p
        other |= o
    for path in [golden_dir / n for n in make_golden.FILES]:
        other |= cell_values_of(path)[1]
    assert len(personal) > 100, "the sample exports should carry personal columns to drop"
    # A name the files also give in a non-personal column (an applicant who shares a name with a
    # clerk, say) may be stored as that column's value: leave such values out of the scan.
    runs = WordRuns(personal)
    shared = set().union(*(runs.find(v) for v in other))
    from_samples = personal - shared
    assert len(shared) < 0.01 * len(personal)
    assert_no_personal_columns(db)
    assert leaks(db, from_samples, values) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from cases where applicant_key is not null").fetchall() == [(0,)]
    finally:
        con.close()


SALT = "muối-bí-mật-2025"
ID_NUMBERS = {  # case -> the ID number as the file writes it
    "H26.01-250106-0001": "001190012345", "H26.01-250107-0002": "079 085 001 234",
    "H26.01-250108-0003": "036192004567", "H26.01-250109-0004": "038088009876",
    "H26.01-250110-0005": "001201003344", "U-2025-0401": "031195000777", "U-2025-0402": "031087000888",
    "G-2025-0501": "040090001111", "G-2025-0502": "040192002222", "G-2025-0503": "040085003333",
}


def test_applicant_key_is_a_salted_sha256_only_with_a_salt(tmp_path, monkeypatch, golden_dir, golden_db,
                                                             make_golden):
    salt_file = tmp_path / "salt"
    salt_file.write_text(SALT + "\n", encoding="utf-8")
    monkeypatch.setenv("TTHC_SALT_FILE", str(salt_file))
    db = tmp_path / "w.duckdb"
    names = ["ho_so_vendorA.xlsx", "ho_so_unicode.txt", "dvcqg.json", "ho_so_utf8.csv"]
    load_files(db, [golden_dir / n for n in names])
    con = duckdb.connect(str(db), read_only=True)
    try:
        keys = dict(con.execute("select case_id, applicant_key from cases").fetchall())
    finally:
        con.close()
    expected = {case: hashlib.sha256((SALT + number.replace(" ", "")).encode("utf-8")).hexdigest()
                for case, number in ID_NUMBERS.items()}
    expected.update({c: None for c in ("B-2025-0201", "B-2025-0202", "B-2025-0203")})  # no ID column
    assert keys == expected
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys.values() if k is not None)
    assert len({k for k in keys.values() if k}) == len(ID_NUMBERS)
    assert_no_personal_columns(db)
    assert leaks(db, set(), set(make_golden.PERSONAL_VALUES) | set(ID_NUMBERS.values())) == []

    # without a salt file nothing is kept at all
    con = duckdb.connect(str(golden_db[0]), read_only=True)
    try:
        assert con.execute("select count(*), count(applicant_key) from cases").fetchall() == [(19, 0)]
    finally:
        con.close()
