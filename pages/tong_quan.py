"""Tổng quan: one card per headline metric (value, target, gap, change, met / not met), the
counts of the period, the 766 total and how many of the plan's targets are met."""
from __future__ import annotations

import streamlit as st

from ui import cards, judging, openers, page, periods
from ui.format import fmt_pct, fmt_score
from ui.labels import COUNTS, HEADLINE, STATUS_LABELS, metric_label


def body(f) -> None:
    q = openers.tong_quan(f)
    cur, prev, evaluated = q.cur, q.prev, q.evaluated
    prev_label = periods.previous_label(f.period)

    if not (cur["received"] or cur["resolved"] or cur["pending"]):
        st.info("Không có hồ sơ nào tiếp nhận, giải quyết hay đang giải quyết trong kỳ với bộ lọc đã chọn. "
                "Hãy chọn kỳ khác, đơn vị khác hoặc bỏ lọc lĩnh vực.")
        return

    tally = judging.tally(evaluated)
    measured = tally["met"] + tally["not_met"]
    with st.container(border=True):
        left, right = st.columns([3, 1])
        if f.plan_id:
            left.subheader(f"Đạt {tally['met']}/{measured} chỉ tiêu")
            left.markdown(
                f"Kế hoạch **{f.plan_id} · {f.plan_name}**, các chỉ tiêu áp dụng đến {f.end:%d/%m/%Y} đo được "
                f"trong kỳ. Ngoài ra: {tally['no_data']} chỉ tiêu không có dữ liệu, "
                f"{tally['not_measurable']} chỉ tiêu chưa đo được từ dữ liệu hồ sơ, "
                f"{tally['not_in_effect']} chỉ tiêu chưa áp dụng (xem trang **Chỉ tiêu**).")
            if f.sector:
                left.caption(f"Đang lọc lĩnh vực {f.sector}: các tỷ lệ là của riêng lĩnh vực này, so với chỉ tiêu chung.")
        else:
            left.subheader("Chưa chọn kế hoạch")
        with right:
            with page.guard("Chỉ số 766"):
                idx = q.index766.result()
                total = idx.get("total")
                st.metric("Chỉ số 766 (phần đo được)",
                          f"{fmt_score(total)} / {fmt_score(idx.get('reachable_max'))}" if total is not None
                          else "không có dữ liệu",
                          help="Tổng điểm các tiêu chí tính được từ dữ liệu hồ sơ trên điểm tối đa của chính các "
                               "tiêu chí đó; các tiêu chí khác “chưa đo được”. Không lọc theo lĩnh vực.")
                st.caption(f"{fmt_pct(idx.get('pct_of_reachable'))} điểm tối đa đo được; thang 100 điểm.")

    st.subheader("Số hồ sơ trong kỳ")
    cols = st.columns(len(COUNTS))
    for col, (key, label) in zip(cols, COUNTS.items()):
        cards.count_metric(label, cur.get(key), prev.get(key), prev_label,
                           bad_when_up=key in ("resolved_late", "pending_overdue"), container=col)

    st.subheader("Các chỉ số chính")
    st.caption(f"So sánh với {prev_label} ({f.previous.start:%d/%m/%Y} – {f.previous.end:%d/%m/%Y}). "
               "Màu xanh: đạt chỉ tiêu; đỏ: chưa đạt; xám: không có dữ liệu hoặc kế hoạch không đặt chỉ tiêu.")
    per_row = 4
    for i in range(0, len(HEADLINE), per_row):
        cols = st.columns(per_row)
        for col, key in zip(cols, HEADLINE[i:i + per_row]):
            verdict = judging.from_evaluation(evaluated, key)
            cards.metric_card(key, cur.get(key), prev.get(key), verdict, prev_label, container=col)

    not_met = [e for e in evaluated if e["status"] == "not_met"]
    if not_met:
        st.subheader("Chỉ tiêu chưa đạt trong kỳ")
        for e in not_met:
            st.markdown(f"- :red[**{metric_label(e['metric'], e['sector_scope'])}**]: "
                        f"{fmt_pct(e['actual'])} so với chỉ tiêu {judging.Verdict('not_met', [e], []).target_text} "
                        f"— {e['target_text']} _({e['citation']})_")
    no_data = [e for e in evaluated if e["status"] == "no_data"]
    if no_data:
        st.caption("Không có dữ liệu trong kỳ: " + "; ".join(
            sorted({metric_label(e["metric"], e["sector_scope"]) for e in no_data})) + f" ({STATUS_LABELS['no_data'].lower()}, không tính là 0 %).")


page.run("Tổng quan", body)
