"""The Chỉ tiêu page's editor table: a plan's target rows as an st.data_editor frame and back."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ui.labels import METRIC_ID_LABELS

EDIT_COLUMNS = ["metric", "sector_scope", "comparator", "value", "effective_from", "effective_to", "measurable",
                "target_text", "citation"]


def editor_frame(rows: list[dict]) -> pd.DataFrame:
    """The editable columns of the plan's rows (queries/plan_targets.sql), dates as dates."""
    frame = pd.DataFrame(rows, columns=["plan_id", "plan_name", "unit"] + EDIT_COLUMNS)
    frame = frame[EDIT_COLUMNS].copy()
    for c in ("effective_from", "effective_to"):
        frame[c] = pd.to_datetime(frame[c])
    frame["measurable"] = frame["measurable"].astype(bool)
    frame["value"] = frame["value"].astype("float64")
    return frame


def editor_config() -> dict:
    return {
        "metric": st.column_config.SelectboxColumn(
            "Chỉ số", options=list(METRIC_ID_LABELS), width="medium",
            help="Để trống khi dữ liệu hồ sơ không đo được chỉ tiêu này."),
        "sector_scope": st.column_config.SelectboxColumn(
            "Phạm vi", options=["dat_dai_xay_dung_dau_tu"],
            help="Để trống: mọi lĩnh vực; dat_dai_xay_dung_dau_tu: nhóm đất đai, xây dựng, đầu tư."),
        "comparator": st.column_config.SelectboxColumn("So sánh", options=[">=", ">", "<=", "<"]),
        "value": st.column_config.NumberColumn("Giá trị (%)", min_value=0.0, max_value=100.0, step=0.1),
        "effective_from": st.column_config.DateColumn("Áp dụng từ", format="DD/MM/YYYY"),
        "effective_to": st.column_config.DateColumn("Đến ngày", format="DD/MM/YYYY"),
        "measurable": st.column_config.CheckboxColumn("Đo được"),
        "target_text": st.column_config.TextColumn("Nội dung (lời văn kế hoạch)", width="large"),
        "citation": st.column_config.TextColumn("Trích dẫn (số, ngày, mục)", width="large"),
    }


def _blank(value) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return not isinstance(value, (str, bool)) and bool(pd.isna(value))


def rows_from_editor(frame: pd.DataFrame, plan_id: str, plan_name: str, unit: str | None) -> list[dict]:
    """The edited frame as targets rows of the plan (etl.targets_admin columns); rows left empty
    (added but not filled) are dropped."""
    out = []
    for rec in frame.to_dict("records"):
        if all(_blank(v) for k, v in rec.items() if k != "measurable"):
            continue
        row = {"plan_id": plan_id, "plan_name": plan_name, "unit": unit or ""}
        for c in EDIT_COLUMNS:
            v = rec.get(c)
            if _blank(v):
                v = ""
            elif hasattr(v, "date") and not isinstance(v, date):
                v = v.date()
            row[c] = v
        out.append(row)
    return out
