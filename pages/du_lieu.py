"""Dữ liệu: upload exports (loaded all-or-nothing by etl.load.load_files), the per-file
accounting and the rejected rows with their reasons (downloadable), the ingestion history and a
data-quality summary of the chosen period."""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from ui import access, data, exports, page, uploads
from ui.format import fmt_int, fmt_period

log = logging.getLogger("tthc.ui")

ACCOUNT_COLUMNS = {"file_name": "Tệp", "format": "Định dạng", "kind": "Loại dữ liệu", "rows_read": "Dòng đọc",
                   "rows_inserted": "Thêm mới", "rows_updated": "Cập nhật", "rows_unchanged": "Không đổi",
                   "rows_rejected": "Bị loại", "unknown_headers": "Cột không nhận ra"}
KINDS = uploads.KINDS
HISTORY_COLUMNS = {"ingestion_id": "Lần nạp", "file_name": "Tệp", "format": "Định dạng", "kind": "Loại dữ liệu",
                   "rows_read": "Dòng đọc", "rows_inserted": "Thêm mới", "rows_updated": "Cập nhật",
                   "rows_unchanged": "Không đổi", "rows_rejected": "Bị loại", "finished_at": "Nạp lúc",
                   "seconds": "Thời gian (giây)", "message": "Ghi chú"}
REJECT_COLUMNS = {"ingestion_id": "Lần nạp", "file_name": "Tệp", "row_number": "Dòng trong tệp",
                  "reason": "Lý do", "raw_values": "Giá trị của dòng", "loaded_at": "Nạp lúc"}
UPLOAD_TYPES = ["xlsx", "xlsm", "csv", "txt", "tsv", "json", "jsonl"]


def _load(f, files, unit: str | None) -> None:
    before = 0
    if f.has_db:
        hist = data.ingestion_history(f.path, f.version)
        before = int(hist["ingestion_id"].max()) if len(hist) else 0
    outcome = uploads.load_uploads(f.db, files, unit, user=access.current_user())
    if outcome.ok:
        data.clear()
        table = pd.DataFrame(outcome.files).rename(columns=ACCOUNT_COLUMNS)
        st.session_state["dl_outcome"] = ("ok", outcome.message, table, before + 1)
    else:
        st.session_state["dl_outcome"] = ("error", outcome.message)


def _upload(f) -> None:
    st.subheader("Nạp tệp xuất dữ liệu")
    if not access.allowed("upload"):
        return
    st.caption("Danh sách hồ sơ (.xlsx, .csv, kể cả “Unicode Text” của Excel), tệp đồng bộ DVCQG (.json, .jsonl), "
               "danh sách đánh giá, PAKN, danh mục TTHC. Định dạng và loại dữ liệu được nhận ra từ nội dung. Các tệp "
               "được nạp cùng lúc: hoặc nạp hết, hoặc không nạp gì.")
    with st.form("dl_form", clear_on_submit=True):
        files = st.file_uploader("Chọn tệp", type=UPLOAD_TYPES, accept_multiple_files=True, key="dl_files")
        unit = st.text_input("Đơn vị tiếp nhận (chỉ dùng cho tệp không có cột đơn vị)", key="dl_unit",
                             placeholder="ví dụ: UBND xã Bình Minh")
        submitted = st.form_submit_button("Nạp dữ liệu", type="primary", icon=":material/upload:")
    if submitted:
        if not files:
            st.warning("Chưa chọn tệp nào.")
        else:
            with st.spinner("Đang nạp dữ liệu…"):
                _load(f, files, unit.strip())
            st.rerun()


def _outcome(f) -> None:
    outcome = st.session_state.get("dl_outcome")
    if not outcome:
        return
    if outcome[0] == "error":
        st.error(outcome[1])
        return
    _, message, table, first_id = outcome
    st.success(message)
    st.dataframe(table, hide_index=True, key="dl_accounting")
    rej = data.rejects(f.path, data.version(f.path), None, first_id)
    if len(rej):
        st.warning(f"{fmt_int(len(rej))} dòng bị loại trong lần nạp này; xem lý do ở bảng “Dòng bị loại”.")


def body(f) -> None:
    _upload(f)
    _outcome(f)
    if not f.has_db:
        st.info("Chưa có cơ sở dữ liệu: hãy nạp tệp ở trên.")
        return
    hist = data.ingestion_history(f.path, f.version)

    st.subheader("Dòng bị loại")
    if hist.empty:
        st.info("Chưa có lần nạp tệp nào.")
    else:
        options = [None] + list(hist["ingestion_id"])
        labels = {r.ingestion_id: f"Lần {r.ingestion_id}: {r.file_name} ({fmt_int(r.rows_rejected)} dòng bị loại)"
                  for r in hist.itertuples()}
        chosen = st.selectbox("Lần nạp", options, format_func=lambda i: "Tất cả các lần nạp" if i is None else labels[i],
                              key="dl_reject_pick")
        rej = data.rejects(f.path, f.version, chosen, None)
        if rej.empty:
            st.success("Không có dòng nào bị loại.")
        else:
            view = rej.rename(columns=REJECT_COLUMNS)[list(REJECT_COLUMNS.values())]
            st.dataframe(view, hide_index=True, key="dl_rejects",
                         column_config={"Nạp lúc": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                        "Lý do": st.column_config.TextColumn(width="large"),
                                        "Giá trị của dòng": st.column_config.TextColumn(width="large")})
            if access.allowed("download_case_lists", quiet=True):
                st.download_button("Tải danh sách dòng bị loại (.xlsx)",
                                   exports.on_click_xlsx("Dòng bị loại", lambda: exports.xlsx_bytes({"Dòng bị loại": view})),
                                   file_name="dong_bi_loai.xlsx", icon=":material/download:", key="dl_rejects_xlsx",
                                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                   on_click="ignore")

    st.subheader("Lịch sử nạp tệp")
    if not hist.empty:
        view = hist.copy()
        view["kind"] = view["kind"].map(lambda k: KINDS.get(k, k))
        view["message"] = view["message"].fillna("")
        st.dataframe(view.rename(columns=HISTORY_COLUMNS)[list(HISTORY_COLUMNS.values())], hide_index=True,
                     key="dl_history",
                     column_config={"Nạp lúc": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss")})
        st.caption(f"Tổng {fmt_int(len(hist))} lần nạp tệp; dòng đọc = thêm mới + cập nhật + không đổi + bị loại.")

    st.subheader(f"Chất lượng dữ liệu, kỳ {fmt_period(f.start, f.end)}")
    if not f.has_cases:
        st.info("Chưa có hồ sơ nào để kiểm tra.")
        return
    with page.guard("Chất lượng dữ liệu"):
        dq = data.data_quality(f.path, f.version, f.start, f.end, f.unit, f.sector)
        issues = dq[dq["cases"].fillna(0) > 0]
        st.caption(f"{len(issues)} / {len(dq)} mục kiểm tra có hồ sơ cần lưu ý. “Cách tính” là cách các chỉ số xử lý "
                   "những hồ sơ đó.")
        view = pd.DataFrame({"Kiểm tra": dq["description"], "Số lượng": dq["cases"].map(
            lambda v: "không kiểm tra được" if pd.isna(v) else fmt_int(v)), "Cách tính": dq["treatment"]})
        st.dataframe(view, hide_index=True, key="dl_quality", height=page.table_height(len(view)),
                     column_config={"Kiểm tra": st.column_config.TextColumn(width="large"),
                                    "Cách tính": st.column_config.TextColumn(width="large")})


page.run("Dữ liệu", body, needs_cases=False, needs_db=False)
