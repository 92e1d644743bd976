"""Files the pages offer for download: .xlsx lists, the II.06a form, and the giao ban's printable
HTML report (charts drawn as inline SVG, so the one file opens offline, prints sharp and runs no script).
"""
from __future__ import annotations

import html
import io
import logging
from datetime import date, datetime
from typing import Callable, Iterable

import pandas as pd
import pyarrow as pa

from ui.format import fmt_date, fmt_datetime, fmt_int

log = logging.getLogger("tthc.ui")

REPORT06A_GROUPS = [("Tiếp nhận", ["received_total", "received_online", "received_direct_postal", "carried_over"]),
                    ("Đã giải quyết", ["resolved_total", "resolved_early", "resolved_on_time", "resolved_late"]),
                    ("Đang giải quyết", ["pending_total", "pending_in_time", "pending_overdue"])]


def _safe_sheet(name: str) -> str:
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31] or "Sheet1"


def xlsx_bytes(sheets: dict[str, pd.DataFrame], title: str | None = None) -> bytes:
    """An .xlsx with one sheet per DataFrame: bold header, dates as dd/mm/yyyy, columns sized to
    their content, header row frozen. `title` goes above the table on every sheet."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", datetime_format="dd/mm/yyyy hh:mm",
                        date_format="dd/mm/yyyy") as writer:
        wb = writer.book
        head = wb.add_format({"bold": True, "bg_color": "#eaeef2", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
        bold = wb.add_format({"bold": True, "font_size": 13})
        for name, df in sheets.items():
            sheet = _safe_sheet(name)
            start_row = 2 if title else 0
            out = df.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    values = out[col].dropna()
                    if len(values) and (values == values.dt.normalize()).all():  # dates only: no clock
                        out[col] = [v.date() if pd.notna(v) else None for v in out[col]]
            out.to_excel(writer, sheet_name=sheet, index=False, startrow=start_row)
            ws = writer.sheets[sheet]
            if title:
                ws.write(0, 0, title, bold)
            for i, col in enumerate(out.columns):
                ws.write(start_row, i, str(col), head)
                values = [str(v) for v in out[col].head(500).tolist()]
                width = max([len(str(col))] + [len(v) for v in values]) if len(values) else len(str(col))
                ws.set_column(i, i, min(60, max(10, width + 2)))
            ws.freeze_panes(start_row + 1, 0)
            if len(out):
                ws.autofilter(start_row, 0, start_row + len(out), len(out.columns) - 1)
    return buf.getvalue()


def on_click_xlsx(label: str, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download button's workbook, built when the button is clicked rather than on every run of the
    page (st.download_button takes a callable): writing case lists with openpyxl took most of a
    page's time at province scale (Giao ban tuần 736 -> 87 ms warm at 5M cases). A failure gives a
    workbook that says so; the details go to the server log."""
    def run() -> bytes:
        try:
            return build()
        except Exception:
            log.exception("download %r failed", label)
            return xlsx_bytes({"Lỗi": pd.DataFrame({"Thông báo": [
                f"{label}: không tạo được tệp do lỗi ngoài dự kiến; chi tiết đã ghi vào nhật ký máy chủ."]})})
    return run


def report06a_xlsx(df: pd.DataFrame, start: date, end: date, unit: str | None) -> bytes:
    """Biểu II.06a ready to print, written by queries.report06a_xlsx."""
    from queries.report06a_xlsx import write_report06a_xlsx

    table = pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    write_report06a_xlsx(table, start, end, unit, buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- HTML

CSS = """
body { font-family: 'Times New Roman', Times, serif; font-size: 13pt; margin: 24px; color: #111; }
h1 { font-size: 17pt; text-align: center; margin: 4px 0; text-transform: uppercase; }
h2 { font-size: 14pt; margin: 22px 0 8px; border-bottom: 1px solid #999; }
.meta { text-align: center; font-style: italic; margin-bottom: 14px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 11pt; }
th, td { border: 1px solid #444; padding: 3px 5px; }
th { background: #eee; text-align: center; }
td.num { text-align: right; }
tr.total td { font-weight: bold; }
.kpis { display: flex; flex-wrap: wrap; gap: 8px; }
.kpi { border: 1px solid #999; padding: 6px 10px; min-width: 190px; }
.kpi .v { font-size: 15pt; font-weight: bold; }
.met { color: #1a7f37; } .not_met { color: #cf222e; } .none { color: #57606a; }
.note { font-size: 10pt; color: #444; }
figure.chart { margin: 8px 0 16px; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
@media print { .pagebreak { page-break-before: always; } body { margin: 10mm; } }
"""


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int,)) or (isinstance(value, float) and float(value).is_integer()):
        return fmt_int(value)
    if isinstance(value, datetime) or isinstance(value, pd.Timestamp):
        return fmt_datetime(value)
    if isinstance(value, date):
        return fmt_date(value)
    return html.escape(str(value))


def table_html(df: pd.DataFrame, numeric: Iterable[str] = (), css_class: str | None = None,
               total_rows: Iterable[int] = (), empty_text: str = "Không có hồ sơ nào.") -> str:
    """df as an HTML table, every value escaped; `numeric` columns right-aligned, rows at the
    positions in `total_rows` marked as totals (bold)."""
    numeric, total_rows = set(numeric), set(total_rows)
    head = "".join(f"<th class='num'>{html.escape(str(c))}</th>" if c in numeric else f"<th>{html.escape(str(c))}</th>"
                   for c in df.columns)
    rows = []
    for i, rec in enumerate(df.itertuples(index=False)):
        cells = "".join(f"<td class='num'>{_cell(v)}</td>" if c in numeric else f"<td>{_cell(v)}</td>"
                        for c, v in zip(df.columns, rec))
        rows.append(f"<tr class='total'>{cells}</tr>" if i in total_rows else f"<tr>{cells}</tr>")
    if not rows:
        rows.append(f"<tr><td colspan='{max(len(df.columns), 1)}'>{html.escape(empty_text)}</td></tr>")
    cls = f" class='{css_class}'" if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report06a_html(df: pd.DataFrame) -> str:
    """Biểu II.06a as an HTML table with the merged two-level header and the column numbers."""
    from queries.metrics import REPORT06A_COLUMNS

    top = ("<tr><th rowspan='2'>TT</th><th rowspan='2'>Lĩnh vực</th>"
           + "".join(f"<th colspan='{len(cols)}'>{g}</th>" for g, cols in REPORT06A_GROUPS) + "</tr>")
    sub = "<tr>" + "".join(f"<th>{REPORT06A_COLUMNS[c][2]}</th>" for _, cols in REPORT06A_GROUPS for c in cols) + "</tr>"
    nums = "<tr>" + "".join(f"<th>({REPORT06A_COLUMNS[c][0]})</th>" for c in REPORT06A_COLUMNS) + "</tr>"
    body = []
    for rec in df.to_dict("records"):
        total = rec.get("tt") is None or pd.isna(rec.get("tt"))
        cells = [f"<td class='num'>{'' if total else fmt_int(rec['tt'])}</td>",
                 f"<td>{html.escape(str(rec['sector']))}</td>"]
        cells += [f"<td class='num'>{fmt_int(rec[c], missing='')}</td>"
                  for _, cols in REPORT06A_GROUPS for c in cols]
        body.append(f"<tr class='{'total' if total else ''}'>{''.join(cells)}</tr>")
    return (f"<table class='f06a'><thead>{top}{sub}{nums}</thead><tbody>{''.join(body)}</tbody></table>")


REPORT_CHART_WIDTH = 680  # px of plot area: fits an A4 page in portrait with the report's margins


def figure_html(spec: dict) -> str:
    """A ui.charts spec as inline SVG, drawn on the server by vl-convert (Vega-Lite compiled in
    process, no browser): the same spec as on screen, with a fixed width because a file has no
    container to stretch to. A chart that cannot be drawn becomes a note, so the report keeps its
    tables; the details go to the server log."""
    try:
        import vl_convert

        svg = vl_convert.vegalite_to_svg(dict(spec, width=REPORT_CHART_WIDTH), vl_version="6.4")
    except Exception:
        log.exception("report chart %r could not be drawn", spec.get("title"))
        title = html.escape(str(spec.get("title") or "Biểu đồ"))
        return f"<p class='note'>{title}: không vẽ được biểu đồ; chi tiết đã ghi vào nhật ký máy chủ.</p>"
    return f"<figure class='chart'>{svg}</figure>"


def meeting_report(title: str, meta_lines: list[str], sections: list[tuple[str, str]]) -> bytes:
    """A self-contained HTML document (UTF-8): title, meta lines, then (heading, html) sections."""
    meta = "<br>".join(html.escape(m) for m in meta_lines)
    parts = [f"<h2>{html.escape(h)}</h2>{body}" for h, body in sections]
    doc = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
           f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
           f"<h1>{html.escape(title)}</h1><div class='meta'>{meta}</div>{''.join(parts)}"
           f"<p class='note'>Tạo lúc {fmt_datetime(datetime.now())} từ bảng điều khiển hồ sơ TTHC.</p>"
           "</body></html>")
    return doc.encode("utf-8")
