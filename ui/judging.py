"""Which targets of the selected plan apply to a metric, and whether a value meets them.

The judgement itself is queries.targets.judge (one rule for the CLI, the reports and the pages);
this module only picks the rows: a target row applies to a period when its effective_from ..
effective_to covers the period's end (docs/targets.md, "Dates").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from ui.format import fmt_pct, fmt_pp, fmt_target
from ui.labels import key_for


@dataclass
class Verdict:
    status: str                 # met | not_met | no_data | no_target | not_in_effect
    targets: list[dict]         # judged rows (queries.targets.judge output) in effect
    later: list[dict]           # rows of the metric that are not in effect (a later phase)

    @property
    def target_text(self) -> str:
        if not self.targets:
            if self.later:
                r = self.later[0]
                start = r.get("effective_from")
                return (f"{fmt_target(r.get('comparator'), r.get('target', r.get('value')))} "
                        f"(áp dụng từ {start:%d/%m/%Y})" if start else "chưa áp dụng")
            return "không đặt chỉ tiêu"
        return "; ".join(fmt_target(t["comparator"], t["target"]) for t in self.targets)

    @property
    def gap_text(self) -> str:
        gaps = [t["gap"] for t in self.targets if t.get("gap") is not None]
        if not gaps:
            return "–"
        return "; ".join(fmt_pp(g) for g in gaps)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if hasattr(value, "date") and not isinstance(value, date):
        return value.date()
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return value


def in_effect(row: dict, day: date) -> bool:
    start, end = _date(row.get("effective_from")), _date(row.get("effective_to"))
    return (start is None or start <= day) and (end is None or day <= end)


def rows_for(target_rows: Iterable[dict], key: str) -> list[dict]:
    """Measurable rows of the plan whose metric and scope give kpis key `key`."""
    out = []
    for r in target_rows:
        if r.get("measurable") and r.get("metric") and r.get("value") is not None and r.get("comparator"):
            if key_for(r["metric"], r.get("sector_scope")) == key:
                out.append(r)
    return out


def judge_value(target_rows: Iterable[dict], key: str, value: float | None, day: date) -> Verdict:
    """Judge one value of metric `key` for a period ending on `day` against every applicable row."""
    from queries import targets

    rows = rows_for(target_rows, key)
    current = [dict(r, in_effect=True) for r in rows if in_effect(r, day)]
    later = [dict(r, in_effect=False, target=r.get("value")) for r in rows if not in_effect(r, day)]
    later.sort(key=lambda r: _date(r.get("effective_from")) or date.min)
    if not current:
        return Verdict("not_in_effect" if later else "no_target", [], later)
    judged = [targets.judge(r, {key: value}) for r in current]
    return Verdict(combine(j["status"] for j in judged), judged, later)


def from_evaluation(evaluated: list[dict], key: str) -> Verdict:
    """The Verdict of metric `key` from queries.targets.evaluate()-style rows."""
    judged = [e for e in evaluated
              if e.get("metric") and e["status"] in ("met", "not_met", "no_data")
              and key_for(e["metric"], e.get("sector_scope")) == key]
    later = [e for e in evaluated
             if e.get("metric") and e["status"] == "not_in_effect" and e.get("measurable")
             and key_for(e["metric"], e.get("sector_scope")) == key]
    if not judged:
        return Verdict("not_in_effect" if later else "no_target", [], later)
    return Verdict(combine(j["status"] for j in judged), judged, later)


def combine(statuses: Iterable[str]) -> str:
    """Several targets on one metric (seed 001 states toàn trình at 80 % and at 100 %): not met
    when any is not met, met when all measured ones are met."""
    statuses = list(statuses)
    if "not_met" in statuses:
        return "not_met"
    if "met" in statuses:
        return "met"
    if "no_data" in statuses:
        return "no_data"
    return "no_target"


def tally(evaluated: list[dict]) -> dict[str, int]:
    """Counts of evaluate() statuses: 'Đạt 5/8 chỉ tiêu' = met / (met + not_met)."""
    counts = {"met": 0, "not_met": 0, "no_data": 0, "not_measurable": 0, "not_in_effect": 0}
    for e in evaluated:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    return counts


def value_text(value: float | None) -> str:
    return fmt_pct(value)
