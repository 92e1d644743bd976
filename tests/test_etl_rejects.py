"""Rows that cannot be used land in `rejects` with the row number a spreadsheet shows and a
Vietnamese reason; everything else of the file still loads."""
from __future__ import annotations

import json

import pytest

P1, P4 = "1.000001.000.00.00.H26", "1.000004.000.00.00.H26"
EXPECTED = [
    # (row in ho_so_loi.csv / ho_so_loi.xlsx, reason, recognised cells of the row)
    (5, "Thiếu Mã hồ sơ",
     {"Mã hồ sơ": None, "Tên thủ tục": "Đăng ký khai sinh", "Mã thủ tục": P1, "Trạng thái": "Đang xử lý",
      "Ngày tiếp nhận": "03/02/2025 09:00", "Ngày hẹn trả": "06/02/2025", "Ngày kết thúc xử lý": None}),
    (6, 'Ngày tiếp nhận "31/02/2025" không phải ngày hợp lệ',
     {"Mã hồ sơ": "R-0003", "Tên thủ tục": "Đăng ký kết hôn", "Mã thủ tục": P4, "Trạng thái": "Đang xử lý",
      "Ngày tiếp nhận": "31/02/2025", "Ngày hẹn trả": "07/03/2025", "Ngày kết thúc xử lý": None}),
    (7, "Ngày kết thúc xử lý 03/02/2025 trước ngày tiếp nhận 05/02/2025",
     {"Mã hồ sơ": "R-0004", "Tên thủ tục": "Đăng ký kết hôn", "Mã thủ tục": P4, "Trạng thái": "Đã xử lý xong",
      "Ngày tiếp nhận": "05/02/2025 10:00", "Ngày hẹn trả": "12/02/2025",
      "Ngày kết thúc xử lý": "03/02/2025 16:00"}),
    (8, 'Trạng thái "Đang chờ phê duyệt" không có trong danh mục giá trị (bổ sung vào etl/mappings nếu đúng)',
     {"Mã hồ sơ": "R-0005", "Tên thủ tục": "Đăng ký khai sinh", "Mã thủ tục": P1,
      "Trạng thái": "Đang chờ phê duyệt", "Ngày tiếp nhận": "06/02/2025", "Ngày hẹn trả": "11/02/2025",
      "Ngày kết thúc xử lý": None}),
]


@pytest.mark.parametrize("file_name", ["ho_so_loi.csv", "ho_so_loi.xlsx"])
def test_bad_rows_are_rejected_with_row_number_and_reason(golden_db, fetch, file_name):
    db, _ = golden_db
    ingestion_id = fetch(db, "select ingestion_id from ingestions where file_name = ?", [file_name])[0]["ingestion_id"]
    rows = fetch(db, "select ingestion_id, row_number, reason, raw_values from rejects where file_name = ? "
                     "order by row_number", [file_name])
    got = [(r["row_number"], r["reason"], json.loads(r["raw_values"])) for r in rows]
    assert got == EXPECTED
    assert {r["ingestion_id"] for r in rows} == {ingestion_id}


def test_missing_due_date_does_not_reject(golden_db, fetch):
    db, _ = golden_db
    assert fetch(db, "select count(*) as n from rejects where raw_values like '%R-0001%'") == [{"n": 0}]
    assert fetch(db, "select case_id, status, due_source from cases where case_id in ('R-0001', 'R-0006') "
                     "order by case_id") == [{"case_id": "R-0001", "status": 4, "due_source": "statutory"},
                                             {"case_id": "R-0006", "status": 10, "due_source": "file"}]
