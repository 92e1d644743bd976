"""Chỉ số 766 (Quyết định 766/QĐ-TTg): group and item scores of the period and by month; what
case data cannot measure is shown as "chưa đo được", never with a made-up score."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, openers, page, tables
from ui.format import fmt_month, fmt_pct, fmt_period, fmt_score

NOT_MEASURED = "chưa đo được"


def _item_value(item: dict) -> str:
    if item["status"] == "not_measurable":
        return NOT_MEASURED
    if item["score"] is None:
        return item.get("label") or "không có dữ liệu"
    return fmt_score(item["score"])


def _items_table(idx: dict) -> pd.DataFrame:
    rows = []
    for g in idx["groups"]:
        for it in g["items"]:
            rows.append({
                "Nhóm": g["name"],
                "Tiêu chí": it["name"],
                "Điểm tối đa": fmt_score(it["max"]),
                "Tỷ lệ": fmt_pct(it["value"]) if it.get("metric") else "–",
                "Điểm": _item_value(it),
                "Cách chấm / lý do": it.get("rule") or it.get("reason") or "",
            })
    return pd.DataFrame(rows)


def body(f) -> None:
    st.caption("Điểm các tiêu chí tính từ dữ liệu hồ sơ theo cách chấm hiện hành của Cổng Dịch vụ công quốc gia "
               "(do bên thứ ba dựng lại); các tiêu chí dữ liệu hồ sơ không đo được ghi “chưa đo được” và không tính "
               "vào điểm tối đa đo được. Chỉ số tính cho cả đơn vị, không lọc theo lĩnh vực.")
    q = openers.chi_so_766(f)
    start, end, idx, months_f = q.start, q.end, q.idx, q.months
    c = st.columns(3)
    c[0].metric("Tổng điểm đo được", fmt_score(idx.get("total")), border=True)
    c[1].metric("Điểm tối đa đo được", f"{fmt_score(idx.get('reachable_max'))} / {fmt_score(idx.get('max'))}",
                border=True, help="Tổng điểm tối đa của các tiêu chí tính được, trên thang 100 điểm.")
    c[2].metric("Tỷ lệ điểm đạt trên phần đo được", fmt_pct(idx.get("pct_of_reachable")), border=True)

    st.subheader(f"Điểm theo nhóm, kỳ {fmt_period(f.start, f.end)}")
    groups = pd.DataFrame([{
        "Nhóm": g["name"],
        "Điểm": fmt_score(g["score"]) if g["score"] is not None else NOT_MEASURED,
        "Tối đa đo được": fmt_score(g["reachable_max"]),
        "Tối đa theo quyết định": fmt_score(g["max"]),
    } for g in idx["groups"]])
    tables.show(groups, numeric=["Điểm", "Tối đa đo được", "Tối đa theo quyết định"])
    st.subheader("Điểm từng tiêu chí")
    items = _items_table(idx)
    tables.show(items, numeric=["Điểm tối đa", "Tỷ lệ", "Điểm"])
    unmeasured = [it["name"] for g in idx["groups"] for it in g["items"] if it["status"] == "not_measurable"]
    if unmeasured:
        st.caption(f"{len(unmeasured)} tiêu chí {NOT_MEASURED}: " + "; ".join(unmeasured) + ".")

    st.subheader("Theo tháng")
    st.caption(f"Từ {fmt_period(start, end)}; mỗi tháng chấm riêng (tháng cuối tính đến {end:%d/%m/%Y}).")
    with page.guard("Theo tháng"):
        months = months_f.result()
        if not months:
            st.info("Không có tháng nào trong khoảng thời gian.")
            return
        charts.show(st, charts.index766_stacked(months), key="i766_months")
        table = {}
        for m in months:
            label = fmt_month(m["period_start"])
            for g in m["groups"]:
                for it in g["items"]:
                    table.setdefault((g["name"], it["name"], fmt_score(it["max"])), {})[label] = _item_value(it)
            table.setdefault(("Tổng", "Tổng điểm đo được", ""), {})[label] = fmt_score(m["total"])
            table.setdefault(("Tổng", "Điểm tối đa đo được", ""), {})[label] = fmt_score(m["reachable_max"])
        frame = pd.DataFrame([{"Nhóm": k[0], "Tiêu chí": k[1], "Tối đa": k[2], **v} for k, v in table.items()])
        tables.show(frame, numeric=[c for c in frame.columns if c not in ("Nhóm", "Tiêu chí")],
                    total_rows=[i for i, g in enumerate(frame["Nhóm"]) if g == "Tổng"])
    if idx.get("source"):
        st.caption("Nguồn trọng số: " + idx["source"])


page.run("Chỉ số 766", body)
