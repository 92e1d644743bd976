"""The giao ban's case lists (late, due soon) shaped for display and export."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ui import data
from ui.labels import CASE_LIST_COLUMNS, CASE_STATUS, CHANNELS, DUE_ORIGIN, LATE_KIND

LATE_ORDER = ["kind", "case_id", "sector", "procedure_name", "handler", "department", "received_at", "due_date",
              "finish_date", "days_late", "late_reason", "apology_sent", "channel", "status", "unit",
              "procedure_code", "due_origin"]
DUE_ORDER = ["case_id", "sector", "procedure_name", "handler", "department", "received_at", "due_date",
             "working_days_left", "waits_applicant", "channel", "status", "unit", "procedure_code", "due_origin"]


def _yes_no(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "Chưa ghi nhận"
    return "Có" if bool(value) else "Không"


def shape(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Vietnamese values and headers, in display order; dates stay dates (sortable)."""
    out = df.copy()
    if "kind" in out:
        out["kind"] = out["kind"].map(LATE_KIND).fillna(out["kind"])
    if "channel" in out:
        out["channel"] = out["channel"].map(lambda c: CHANNELS.get(c, c) if isinstance(c, str) else CHANNELS[None])
    if "status" in out:
        out["status"] = out["status"].map(lambda s: CASE_STATUS.get(int(s), str(s)) if pd.notna(s) else "")
    if "due_origin" in out:
        out["due_origin"] = out["due_origin"].map(lambda s: DUE_ORIGIN.get(s, s) if isinstance(s, str) else DUE_ORIGIN[None])
    for col in ("apology_sent", "waits_applicant"):
        if col in out:
            out[col] = out[col].map(_yes_no)
    for col in ("handler", "department", "sector", "late_reason"):
        if col in out:
            out[col] = out[col].fillna("")
    for col in ("due_date", "finish_date"):
        if col in out:
            out[col] = pd.to_datetime(out[col])
    cols = [c for c in order if c in out.columns]
    return out[cols].rename(columns=CASE_LIST_COLUMNS)


def column_config() -> dict:
    c = CASE_LIST_COLUMNS
    return {
        c["received_at"]: st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
        c["due_date"]: st.column_config.DateColumn(format="DD/MM/YYYY"),
        c["finish_date"]: st.column_config.DateColumn(format="DD/MM/YYYY"),
        c["days_late"]: st.column_config.NumberColumn(format="%d"),
        c["working_days_left"]: st.column_config.NumberColumn(format="%d"),
        c["procedure_name"]: st.column_config.TextColumn(width="large"),
    }


HANDLER_TOTAL = "Tổng"


def handler_counts(late: pd.DataFrame, due: pd.DataFrame) -> pd.DataFrame:
    """Per handler: cases resolved late, pending overdue and due soon (the lists' rows counted) and
    their total, most cases first."""
    frames = []
    if len(late):
        d = late.assign(series=late["kind"].map(LATE_KIND))
        frames.append(d[["handler", "department", "series"]])
    if len(due):
        frames.append(due.assign(series="Sắp đến hạn")[["handler", "department", "series"]])
    cols = ["Cán bộ xử lý", "Phòng ban xử lý", "Đã giải quyết quá hạn", "Đang quá hạn", "Sắp đến hạn"]
    if not frames:
        return pd.DataFrame(columns=cols + [HANDLER_TOTAL])
    all_rows = pd.concat(frames, ignore_index=True)
    all_rows["handler"] = all_rows["handler"].fillna("(chưa ghi cán bộ)")
    all_rows["department"] = all_rows["department"].fillna("")
    pivot = all_rows.pivot_table(index=["handler", "department"], columns="series", aggfunc="size", fill_value=0)
    for s in cols[2:]:
        if s not in pivot.columns:
            pivot[s] = 0
    pivot = pivot[cols[2:]].reset_index().rename(columns={"handler": cols[0], "department": cols[1]})
    pivot[HANDLER_TOTAL] = pivot[cols[2:]].sum(axis=1)
    pivot = pivot.sort_values([HANDLER_TOTAL, cols[0]], ascending=[False, True])
    return pivot.reset_index(drop=True)


@st.cache_data(show_spinner=False, ttl=data.CACHE_TTL_S, max_entries=data.MAX_ENTRIES)
def views(path: str, ver: tuple | None, monday: date, end: date, unit: str | None, sector: str | None,
          days: int, _late: pd.DataFrame, _due: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The week's late and due-soon lists shaped for display (`shape`) and their counts by handler,
    cached like the queries they come from. `_late` and `_due` (left out of the cache key, as their
    leading underscore tells st.cache_data) are data.late_cases and data.due_soon of the same
    arguments. Every open of Giao ban tuần is a new browser session that would otherwise shape them
    again, in the script run the page waits for: at 5M cases that run used 99-131 ms of CPU, and
    54-62 ms with the views cached (docs/performance.md, round 15)."""
    return shape(_late, LATE_ORDER), shape(_due, DUE_ORDER), handler_counts(_late, _due)
