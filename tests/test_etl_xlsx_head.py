"""An Excel sheet's header found from its XML before fastexcel reads it, so that the personal columns
are never read (etl/xlsx_head.py, etl.readers.read_xlsx_sheet)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import fastexcel
import pytest
import xlsxwriter

from etl import readers, xlsx_head
from etl.load import load_files
from etl.mapping import load_mapping

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "ho_so_2024_motcua.xlsx"
GOLDEN_BAD = ROOT / "tests" / "golden" / "ho_so_loi.xlsx"
PERSONAL = ("Chủ hồ sơ", "Số điện thoại", "Địa chỉ")


def _fastexcel_rows(path: Path, sheet: str, n: int = 40) -> list[list]:
    """fastexcel's cells of the sheet's first n rows, placed at their absolute columns from A."""
    positions: list[int] = []

    def keep(col) -> bool:
        positions.append(col.absolute_index)
        return True

    s = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=None, dtypes="string", skip_rows=0,
                                                   use_columns=keep)
    table = s.to_arrow()
    width = max(positions, default=-1) + 1
    rows = []
    for r in table.slice(0, n).to_pylist():
        cells = [None] * width
        for pos, value in zip(positions, r.values()):
            cells[pos] = value
        rows.append(cells)
    return rows


def _workbook(path: Path, constant_memory: bool) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    bold = wb.add_format({"bold": True})
    notes = wb.add_worksheet("Ghi chú")            # a first sheet without any header
    notes.write(0, 0, "Báo cáo xuất từ phần mềm một cửa")
    ws = wb.add_worksheet("Hồ sơ")
    ws.write(1, 2, "DANH SÁCH HỒ SƠ")                 # column A and B stay empty throughout
    ws.write_rich_string(2, 2, "Từ ngày ", bold, "01/01/2025", " đến ngày 31/01/2025")
    header = ["STT", "Mã hồ sơ", "Chủ hồ sơ", "Số điện thoại", "Ngày tiếp nhận", "Trạng thái"]
    for j, text in enumerate(header):
        ws.write(4, 2 + j, text)
    ws.write_row(5, 2, [1, "H-1", "Nguyễn Văn A", "0901234567", "02/01/2025", "Đang xử lý"])
    ws.write_row(6, 2, [2, "H-2", "Trần Thị B", "0912345678", "03/01/2025", "Đang xử lý"])
    wb.close()
    return path


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared strings", "inline strings"])
def test_top_rows_are_fastexcels_text_cells(tmp_path, constant_memory):
    path = _workbook(tmp_path / "w.xlsx", constant_memory)
    sheets = xlsx_head.top_rows(path)
    assert [name for name, _ in sheets] == fastexcel.read_excel(str(path)).sheet_names
    for name, rows in sheets:
        expected = _fastexcel_rows(path, name)
        for i, row in enumerate(expected):
            for j, value in enumerate(row):
                if value is not None and not value.replace(".", "").isdigit():   # text cells
                    assert rows[i][j] == value, (name, i, j)
    _, rows = sheets[1]
    assert rows[2][2] == "Từ ngày 01/01/2025 đến ngày 31/01/2025"   # rich text: its runs joined
    assert rows[4][2:8] == ["STT", "Mã hồ sơ", "Chủ hồ sơ", "Số điện thoại", "Ngày tiếp nhận", "Trạng thái"]


def test_personal_columns_are_not_read_from_excel(monkeypatch):
    mapping = load_mapping()
    narrow = readers.read_xlsx_sheet(SAMPLE, mapping)
    monkeypatch.setattr(readers, "_columns_to_read", lambda path, mapping: {})
    wide = readers.read_xlsx_sheet(SAMPLE, mapping)
    personal = [c.index for c in wide.header.columns if c.kind == "personal"]
    assert len(personal) == 3 and narrow.table.num_columns == wide.table.num_columns - 3
    cells = {v for col in narrow.table.columns for v in col.to_pylist()} - {None}
    # phones and addresses (applicants' names can be staff names too, in the handler column)
    for index in personal[1:]:
        values = set(wide.table.column(index).to_pylist()[wide.header.first_data_row:]) - {None}
        assert len(values) > 10 and not values & cells
    assert readers._signature(narrow.header) == readers._signature(wide.header)


def _rows(db: Path) -> tuple[list, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cases = con.execute("select * exclude (first_loaded_at, last_loaded_at) from cases order by case_id").fetchall()
        rejects = con.execute("select file_name, row_number, reason, raw_values from rejects "
                              "order by file_name, row_number").fetchall()
    finally:
        con.close()
    return cases, rejects


def test_without_the_personal_columns_a_load_is_the_same(tmp_path, monkeypatch):
    files = [SAMPLE, GOLDEN_BAD]
    load_files(tmp_path / "narrow.duckdb", files)
    monkeypatch.setattr(readers, "_columns_to_read", lambda path, mapping: {})
    load_files(tmp_path / "wide.duckdb", files)
    narrow, wide = _rows(tmp_path / "narrow.duckdb"), _rows(tmp_path / "wide.duckdb")
    assert narrow[0] and narrow[1]
    assert narrow == wide


def test_a_misread_header_falls_back_to_every_column(monkeypatch):
    """When the XML scan gets the sheet wrong (here: every cell one column to the right), the
    columns left out would be the wrong ones: fastexcel's header tells, and the sheet is read again
    with every column."""
    mapping = load_mapping()
    real = xlsx_head.top_rows(SAMPLE)
    monkeypatch.setattr(xlsx_head, "top_rows", lambda path, n_rows=40: [
        (name, [[None] + row for row in rows]) for name, rows in real])
    loads = []
    real_read = fastexcel.read_excel

    def counting(path):
        reader = real_read(path)

        class Spy:
            sheet_names = reader.sheet_names

            def load_sheet(self, *a, **k):
                loads.append(k.get("use_columns"))
                return reader.load_sheet(*a, **k)
        return Spy()

    monkeypatch.setattr(fastexcel, "read_excel", counting)
    got = readers.read_xlsx_sheet(SAMPLE, mapping)
    assert len(loads) == 2 and loads[0] is not None and loads[1] is None
    assert got.table.num_columns == 24
    assert [c.header for c in got.header.columns if c.kind == "personal"] == list(PERSONAL)


def test_a_row_with_only_personal_cells_is_judged_alike_in_excel_and_csv(tmp_path):
    """Excel's personal columns are not read, so whether a row carries a case is judged on the other
    columns, for a CSV too: a row holding only a name or a phone is no case (a signature line under
    the list), in either format, and a row with a case cell but no key is rejected in both."""
    import csv

    header = ["STT", "Mã hồ sơ", "Chủ hồ sơ", "Số điện thoại", "Ngày tiếp nhận", "Trạng thái"]
    rows = [["DANH SÁCH HỒ SƠ"], [], header,
            ["1", "H-1", "Nguyễn Văn A", "0901234567", "02/01/2025", "Đang xử lý"],
            ["", "", "Người lập biểu: Trần Thị B", "", "", ""],
            ["", "", "", "0912345678", "", ""],
            ["3", "", "Lê Văn C", "", "04/01/2025", "Đang xử lý"],
            ["4", "H-4", "Phạm Thị D", "", "05/01/2025", "Đang xử lý"]]
    xlsx = tmp_path / "ho_so.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("Hồ sơ")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value != "":
                ws.write_string(i, j, value)
    wb.close()
    with open(tmp_path / "ho_so.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    got = {}
    for name in ("ho_so.xlsx", "ho_so.csv"):
        [r] = load_files(tmp_path / f"{name}.duckdb", [tmp_path / name])
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True)
        rejects = con.execute("select row_number, reason from rejects order by row_number").fetchall()
        con.close()
        got[name] = (r.rows_read, r.rows_inserted, r.rows_rejected, rejects)
    assert got["ho_so.xlsx"] == got["ho_so.csv"] == (3, 2, 1, [(7, "Thiếu Mã hồ sơ")])
