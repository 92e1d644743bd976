"""Biểu II.06a as a printable .xlsx: title, period line, the merged two-level header, the column
numbers (1)..(13), one row per sector and the total row; A4 landscape, one page wide, header
rows repeated on every printed page."""
from __future__ import annotations

import os
from datetime import date
from typing import BinaryIO

import pyarrow as pa
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from queries.metrics import REPORT06A_COLUMNS

TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
FORM = "Biểu II.06a"
COLUMNS = list(REPORT06A_COLUMNS)           # result columns in sheet order, A..M
HEADER_ROW = 4                              # 0-based: rows 0-3 title block, 4-5 header, 6 numbers
WIDTHS = [5, 34] + [12] * 11


def _vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def write_report06a_xlsx(table: pa.Table, start: date, end: date, unit: str | None,
                         path_or_buffer: str | os.PathLike | BinaryIO) -> None:
    """Write the table from queries.metrics.report06a to an .xlsx file name or binary buffer.
    OSError when the file cannot be created."""
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"not a II.06a table: columns {missing} missing")
    target = os.fspath(path_or_buffer) if isinstance(path_or_buffer, (str, os.PathLike)) else path_or_buffer
    wb = xlsxwriter.Workbook(target, {"in_memory": True})
    _write_sheet(wb, table, start, end, unit)
    try:
        wb.close()
    except FileCreateError as exc:
        raise OSError(f"{exc}") from exc


def _write_sheet(wb: xlsxwriter.Workbook, table: pa.Table, start: date, end: date, unit: str | None) -> None:
    ws = wb.add_worksheet("Bieu II.06a")
    font = {"font_name": "Times New Roman", "font_size": 12}
    center = {"align": "center", "valign": "vcenter", "text_wrap": True}
    fmt_title = wb.add_format(font | center | {"bold": True, "font_size": 14})
    fmt_form = wb.add_format(font | {"italic": True, "align": "right"})
    fmt_line = wb.add_format(font | center | {"italic": True})
    fmt_head = wb.add_format(font | center | {"bold": True, "border": 1})
    fmt_num_head = wb.add_format(font | center | {"italic": True, "border": 1})
    fmt_text = wb.add_format(font | {"border": 1, "valign": "vcenter", "text_wrap": True})
    fmt_int = wb.add_format(font | {"border": 1, "align": "center", "valign": "vcenter", "num_format": "0"})
    fmt_total_text = wb.add_format(font | {"border": 1, "bold": True, "valign": "vcenter"})
    fmt_total_int = wb.add_format(font | {"border": 1, "bold": True, "align": "center", "num_format": "0"})

    last_col = len(COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, FORM, fmt_form)
    ws.merge_range(1, 0, 1, last_col, TITLE, fmt_title)
    ws.merge_range(2, 0, 2, last_col, f"Kỳ báo cáo: từ ngày {_vn_date(start)} đến ngày {_vn_date(end)}", fmt_line)
    ws.merge_range(3, 0, 3, last_col, f"Đơn vị: {unit}" if unit else "Đơn vị: tất cả đơn vị", fmt_line)
    ws.set_row(1, 36)

    # two-level header: TT and Lĩnh vực span both rows; the three groups span their sub-columns
    top, sub, numbers = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2
    groups: dict[str, list[int]] = {}
    for col, name in enumerate(COLUMNS):
        number, group, subheader = REPORT06A_COLUMNS[name]
        if subheader:
            groups.setdefault(group, []).append(col)
            ws.write(sub, col, subheader, fmt_head)
        else:
            ws.merge_range(top, col, sub, col, group, fmt_head)
        ws.write(numbers, col, f"({number})", fmt_num_head)
    for group, cols in groups.items():
        ws.merge_range(top, cols[0], top, cols[-1], group, fmt_head)
    ws.set_row(sub, 48)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)

    row = numbers + 1
    for rec in table.select(COLUMNS).to_pylist():
        is_total = rec["tt"] is None
        for col, name in enumerate(COLUMNS):
            value = rec[name]
            if name == "sector":
                ws.write_string(row, col, value, fmt_total_text if is_total else fmt_text)
            elif value is None:
                ws.write_blank(row, col, None, fmt_total_int if is_total else fmt_int)
            else:
                ws.write_number(row, col, value, fmt_total_int if is_total else fmt_int)
        row += 1

    ws.set_landscape()
    ws.set_paper(9)                      # A4
    ws.fit_to_pages(1, 0)                # one page wide, as many pages tall as needed
    ws.repeat_rows(top, numbers)         # header and column numbers on every page
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.freeze_panes(numbers + 1, 2)
