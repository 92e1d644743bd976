"""The national service index (Quyết định 766/QĐ-TTg): the items case data can measure, scored
per unit and period (or per month) with the weights and thresholds of etl/reference/index766.yaml.

Inputs are figures defined in SQL: queries.metrics.kpis / kpis_by_period (progress, digitised,
e-result, reuse, toàn trình, online payment, PAKN on time) and queries/index766_figures.sql
(TTHC satisfaction as 766 counts it, PAKN satisfaction, whether PAKN data was loaded). This
module only applies the configured scoring rule of each item. Items the data cannot measure are
"chưa đo được": no score, and left out of the reachable maximum. docs/index766.md explains it.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from core import settings
from queries import loader, metrics

NOT_MEASURABLE_VI = "chưa đo được"
NO_DATA_VI = "không có dữ liệu"
# Metrics whose 766 item scores full marks when the unit had nothing to score (`when_no_data: full`),
# with the index766_figures column telling that the input was loaded at all. Without the input a
# missing rate is "không có dữ liệu", never full marks.
NOTHING_TO_SCORE_INPUT = {
    "pakn_on_time_rate": "feedback_due_rows",
    "pakn_satisfaction_rate": "feedback_rated_rows",
}
# Figures computed by queries/index766_figures.sql rather than queries.metrics.
OWN_FIGURES = ("tthc_satisfaction_766", "pakn_satisfaction_rate")
SCORE_DECIMALS = 2


def config_path() -> Path:
    return Path(settings.get("reference_dir")) / "index766.yaml"


def load_config(path: str | Path | None = None) -> dict:
    """The 766 weights and rules, checked: every measurable item has exactly one rule."""
    config = yaml.safe_load(Path(path or config_path()).read_text(encoding="utf-8"))
    for group in config["groups"]:
        for item in group["items"]:
            if not item.get("measurable"):
                continue
            rules = ("full_at_pct" in item) + (item.get("scale") == "proportional")
            if rules != 1 or not item.get("metric"):
                raise ValueError(f"index766.yaml: mục {item['id']} cần metric và đúng một quy tắc "
                                 "(full_at_pct hoặc scale: proportional)")
    return config


def rule_text(item: dict) -> str | None:
    if not item.get("measurable"):
        return None
    if "full_at_pct" in item:
        text = f"đủ điểm khi ≥ {item['full_at_pct']:g} %, tỷ lệ thuận khi thấp hơn"
    else:
        text = "điểm = tối đa × tỷ lệ / 100"
    if item.get("when_no_data") == "full":
        text += "; đủ điểm khi trong kỳ không có gì để chấm"
    return text


def score_item(item: dict, value: float | None, nothing_to_score: bool = False) -> dict:
    """One item's score. value: the item's rate in percent, or None. nothing_to_score: the rate
    is None because the unit had nothing to score in the period (its input is loaded)."""
    out = {"id": item["id"], "name": item["name_vi"], "max": float(item["max"]),
           "metric": item.get("metric"), "rule": rule_text(item), "value": value,
           "score": None, "measured": False, "status": None, "reason": None, "label": None}
    if not item.get("measurable"):
        out.update(status="not_measurable", reason=item.get("reason"), label=NOT_MEASURABLE_VI)
        return out
    if value is None:
        if item.get("when_no_data") == "full" and nothing_to_score:
            out.update(score=float(item["max"]), measured=True, status="nothing_to_score",
                       reason="Không có mục nào để chấm trong kỳ: đủ điểm theo cách chấm 766.",
                       label="đủ điểm (không phát sinh)")
        else:
            out.update(status="no_data", reason=f"Chỉ số {item['metric']}: không có dữ liệu trong kỳ.",
                       label=NO_DATA_VI)
        return out
    rate = min(100.0, max(0.0, float(value)))
    if "full_at_pct" in item:
        fraction = min(1.0, rate / float(item["full_at_pct"]))
    else:
        fraction = rate / 100.0
    out.update(score=round(float(item["max"]) * fraction, SCORE_DECIMALS), measured=True, status="scored")
    return out


def score(config: dict, values: dict[str, Any], nothing_to_score: set[str] | frozenset[str] = frozenset()) -> dict:
    """Score every group and item. values: metric id -> percent or None. nothing_to_score: the
    metric ids whose None means "nothing to score in the period" (see NOTHING_TO_SCORE_INPUT)."""
    groups, total, reachable = [], 0.0, 0.0
    for g in config["groups"]:
        items = [score_item(i, values.get(i.get("metric")) if i.get("metric") else None,
                            i.get("metric") in nothing_to_score)
                 for i in g["items"]]
        measured = [i for i in items if i["measured"]]
        g_score = round(sum(i["score"] for i in measured), SCORE_DECIMALS) if measured else None
        g_reach = float(sum(i["max"] for i in measured))
        groups.append({"id": g["id"], "name": g["name_vi"], "max": float(g["max"]), "score": g_score,
                       "reachable_max": g_reach, "items": items})
        total += g_score or 0.0
        reachable += g_reach
    return {
        "total": round(total, SCORE_DECIMALS) if reachable else None,
        "reachable_max": reachable,
        "max": float(config.get("total_max", sum(g["max"] for g in config["groups"]))),
        "pct_of_reachable": round(100.0 * total / reachable, SCORE_DECIMALS) if reachable else None,
        "groups": groups,
        "source": " ".join(str(config.get("source", "")).split()),
    }


def _inputs(kpi_values: dict, figures: dict) -> tuple[dict, set[str]]:
    values = dict(kpi_values)
    for k in OWN_FIGURES:
        values[k] = figures.get(k)
    nothing = {m for m, col in NOTHING_TO_SCORE_INPUT.items()
               if values.get(m) is None and (figures.get(col) or 0) > 0}
    return values, nothing


def _figures(con, start: date, end: date, unit: str | None, grain: str) -> list[dict]:
    return loader.run(con, "index766_figures",
                      {"start": start, "end": end, "unit": unit, "grain": grain}).to_pylist()


def index766(con: duckdb.DuckDBPyConnection, start: date, end: date, unit: str | None = None,
             config: dict | None = None, kpi_values: dict | None = None) -> dict:
    """The 766 score of [start, end] for one unit (or all units when unit is None):
    {start, end, unit, total, reachable_max, max, pct_of_reachable, groups: [{id, name, max, score,
    reachable_max, items: [{id, name, max, metric, rule, value, score, measured, status, reason}]}]}.
    total sums the measured items; reachable_max is the maximum of those items only.
    kpi_values: metrics.kpis() of the same period and unit with no sector filter, when the caller
    has it already (no 766 item uses the time-saving threshold, so any threshold will do)."""
    start, end = metrics.as_date(start, "start"), metrics.as_date(end, "end")
    config = config or load_config()
    if kpi_values is None:
        kpi_values = metrics.kpis(con, start, end, unit=unit)
    values, nothing = _inputs(kpi_values,
                              _figures(con, start, end, unit, "period")[0])
    return {"start": start, "end": end, "unit": unit, **score(config, values, nothing)}


def index766_by_month(con: duckdb.DuckDBPyConnection, start: date, end: date, unit: str | None = None,
                      config: dict | None = None) -> list[dict]:
    """index766() for every calendar month [start, end] touches, each clipped to the period
    (period_start, period_end), in month order."""
    start, end = metrics.as_date(start, "start"), metrics.as_date(end, "end")
    config = config or load_config()
    kpi_rows = metrics.kpis_by_period(con, start, end, unit=unit, grain="month").to_pylist()
    by_start = {r["period_start"]: r for r in kpi_rows}
    out = []
    for fig in _figures(con, start, end, unit, "month"):
        values, nothing = _inputs(by_start.get(fig["period_start"], {}), fig)
        out.append({"period_start": fig["period_start"], "period_end": fig["period_end"], "unit": unit,
                    **score(config, values, nothing)})
    return out


def by_month_table(months: list[dict]) -> pa.Table:
    """index766_by_month() flattened for charts: one row per month with the total, the
    reachable maximum and each group's score (NULL when none of its items was measured)."""
    group_ids = [g["id"] for g in months[0]["groups"]] if months else []
    schema = pa.schema([("period_start", pa.date32()), ("period_end", pa.date32()), ("unit", pa.string()),
                        ("total", pa.float64()), ("reachable_max", pa.float64()),
                        ("pct_of_reachable", pa.float64())] + [(g, pa.float64()) for g in group_ids])
    rows = [{"period_start": m["period_start"], "period_end": m["period_end"], "unit": m["unit"],
             "total": m["total"], "reachable_max": m["reachable_max"], "pct_of_reachable": m["pct_of_reachable"],
             **{g["id"]: g["score"] for g in m["groups"]}} for m in months]
    return pa.Table.from_pylist(rows, schema=schema)
