"""The metric layer's Python API: one function per queries/<name>.sql, nothing else.

Every figure is defined once, in SQL (queries/views.sql for the per-case rules, the named .sql
file for the figure); docs/metrics.md lists them. These functions only validate and bind the
parameters (dates as ``datetime.date``, defaults from core.settings) and call queries.loader.run.
Rates are percent 0-100 as float, ``None`` when not measurable ("không có dữ liệu").
"""
from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from core import settings
from queries import loader

GRAINS = ("week", "month", "quarter")

# Biểu II.06a: result column -> (column number, Vietnamese header: group, sub-header)
REPORT06A_COLUMNS: dict[str, tuple[int, str, str]] = {
    "tt": (1, "TT", ""),
    "sector": (2, "Lĩnh vực", ""),
    "received_total": (3, "Tiếp nhận", "Tổng số"),
    "received_online": (4, "Tiếp nhận", "Trực tuyến"),
    "received_direct_postal": (5, "Tiếp nhận", "Trực tiếp và dịch vụ bưu chính"),
    "carried_over": (6, "Tiếp nhận", "Từ kỳ trước chuyển qua"),
    "resolved_total": (7, "Đã giải quyết", "Tổng số"),
    "resolved_early": (8, "Đã giải quyết", "Trước hạn"),
    "resolved_on_time": (9, "Đã giải quyết", "Đúng hạn"),
    "resolved_late": (10, "Đã giải quyết", "Quá hạn"),
    "pending_total": (11, "Đang giải quyết", "Tổng số"),
    "pending_in_time": (12, "Đang giải quyết", "Trong hạn"),
    "pending_overdue": (13, "Đang giải quyết", "Quá hạn"),
}


def as_date(value: date | str, name: str = "date") -> date:
    """A date from a ``date`` or an ISO 'YYYY-MM-DD' string; ValueError otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: ngày không hợp lệ / invalid date {value!r} (YYYY-MM-DD)") from None


def period(start: date | str, end: date | str) -> dict[str, date]:
    """{'start': ..., 'end': ...} as dates; ValueError when a date is bad or start is after end."""
    start, end = as_date(start, "start"), as_date(end, "end")
    if start > end:
        raise ValueError(f"start {start} is after end {end} / ngày bắt đầu sau ngày kết thúc")
    return {"start": start, "end": end}


def _threshold(threshold_pct: float | None) -> float:
    return float(settings.get("time_saving_threshold_pct") if threshold_pct is None else threshold_pct)


def _check_grain(grain: str) -> None:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {grain!r}")


def kpis(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str, unit: str | None = None,
         sector: str | None = None, threshold_pct: float | None = None) -> dict[str, Any]:
    """The period's headline figures (queries/kpis.sql) as one dict."""
    params = period(start, end) | {"unit": unit, "sector": sector, "threshold_pct": _threshold(threshold_pct)}
    return loader.run(con, "kpis", params).to_pylist()[0]


def kpis_by_sector(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str, unit: str | None = None,
                   threshold_pct: float | None = None) -> pa.Table:
    """kpis' figures per sector (queries/kpis_by_sector.sql)."""
    params = period(start, end) | {"unit": unit, "threshold_pct": _threshold(threshold_pct)}
    return loader.run(con, "kpis_by_sector", params)


def kpis_by_sector_period(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str,
                          unit: str | None = None, threshold_pct: float | None = None,
                          grain: str = "month") -> pa.Table:
    """kpis_by_sector() for every week, month or quarter inside [start, end], in one query
    (queries/kpis_by_sector_period.sql)."""
    _check_grain(grain)
    params = period(start, end) | {"unit": unit, "grain": grain, "threshold_pct": _threshold(threshold_pct)}
    return loader.run(con, "kpis_by_sector_period", params)


def kpis_by_period(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str, unit: str | None = None,
                   sector: str | None = None, threshold_pct: float | None = None,
                   grain: str = "month") -> pa.Table:
    """kpis' figures per week (Monday-Sunday), month or quarter inside [start, end]
    (queries/kpis_by_period.sql)."""
    _check_grain(grain)
    params = period(start, end) | {"unit": unit, "sector": sector, "grain": grain,
                                    "threshold_pct": _threshold(threshold_pct)}
    return loader.run(con, "kpis_by_period", params)


def report06a(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str,
              unit: str | None = None) -> pa.Table:
    """Biểu II.06a: one row per sector plus the total row (queries/report06a.sql);
    REPORT06A_COLUMNS gives each column's number and Vietnamese header."""
    return loader.run(con, "report06a", period(start, end) | {"unit": unit})


def late_cases(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str, unit: str | None = None,
               sector: str | None = None) -> pa.Table:
    """Cases resolved late in the period and cases pending overdue at its end (queries/late_cases.sql)."""
    return loader.run(con, "late_cases", period(start, end) | {"unit": unit, "sector": sector})


def due_soon(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str, unit: str | None = None,
             sector: str | None = None, days: int | None = None) -> pa.Table:
    """Cases pending at ``end`` and due within ``days`` working days (queries/due_soon.sql).
    ``start`` is checked but not used: the list is drawn up for the period's last day."""
    days = int(settings.get("due_soon_working_days") if days is None else days)
    if days < 0:
        raise ValueError(f"days must be >= 0, not {days}")
    params = period(start, end) | {"unit": unit, "sector": sector, "days": days}
    return loader.run(con, "due_soon", params)


def data_quality(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str, unit: str | None = None,
                 sector: str | None = None) -> pa.Table:
    """Counts of incomplete or inconsistent data behind the period's figures (queries/data_quality.sql)."""
    return loader.run(con, "data_quality", period(start, end) | {"unit": unit, "sector": sector})


def report06a_reconciliation(con: duckdb.DuckDBPyConnection, start: date | str, end: date | str,
                             unit: str | None = None) -> list[str]:
    """Differences between Biểu II.06a's total row and kpis() for the same period and unit; empty when
    they agree. (3) = (4)+(5)+(6) and the sub-totals are checked on every row."""
    table = report06a(con, start, end, unit).to_pylist()
    k = kpis(con, start, end, unit)
    problems = []
    for row in table:
        label = row["sector"]
        if row["received_total"] != row["received_online"] + row["received_direct_postal"] + row["carried_over"]:
            problems.append(f"{label}: (3) != (4) + (5) + (6)")
        if row["resolved_total"] != row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]:
            problems.append(f"{label}: (7) != (8) + (9) + (10)")
        if row["pending_total"] != row["pending_in_time"] + row["pending_overdue"]:
            problems.append(f"{label}: (11) != (12) + (13)")
    total = table[-1]
    pairs = {
        "received_online + received_direct_postal": (total["received_online"] + total["received_direct_postal"],
                                                     k["received"]),
        "received_online": (total["received_online"], k["received_online"]),
        "carried_over": (total["carried_over"], k["carried_over"]),
        "resolved_total": (total["resolved_total"], k["resolved"]),
        "resolved_early": (total["resolved_early"], k["resolved_early"]),
        "resolved_on_time": (total["resolved_on_time"], k["resolved_on_time"]),
        "resolved_late": (total["resolved_late"], k["resolved_late"]),
        "pending_total": (total["pending_total"], k["pending"]),
        "pending_in_time": (total["pending_in_time"], k["pending_in_time"]),
        "pending_overdue": (total["pending_overdue"], k["pending_overdue"]),
    }
    problems += [f"total {name}: II.06a {a} != kpis {b}" for name, (a, b) in pairs.items() if a != b]
    return problems
