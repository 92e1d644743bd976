"""Chỉ tiêu: every plan's targets with their citations and how the period measures up; add and
edit targets (saved to the centre's targets file and reloaded through etl.targets_admin)."""
from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import streamlit as st

from ui import access, data, page, targets_edit
from ui.format import fmt_date, fmt_pct, fmt_period, fmt_pp, fmt_target
from ui.labels import METRIC_ID_LABELS, SCOPE_LABELS, STATUS_LABELS, metric_label

log = logging.getLogger("tthc.ui")

def _evaluation_table(evaluated: list[dict]) -> pd.DataFrame:
    rows = []
    for e in evaluated:
        rows.append({
            "Trạng thái": STATUS_LABELS.get(e["status"], e["status"]),
            "Chỉ tiêu": e["target_text"],
            "Chỉ số": metric_label(e["metric"], e["sector_scope"]) if e["metric"] else "–",
            "Mức": fmt_target(e["comparator"], e["target"]) if e["target"] is not None else "–",
            "Thực tế": fmt_pct(e["actual"]) if e["status"] in ("met", "not_met") else
            ("không có dữ liệu" if e["status"] == "no_data" else "–"),
            "Chênh lệch": fmt_pp(e["gap"]) if e["gap"] is not None else "–",
            "Hiệu lực": fmt_period(e["effective_from"], e["effective_to"])
            if e["effective_from"] and e["effective_to"] else "",
            "Trích dẫn": e["citation"],
        })
    return pd.DataFrame(rows)


def _save(f, plan_id: str, rows: list[dict]) -> None:
    from etl import targets_admin

    if not access.allowed("edit_targets"):  # checked again at the action, not only on the page
        return
    try:
        n = targets_admin.save_plan(f.db, plan_id, rows)
    except targets_admin.TargetsError as exc:
        st.error("Chưa lưu được, hãy sửa các lỗi sau:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        return
    except Exception as exc:
        log.exception("saving targets failed")
        from etl.atomic import LoadBusy
        if isinstance(exc, LoadBusy):
            st.error(str(exc))
        else:
            st.error("Không lưu được chỉ tiêu do lỗi ngoài dự kiến; không có gì thay đổi. " + page.ERROR_TEXT)
        return
    data.clear()
    st.session_state["ct_saved"] = (f"Đã lưu {len(rows)} chỉ tiêu của kế hoạch {plan_id} vào "
                                    f"{targets_admin.centre_path(f.db)} và nạp lại bảng chỉ tiêu ({n} dòng).")
    st.rerun()


def body(f) -> None:
    plans = data.plans(f.path, f.version)
    if not plans:
        st.info("Bảng chỉ tiêu chưa có kế hoạch nào.")
    notice = st.session_state.pop("ct_saved", None)
    if notice:
        st.success(notice)
    names = {p["plan_id"]: p for p in plans}
    ids = list(names)
    plan_id = None
    if ids:
        plan_id = st.selectbox("Kế hoạch", ids, index=ids.index(f.plan_id) if f.plan_id in ids else 0,
                               format_func=lambda p: f"{p} · {names[p]['plan_name']}", key="ct_plan")
        p = names[plan_id]
        st.caption(f"Đơn vị: {p['unit'] or '–'} · {p['targets']} chỉ tiêu, {p['measurable']} đo được từ dữ liệu "
                   f"hồ sơ · hiệu lực {fmt_date(p['first_from'])} – {fmt_date(p['last_to'])}.")

        st.subheader(f"Đánh giá trong kỳ {fmt_period(f.start, f.end)}")
        evaluated = data.evaluate(f.path, f.version, plan_id, f.start, f.end, f.unit)
        table = _evaluation_table(evaluated)
        st.dataframe(table, hide_index=True, key="ct_eval", height=page.table_height(len(table), 15), column_config={
            "Chỉ tiêu": st.column_config.TextColumn(width="large"),
            "Trích dẫn": st.column_config.TextColumn(width="large")})
        counts = table["Trạng thái"].value_counts()
        st.caption(" · ".join(f"{k}: {v}" for k, v in counts.items())
                   + ". Chỉ tiêu “chưa đo được” là chỉ tiêu dữ liệu hồ sơ không tính được; vẫn giữ để theo dõi.")

    st.subheader("Thêm, sửa chỉ tiêu")
    if not access.allowed("edit_targets"):
        return
    from etl import targets_admin

    centre_file = targets_admin.centre_path(f.db)
    try:
        centre_ids = targets_admin.centre_plan_ids(f.db)
    except targets_admin.TargetsError as exc:
        st.error("Tệp chỉ tiêu của trung tâm bị lỗi: " + "; ".join(exc.problems))
        centre_ids = set()
    st.caption(f"Lưu vào tệp của trung tâm `{centre_file}` (cùng cấu trúc với etl/reference/targets.csv, "
               "docs/targets.md); kế hoạch có trong tệp này thay cho bản gốc cùng mã. Sau khi lưu, bảng chỉ tiêu "
               "được nạp lại ngay; các trang thấy chỉ tiêu mới ở lần thao tác kế tiếp.")
    if plan_id:
        rows = data.plan_targets(f.path, f.version, plan_id)
        p = names[plan_id]
        if plan_id in centre_ids:
            st.info(f"Kế hoạch {plan_id} đang dùng bản sửa của trung tâm.")
        with st.form(f"ct_edit_{plan_id}"):
            st.markdown(f"**Chỉ tiêu của kế hoạch {plan_id}** (thêm dòng ở cuối bảng; chọn dòng rồi bấm thùng rác "
                        "để xóa)")
            edited = st.data_editor(targets_edit.editor_frame(rows), num_rows="dynamic", hide_index=True,
                                    column_config=targets_edit.editor_config(), key=f"ct_editor_{plan_id}")
            c1, c2 = st.columns(2)
            plan_name = c1.text_input("Tên kế hoạch", value=p["plan_name"])
            unit = c2.text_input("Đơn vị (xã, phường)", value=p["unit"] or "")
            submitted = st.form_submit_button("Lưu và nạp lại", type="primary", icon=":material/save:")
        if submitted:
            _save(f, plan_id, targets_edit.rows_from_editor(edited, plan_id, plan_name.strip(), unit.strip()))
        if plan_id in centre_ids and st.button("Bỏ bản sửa, dùng lại chỉ tiêu gốc của kế hoạch này",
                                               key="ct_reset"):
            _save(f, plan_id, [])

    with st.expander("Tạo kế hoạch mới"):
        with st.form("ct_new"):
            c1, c2, c3 = st.columns([1, 3, 2])
            new_id = c1.text_input("Mã kế hoạch", placeholder="ví dụ 101")
            new_name = c2.text_input("Tên kế hoạch", placeholder="Kế hoạch CCHC năm 2027 của UBND xã ...")
            new_unit = c3.text_input("Đơn vị (xã, phường)")
            st.markdown("Chỉ tiêu đầu tiên (thêm các chỉ tiêu khác sau khi tạo):")
            c4, c5, c6 = st.columns([3, 1, 1])
            metric = c4.selectbox("Chỉ số", list(METRIC_ID_LABELS), format_func=METRIC_ID_LABELS.get)
            comparator = c5.selectbox("So sánh", [">=", ">", "<=", "<"])
            value = c6.number_input("Giá trị (%)", min_value=0.0, max_value=100.0, value=95.0, step=0.5)
            scope = st.selectbox("Phạm vi", [None, "dat_dai_xay_dung_dau_tu"], format_func=SCOPE_LABELS.get)
            c7, c8 = st.columns(2)
            start = c7.date_input("Áp dụng từ", value=date(f.end.year, 1, 1), format="DD/MM/YYYY")
            end = c8.date_input("Đến ngày", value=date(f.end.year, 12, 31), format="DD/MM/YYYY")
            text = st.text_area("Nội dung chỉ tiêu (lời văn của kế hoạch)")
            citation = st.text_input("Trích dẫn (số hiệu, ngày ban hành, mục)")
            create = st.form_submit_button("Tạo kế hoạch", icon=":material/add:")
        if create:
            new_id = new_id.strip()
            if new_id in names:
                st.error(f"Mã kế hoạch {new_id} đã có; hãy chọn kế hoạch đó ở trên để sửa.")
            else:
                _save(f, new_id or "", [{
                    "plan_id": new_id, "plan_name": new_name.strip(), "unit": new_unit.strip(), "metric": metric,
                    "comparator": comparator, "value": value, "effective_from": start, "effective_to": end,
                    "sector_scope": scope or "", "measurable": True, "target_text": text, "citation": citation}])


page.run("Chỉ tiêu", body, needs_cases=False)
