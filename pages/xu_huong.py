"""Xu hướng: each metric by week, month or quarter against the plan's target (a step where a
phased target changes; points green when met, red when not), one metric by sector, the sector ×
month heat map of the on-time rate, and the projection to the end of the year."""
from __future__ import annotations

import streamlit as st

from ui import charts, data, judging, openers, page, periods
from ui.format import fmt_pct, fmt_period, fmt_pp, fmt_target
from ui.labels import METRICS, TREND, TREND_GROUPS


def body(f) -> None:
    c1, c2 = st.columns([1, 2])
    grain = c1.segmented_control("Chia theo", list(periods.GRAINS), default="month", key="xh_grain",
                                 format_func=periods.GRAINS.get) or "month"
    choice = c2.segmented_control("Khoảng thời gian", list(openers.TREND_RANGES), default="nam", key="xh_range",
                                  format_func=openers.TREND_RANGES.get) or "nam"
    q = openers.xu_huong(f, grain, choice)
    start, end, target_rows, months, df = q.start, q.end, q.target_rows, q.months, q.trend
    by_sector_f, heat_f, basis_f = q.by_sector, q.heat, q.basis
    st.caption(f"Từ {fmt_period(start, end)}; {f.unit or 'tất cả đơn vị'}; "
               f"{('lĩnh vực ' + f.sector) if f.sector else 'tất cả lĩnh vực'}. "
               "Đường nét đứt là chỉ tiêu của kế hoạch đã chọn (đổi bậc khi chỉ tiêu đổi theo giai đoạn); "
               "điểm xanh: đạt, đỏ: chưa đạt, xám: không có chỉ tiêu hoặc không có dữ liệu.")
    if df.empty or not (df["received"].sum() or df["resolved"].sum() or df["pending"].sum()):
        st.info("Không có hồ sơ nào trong khoảng thời gian và bộ lọc đã chọn.")
        return

    st.subheader(f"Các chỉ số theo {periods.GRAINS[grain].lower()}")
    # Only the open tab's charts are drawn (on_change="rerun" makes tabs lazy): each chart costs
    # the browser 25-30 ms, and 14 of them kept the page above 2 s (docs/performance.md, round 6).
    tabs = st.tabs(list(TREND_GROUPS), key="xh_group", on_change="rerun")
    for tab, keys in zip(tabs, TREND_GROUPS.values()):
        if not tab.open:
            continue
        with tab:
            charts.show_trends(df, keys, target_rows, grain, "xh_", name_empty=True)

    st.subheader("Theo lĩnh vực")
    options = [k for k in TREND if k in METRICS]
    metric = st.selectbox("Chỉ số", options, index=0, format_func=lambda k: METRICS[k].label, key="xh_metric")
    with page.guard("Theo lĩnh vực"):
        by_sector = by_sector_f.result()
        if by_sector.empty or by_sector[metric].isna().all():
            st.info("Không có dữ liệu của chỉ số này theo lĩnh vực trong khoảng thời gian.")
        else:
            st.caption(f"Cả khoảng {fmt_period(start, end)}; không áp dụng bộ lọc lĩnh vực. Lĩnh vực có màu đỏ "
                       "kéo chỉ số xuống dưới chỉ tiêu.")
            charts.show(st, charts.sector_bars(by_sector, metric, target_rows, end), key="xh_sector")

    st.subheader("Tỷ lệ giải quyết đúng hạn: lĩnh vực × tháng")
    with page.guard("Bản đồ nhiệt"):
        t = heat_f.result()
        if t.empty:
            st.info("Không có hồ sơ đã giải quyết trong các tháng này.")
        else:
            long = t[["sector", "on_time_rate"]].assign(month=[charts.month_label(d) for d in t["period_start"]])
            long["sector"] = long["sector"].fillna("Chưa xác định lĩnh vực")
            matrix = long.pivot_table(index="sector", columns="month", values="on_time_rate", aggfunc="first")
            matrix = matrix.reindex(index=sorted(matrix.index, key=lambda s: (s == "Chưa xác định lĩnh vực",
                                                                               charts.vi_sort_key(s))))
            matrix = matrix.reindex(columns=[charts.month_label(m[0]) for m in months
                                            if charts.month_label(m[0]) in matrix.columns])
            target = next((float(r["value"]) for r in judging.rows_for(target_rows, "on_time_rate")
                           if judging.in_effect(r, end)), None)
            st.caption("Ô trống: lĩnh vực không có hồ sơ giải quyết trong tháng."
                       + (f" Màu giữa thang là chỉ tiêu {fmt_pct(target)}." if target is not None else ""))
            charts.show(st, charts.heatmap(matrix, "Tỷ lệ giải quyết đúng hạn (%)", target), key="xh_heatmap")

    st.subheader(f"Dự báo đến cuối năm {end.year}")
    with page.guard("Dự báo"):
        _projection(metric, basis_f)


def _projection(key: str, basis_f) -> None:
    meta = METRICS[key]
    if basis_f is None:
        st.info("Chọn một kế hoạch ở thanh bên để so dự báo với chỉ tiêu.")
        return
    proj = data.projection(basis_f.result(), meta.metric, meta.scope)
    st.caption(f"Chỉ số: **{meta.label}**, toàn đơn vị (không lọc lĩnh vực). " + proj.get("method_vi", ""))
    c1, c2, c3 = st.columns(3)
    c1.metric("Từ đầu năm đến nay", fmt_pct(proj.get("ytd_value")), border=True)
    c2.metric("Dự báo tháng 12", fmt_pct(proj.get("projected_december")), border=True,
              help="Giá trị của đường xu hướng tại tháng 12.")
    slope = proj.get("slope_pp_per_month")
    c3.metric("Xu hướng mỗi tháng", fmt_pp(slope, 2) if slope is not None else "–", border=True)
    if proj.get("reason"):
        st.info(f"Chưa dự báo được: {proj['reason']}.")
    targets = proj.get("targets") or []
    if not targets:
        st.caption("Kế hoạch không đặt chỉ tiêu cho chỉ số này vào cuối năm.")
    for t in targets:
        verdict = ("dự báo **đạt**" if t["projected_met"] else "dự báo **chưa đạt**" if t["projected_met"] is False
                   else "chưa đủ dữ liệu để dự báo")
        colour = "green" if t["projected_met"] else "red" if t["projected_met"] is False else "gray"
        st.markdown(f":{colour}[Chỉ tiêu {fmt_target(t['comparator'], t['target'])}: {verdict}"
                    + (f" (chênh lệch {fmt_pp(t['projected_gap'])})" if t.get("projected_gap") is not None else "")
                    + f"] — {t['target_text']}")
    if proj.get("months"):
        charts.show(st, charts.projection_chart(proj, f"{meta.label}: thực tế theo tháng và xu hướng"), key="xh_projection")


page.run("Xu hướng", body)
