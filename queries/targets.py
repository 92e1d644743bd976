"""Plan targets (chỉ tiêu): which apply to a period, whether the period meets them, and where
the year is heading.

The targets come from table ``targets`` (etl/reference/targets.csv, docs/targets.md), selected
by queries/targets_applicable.sql; the actual values are queries.metrics.kpis for the period.
docs/index766.md ("Plan targets" and "Projection") documents the rules implemented here.
"""
from __future__ import annotations

import json
import operator
from datetime import date
from typing import Any, Iterable

import duckdb

from queries import loader, metrics

STATUS_VI = {
    "met": "đạt",
    "not_met": "chưa đạt",
    "no_data": "không có dữ liệu",
    "not_measurable": "chưa đo được",
    "not_in_effect": "không áp dụng trong kỳ",
}
COMPARATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
COMPARATOR_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
# kpis() key of a metric restricted to a sector scope (targets.sector_scope).
SCOPE_SUFFIX = {"dat_dai_xay_dung_dau_tu": "_land_group"}
# Actual values are compared after rounding to this many decimals, so that floating-point noise
# (56.99999999999999 for 57) never flips a '>=' or '>' at the boundary.
COMPARE_DECIMALS = 9
MIN_PROJECTION_MONTHS = 3
# The count columns of a kpis / kpis_by_period row that form each rate's denominator
# (queries/kpis.sql): a month's weight in the projection's trend line.
DENOMINATORS: dict[str, tuple[str, ...]] = {
    "on_time_rate": ("resolved",),
    "progress_rate": ("resolved", "pending"),
    "online_share": ("received",),
    "full_online_case_share": ("full_online_eligible_received",),
    "digitised_share": ("digitised_known",),
    "e_result_share": ("e_result_known",),
    "reuse_share": ("reuse_known",),
    "online_payment_share": ("fee_cases_payment_known",),
    "fee_procedure_online_payment_share": ("fee_procedures",),
    "satisfaction_rate": ("ratings",),
    "satisfaction_rate_land_group": ("ratings_land_group",),
    "time_saving_mean": ("time_saving_cases",),
    "time_saving_share": ("time_saving_cases",),
    "pakn_on_time_rate": ("pakn_due",),
}


def metric_key(metric: str, sector_scope: str | None = None) -> str:
    """The queries.metrics.kpis() key holding `metric` for `sector_scope`."""
    if sector_scope is None:
        return metric
    if sector_scope not in SCOPE_SUFFIX:
        raise ValueError(f"Phạm vi lĩnh vực không hỗ trợ: {sector_scope!r}")
    return metric + SCOPE_SUFFIX[sector_scope]


def applicable_targets(con: duckdb.DuckDBPyConnection, plan_id: str, on_date: date,
                       include_not_in_effect: bool = False) -> list[dict]:
    """The plan's target rows in effect on `on_date`: measurable ones first, each part in
    registry order.

    With include_not_in_effect, every other target of the plan is added once (its next phase,
    else its latest row) with in_effect False. Raises LookupError for an unknown plan."""
    params = {"plan_id": str(plan_id), "on_date": metrics.as_date(on_date, "on_date")}
    rows = loader.run(con, "targets_applicable", params).to_pylist()
    if not rows:
        raise LookupError(f"Không có kế hoạch {plan_id!r} trong bảng chỉ tiêu (targets)")
    rows.sort(key=lambda r: (not r["in_effect"], not r["measurable"], r["row_no"]))
    return rows if include_not_in_effect else [r for r in rows if r["in_effect"]]


def judge(row: dict, values: dict[str, float | None]) -> dict:
    """One target row judged against the period's metric values (a kpis() dict)."""
    out = {
        "plan_id": row["plan_id"],
        "plan_name": row["plan_name"],
        "metric": row["metric"],
        "sector_scope": row["sector_scope"],
        "comparator": row["comparator"],
        "target": row["value"],
        "effective_from": row["effective_from"],
        "effective_to": row["effective_to"],
        "in_effect": row["in_effect"],
        "measurable": row["measurable"],
        "target_text": row["target_text"],
        "citation": row["citation"],
        "actual": None,
        "met": None,
        "gap": None,
        "note": None,
    }
    if not row["in_effect"]:
        status = "not_in_effect"
    elif (not row["measurable"] or row["metric"] is None or row["value"] is None
          or row["comparator"] not in COMPARATORS):
        status = "not_measurable"
    else:
        key = metric_key(row["metric"], row["sector_scope"])
        actual = values.get(key)
        if key not in values:
            out["note"] = f"chỉ số {key} chưa được tính"
        if actual is None:
            status = "no_data"
        else:
            actual = float(actual)
            met = COMPARATORS[row["comparator"]](round(actual, COMPARE_DECIMALS), float(row["value"]))
            out.update(actual=actual, met=met, gap=round(actual - float(row["value"]), COMPARE_DECIMALS))
            status = "met" if met else "not_met"
    out["status"] = status
    out["status_vi"] = STATUS_VI[status]
    return out


def time_saving_threshold(rows: Iterable[dict]) -> float | None:
    """The plan's time-saving target in effect (seed 001: 20 %, seed 003: 30 %), used as kpis'
    threshold of time_saving_share; None when the plan has none (the setting's default applies)."""
    for r in rows:
        if r["in_effect"] and r["measurable"] and r["metric"] == "time_saving_mean" and r["value"] is not None:
            return float(r["value"])
    return None


def _period_values(con, rows: list[dict], start: date, end: date, unit: str | None) -> dict:
    if not any(r["in_effect"] and r["measurable"] and r["metric"] for r in rows):
        return {}
    return metrics.kpis(con, start, end, unit=unit, threshold_pct=time_saving_threshold(rows))


def evaluate(con: duckdb.DuckDBPyConnection, plan_id: str, start: date, end: date,
             unit: str | None = None) -> list[dict]:
    """Every target of the plan for the period [start, end], judged.

    The row in effect is the one whose effective_from..effective_to covers `end`. Status is
    'met' | 'not_met' | 'no_data' (no actual value: "không có dữ liệu", never 0) |
    'not_measurable' (case data cannot measure it; its text is listed) | 'not_in_effect'.
    gap = actual - target in percentage points."""
    start, end = metrics.as_date(start, "start"), metrics.as_date(end, "end")
    if end < start:
        raise ValueError(f"Kỳ không hợp lệ: {start} > {end}")
    rows = applicable_targets(con, plan_id, end, include_not_in_effect=True)
    values = _period_values(con, rows, start, end, unit)
    return [judge(r, values) for r in rows]


# ----------------------------------------------------------------------------- projection

def fit_linear(points: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    """Weighted least squares y = a + b*x over (x, y, weight) points; (a, b) or None when the
    points do not determine a line (fewer than two distinct x or no positive weight)."""
    pts = [(x, y, w) for x, y, w in points if w > 0]
    sw = sum(w for _, _, w in pts)
    if sw <= 0:
        return None
    mx = sum(w * x for x, _, w in pts) / sw
    my = sum(w * y for _, y, w in pts) / sw
    sxx = sum(w * (x - mx) ** 2 for x, _, w in pts)
    if sxx == 0:
        return None
    b = sum(w * (x - mx) * (y - my) for x, y, w in pts) / sxx
    return my - b * mx, b


def _method_text(n: int | None, weighted: bool, as_of: date) -> tuple[str, str]:
    """The projection method in Vietnamese and English, ending with the month count when n is given."""
    w_vi = ("có trọng số là mẫu số của tỷ lệ từng tháng (tháng nhiều hồ sơ nặng hơn)" if weighted
            else "không trọng số (không có mẫu số theo tháng)")
    w_en = ("weighted by each month's denominator (busier months weigh more)" if weighted
            else "unweighted (no monthly denominators available)")
    vi = (f"Xu hướng tuyến tính bình phương tối thiểu {w_vi} qua các tháng có dữ liệu từ tháng 1 đến "
          f"{as_of:%d/%m/%Y}, kéo dài đến tháng 12, giới hạn trong 0-100. Tháng không có dữ liệu bị bỏ "
          f"qua, không tính là 0; cần ít nhất {MIN_PROJECTION_MONTHS} tháng.")
    en = (f"Least-squares linear trend {w_en} over the months with data from January to "
          f"{as_of.isoformat()}, extended to December, clamped to 0-100. Months without data are "
          f"skipped, never counted as 0; at least {MIN_PROJECTION_MONTHS} months are needed.")
    if n is not None:
        vi, en = vi + f" Số tháng đã dùng: {n}.", en + f" Months used: {n}."
    return vi, en


def project_series(monthly: list[dict], key: str, as_of: date) -> dict:
    """Project a metric to December from monthly rows (kpis_by_period rows: period_start, the
    metric column `key` and its denominator columns, DENOMINATORS). Pure function; see projection().

    Each month with a value is a point (month number 1-12, value); the weight of a point is the
    month's denominator, or 1 for every month when the rows carry no denominator."""
    columns = DENOMINATORS.get(key)
    weighted = bool(columns) and bool(monthly) and all(c in r for r in monthly for c in columns)
    months, points = [], []
    for r in sorted(monthly, key=lambda r: r["period_start"]):
        m = r["period_start"].month
        value = r.get(key)
        weight = sum(r[c] or 0 for c in columns) if weighted else None
        if value is not None and (weight is None or weight > 0):
            points.append((float(m), float(value), float(weight if weighted else 1)))
        months.append({"month": m, "value": value, "weight": weight})
    fit = fit_linear(points) if len(points) >= MIN_PROJECTION_MONTHS else None
    vi, en = _method_text(len(points), weighted, as_of)
    out = {"months": months, "months_used": len(points), "weighted": weighted,
           "intercept": None, "slope_pp_per_month": None, "projected_december": None,
           "method_vi": vi, "method_en": en, "reason": None}
    if fit is None:
        out["reason"] = (f"cần ít nhất {MIN_PROJECTION_MONTHS} tháng có dữ liệu, có {len(points)}"
                         if len(points) < MIN_PROJECTION_MONTHS else "các tháng không xác định được xu hướng")
        return out
    a, b = fit
    out.update(intercept=a, slope_pp_per_month=b, projected_december=min(100.0, max(0.0, a + 12 * b)))
    return out


def _year_window(year: int, as_of: date) -> tuple[date, date]:
    start, year_end = date(int(year), 1, 1), date(int(year), 12, 31)
    as_of = min(metrics.as_date(as_of, "as_of"), year_end)
    if as_of < start:
        raise ValueError(f"Năm {year} chưa bắt đầu vào ngày {as_of}")
    return start, as_of


def _projection_targets(target_rows: list[dict], metric: str, sector_scope: str | None,
                        projected: float | None) -> list[dict]:
    out = []
    for r in target_rows:
        if not (r["in_effect"] and r["measurable"] and r["metric"] == metric
                and r["sector_scope"] == sector_scope and r["comparator"] in COMPARATORS
                and r["value"] is not None):
            continue
        met = (None if projected is None
               else COMPARATORS[r["comparator"]](round(projected, COMPARE_DECIMALS), float(r["value"])))
        out.append({"comparator": r["comparator"], "target": r["value"], "target_text": r["target_text"],
                    "projected_met": met,
                    "projected_gap": None if projected is None else round(projected - float(r["value"]), COMPARE_DECIMALS)})
    return out


def projection(con: duckdb.DuckDBPyConnection, plan_id: str, metric: str, year: int, as_of: date,
               unit: str | None = None, sector_scope: str | None = None) -> dict:
    """Where `metric` is heading by December of `year`, from the months 1 January .. as_of.

    Result: year-to-date value (kpis over 1 Jan .. as_of), the monthly values and weights, the
    fitted line, projected_december (None with fewer than 3 months of data), the plan's targets
    for the metric in effect on 31 December with projected_met, and the method in Vietnamese
    (method_vi) and English (method_en). The time-saving share is counted at the plan's
    time-saving target in effect on as_of, as evaluate() counts it for 1 Jan .. as_of, so the
    year-to-date value and the monthly points are one measure."""
    start, as_of = _year_window(year, as_of)
    threshold = time_saving_threshold(applicable_targets(con, plan_id, as_of, include_not_in_effect=True))
    ytd = metrics.kpis(con, start, as_of, unit=unit, threshold_pct=threshold)
    monthly = metrics.kpis_by_period(con, start, as_of, unit=unit, threshold_pct=threshold, grain="month").to_pylist()
    year_rows = applicable_targets(con, plan_id, date(int(year), 12, 31), include_not_in_effect=True)
    return projection_from(plan_id, metric, sector_scope, year, as_of, ytd, monthly, year_rows)


def projection_window(year: int, as_of: date) -> tuple[date, date]:
    """The months projection() fits: 1 January of `year` .. as_of (at most 31 December)."""
    return _year_window(year, as_of)


def projection_from(plan_id: str, metric: str, sector_scope: str | None, year: int, as_of: date,
                    ytd_values: dict, monthly: list[dict], year_rows: list[dict]) -> dict:
    """projection()'s result from its inputs, already computed: kpis over projection_window()
    (ytd_values), kpis_by_period by month over it (monthly, as dicts) and the plan's target rows
    on 31 December (year_rows). Pure; the dashboard builds it from its cached calls."""
    key = metric_key(metric, sector_scope)
    series = project_series(monthly, key, as_of)
    return {"plan_id": str(plan_id), "metric": metric, "sector_scope": sector_scope, "year": int(year),
            "as_of": as_of, "ytd_value": ytd_values.get(key), **series,
            "targets": _projection_targets(year_rows, metric, sector_scope, series["projected_december"])}


# ----------------------------------------------------------------------------- CLI report

def targets_report(con: duckdb.DuckDBPyConnection, plan_id: str, year: int, unit: str | None = None,
                   today: date | None = None) -> dict:
    """The `targets` command's report: every target of the plan judged for the year.

    A finished year is judged over 1 Jan .. 31 Dec. For the year in progress the period is
    1 Jan .. today or the last data date, whichever is earlier, and each measurable target in
    effect carries its projection to December."""
    today = metrics.as_date(today, "today") if today else date.today()
    start, year_end = date(int(year), 1, 1), date(int(year), 12, 31)
    if start > today:
        raise ValueError(f"Năm {year} chưa bắt đầu (hôm nay {today:%d/%m/%Y})")
    data_end = loader.run(con, "targets_data_end", {"unit": unit}).to_pylist()[0]["data_end"]
    in_progress = today < year_end
    end = year_end
    if in_progress:
        end = today if data_end is None else max(start, min(today, data_end))
    rows = applicable_targets(con, plan_id, end, include_not_in_effect=True)
    values = _period_values(con, rows, start, end, unit)
    judged = [judge(r, values) for r in rows]
    if in_progress:
        # at the threshold `values` were counted at (evaluate's), so the points and the
        # year-to-date value are one measure
        monthly = (metrics.kpis_by_period(con, start, end, unit=unit, threshold_pct=time_saving_threshold(rows),
                                          grain="month").to_pylist()
                   if values else [])
        year_rows = applicable_targets(con, plan_id, year_end, include_not_in_effect=True)
        cache: dict[tuple, dict] = {}
        for t in judged:
            if t["status"] in ("met", "not_met", "no_data") and t["metric"]:
                k = (t["metric"], t["sector_scope"])
                if k not in cache:
                    cache[k] = projection_from(plan_id, t["metric"], t["sector_scope"], int(year), end,
                                               values, monthly, year_rows)
                t["projection"] = cache[k]
    first = rows[0]
    return {"plan_id": first["plan_id"], "plan_name": first["plan_name"], "plan_unit": first["unit"],
            "unit": unit, "year": int(year), "start": start, "end": end, "data_end": data_end,
            "in_progress": in_progress, "targets": judged}


def _json_default(value: Any):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _fmt(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def _day(value: date | None) -> str:
    return "..." if value is None else f"{value:%d/%m/%Y}"


def format_table(report: dict) -> str:
    lines = [
        f"Kế hoạch {report['plan_id']} - {report['plan_name']} ({report['plan_unit']})",
        f"Năm {report['year']}, kỳ {report['start']:%d/%m/%Y} - {report['end']:%d/%m/%Y}"
        + (" (năm chưa kết thúc)" if report["in_progress"] else "")
        + (f", đơn vị {report['unit']}" if report["unit"] else ""),
        "",
        f"{'#':>3}  {'Trạng thái':<22} {'Chỉ số':<36} {'Chỉ tiêu':>9} {'Thực tế':>8} {'Chênh lệch':>10} {'Dự báo T12':>10}",
    ]
    method = None  # (weighted, as_of) of the first projection: the method printed once at the end
    for i, t in enumerate(report["targets"], 1):
        metric = (t["metric"] or "-") + (f" [{t['sector_scope']}]" if t["sector_scope"] else "")
        target = f"{COMPARATOR_SIGN.get(t['comparator'], '')} {t['target']:g}" if t["target"] is not None else "-"
        proj = t.get("projection")
        lines.append(f"{i:>3}  {t['status_vi']:<22} {metric:<36} {target:>9} {_fmt(t['actual']):>8} "
                     f"{_fmt(t['gap'], signed=True):>10} {_fmt(proj and proj['projected_december']):>10}")
        lines.append(f"     {t['target_text']}")
        lines.append(f"     ({t['citation']}; hiệu lực {_day(t['effective_from'])} - {_day(t['effective_to'])})")
        if proj:
            method = method or (proj["weighted"], proj["as_of"])
            lines.append(f"     Dự báo: {proj['reason'] or str(proj['months_used']) + ' tháng có dữ liệu'}")
    if method:
        lines += ["", "Phương pháp dự báo: " + _method_text(None, *method)[0]]
    return "\n".join(lines)


def main_targets(args) -> int:
    """`python -m queries targets --db PATH --plan ID --year YYYY [--unit U] [--format json|table]`
    (wired in queries/cli.py). An optional args.as_of stands for today."""
    from queries.cli import UsageError, _connect

    con = _connect(args)
    try:
        report = targets_report(con, args.plan, args.year, unit=args.unit, today=getattr(args, "as_of", None))
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2, default=_json_default))
    else:
        print(format_table(report))
    return 0
