"""The queries behind each dashboard page, as the benchmark runs them.

Each page is a list of (label, call) where call(con) runs one function of the metric layer on a
core.db.connect_readonly connection. The period is one calendar year with data on both sides
(2025: the generated data runs 2024-01-01 .. 2026-11-15), the week the last full week of it.
Filters are "all units, all sectors": the heaviest case, what the dashboard opens with.
Edit PAGES when a page's queries change; the JSON reports each call's time as well as the total.
"""
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
PREVIOUS = (date(2024, 1, 1), date(2024, 12, 31))
WEEK = (date(2025, 12, 22), date(2025, 12, 28))            # Monday-Sunday
PREVIOUS_WEEK = (date(2025, 12, 15), date(2025, 12, 21))


def has_index766() -> bool:
    return (ROOT / "queries" / "index766.py").is_file() and importlib.util.find_spec("queries.index766") is not None


def pages() -> dict[str, list[tuple[str, object]]]:
    from queries import metrics

    idx = None
    if has_index766():
        from queries import index766 as idx

    out: dict[str, list[tuple[str, object]]] = {
        "Tổng quan": [
            ("kpis(year)", lambda con: metrics.kpis(con, *PERIOD)),
            ("kpis(previous year)", lambda con: metrics.kpis(con, *PREVIOUS)),
        ],
        "Giao ban tuần": [
            ("report06a(week)", lambda con: metrics.report06a(con, *WEEK)),
            ("report06a(previous week)", lambda con: metrics.report06a(con, *PREVIOUS_WEEK)),
            ("late_cases(week)", lambda con: metrics.late_cases(con, *WEEK)),
            ("due_soon(week)", lambda con: metrics.due_soon(con, *WEEK)),
        ],
        "Xu hướng": [
            ("kpis_by_period(year, month)", lambda con: metrics.kpis_by_period(con, *PERIOD, grain="month")),
            ("kpis_by_sector(year)", lambda con: metrics.kpis_by_sector(con, *PERIOD)),
        ],
        "Chuyển đổi số / Hài lòng": [
            ("kpis_by_period(year, month)", lambda con: metrics.kpis_by_period(con, *PERIOD, grain="month")),
        ],
    }
    if idx is not None:
        out["Tổng quan"].append(("index766(year)", lambda con: idx.index766(con, *PERIOD)))
        out["Chỉ số 766"] = [("index766_by_month(year)", lambda con: idx.index766_by_month(con, *PERIOD))]
    return out


# The bare-scan floor: the least any period query must do.
SCAN_FLOOR_SQL = "select count(*) from cases where received_at between $start and $end"


def scan_floor_params() -> dict:
    from datetime import datetime, time

    return {"start": datetime.combine(PERIOD[0], time.min), "end": datetime.combine(PERIOD[1], time.max)}
