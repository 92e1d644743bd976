"""Truy vấn SQL: read-only ad-hoc SQL for analysts (queries.sandbox.run_user_sql: one SELECT, a
locked-down read-only connection, a time limit and a row cap), with a schema browser, example
queries, the row count and time, and downloads as .csv and .xlsx."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import settings
from ui import access, data, exports, page, schema_doc
from ui.format import fmt_int, fmt_number

EDITOR_KEY = "sql_text"


def _load_example(examples: list[tuple[str, str]]) -> None:
    choice = st.session_state.get("sql_example")
    for title, sql in examples:
        if title == choice:
            st.session_state[EDITOR_KEY] = sql
            st.session_state.pop("sql_result", None)


def _run(path: str) -> None:
    from queries.sandbox import run_user_sql

    sql = st.session_state.get(EDITOR_KEY, "")
    if not access.allowed("run_sql", quiet=True):  # checked again at the action, not only on the page
        st.session_state.pop("sql_result", None)
        return
    st.session_state["sql_result"] = (sql, run_user_sql(path, sql))


def _schema_browser(f) -> None:
    st.subheader("Bảng và cột")
    cols = data.schema_columns(f.path, f.version)
    if cols.empty:
        st.info("Cơ sở dữ liệu chưa có bảng nào.")
        return
    search = st.text_input("Tìm bảng hoặc cột", key="sql_schema_search", placeholder="ví dụ: due, handler, rating")
    needle = (search or "").strip().lower()
    for (table, kind), group in cols.groupby(["table_name", "table_kind"], sort=False):
        rows = pd.DataFrame({
            "Cột": group["column_name"],
            "Kiểu": group["data_type"],
            "Mô tả": [schema_doc.column_description(table, c) for c in group["column_name"]],
        })
        if needle and needle not in table.lower():
            rows = rows[rows["Cột"].str.lower().str.contains(needle, regex=False)
                        | rows["Mô tả"].str.lower().str.contains(needle, regex=False)]
            if rows.empty:
                continue
        label = f"{table} ({'view' if kind == 'view' else 'bảng'}, {len(group)} cột)"
        with st.expander(label, expanded=bool(needle)):
            desc = schema_doc.table_description(table)
            if desc:
                st.caption(desc)
            st.dataframe(rows, hide_index=True, key=f"schema_{table}",
                         column_config={"Mô tả": st.column_config.TextColumn(width="large")})


def body(f) -> None:
    if not access.allowed("run_sql"):
        return
    st.caption(f"Chỉ đọc: mỗi lần một câu lệnh SELECT (hoặc WITH, DESCRIBE, SUMMARIZE, EXPLAIN); dừng sau "
               f"{fmt_number(settings.get('query_timeout_s'), 1, strip_zeros=True)} giây và lấy tối đa "
               f"{fmt_int(settings.get('query_max_rows'))} dòng. Các bảng, cột xem ở khung bên phải; số liệu chính "
               "thức của các trang khác tính bằng các truy vấn trong thư mục queries/.")
    examples = schema_doc.examples()
    if EDITOR_KEY not in st.session_state:
        st.session_state[EDITOR_KEY] = examples[0][1] if examples else "select * from cases limit 100"
    left, right = st.columns([3, 2])
    with left:
        st.selectbox("Truy vấn mẫu", [t for t, _ in examples], index=None, key="sql_example",
                     placeholder="Chọn một truy vấn mẫu để nạp vào ô soạn thảo", on_change=_load_example,
                     args=(examples,))
        st.text_area("Câu lệnh SQL", key=EDITOR_KEY, height=260)
        st.button("Chạy truy vấn", type="primary", icon=":material/play_arrow:", on_click=_run, args=(f.path,),
                  key="sql_run")
        result = st.session_state.get("sql_result")
        if result:
            sql, res = result
            if res.error:
                st.error(res.error)
            else:
                n = res.table.num_rows
                st.success(f"{fmt_int(n)} dòng · {fmt_number(res.elapsed_ms, 0)} ms"
                           + (" · kết quả bị cắt bớt ở giới hạn số dòng" if res.truncated else ""))
                if res.truncated:
                    st.warning(f"Kết quả có nhiều hơn {fmt_int(n)} dòng nên đã bị cắt; hãy thêm điều kiện lọc "
                               "hoặc gộp nhóm.")
                df = res.table.to_pandas()
                st.dataframe(df, hide_index=True, key="sql_result_table")
                if access.allowed("download_case_lists", quiet=True):
                    d1, d2 = st.columns(2)
                    d1.download_button("Tải .csv", df.to_csv(index=False).encode("utf-8-sig"),
                                       file_name="ket_qua_truy_van.csv", mime="text/csv",
                                       icon=":material/download:", key="sql_csv", on_click="ignore")
                    d2.download_button("Tải .xlsx",
                                       exports.on_click_xlsx("Kết quả truy vấn",
                                                             lambda: exports.xlsx_bytes({"Kết quả": df})),
                                       file_name="ket_qua_truy_van.xlsx", icon=":material/download:",
                                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                       key="sql_xlsx", on_click="ignore")
    with right:
        with page.guard("Bảng và cột"):
            _schema_browser(f)


page.run("Truy vấn SQL", body, needs_cases=False)
