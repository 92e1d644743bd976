"""The queries behind each dashboard page, as the benchmark runs them.

Each page is a list of (label, call) where call(con) runs one function of the metric layer on a
core.db.connect_readonly connection. The period is one calendar year with data on both sides
(2025: the generated data runs 2024-01-01 .. 2026-11-15), the week the last full week of it.
Filters are "all units, all sectors": the heaviest case, what the dashboard opens with.
Edit PAGES when a page's queries change; the JSON reports each call's time as well as the total.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
PREVIOUS = (date(2024, 1, 1), date(2024, 12, 31))
WEEK = (date(2025, 12, 22), date(2025, 12, 28))            # Monday-Sunday
PREVIOUS_WEEK = (date(2025, 12, 15), date(2025, 12, 21))


def _plan_id(con) -> str | None:
    """The plan the sidebar opens with: the first one (ui/state.py), None without targets."""
    from queries import loader
    rows = loader.run(con, "plans").to_pylist()
    return rows[0]["plan_id"] if rows else None


def pages() -> dict[str, list[tuple[str, object]]]:
    """Every page's calls as the page makes them when it opens on PERIOD (pages/*.py, through
    ui/data.py): the calls behind st.cache_data, each timed; on-click work (downloads) is left out."""
    from queries import index766 as idx
    from queries import loader, metrics, targets

    memo: dict[int, float | None] = {}

    def threshold(con) -> float | None:
        """ui.data.period_figures: the plan's time-saving target in force at the period's end.
        The app caches it; the calls that use it read the cached value, as here."""
        if id(con) in memo:
            return memo[id(con)]
        memo[id(con)] = _threshold(con)
        return memo[id(con)]

    def _threshold(con) -> float | None:
        plan = _plan_id(con)
        rows = targets.applicable_targets(con, plan, PERIOD[1], include_not_in_effect=True) if plan else []
        for r in rows:
            if r["in_effect"] and r["measurable"] and r["metric"] == "time_saving_mean" and r["value"] is not None:
                return float(r["value"])
        return None

    kpis_memo: dict[int, dict] = {}

    def kpis_year(con) -> dict:
        if id(con) not in kpis_memo:
            kpis_memo[id(con)] = metrics.kpis(con, *PERIOD, threshold_pct=threshold(con))
        return kpis_memo[id(con)]

    def period_figures() -> list[tuple[str, object]]:
        return [
            ("applicable_targets(plan, year end)", _threshold),
            ("kpis(year)", lambda con: kpis_memo.update({id(con): metrics.kpis(con, *PERIOD,
                                                                                threshold_pct=threshold(con))})),
            ("kpis(previous year)", lambda con: metrics.kpis(con, *PREVIOUS, threshold_pct=threshold(con))),
        ]

    def ratings(start, end):
        return lambda con: loader.run(con, "ratings_distribution",
                                      {"start": start, "end": end, "unit": None, "sector": None})

    return {
        "Tổng quan": period_figures() + [
            # the page hands index766 its kpis(year) (pages/tong_quan.py)
            ("index766(year, with the page's kpis)",
             lambda con: idx.index766(con, *PERIOD, kpi_values=kpis_year(con))),
        ],
        "Giao ban tuần": [
            ("report06a(week)", lambda con: metrics.report06a(con, *WEEK)),
            ("report06a(previous week)", lambda con: metrics.report06a(con, *PREVIOUS_WEEK)),
            ("kpis(week)", lambda con: metrics.kpis(con, *WEEK)),
            ("kpis(previous week)", lambda con: metrics.kpis(con, *PREVIOUS_WEEK)),
            ("late_cases(week)", lambda con: metrics.late_cases(con, *WEEK)),
            ("due_soon(week)", lambda con: metrics.due_soon(con, *WEEK)),
        ],
        "Xu hướng": [
            ("applicable_targets(plan, year end)", _threshold),
            ("kpis_by_period(year, month)",
             lambda con: metrics.kpis_by_period(con, *PERIOD, threshold_pct=threshold(con), grain="month")),
            ("kpis_by_sector(year)", lambda con: metrics.kpis_by_sector(con, *PERIOD, threshold_pct=threshold(con))),
            ("kpis_by_sector_period(12 months)",
             lambda con: metrics.kpis_by_sector_period(con, *PERIOD, threshold_pct=threshold(con), grain="month")),
            # the projection's months are the trend call above (ui.data.projection_basis); its
            # target rows on 31 December are the year end's, cached
            ("kpis(year), the projection's year to date",
             lambda con: metrics.kpis(con, *PERIOD, threshold_pct=threshold(con))),
        ],
        "Chuyển đổi số": period_figures() + [
            ("kpis_by_period(year, month)",
             lambda con: metrics.kpis_by_period(con, *PERIOD, threshold_pct=threshold(con), grain="month")),
        ],
        "Hài lòng": period_figures() + [
            ("kpis_by_period(year, month)",
             lambda con: metrics.kpis_by_period(con, *PERIOD, threshold_pct=threshold(con), grain="month")),
            ("ratings_distribution(period)", ratings(*PERIOD)),
            ("ratings_distribution(trend window)", ratings(*PERIOD)),
        ],
        # the page hands index766 the unit's kpis(year), as Tổng quan does (ui.openers.chi_so_766)
        "Chỉ số 766": period_figures()[:2] + [
            ("index766(year, with the page's kpis)",
             lambda con: idx.index766(con, *PERIOD, kpi_values=kpis_year(con))),
            ("index766_by_month(year)", lambda con: idx.index766_by_month(con, *PERIOD)),
        ],
    }


# The bare-scan floor: the least any period query must do.
SCAN_FLOOR_SQL = "select count(*) from cases where received_at between $start and $end"


def scan_floor_params() -> dict:
    from datetime import datetime, time

    return {"start": datetime.combine(PERIOD[0], time.min), "end": datetime.combine(PERIOD[1], time.max)}
