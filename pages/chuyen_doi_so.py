"""Chuyển đổi số: cases by channel, the toàn trình share, digitisation, e-results, reuse and
online payment, each against the plan's target, for the period and month by month."""
from __future__ import annotations

import streamlit as st

from ui import cards, charts, judging, openers, page, periods
from ui.format import fmt_int, fmt_period
from ui.labels import CHANNELS, DIGITAL, metric_label


def body(f) -> None:
    q = openers.chuyen_doi_so(f)
    cur, prev, evaluated = q.cur, q.prev, q.evaluated
    prev_label = periods.previous_label(f.period)

    if not cur["received"] and not cur["resolved"]:
        st.info("Không có hồ sơ nào tiếp nhận hay giải quyết trong kỳ với bộ lọc đã chọn.")
        return

    st.subheader("Hồ sơ tiếp nhận theo kênh")
    channels = {CHANNELS["online"]: cur["received_online"], CHANNELS["direct"]: cur["received_direct"],
                CHANNELS["postal"]: cur["received_postal"], CHANNELS[None]: cur["received_channel_unknown"]}
    left, right = st.columns([2, 3])
    with left:
        if cur["received"]:
            charts.show(st, charts.channel_donut({k: v for k, v in channels.items() if v}), key="cds_donut")
        else:
            st.info("Không có hồ sơ tiếp nhận trong kỳ.")
        st.caption(" · ".join(f"{k}: {fmt_int(v)}" for k, v in channels.items()) + f" · Tổng: {fmt_int(cur['received'])}")
    start, end, monthly = q.start, q.end, q.monthly.result()
    with right:
        with page.guard("Theo tháng"):
            x = [charts.month_label(s) for s in monthly["period_start"]]
            charts.show(st, charts.stacked_counts(x, {
                CHANNELS["online"]: list(monthly["received_online"]),
                CHANNELS["direct"]: list(monthly["received_direct"]),
                CHANNELS["postal"]: list(monthly["received_postal"]),
                CHANNELS[None]: list(monthly["received_channel_unknown"]),
            }, f"Hồ sơ tiếp nhận theo kênh và tháng, {fmt_period(start, end)}"), key="cds_channels")

    st.subheader("Các chỉ số chuyển đổi số")
    st.caption(f"Kỳ {fmt_period(f.start, f.end)}, so với {prev_label}.")
    per_row = 4
    for i in range(0, len(DIGITAL), per_row):
        cols = st.columns(per_row)
        for col, key in zip(cols, DIGITAL[i:i + per_row]):
            cards.metric_card(key, cur.get(key), prev.get(key), judging.from_evaluation(evaluated, key),
                              prev_label, container=col)
    uncomputed = sorted({metric_label(e["metric"], e["sector_scope"]) for e in evaluated
                         if e["status"] == "no_data" and e["metric"] not in cur})
    if uncomputed:
        st.caption("Chỉ tiêu của kế hoạch mà dữ liệu chưa cho tính: " + "; ".join(uncomputed)
                   + " (không có dữ liệu, không tính là 0 %).")

    st.subheader("Theo tháng, so với chỉ tiêu")
    target_rows = q.target_rows
    charts.show_trends(monthly, DIGITAL, target_rows, "month", "cds_")


page.run("Chuyển đổi số", body)
