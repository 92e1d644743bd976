"""The dashboard's download files: .xlsx lists, Biểu II.06a, the printable meeting report."""
from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
from openpyxl import load_workbook

from ui import charts, exports

REPORT = pd.DataFrame([
    {"tt": 1, "sector": "Đất đai", "received_total": 1234, "received_online": 1000, "received_direct_postal": 200,
     "carried_over": 34, "resolved_total": 1200, "resolved_early": 1000, "resolved_on_time": 190,
     "resolved_late": 10, "pending_total": 34, "pending_in_time": 30, "pending_overdue": 4},
    {"tt": None, "sector": "Tổng cộng", "received_total": 1234, "received_online": 1000,
     "received_direct_postal": 200, "carried_over": 34, "resolved_total": 1200, "resolved_early": 1000,
     "resolved_on_time": 190, "resolved_late": 10, "pending_total": 34, "pending_in_time": 30,
     "pending_overdue": 4},
])


def test_xlsx_lists_keep_headers_dates_and_missing_values():
    df = pd.DataFrame({"Mã hồ sơ": ["A-1", "A-2"], "Hạn trả": [date(2026, 11, 13), None],
                       "Ngày tiếp nhận": [datetime(2026, 11, 2, 8, 30), pd.NaT], "Số ngày trễ": [3, None]})
    wb = load_workbook(io.BytesIO(exports.xlsx_bytes({"Hồ sơ trễ hạn": df, "Trống": df.iloc[0:0]},
                                                     title="Giao ban tuần 09/11/2026 – 15/11/2026")))
    ws = wb["Hồ sơ trễ hạn"]
    assert ws["A1"].value.startswith("Giao ban tuần")
    assert [c.value for c in ws[3]] == ["Mã hồ sơ", "Hạn trả", "Ngày tiếp nhận", "Số ngày trễ"]
    assert ws["B4"].value == datetime(2026, 11, 13) and ws["B4"].number_format == "dd/mm/yyyy"
    assert ws["B5"].value is None
    assert wb["Trống"].max_row == 3


def test_report06a_xlsx_and_html():
    wb = load_workbook(io.BytesIO(exports.report06a_xlsx(REPORT, date(2026, 11, 9), date(2026, 11, 15), None)))
    ws = wb.active
    assert ws["A1"].value == "Biểu II.06a" and ws.cell(7, 13).value == "(13)"
    html = exports.report06a_html(REPORT)
    assert "<th colspan='4'>Tiếp nhận</th>" in html and "<th rowspan='2'>TT</th>" in html
    assert "1.234" in html and "class='total'" in html


def test_meeting_report_is_one_offline_file():
    fig = charts.stacked_counts(["T1/26", "T2/26"], {"Trực tuyến": [1234, 99]}, "Hồ sơ theo kênh")
    late = pd.DataFrame({"Mã hồ sơ": ["A-1"], "Hạn trả": [pd.Timestamp("2026-11-13")],
                         "Ngày kết thúc": [pd.NaT], "Số ngày làm việc trễ": [3], "Đã gửi thư xin lỗi": ["Có"]})
    doc = exports.meeting_report("Báo cáo giao ban tuần", ["Tuần 09/11/2026 – 15/11/2026"], [
        ("1. Biểu đồ", exports.figure_html(fig) + exports.figure_html(fig)),
        ("2. Biểu II.06a", exports.report06a_html(REPORT)),
        ("3. Hồ sơ trễ hạn", exports.table_html(late, numeric=["Số ngày làm việc trễ"])),
        ("4. Trống", exports.table_html(late.iloc[0:0])),
    ]).decode("utf-8")
    assert doc.startswith("<!DOCTYPE html>") and "<html lang='vi'>" in doc and "charset='utf-8'" in doc
    assert doc.count("<svg") == 2 and "Hồ sơ theo kênh" in doc   # charts drawn into the file
    assert "<script" not in doc            # nothing to fetch or run: opens offline, prints as seen
    assert "13/11/2026" in doc and "Không có hồ sơ nào." in doc and "@media print" in doc


def test_on_click_workbook_is_built_when_called_and_a_failure_says_so(caplog):
    calls = []
    ok = exports.on_click_xlsx("Danh sách", lambda: calls.append(1) or b"PK-bytes")
    assert calls == []                                   # nothing built until the click
    assert ok() == b"PK-bytes" and calls == [1]

    def broken() -> bytes:
        raise RuntimeError("disk full")
    data = exports.on_click_xlsx("Danh sách hồ sơ", broken)()
    wb = load_workbook(io.BytesIO(data))
    assert "Lỗi" in wb.sheetnames
    cells = [c.value for row in wb["Lỗi"].iter_rows() for c in row if c.value]
    assert any("Danh sách hồ sơ: không tạo được tệp" in str(v) for v in cells)
    assert "disk full" in caplog.text


def test_a_chart_that_cannot_be_drawn_leaves_a_note_in_the_report(monkeypatch, caplog):
    import vl_convert

    def broken(*args, **kwargs):
        raise ValueError("Vega-Lite to SVG conversion failed")
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", broken)
    part = exports.figure_html(charts.stacked_counts(["T1/26"], {"Trực tuyến": [3]}, "Hồ sơ theo kênh"))
    assert part.startswith("<p class='note'>Hồ sơ theo kênh: không vẽ được biểu đồ")
    assert "conversion failed" in caplog.text


def test_report_table_html_escapes_aligns_and_marks_totals():
    from ui import tables

    df = pd.DataFrame({"Lĩnh vực": ["<b>Đất đai</b>", "Tổng cộng"], "Số hồ sơ": ["1.234", "1.240"]})
    doc = tables.html(df, numeric=["Số hồ sơ"], total_rows=[1])
    assert "&lt;b&gt;Đất đai&lt;/b&gt;" in doc and "<b>" not in doc          # values are text, never markup
    assert "<th class='num'>Số hồ sơ</th>" in doc and "<td class='num'>1.234</td>" in doc
    assert "<tr class='total'><td>Tổng cộng</td>" in doc and doc.count("class='total'") == 1
    assert doc.startswith(tables.CSS) and "<table class='tthc'>" in doc
    empty = tables.html(df.iloc[0:0], empty_text="Không có đánh giá.")
    assert "<td colspan='2'>Không có đánh giá.</td>" in empty
