"""ui.charts: what each Vega-Lite spec draws (values, met / not met colours, targets, order), and
that every kind compiles and draws with the Vietnamese number locale (vl-convert: the same
Vega-Lite that renders the printable report)."""
from __future__ import annotations

import calendar
import json
import re
from datetime import date

import pandas as pd
import pytest

from ui import charts, exports
from ui.labels import HEX, STATUS_LABELS

MET, NOT_MET = STATUS_LABELS["met"], STATUS_LABELS["not_met"]


def target(metric: str, comparator: str, value: float, start: date | None = None, end: date | None = None) -> dict:
    return {"plan_id": "p", "plan_name": "Kế hoạch", "metric": metric, "sector_scope": None,
            "comparator": comparator, "value": value, "effective_from": start, "effective_to": end,
            "measurable": True, "target_text": "", "citation": ""}


def layer_rows(spec: dict, i: int) -> list[dict]:
    layer = spec["layer"][i]
    return (layer.get("data") or spec["data"])["values"]


def colour_of(spec: dict, i: int, name: str) -> str:
    scale = spec["layer"][i]["encoding"]["color"]["scale"]
    return scale["range"][scale["domain"].index(name)]


def svg_texts(spec: dict) -> list[str]:
    """The text nodes of the chart drawn as SVG (axis labels, legends, marks)."""
    svg = exports.figure_html(spec)
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def months_frame(values: list[float | None], key: str = "on_time_rate") -> pd.DataFrame:
    months = range(1, len(values) + 1)
    starts = [date(2026, m, 1) for m in months]
    ends = [date(2026, m, calendar.monthrange(2026, m)[1]) for m in months]
    return pd.DataFrame({"bucket_start": starts, "bucket_end": ends, "period_end": ends, key: values})


def test_metric_trend_colours_each_point_by_the_target_in_effect_then():
    # ≥ 95 % from March: January is judged against nothing, February too, March on
    rows = [target("on_time_rate", ">=", 95, start=date(2026, 3, 1))]
    spec = charts.metric_trend(months_frame([99.0, 80.0, 96.5, 90.0, None]), "on_time_rate", rows, "month")
    points = layer_rows(spec, 1)
    assert [p["x"] for p in points] == ["T1/26", "T2/26", "T3/26", "T4/26", "T5/26"]
    assert [p["v"] for p in points] == [99.0, 80.0, 96.5, 90.0, None]
    assert [p["status"] for p in points] == [STATUS_LABELS["not_in_effect"]] * 2 + [MET, NOT_MET,
                                                                                  STATUS_LABELS["no_data"]]
    assert colour_of(spec, 1, MET) == HEX["met"] and colour_of(spec, 1, NOT_MET) == HEX["not_met"]
    assert colour_of(spec, 1, STATUS_LABELS["not_in_effect"]) == HEX["none"]
    assert points[2]["text"] == "96,5 %" and points[2]["target"] == "≥ 95 %"
    steps = layer_rows(spec, 2)
    assert [s["t"] for s in steps] == [None, None, 95.0, 95.0, 95.0]   # the line starts when the target does
    assert {s["series"] for s in steps} == {"Chỉ tiêu ≥ 95 %"}
    assert spec["layer"][0]["encoding"]["x"]["sort"] == [p["x"] for p in points]


def test_metric_trend_without_targets_draws_no_target_line():
    spec = charts.metric_trend(months_frame([97.0, 98.0]), "on_time_rate", [], "month")
    assert len(spec["layer"]) == 2
    assert {p["status"] for p in layer_rows(spec, 1)} == {STATUS_LABELS["no_target"]}


def test_sector_bars_keep_the_query_order_and_judge_on_the_day():
    df = pd.DataFrame({"sector": ["Đất đai", None, "Hộ tịch"], "on_time_rate": [93.5, None, 100.0]})
    rows = [target("on_time_rate", ">", 98), target("on_time_rate", ">=", 99, end=date(2025, 12, 31))]
    spec = charts.sector_bars(df, "on_time_rate", rows, date(2026, 11, 13))
    bars = spec["data"]["values"]
    assert [b["sector"] for b in bars] == ["Đất đai", charts.NO_SECTOR, "Hộ tịch"]
    assert [b["status"] for b in bars] == [NOT_MET, STATUS_LABELS["no_data"], MET]
    assert bars[1]["text"] == "không có dữ liệu"
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [b["sector"] for b in bars]
    rules = layer_rows(spec, 2)
    assert rules == [{"t": 98.0, "label": "Chỉ tiêu > 98 %"}]        # the 2025 row is over


def test_heatmap_centres_its_colours_on_the_target_and_leaves_empty_cells_out():
    matrix = pd.DataFrame({"T1/26": [99.0, None], "T2/26": [88.9, 100.0]}, index=["Đất đai", "Hộ tịch"])
    spec = charts.heatmap(matrix, "Tỷ lệ", target=95.0)
    cells = spec["data"]["values"]
    assert {(c["sector"], c["month"]) for c in cells} == {("Đất đai", "T1/26"), ("Đất đai", "T2/26"),
                                                          ("Hộ tịch", "T2/26")}
    # 99 % is dark green, 88,9 % pale orange (the scale runs 75 - 95 - 100)
    assert {c["month"]: c["ink"] for c in cells if c["sector"] == "Đất đai"} == {"T1/26": "white",
                                                                             "T2/26": "#1f2328"}
    assert [c["ink"] for c in cells if c["sector"] == "Hộ tịch"] == ["white"]     # 100 %: dark green
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [75.0, 95.0, 100] and scale["range"][0] == HEX["not_met"]
    assert charts.heatmap(matrix, "Tỷ lệ")["layer"][0]["encoding"]["color"]["scale"]["domain"] == [70.0, 90.0, 100]


def test_rating_shares_stack_the_satisfied_part_from_zero():
    df = pd.DataFrame({"sector": ["Đất đai"] * 3 + ["Hộ tịch"] * 2, "rating": [3, 2, 1, 3, 1],
                       "ratings": [6, 2, 2, 3, 1]})
    spec = charts.rating_shares(df, "sector", "Theo lĩnh vực", [{"comparator": ">=", "value": 95}])
    rows = spec["data"]["values"]
    by_x: dict[str, float] = {}
    for r in rows:
        by_x[r["x"]] = by_x.get(r["x"], 0) + (r["v"] or 0)
    assert by_x == pytest.approx({"Đất đai": 100.0, "Hộ tịch": 100.0})
    first = {r["rating"]: r["i"] for r in rows}
    assert first == {"Rất hài lòng": 0, "Hài lòng": 1, "Không hài lòng": 2}   # satisfied at the bottom
    dat = {r["rating"]: r for r in rows if r["x"] == "Đất đai"}
    assert dat["Rất hài lòng"]["text"] == "60,0 % (6/10 đánh giá)"
    assert layer_rows(spec, 1) == [{"t": 95.0, "label": "Chỉ tiêu ≥ 95 %"}]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Đất đai", "Hộ tịch"]


def test_channel_donut_shares_and_index766_totals():
    donut = charts.channel_donut({"Trực tuyến": 3, "Trực tiếp": 1})
    assert [r["share"] for r in donut["data"]["values"]] == ["75,0 %", "25,0 %"]
    months = [{"period_start": date(2026, m, 1), "total": 68.15 + m, "reachable_max": 72,
               "groups": [{"id": "a", "name": "Tiến độ", "max": 20, "score": 19.5},
                          {"id": "b", "name": "Công khai", "max": 18, "score": None}]} for m in (1, 2)]
    spec = charts.index766_stacked(months)
    assert {r["series"] for r in layer_rows(spec, 0)} == {"Tiến độ (tối đa 20)"}   # nothing measured: no bar
    assert [r["text"] for r in layer_rows(spec, 2)] == ["69,15", "70,15"]


def test_handler_bars_and_stacked_counts_keep_their_order():
    counts = pd.DataFrame({"Cán bộ xử lý": ["B", "A"], "Đang quá hạn": [3, 1], "Sắp đến hạn": [0, 2]})
    spec = charts.handler_bars(counts, "Theo cán bộ")
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["B", "A"]
    assert sum(r["v"] for r in spec["data"]["values"]) == 6
    stacked = charts.stacked_counts(["T1/26", "T2/26"], {"Trực tuyến": [1200, 5], "Trực tiếp": [3, None]}, "Kênh")
    assert [(r["x"], r["series"], r["v"], r["text"]) for r in stacked["data"]["values"]] == [
        ("T1/26", "Trực tuyến", 1200.0, "1.200"), ("T2/26", "Trực tuyến", 5.0, "5"),
        ("T1/26", "Trực tiếp", 3.0, "3"), ("T2/26", "Trực tiếp", None, "không có dữ liệu")]


def test_projection_trend_stays_within_0_and_100():
    proj = {"months": [{"month": 1, "value": 97.0}, {"month": 2, "value": 99.5}], "intercept": 95.0,
            "slope_pp_per_month": 2.0, "projected_december": 100.0,
            "targets": [{"comparator": ">", "target": 98}]}
    spec = charts.projection_chart(proj, "Dự báo")
    trend = layer_rows(spec, 1)
    assert [r["x"] for r in trend] == [f"T{m}" for m in range(1, 13)]
    assert max(r["v"] for r in trend) == 100.0 and trend[0]["v"] == 97.0
    assert layer_rows(spec, 2) == [{"x": "T12", "v": 100.0, "series": "Dự báo tháng 12", "text": "100,0 %"}]


def all_kinds() -> dict[str, dict]:
    rows = [target("on_time_rate", ">=", 95)]
    sectors = pd.DataFrame({"sector": ["Đất đai", "Hộ tịch"], "on_time_rate": [93.5, 100.0]})
    return {
        "metric_trend": charts.metric_trend(months_frame([99.0, 80.0, None, 96.5]), "on_time_rate", rows, "month"),
        "metric_trend_week": charts.metric_trend(pd.DataFrame({
            "bucket_start": [date(2026, 11, 2), date(2026, 11, 9)], "bucket_end": [date(2026, 11, 8), date(2026, 11, 15)],
            "period_end": [date(2026, 11, 8), date(2026, 11, 13)], "on_time_rate": [97.0, 98.0]}),
            "on_time_rate", rows, "week"),
        "sector_bars": charts.sector_bars(sectors, "on_time_rate", rows, date(2026, 11, 13)),
        "heatmap": charts.heatmap(pd.DataFrame({"T1/26": [99.0, None]}, index=["Đất đai", "Hộ tịch"]), "Tỷ lệ", 95.0),
        "projection": charts.projection_chart({"months": [{"month": 1, "value": 97.0}], "intercept": 96.0,
                                               "slope_pp_per_month": 0.1, "projected_december": 97.2,
                                               "targets": [{"comparator": ">=", "target": 95}]}, "Dự báo"),
        "donut": charts.channel_donut({"Trực tuyến": 12_345, "Trực tiếp": 678}),
        "stacked": charts.stacked_counts(["T1/26", "T2/26"], {"Trực tuyến": [12_345, 9_000], "Trực tiếp": [10, 20]},
                                         "Kênh"),
        "stacked_pct": charts.stacked_counts(["T1/26"], {"A": [60.0], "B": [40.0]}, "Tỷ lệ", percent=True),
        "ratings_month": charts.rating_shares(pd.DataFrame({"month": [date(2026, 1, 1)] * 2, "rating": [3, 1],
                                                            "ratings": [9, 1]}), "month", "Theo tháng",
                                              [{"comparator": ">=", "value": 95}]),
        "index766": charts.index766_stacked([{"period_start": date(2026, 1, 1), "total": 68.15, "reachable_max": 72,
                                              "groups": [{"id": "a", "name": "Tiến độ", "max": 20, "score": 19.5}]}]),
        "handlers": charts.handler_bars(pd.DataFrame({"Cán bộ xử lý": ["A"], "Đang quá hạn": [2]}), "Cán bộ"),
    }


@pytest.mark.parametrize("name", list(all_kinds()))
def test_every_kind_is_json_and_draws(name):
    spec = all_kinds()[name]
    assert json.loads(json.dumps(spec)) == spec          # what st.vega_lite_chart sends
    assert spec["config"]["locale"] == charts.LOCALE
    texts = svg_texts(spec)
    assert texts, name
    assert not [t for t in texts if "NaN" in t or "undefined" in t], texts
    assert not [t for t in texts if re.search(r"\d,\d{3}\b", t)], texts   # no English thousands separator


def test_axes_use_the_vietnamese_locale():
    texts = svg_texts(all_kinds()["stacked"])
    assert "12.000" in texts or "10.000" in texts, texts      # thousands with a dot on the count axis
    texts = svg_texts(all_kinds()["metric_trend"])
    assert any(re.fullmatch(r"\d+ %", t) for t in texts), texts   # rate axis labels end in " %"
    assert "T1/26" in texts and "Chỉ tiêu ≥ 95 %" in texts


def test_empty_and_missing_inputs_still_draw():
    """A period without data reaches the charts as empty frames or all-missing values: they draw an
    empty frame, never an error (the pages say "không có dữ liệu" next to them)."""
    empty_months = months_frame([])
    specs = [
        charts.metric_trend(months_frame([None, None]), "on_time_rate", [target("on_time_rate", ">=", 95)], "month"),
        charts.metric_trend(empty_months, "on_time_rate", [], "month"),
        charts.heatmap(pd.DataFrame({"T1/26": [None]}, index=["Đất đai"], dtype="float64"), "Tỷ lệ", 95.0),
        charts.stacked_counts([], {"Trực tuyến": []}, "Kênh"),
        charts.index766_stacked([]),
        charts.rating_shares(pd.DataFrame({"month": [], "rating": [], "ratings": []}), "month", "Theo tháng"),
    ]
    for spec in specs:
        svg = exports.figure_html(spec)
        assert "<svg" in svg and "NaN" not in svg
