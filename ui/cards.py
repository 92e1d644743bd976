"""Metric cards: value, target, gap, change against the previous period, met / not met colour."""
from __future__ import annotations

import streamlit as st

from ui import judging
from ui.format import fmt_int, fmt_number, fmt_pct, fmt_pp
from ui.labels import METRICS, STATUS_COLOURS, STATUS_LABELS

BADGE_ICONS = {"met": ":material/check_circle:", "not_met": ":material/cancel:", "no_data": ":material/help:",
               "no_target": ":material/remove:", "not_in_effect": ":material/schedule:"}


def _delta(change: float | None, unit: str) -> tuple[str | None, str]:
    """st.metric delta text with an ASCII sign (Streamlit reads the arrow from a leading '-')."""
    if change is None:
        return None, "off"
    rounded = round(change, 1 if unit == "pp" else 0)
    if rounded == 0:
        return ("0 điểm %" if unit == "pp" else "0"), "off"
    text = fmt_number(abs(rounded), 1 if unit == "pp" else 0)
    sign = "-" if rounded < 0 else "+"
    return f"{sign}{text}{' điểm %' if unit == 'pp' else ''}", "normal"


def metric_card(key: str, value: float | None, previous: float | None, verdict: judging.Verdict,
                previous_label: str, container=None) -> None:
    box = (container or st).container(border=True)
    meta = METRICS.get(key)
    label = meta.label if meta else key
    change = None if value is None or previous is None else value - previous
    delta, colour = _delta(change, "pp")
    box.metric(label, fmt_pct(value), delta=delta, delta_color=colour,
               delta_arrow="off" if delta is None or colour == "off" else "auto",
               help=(meta.help if meta else None))
    status = verdict.status if value is not None or verdict.status in ("no_target", "not_in_effect") else "no_data"
    box.badge(STATUS_LABELS[status], color=STATUS_COLOURS[status], icon=BADGE_ICONS.get(status))
    target = verdict.target_text
    gap = verdict.gap_text if verdict.targets else "–"
    box.caption(f"Chỉ tiêu: **{target}** · Chênh lệch: **{gap}**")


def count_metric(label: str, value: int | None, previous: int | None, previous_label: str,
                 bad_when_up: bool = False, container=None) -> None:
    change = None if value is None or previous is None else value - previous
    delta, colour = _delta(change, "count")
    if colour == "normal" and bad_when_up:
        colour = "inverse"
    (container or st).metric(label, fmt_int(value), delta=delta, delta_color=colour,
                             delta_arrow="off" if colour == "off" or delta is None else "auto",
                             border=True)


def pct_change_text(value: float | None, previous: float | None) -> str:
    if value is None or previous is None:
        return "–"
    return fmt_pp(value - previous)


def rate_metric(label: str, value: float | None, previous: float | None, previous_label: str,
                container=None, help: str | None = None) -> None:
    """A bordered st.metric of a rate with its change in percentage points."""
    change = None if value is None or previous is None else value - previous
    delta, colour = _delta(change, "pp")
    (container or st).metric(label, fmt_pct(value), delta=delta, delta_color=colour,
                             delta_arrow="off" if colour == "off" or delta is None else "auto",
                             border=True, help=help)
