"""Giao ban tuần: Biểu II.06a of the chosen week beside the previous week, the late cases and the
cases falling due in the next working days (with handler and department), counts by handler,
and the files for the meeting: II.06a .xlsx, the lists .xlsx and one printable report."""
from __future__ import annotations

import logging
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from ui import caselists, cards, charts, data, exports, openers, page, periods, tables
from ui.format import fmt_date, fmt_int, fmt_pct, fmt_period
from ui.labels import CASE_LIST_COLUMNS

log = logging.getLogger("tthc.ui")


def _week_choice(f) -> date:
    weeks = periods.recent_weeks(f.today, 26)
    default = openers.default_week(f)
    mondays = [w[0] for w in weeks]
    if default not in mondays:
        mondays.insert(0, default)
    label = {m: f"{fmt_period(m, m + timedelta(days=6))}" + (" (tuần này)" if m == periods.week_start(f.today) else "")
             for m in mondays}
    monday = st.selectbox("Tuần giao ban (thứ Hai – Chủ nhật)", mondays, index=mondays.index(default),
                          format_func=label.get, key="gb_week")
    return monday


def _report06a_block(title: str, df: pd.DataFrame) -> None:
    st.markdown(f"**{title}**")
    if df.empty or (len(df) == 1 and not df.iloc[0][["received_total", "resolved_total", "pending_total"]].any()):
        st.info("Không có hồ sơ nào trong tuần này.")
    tables.show_html(exports.report06a_html(df))


COMPARE = [("received_total", "Tiếp nhận (3)"), ("resolved_total", "Đã giải quyết (7)"),
           ("resolved_late", "Giải quyết quá hạn (10)"), ("pending_total", "Đang giải quyết (11)"),
           ("pending_overdue", "Đang quá hạn (13)")]


def _comparison(cur06: pd.DataFrame, prev06: pd.DataFrame) -> pd.DataFrame:
    """Sector by sector: this week, last week and the change, for the main II.06a columns."""
    keys = ["sector"] + [k for k, _ in COMPARE]
    merged = cur06[keys].merge(prev06[keys], on="sector", how="outer", suffixes=("", "_prev")).fillna(0)
    total = merged["sector"] == "Tổng cộng"
    merged = pd.concat([merged[~total].sort_values("sector"), merged[total]])
    out = pd.DataFrame({"Lĩnh vực": merged["sector"]})
    for k, label in COMPARE:
        out[f"{label}: tuần này"] = merged[k].astype(int).map(fmt_int)
        out[f"{label}: tuần trước"] = merged[f"{k}_prev"].astype(int).map(fmt_int)
    return out.reset_index(drop=True)


def body(f) -> None:
    q = openers.giao_ban(f, _week_choice(f))
    monday, end, prev_start, prev_end, days = q.monday, q.end, q.prev_start, q.prev_end, q.days
    cur06, cur, prev06, prev = q.cur06, q.cur, q.prev06, q.prev
    late_view, due_view, by_handler = q.late_view, q.due_view, q.by_handler
    st.caption(f"Tuần {fmt_period(monday, end)}"
               + (" (đến mốc hôm nay)" if end < monday + timedelta(days=6) else "")
               + f"; so với tuần trước {fmt_period(prev_start, prev_end)}. Biểu II.06a tính cho cả đơn vị, mọi lĩnh vực"
               + (f"; các danh sách lọc theo lĩnh vực {f.sector}." if f.sector else "."))

    cols = st.columns(6)
    cards.count_metric("Tiếp nhận", cur["received"], prev["received"], "tuần trước", container=cols[0])
    cards.count_metric("Đã giải quyết", cur["resolved"], prev["resolved"], "tuần trước", container=cols[1])
    cards.rate_metric("Tỷ lệ đúng hạn", cur["on_time_rate"], prev["on_time_rate"], "tuần trước", container=cols[2])
    cards.count_metric("Giải quyết quá hạn", cur["resolved_late"], prev["resolved_late"], "tuần trước",
                       bad_when_up=True, container=cols[3])
    cards.count_metric("Đang quá hạn", cur["pending_overdue"], prev["pending_overdue"], "tuần trước",
                       bad_when_up=True, container=cols[4])
    cols[5].metric("Sắp đến hạn", fmt_int(len(due_view)), border=True, help=f"Hạn trả trong {days} ngày làm việc tới")

    st.subheader("Biểu II.06a: tình hình, kết quả giải quyết TTHC")
    tab_cur, tab_both = st.tabs([f"Tuần {fmt_period(monday, end)}", "So với tuần trước"])
    with tab_cur:
        _report06a_block(f"Tuần {fmt_period(monday, end)}", cur06)
        _report06a_block(f"Tuần trước {fmt_period(prev_start, prev_end)}", prev06)
    with tab_both:
        compare = _comparison(cur06, prev06)
        tables.show(compare, numeric=list(compare.columns[1:]),
                    total_rows=[i for i, s in enumerate(compare["Lĩnh vực"]) if s == "Tổng cộng"])

    st.subheader(f"Hồ sơ trễ hạn ({fmt_int(len(late_view))})")
    st.caption("Hồ sơ giải quyết quá hạn trong tuần và hồ sơ đang quá hạn vào cuối tuần; nhiều ngày trễ nhất "
               "trước. Bấm vào tiêu đề cột để sắp xếp.")
    if late_view.empty:
        st.success("Không có hồ sơ trễ hạn trong tuần.")
    else:
        st.dataframe(late_view, hide_index=True, column_config=caselists.column_config(), key="gb_late")

    st.subheader(f"Hồ sơ sắp đến hạn trong {days} ngày làm việc tới ({fmt_int(len(due_view))})")
    st.caption(f"Hồ sơ đang giải quyết vào ngày {fmt_date(end)} có hạn trả từ ngày đó đến {days} ngày làm việc sau; "
               "hạn gần nhất trước.")
    if due_view.empty:
        st.success("Không có hồ sơ nào sắp đến hạn.")
    else:
        st.dataframe(due_view, hide_index=True, column_config=caselists.column_config(), key="gb_due")

    st.subheader("Theo cán bộ xử lý")
    if by_handler.empty:
        st.info("Không có hồ sơ trễ hạn hay sắp đến hạn để thống kê theo cán bộ.")
    else:
        # a bar for each row's total, in the grid the lists above have loaded already; the stacked
        # chart by kind is in the printable report only: a Vega chart here made the browser fetch
        # and compile its ~0.8 MB chunk for this one chart (docs/performance.md, round 8)
        st.dataframe(by_handler, hide_index=True, key="gb_handlers", column_config={
            caselists.HANDLER_TOTAL: st.column_config.ProgressColumn(
                format="%d", min_value=0, max_value=max(int(by_handler[caselists.HANDLER_TOTAL].max()), 1),
                help="Tổng số hồ sơ trễ hạn và sắp đến hạn của cán bộ")})

    st.subheader("Tải về cho cuộc họp")
    unit_text = f.unit or "tất cả đơn vị"
    tag = f"{monday:%Y-%m-%d}_{end:%Y-%m-%d}"
    d1, d2, d3 = st.columns(3)
    with d1:
        with page.guard("Biểu II.06a"):
            st.download_button("Biểu II.06a (.xlsx, sẵn để in)",
                               exports.on_click_xlsx("Biểu II.06a", lambda: exports.report06a_xlsx(cur06, monday, end, f.unit)),
                               file_name=f"Bieu_II06a_{tag}.xlsx", icon=":material/table_view:",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key="dl_06a", on_click="ignore")
    with d2:
        with page.guard("Danh sách hồ sơ"):
            st.download_button("Danh sách trễ hạn, sắp đến hạn (.xlsx)",
                               exports.on_click_xlsx("Danh sách hồ sơ", lambda: exports.xlsx_bytes(
                                   {"Hồ sơ trễ hạn": late_view, "Sắp đến hạn": due_view, "Theo cán bộ": by_handler},
                                   title=f"Giao ban tuần {fmt_period(monday, end)} · {unit_text}")),
                               file_name=f"Danh_sach_giao_ban_{tag}.xlsx", icon=":material/list_alt:",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key="dl_lists", on_click="ignore")
    with d3:
        def build_report() -> bytes:
            try:
                return _meeting_report(f, monday, end, prev_start, prev_end, cur, prev, cur06, prev06,
                                       late_view, due_view, by_handler, days)
            except Exception:
                log.exception("meeting report failed")
                return ("<html lang='vi'><meta charset='utf-8'><body><p>Không tạo được báo cáo do lỗi ngoài dự "
                        "kiến; chi tiết đã ghi vào nhật ký máy chủ.</p></body></html>").encode("utf-8")

        st.download_button("Báo cáo giao ban để in (.html)", build_report, file_name=f"Bao_cao_giao_ban_{tag}.html",
                           mime="text/html", icon=":material/print:", key="dl_report", on_click="ignore",
                           help="Một tệp HTML duy nhất (biểu đồ nhúng sẵn, mở được khi không có mạng); "
                                "mở bằng trình duyệt rồi In (Ctrl+P) hoặc lưu thành PDF.")


def _meeting_report(f, monday, end, prev_start, prev_end, cur, prev, cur06, prev06, late_view, due_view,
                    by_handler, days) -> bytes:
    trend_start = monday - timedelta(days=7 * 11)
    weekly = data.kpis_by_period(f.path, f.version, trend_start, end, f.unit, f.sector, None, "week")
    target_rows = data.plan_targets(f.path, f.version, f.plan_id) if f.plan_id else []
    trend_chart = charts.metric_trend(weekly, "on_time_rate", target_rows, "week",
                                      title="Tỷ lệ giải quyết đúng hạn 12 tuần gần nhất")
    handlers_chart = None if by_handler.empty else charts.handler_bars(
        by_handler.drop(columns=["Phòng ban xử lý", caselists.HANDLER_TOTAL]), "Số hồ sơ theo cán bộ xử lý")
    kpi_html = "<div class='kpis'>" + "".join(
        f"<div class='kpi'>{label}<div class='v'>{value}</div><div class='note'>tuần trước: {before}</div></div>"
        for label, value, before in [
            ("Tiếp nhận", fmt_int(cur["received"]), fmt_int(prev["received"])),
            ("Đã giải quyết", fmt_int(cur["resolved"]), fmt_int(prev["resolved"])),
            ("Tỷ lệ giải quyết đúng hạn", fmt_pct(cur["on_time_rate"]), fmt_pct(prev["on_time_rate"])),
            ("Giải quyết quá hạn", fmt_int(cur["resolved_late"]), fmt_int(prev["resolved_late"])),
            ("Đang quá hạn", fmt_int(cur["pending_overdue"]), fmt_int(prev["pending_overdue"])),
            ("Sắp đến hạn", fmt_int(len(due_view)), "–"),
        ]) + "</div>"
    sections = [
        ("1. Số liệu chính", kpi_html + exports.figure_html(trend_chart)),
        (f"2. Biểu II.06a tuần {fmt_period(monday, end)}", exports.report06a_html(cur06)),
        (f"3. Biểu II.06a tuần trước {fmt_period(prev_start, prev_end)}", exports.report06a_html(prev06)),
        (f"4. Hồ sơ trễ hạn ({len(late_view)})", exports.table_html(
            late_view.drop(columns=[c for c in (CASE_LIST_COLUMNS["unit"], CASE_LIST_COLUMNS["procedure_code"],
                                                 CASE_LIST_COLUMNS["due_origin"], CASE_LIST_COLUMNS["channel"],
                                                 CASE_LIST_COLUMNS["status"]) if c in late_view.columns]),
            numeric=[CASE_LIST_COLUMNS["days_late"]])),
        (f"5. Hồ sơ sắp đến hạn trong {days} ngày làm việc ({len(due_view)})", exports.table_html(
            due_view.drop(columns=[c for c in (CASE_LIST_COLUMNS["unit"], CASE_LIST_COLUMNS["procedure_code"],
                                                CASE_LIST_COLUMNS["due_origin"], CASE_LIST_COLUMNS["channel"])
                                   if c in due_view.columns]),
            numeric=[CASE_LIST_COLUMNS["working_days_left"]])),
        ("6. Theo cán bộ xử lý", exports.table_html(by_handler, numeric=list(by_handler.columns[2:]))
         + (exports.figure_html(handlers_chart) if handlers_chart is not None else "")),
    ]
    meta = [f"Tuần {fmt_period(monday, end)} · {f.unit or 'tất cả đơn vị'}"
            + (f" · lĩnh vực {f.sector}" if f.sector else ""),
            page.freshness_line(f)]
    return exports.meeting_report("Báo cáo giao ban tuần", meta, sections)


page.run("Giao ban tuần", body)
