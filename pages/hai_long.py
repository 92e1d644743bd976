"""Hài lòng: satisfaction overall and for the đất đai / xây dựng / đầu tư group against their
separate targets, the distribution of ratings by sector and by month, and PAKN on time."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import cards, charts, judging, openers, page, periods, tables
from ui.format import fmt_int, fmt_pct, fmt_period
from ui.labels import RATINGS


def _rating_table(dist: pd.DataFrame) -> pd.DataFrame:
    pivot = dist.pivot_table(index="sector", columns="rating", values="ratings", aggfunc="sum", fill_value=0)
    for code in (3, 2, 1):
        if code not in pivot.columns:
            pivot[code] = 0
    pivot = pivot[[3, 2, 1]].reindex(sorted(pivot.index, key=charts.vi_sort_key))
    total = pivot.sum(axis=1)
    out = pd.DataFrame({"Lĩnh vực": pivot.index})
    for code in (3, 2, 1):
        out[RATINGS[code]] = [fmt_int(v) for v in pivot[code]]
    out["Tổng số đánh giá"] = [fmt_int(v) for v in total]
    out["Tỷ lệ hài lòng"] = [fmt_pct(100.0 * (a + b) / t) if t else "không có dữ liệu"
                             for a, b, t in zip(pivot[3], pivot[2], total)]
    return out.reset_index(drop=True)


def body(f) -> None:
    q = openers.hai_long(f)
    start, end, cur, prev, evaluated = q.start, q.end, q.cur, q.prev, q.evaluated
    dist_period_f, dist_year_f = q.dist_period, q.dist_year
    prev_label = periods.previous_label(f.period)

    st.caption("Mức độ hài lòng = (Rất hài lòng + Hài lòng) / tổng số đánh giá, tính theo ngày kết thúc của hồ sơ "
               "được đánh giá; hồ sơ không được đánh giá không tính. Nhóm đất đai, xây dựng, đầu tư có chỉ tiêu riêng.")
    cols = st.columns(3)
    for col, key in zip(cols, ["satisfaction_rate", "satisfaction_rate_land_group", "pakn_on_time_rate"]):
        cards.metric_card(key, cur.get(key), prev.get(key), judging.from_evaluation(evaluated, key), prev_label,
                          container=col)
    c = st.columns(4)
    c[0].metric("Số đánh giá", fmt_int(cur.get("ratings")), border=True)
    c[1].metric("Hài lòng và rất hài lòng", fmt_int(cur.get("ratings_satisfied")), border=True)
    c[2].metric("Đánh giá nhóm đất đai, xây dựng, đầu tư", fmt_int(cur.get("ratings_land_group")), border=True)
    c[3].metric("PAKN đến hạn / đúng hạn",
                f"{fmt_int(cur.get('pakn_due'))} / {fmt_int(cur.get('pakn_on_time'))}", border=True)
    if not cur.get("ratings"):
        st.info("Không có đánh giá nào của hồ sơ kết thúc trong kỳ với bộ lọc đã chọn: mức độ hài lòng "
                "“không có dữ liệu” (không tính là 0 %).")

    target_rows = q.target_rows
    st.subheader("Theo tháng")
    st.caption(f"Từ {fmt_period(start, end)}.")
    with page.guard("Biểu đồ theo tháng"):
        monthly = q.monthly.result()
        cols = st.columns(3)
        for col, key in zip(cols, ["satisfaction_rate", "satisfaction_rate_land_group", "pakn_on_time_rate"]):
            with col:
                if monthly.empty or monthly[key].isna().all():
                    st.info("Không có dữ liệu trong khoảng thời gian.")
                else:
                    charts.show(st, charts.metric_trend(monthly, key, target_rows, "month"),
                                key=f"hl_{key}")

    st.subheader("Phân bố mức độ đánh giá")
    st.caption("Phần xanh (Rất hài lòng + Hài lòng) tính từ 0: đỉnh của nó là mức độ hài lòng, so với đường chỉ tiêu.")
    satisfaction_targets = [r for r in judging.rows_for(target_rows, "satisfaction_rate") if judging.in_effect(r, f.end)]
    with page.guard("Phân bố đánh giá"):
        dist_period, dist_year = dist_period_f.result(), dist_year_f.result()
        # one above the other: sector names are long and need the page's width
        if dist_period.empty:
            st.info("Không có đánh giá trong kỳ.")
        else:
            charts.show(st, charts.rating_shares(dist_period, "sector",
                                                 f"Theo lĩnh vực, kỳ {fmt_period(f.start, f.end)}",
                                                 satisfaction_targets), key="hl_dist_sector")
        if dist_year.empty:
            st.info("Không có đánh giá trong khoảng thời gian.")
        else:
            charts.show(st, charts.rating_shares(dist_year, "month", f"Theo tháng, {fmt_period(start, end)}",
                                                 satisfaction_targets), key="hl_dist_month")
        if not dist_period.empty:
            table = _rating_table(dist_period)
            tables.show(table, numeric=list(table.columns[1:]))


page.run("Hài lòng", body)
