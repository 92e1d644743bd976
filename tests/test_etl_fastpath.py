"""The load's fast paths give exactly what the general expressions give (etl/stage.py, etl/readers.py).

Staging runs each column's general expression only where a cheap test cannot decide: dates try
the column's usual format first, low-cardinality columns are typed once per distinct value, ids
skip normalisation when plain, skip-row detection looks at the key cell first, CSV is read in
parallel when no quoted cell holds a line break, JSON is parsed once for all fields. Each test
here would fail if a fast path changed a value, a reason or a row number.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from etl import readers
from etl.load import load_files
from etl.mapping import FIELD_LABELS, load_mapping
from etl.readers import RawSource, _skip_expr
from etl.stage import _TS_SHAPES, TS_FORMATS, fast_ts_expr, stage, ts_expr, usual_format

MAPPING = load_mapping()
CON = duckdb.connect()
EPOCH = datetime(1899, 12, 30)

# --- dates: the column's format first, then the general expression ----------------------------------

datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2110, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(microsecond=0))
SPACE = st.sampled_from(["", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\x0b", "\x0c"])


@st.composite
def date_cell(draw) -> str | None:
    """A cell of a date column: any supported rendering, decorated, or junk."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.sampled_from([None, "", " ", "#N/A", "#VALUE!", "infinity", "31/02/2025", "2025-02-30",
                                     "45662.5", "45662", "20250106083000", "20250106", "2025010608300",
                                     "1.1.2025", "12.2025", "02/01/2025\u00a0", "02/01/25", "2/1/2025 8:5",
                                     "02-01-2025T08:00", "2025/01/02 08:00", "0/0/0", "-1", "+20250106083000",
                                     "1234567", "1234567.5", "123456789", "202501060830001", "2025010", ".5",
                                     "45662.", "045662.5", " 45662.5", "20250106083000 ", "２０２５"]))
    if choice == 1:
        return draw(st.text(alphabet="0123456789/-.:T #", max_size=22))
    dt = draw(datetimes)
    if choice == 2:
        return "%.15g" % ((dt - EPOCH) / timedelta(days=1))
    if choice == 3:
        return dt.strftime(draw(st.sampled_from(["%Y%m%d%H%M%S", "%Y%m%d"])))
    text = dt.strftime(draw(st.sampled_from(TS_FORMATS)))
    return draw(SPACE) + text + draw(SPACE)


def _parse_both(texts: list[str | None], k: int | None, shape: str | None) -> list[tuple]:
    """Each text parsed by the fast expression for a column whose usual form is TS_FORMATS[k],
    and by the general expression."""
    params = {"vals": texts, "ts_formats": TS_FORMATS}
    year_first = False
    if k is not None:
        params["fmts"], year_first = usual_format(k)
    fast = fast_ts_expr("v", "fmts" if k is not None else None, shape, year_first)
    return CON.execute(
        f"select v, {fast} as fast, {ts_expr('v')} as general from "
        f"(select unnest($vals) as v, generate_subscripts($vals, 1) as i) order by i", params).fetchall()


# Cells that two formats with the same separators both read (day first, or year first).
RIVALS = ["02-01-24 15:43:10", "02-01-24 15:43", "02-01-24", "02/01/24 15:43:10", "02/01/24", "0002-01-24",
          "2024-01-02 15:43:10", "2024-01-02 15:43", "2024-01-02", "2024/01/02 15:43:10", "2024/01/02",
          "12-11-2024", "1-1-1", "01/02/03", " 2024-01-02", "20240-01-02", "024-01-02", "2024-1-2 1:2:3"]


@settings(max_examples=120, deadline=None)
@given(st.lists(date_cell(), min_size=1, max_size=30), st.integers(0, len(TS_FORMATS) - 1))
@example(["02/01/2025 08:00", "02/01/2025", " 02/01/2025 08:00:00", "02/01/2025\u00a0"], 0)
@example(["2025-01-02 08:00:00", "2025-01-02T08:00:00", "2025-01-02"], 8)
@example(RIVALS, 7)
@example(RIVALS, 9)
@example(RIVALS, 10)
@example(RIVALS, 11)
@example(RIVALS, 12)
def test_date_format_first_equals_general(texts, k):
    for v, fast, general in _parse_both(texts, k, None):
        assert fast == general, (v, k, fast, general)


def test_every_usual_date_form_is_tried_alone():
    """The speed of the fast path: each TS_FORMATS form is tried as one format, not behind the
    failures of the formats listed before it (a new format that breaks this falls back to the
    list, which the test above still checks for exactness)."""
    for k, fmt in enumerate(TS_FORMATS):
        first, _ = usual_format(k)
        assert first == fmt, (k, first)
    # The guard is there where a day-first rival reads the same separators.
    assert usual_format(TS_FORMATS.index("%Y-%m-%d")) == ("%Y-%m-%d", True)
    assert usual_format(TS_FORMATS.index("%d-%m-%Y")) == ("%d-%m-%Y", False)


def test_a_rival_the_guard_cannot_rule_out_keeps_the_list(monkeypatch):
    """Month first after day first: '02/01/2025' is read by both, and no cheap test tells which
    the general expression takes, so the format is tried with the ones before it, as a list."""
    from etl import stage as stage_mod

    monkeypatch.setattr(stage_mod, "TS_FORMATS", ["%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y"])
    assert stage_mod.usual_format(2) == (["%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y"], False)
    assert stage_mod.usual_format(1) == ("%Y-%m-%d", False)


@settings(max_examples=60, deadline=None)
@given(st.lists(date_cell(), min_size=1, max_size=30), st.sampled_from(list(_TS_SHAPES)))
@example(["45662.5", "1234567", "1234567.5", "45662.", ".5", " 45662.5", "045662.5", "20250106"], "serial")
@example(["20250106083000", "2025010608300", "202501060830001", " 20250106083000", "20251301000000"], "compact14")
@example(["20250106", "2025010", "202501060", " 20250106", "20251301"], "compact8")
def test_date_shape_first_equals_general(texts, shape):
    for v, fast, general in _parse_both(texts, None, shape):
        assert fast == general, (v, shape, fast, general)


# --- the whole stager: fast against general, on tricky columns ----------------------------------------

CASE_FIELDS = {  # field -> header text
    "case_id": "Mã hồ sơ", "unit": "Đơn vị tiếp nhận", "procedure_name": "Tên thủ tục", "channel": "Kênh tiếp nhận",
    "status": "Trạng thái", "received_at": "Ngày tiếp nhận", "due_at": "Ngày hẹn trả",
    "finished_at": "Ngày kết thúc xử lý", "statutory_days": "Thời hạn giải quyết", "fee_amount": "Phí, lệ phí",
    "digitised": "Số hóa hồ sơ", "paid_online": "Thanh toán trực tuyến", "rating": "Mức độ hài lòng",
    "late_reason": "Lý do trễ hạn",
}
ODD = ["", " ", None, "#N/A", "#REF!", " #N/A ", "\u00a0", "\t", "x", "X", "Tổng cộng", "(1)", "'; drop table cases; --",
       "a" * 4001]


def _vi(text: str, draw) -> str:
    """Vietnamese text as exports write it: NFC or NFD, spaces doubled, line breaks, NBSP."""
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)
    return draw(st.sampled_from(["", " ", "\u00a0"])) + text.replace(" ", draw(st.sampled_from(
        [" ", "  ", "\n", " \u00a0"]))) + draw(st.sampled_from(["", " ", "\r\n"]))


@st.composite
def column(draw, field: str, n: int) -> list:
    """n cells of one field: mostly a few usual values, some odd ones (rare, as in real exports)."""
    common = {
        "unit": ["UBND xã Bình Minh", "UBND phường An Hòa"],
        "procedure_name": ["Đăng ký khai sinh", "Cấp giấy phép xây dựng", "Chứng thực bản sao"],
        "channel": ["Trực tiếp", "Trực tuyến", "Qua dịch vụ bưu chính công ích", "1", "2"],
        "status": ["Đang xử lý", "Đã trả kết quả", "10", "4", "Đã xử lý xong"],
        "statutory_days": ["3", "15", "trong ngày", "5 ngày"],
        "fee_amount": ["0", "15.000", "1,5", "Miễn phí", "75000", "2.000đ"],
        "digitised": ["Có", "Không", "x", "", "1", "0"],
        "paid_online": ["Có", "Không", "Đã thanh toán", "Chưa"],
        "rating": ["Rất hài lòng", "Hài lòng", "Không hài lòng", ""],
        "late_reason": ["Chờ ý kiến phòng Kinh tế", None, None, "Thiếu hồ sơ"],
    }
    if field == "case_id":
        ids = [f"H26.{i:04d}" for i in range(n)]
        odd = ["", None, " H26.X ", "H26  Y", "H26.\u00a0Z", unicodedata.normalize("NFD", "Hồ-1"), "#N/A", "(2)",
               "Tổng cộng", "T-100", "c-7", "H26.0001", "H26.0002", "a" * 4001]
        return [draw(st.sampled_from(odd)) if draw(st.integers(0, 9)) == 0 else v for v in ids]
    if field.endswith("_at"):
        fmt = draw(st.sampled_from(TS_FORMATS[:3] + ["%Y%m%d%H%M%S", "serial"]))
        out = []
        for _ in range(n):
            if draw(st.integers(0, 7)) == 0:
                out.append(draw(date_cell()))
                continue
            dt = draw(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2027, 1, 1)))
            out.append("%.15g" % ((dt - EPOCH) / timedelta(days=1)) if fmt == "serial" else dt.strftime(fmt))
        return out
    words = common[field]
    out = []
    for _ in range(n):
        pick = draw(st.integers(0, 19))
        if pick == 0:
            out.append(draw(st.sampled_from(ODD)))
        elif pick == 1:
            out.append(draw(st.text(alphabet="aăâđêôơư0123456789 .,-#xX\u0301\u00a0", max_size=12)))
        else:
            word = draw(st.sampled_from(words))
            out.append(_vi(word, draw) if word and draw(st.integers(0, 4)) == 0 else word)
    return out


def _source(con, fields: list[str], cols: list[list], kind: str = "cases") -> RawSource:
    n = len(cols[0])
    data = {"_row": list(range(2, n + 2)), "_skip": [False] * n}
    data.update({f"f_{f}": c for f, c in zip(fields, cols)})
    import pyarrow as pa
    table = pa.table({k: pa.array(v, pa.int64() if k == "_row" else pa.bool_() if k == "_skip" else pa.string())
                      for k, v in data.items()})
    name = f"_t{id(table)}"
    con.register(name, table)
    return RawSource(Path("t.csv"), "csv", kind, {f: CASE_FIELDS[f] for f in fields}, False, con.sql(f"select * from {name}"))


def _staged(con, src, fast: bool) -> list:
    table = "_fast" if fast else "_general"
    staged = stage(con, src, MAPPING, table, fast=fast)
    rows = con.execute(f"select * from {table} order by _row").fetchall()
    return [staged.rows_read, staged.rows_rejected, staged.max_dup, staged.present, rows]


def _by_row(con, staged: list) -> dict[int, dict]:
    cols = [d[0] for d in con.execute("select * from _fast limit 0").description]
    return {r[0]: dict(zip(cols, r)) for r in staged[4]}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_stage_fast_equals_general(data):
    n = data.draw(st.integers(1, 120))
    fields = ["case_id"] + data.draw(st.lists(st.sampled_from([f for f in CASE_FIELDS if f != "case_id"]),
                                               min_size=1, max_size=8, unique=True))
    cols = [data.draw(column(f, n)) for f in fields]
    con = duckdb.connect()
    src = _source(con, fields, cols)
    assert _staged(con, src, True) == _staged(con, src, False)


def test_mixed_date_column_parses_every_cell():
    """The sample says dd/mm/yyyy HH:mm:ss; later cells in other forms still parse (or are rejected)
    exactly as the general expression has them."""
    n = 3000
    cells = ["%02d/01/2025 08:%02d:00" % (1 + i % 28, i % 60) for i in range(n)]
    cells[2500:] = ["2025-01-06T08:30:00", "06/01/2025", "45662.5", "20250106083000", " 06/01/2025 08:30 ",
                    "06.01.2025", "06/01/2025\u00a0", "31/02/2025", "#N/A", "1900-01-01", "", None] * 41 + ["x"] * 8
    ids = [f"K{i}" for i in range(n)]
    con = duckdb.connect()
    src = _source(con, ["case_id", "received_at"], [ids, cells])
    fast, general = _staged(con, src, True), _staged(con, src, False)
    assert fast == general
    rows = _by_row(con, fast)
    assert rows[2502 + 2]["received_at"] == datetime(2025, 1, 5, 12)    # the serial, after 2,500 text dates
    assert rows[2503 + 2]["received_at"] == datetime(2025, 1, 6, 8, 30)
    assert rows[2507 + 2]["_reason"] == 'Ngày tiếp nhận "31/02/2025" không phải ngày hợp lệ'


def test_rare_odd_value_in_low_cardinality_column():
    """One odd value among thousands of usual ones is normalised or rejected as before."""
    n = 5000
    channel = ["Trực tuyến"] * n
    channel[10] = "  TRỰC\u00a0 tuyến\n"                 # normalised: online
    channel[4321] = "Trực tuyến?"                         # not a known word: rejected
    channel[4322] = unicodedata.normalize("NFD", "Qua dịch vụ bưu chính công ích")
    unit = ["UBND xã A"] * n
    unit[77] = " UBND  xã\u00a0A "                         # the same unit once normalised
    con = duckdb.connect()
    src = _source(con, ["case_id", "channel", "unit"], [[f"C{i}" for i in range(n)], channel, unit])
    fast = _staged(con, src, True)
    assert fast == _staged(con, src, False)
    rows = {n - 2: r for n, r in _by_row(con, fast).items()}
    assert rows[10]["_reason"] is None and rows[10]["channel"] == "online"
    assert rows[4322]["channel"] == "postal"
    assert rows[4321]["_reason"] == ('Kênh tiếp nhận "Trực tuyến?" không có trong danh mục giá trị '
                                     '(bổ sung vào etl/mappings nếu đúng)')
    assert json.loads(rows[4321]["_raw"])["Kênh tiếp nhận"] == "Trực tuyến?"
    assert all(r["_raw"] is None for i, r in rows.items() if i != 4321)  # _raw only for the rejected row
    assert rows[77]["unit"] == "UBND xã A"


def test_x_blank_column_with_the_x_only_in_a_skipped_row():
    """A yes/no column is x/blank when any row has an x, skipped rows included (as before)."""
    con = duckdb.connect()
    rel = con.sql("select * from (values (2, false, 'A1', ''), (3, false, 'A2', 'Có'), (4, true, 'Tổng cộng', 'x')) "
                  "t(_row, _skip, f_case_id, f_digitised)")
    src = RawSource(Path("t.csv"), "csv", "cases", {"case_id": "Mã hồ sơ", "digitised": "Số hóa hồ sơ"}, False, rel)
    fast = _staged(con, src, True)
    assert fast == _staged(con, src, False)
    assert [r["digitised"] for r in _by_row(con, fast).values()] == [False, True]


# --- skip rows: the key cell first ------------------------------------------------------------------

SKIP_CELLS = ["", " ", None, "\t", "1", "(2)", "12", "123", "(12)", "Tổng cộng", "tổng số: 5", "TỔNG", "Cộng",
              "cộng", "Tổng Thị Hoa", "  Tổng cộng", "\tTổng cộng", "\nTổng", "T", "c", "H26-1", "tổng\u00a0cộng",
              unicodedata.normalize("NFD", "Tổng cộng"), "x", "#N/A", "Mã hồ sơ", "Ctổng", "3x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(SKIP_CELLS), min_size=4, max_size=4), min_size=1, max_size=20),
       st.integers(0, 3))
def test_skip_key_first_equals_full(rows, key_index):
    cols = [f"c{i}" for i in range(4)]
    got = CON.execute(
        f"select {_skip_expr(cols, cols[key_index])}, {_skip_expr(cols)} from "
        f"(select r[1] c0, r[2] c1, r[3] c2, r[4] c3 from (select unnest($rows) as r))", {"rows": rows}).fetchall()
    for row, (fast, full) in zip(rows, got):
        assert fast == full, (row, key_index)


# --- CSV: read in parallel, serially when a quoted cell holds a line break; row numbers either way -----

def _csv(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("line_break", [False, True])
def test_csv_row_numbers_parallel_or_not(tmp_path, line_break):
    header = ["Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái", "Lý do trễ hạn"]
    rows = [["DANH SÁCH HỒ SƠ"], [], header]
    for i in range(30000):
        rows.append([f"R{i}", "02/01/2025 08:00", "Đang xử lý", "ngắn"])
    rows[3 + 20000][1] = "31/02/2025"        # rejected: its row number must be the file's
    rows[3 + 29999] = ["", "02/01/2025", "Đang xử lý"]  # short row, blank key
    if line_break:
        rows[3 + 5][3] = "dòng 1\ndòng 2"
    path = _csv(tmp_path / "r.csv", rows)
    [r] = load_files(tmp_path / "w.duckdb", [path])
    assert (r.rows_read, r.rows_rejected) == (30000, 2)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    got = con.execute("select row_number, reason from rejects order by row_number").fetchall()
    con.close()
    # csv rows are numbered by record, after the 3 title/header records (as before)
    assert got == [(3 + 20000 + 1, 'Ngày tiếp nhận "31/02/2025" không phải ngày hợp lệ'),
                   (3 + 29999 + 1, "Thiếu Mã hồ sơ")]


# --- JSON: keys from every document, fields parsed once -------------------------------------------------

def test_json_key_only_in_last_document_and_derived_fields(tmp_path):
    docs = [{"MaHoSo": f"J{i}", "NgayTiepNhan": "20250106083000", "TrangThaiHoSo": 4,
             "DanhSachLePhi": [{"Gia": 1000}, {"Gia": "500"}], "TaiLieuNop": [{"DuocSoHoa": 1}]} for i in range(3000)]
    docs[1234]["DanhSachLePhi"] = "[{\"Gia\": 5}]"           # a string, not an array: no fee
    docs[-1]["KenhThucHien"] = 2                              # the only document with a channel
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    lines.insert(10, "[1, 2]")                                # not an object: skipped, still counted
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    src = readers.open_source(con, path, MAPPING, "_j")
    assert "channel" in src.fields and src.fields["channel"] == "KenhThucHien"
    staged = _staged(con, src, True)
    assert staged == _staged(con, src, False)
    rows = _by_row(con, staged)
    get = lambda row, c: rows[row][c]  # noqa: E731
    assert len(rows) == 3000 and 11 not in rows              # the array on line 11 is skipped
    assert get(1, "fee_amount") == 1500 and get(1, "digitised") is True
    assert get(1236, "fee_amount") is None                    # line 1236 = docs[1234]
    assert get(3001, "channel") == "online" and get(3000, "channel") is None



JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                       st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                       st.lists(st.integers(-9, 9), max_size=2),
                       st.dictionaries(st.sampled_from(["a", "Gia"]), st.integers(-9, 9), max_size=2))


@st.composite
def dvcqg_doc(draw) -> dict:
    doc = {"MaHoSo": draw(st.one_of(st.text(max_size=12), st.integers(0, 10**6), st.none()))}
    for key in ("TrangThaiHoSo", "NgayTiepNhan", "KenhThucHien", "SoGiayToChuHoSo", "DonViTiepNhan"):
        if draw(st.booleans()):
            doc[key] = draw(JSON_VALUE)
    for key, item in (("DanhSachLePhi", "Gia"), ("TaiLieuNop", "DuocSoHoa"), ("DanhSachGiayToKetQua", "Ten")):
        if draw(st.booleans()):
            doc[key] = draw(st.one_of(JSON_VALUE, st.lists(st.fixed_dictionaries({item: JSON_VALUE}), max_size=3)))
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(dvcqg_doc(), min_size=1, max_size=8))
def test_json_read_by_columns_equals_per_field(tmp_path, docs):
    """DuckDB's JSON reader with the keys as columns gives the cells that json_extract_string and
    json_extract give, for every kind of JSON value (numbers rendered as text alike)."""
    docs[0]["MaHoSo"] = "J-0"      # a key every file has
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    con = duckdb.connect()
    src = readers.open_source(con, path, MAPPING, "_j")
    assert src.fallback is not None
    assert src.relation.fetchall() == src.fallback().fetchall()
    con.close()


def test_json_keys_are_matched_by_their_exact_spelling(tmp_path):
    """The key chosen for a field is read as spelled, by read_json as by json_extract_string: a
    document spelling it otherwise has no value for it."""
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"MaHoSo": "A", "NgayTiepNhan": "20250106083000"}) + "\n"
                    + json.dumps({"mahoso": "B", "NgayTiepNhan": "20250106083000"}) + "\n", encoding="utf-8")
    con = duckdb.connect()
    src = readers.open_source(con, path, MAPPING, "_j")
    assert src.fields["case_id"] == "MaHoSo" and src.fallback is not None
    assert [r[1] for r in src.relation.fetchall()] == [r[1] for r in src.fallback().fetchall()] == ["A", None]


def test_a_sync_file_loads_through_read_json(tmp_path, monkeypatch):
    """The golden sync files load without the per-field fallback (which would be correct, only slower)."""
    from etl import load

    real = load.open_source

    def no_fallback(*a, **k):
        src = real(*a, **k)
        if src.format in ("json", "jsonl"):
            assert src.fallback is not None

            def fail():
                raise AssertionError("the per-field JSON reading was used")
            src.fallback = fail
        return src

    monkeypatch.setattr(load, "open_source", no_fallback)
    golden = Path(__file__).resolve().parent / "golden"
    results = load_files(tmp_path / "w.duckdb", [golden / "dvcqg.jsonl", golden / "dvcqg.json"])
    assert [r.format for r in results] == ["jsonl", "json"] and all(r.rows_inserted for r in results)

# --- the load connection's memory limit ----------------------------------------------------------------

def test_load_connection_has_memory_limit_and_spill_folder(tmp_path, monkeypatch):
    from etl import atomic

    monkeypatch.setenv("TTHC_LOAD_MEMORY_LIMIT", "300MB")
    with atomic.replacing(tmp_path / "m.duckdb", fresh=True) as con:
        limit, temp = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    assert limit.startswith("286") and temp.endswith("m.duckdb.spill")  # 300 MB = 286 MiB
    assert not (tmp_path / "m.duckdb.spill").exists()


# --- Excel: the sheet read while the load does other work ----------------------------------------------

def test_excel_sheet_is_read_while_a_new_warehouse_gets_its_schema(tmp_path, monkeypatch):
    """fastexcel holds one core for the whole sheet before anything can be staged: the load reads the
    first file's sheet on a worker thread while it hashes the files and creates a new warehouse's
    schema. Each side waits for the other to have started, so a load doing them one after the other
    fails here (a wait times out) instead of passing slowly."""
    import threading

    from etl import load, warehouse

    read_started, schema_done = threading.Event(), threading.Event()
    seen: dict[str, str] = {}
    real_read, real_schema = load.read_xlsx_sheet, warehouse.create_schema

    def read(path, mapping):
        seen["read"] = threading.current_thread().name
        read_started.set()
        assert schema_done.wait(20), "the schema was not created while the sheet was read"
        return real_read(path, mapping)

    def create_schema(con):
        if not schema_done.is_set():
            assert read_started.wait(20), "the sheet was not being read while the schema was created"
        real_schema(con)
        schema_done.set()

    monkeypatch.setattr(load, "read_xlsx_sheet", read)
    monkeypatch.setattr(warehouse, "create_schema", create_schema)
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "ho_so_2024_motcua.xlsx"
    [r] = load_files(tmp_path / "w.duckdb", [sample])
    assert seen["read"] != threading.main_thread().name
    assert r.format == "xlsx" and r.rows_read > 0 and r.rows_inserted > 0
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    sha = con.execute("select sha256 from ingestions").fetchall()
    con.close()
    import hashlib
    assert sha == [(hashlib.sha256(sample.read_bytes()).hexdigest(),)]
