"""Vega-Lite charts of the dashboard (`st.vega_lite_chart`). Every metric chart draws the selected
plan's target(s) and marks each value met (green) or not met (red); grey = no target applies.

Why Vega-Lite and not Plotly: a page drawing any Plotly chart loads Streamlit's 4.7 MB Plotly
chunk, which cost about 1 s per fresh page in the browser (docs/performance.md, round 6).

Each function returns a spec: a plain JSON-able dict with its data inline, so a test can read
what is drawn and the printable report can render the same spec to SVG (`ui.exports`). Numbers
drawn by Vega (axes, legends) use the Vietnamese locale in `config.locale` (decimal comma,
thousands dot); labels, tooltips and texts on marks are written by ui.format, so no English
month name or separator appears.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ui import judging, page
from ui.format import fmt_bucket, fmt_int, fmt_pct, fmt_score, fmt_target
from ui.labels import HEX, METRICS, RATINGS, STATUS_LABELS

FONT = "Inter, 'Segoe UI', Roboto, Arial, sans-serif"
# d3-format's locale: "1.234,5". Vega has no vi-VN locale of its own.
LOCALE = {"number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", ""]}}
PCT_AXIS = {"title": None, "labelExpr": "datum.label + ' %'"}
DASH = [6, 4]
SERIES_COLOURS = ["#0969da", "#bf8700", "#8250df", "#8c959f", "#1a7f37", "#cf222e"]
NO_SECTOR = "Chưa xác định lĩnh vực"


def _spec(title: str | None, layers: list[dict], height, data: list[dict] | None = None) -> dict:
    """The frame every chart shares: title, width of its container, the Vietnamese number locale,
    a legend on top. A number `height` is the whole chart's (title, legend and axes included, as
    Streamlit fits it); {"step": n} gives each bar n px."""
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "layer": layers,
        "config": {
            "locale": LOCALE,
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#eaeef2", "domainColor": "#d0d7de"},
            "legend": {"orient": "top", "title": None, "labelFontSize": 11, "labelLimit": 320,
                       "symbolSize": 90},
            "title": {"fontSize": 15, "anchor": "start", "offset": 10},
        },
    }
    if title:
        spec["title"] = title
    if data is not None:
        spec["data"] = {"values": data}
    return spec


def _values(rows: list[dict]) -> dict:
    return {"values": rows}


def _colour_scale(pairs: list[tuple[str, str]]) -> dict:
    """A fixed colour per name (one legend for marks and target lines alike)."""
    seen: dict[str, str] = {}
    for name, colour in pairs:
        seen.setdefault(name, colour)
    return {"domain": list(seen), "range": list(seen.values())}


def _judged(target_rows: list[dict], key: str, value: float | None, day: date):
    """(verdict, status label, colour) of one value against the targets in effect on `day`."""
    verdict = judging.judge_value(target_rows, key, value, day)
    status = verdict.status if value is not None else "no_data"
    colour = HEX["met"] if status == "met" else HEX["not_met"] if status == "not_met" else HEX["none"]
    return verdict, STATUS_LABELS.get(status, status), colour


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def vi_sort_key(text: str) -> tuple:
    """Sort key of a Vietnamese name: accents off, đ as d (Đất đai next to Dân tộc)."""
    import unicodedata

    base = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    return ("".join(ch for ch in base if unicodedata.category(ch) != "Mn").lower(), str(text))


def _as_date(value) -> date:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    if hasattr(value, "date") and not isinstance(value, date):
        return value.date()
    return value


def month_label(value) -> str:
    """T11/26: a month on a chart axis."""
    d = _as_date(value)
    return f"T{d.month}/{d.year % 100:02d}"


def bucket_labels(df: pd.DataFrame, grain: str) -> list[str]:
    """Short axis labels: T11/26 for a month, Q4/26 for a quarter, 09/11–15/11/2026 for a week."""
    out = []
    for s, e in zip(df["bucket_start"], df["bucket_end"]):
        s, e = _as_date(s), _as_date(e)
        if grain == "month":
            out.append(month_label(s))
        elif grain == "quarter":
            out.append(f"Q{(s.month - 1) // 3 + 1}/{s.year % 100:02d}")
        else:
            out.append(fmt_bucket(s, e, grain))
    return out


def _x_ordinal(labels: list[str], field: str = "x", **axis) -> dict:
    """An x axis of text labels in the given order (period labels are not sortable as text). Labels
    that would overlap are thinned to every other one (a narrow column, or weeks)."""
    return {"field": field, "type": "ordinal", "sort": labels, "scale": {"domain": labels},
            "axis": {"title": None, "labelAngle": 0, "labelOverlap": "parity", **axis}}


def _target_rules(targets: list[dict], channel: str, value: str = "value") -> list[dict]:
    """Dashed rules at each target's level (its `comparator` and `value` field) with their label
    (x for horizontal bars, y otherwise)."""
    if not targets:
        return []
    rows = [{"t": float(t[value]), "label": f"Chỉ tiêu {fmt_target(t['comparator'], t[value])}"}
            for t in targets]
    rule = {"data": _values(rows), "mark": {"type": "rule", "color": HEX["target"], "strokeDash": DASH,
                                             "strokeWidth": 2},
            "encoding": {channel: {"field": "t", "type": "quantitative"},
                         "tooltip": [{"field": "label", "title": "Chỉ tiêu"}]}}
    if channel == "x":
        # above the plot area, clear of the bars' own labels
        text = {"data": _values(rows), "mark": {"type": "text", "color": HEX["target"], "align": "center",
                                                 "baseline": "bottom", "y": -3, "fontSize": 11},
                "encoding": {"x": {"field": "t", "type": "quantitative"}, "text": {"field": "label"}}}
    else:
        text = {"data": _values(rows), "mark": {"type": "text", "color": HEX["target"], "align": "right",
                                                 "baseline": "top", "dy": 3, "x": "width", "fontSize": 11},
                "encoding": {"y": {"field": "t", "type": "quantitative"}, "text": {"field": "label"}}}
    return [rule, text]


def metric_trend(df: pd.DataFrame, key: str, target_rows: list[dict], grain: str, title: str | None = None,
                 height: int = 300) -> dict:
    """The metric per bucket (kpis_by_period rows) with its target line(s) as steps over time and
    each point coloured by met / not met against the target in effect at the bucket's end."""
    label = METRICS[key].label if key in METRICS else key
    x = bucket_labels(df, grain)
    values = [_num(v) for v in df[key]]
    ends = [_as_date(e) for e in df["period_end"]]
    points, colours = [], []
    for lab, v, d in zip(x, values, ends):
        verdict, name, colour = _judged(target_rows, key, v, d)
        colours.append((name, colour))
        points.append({"x": lab, "v": v, "status": name, "text": fmt_pct(v),
                       "target": verdict.target_text if verdict.targets else "–"})
    steps = []
    for row in judging.rows_for(target_rows, key):
        ys = [float(row["value"]) if judging.in_effect(row, d) else None for d in ends]
        if all(y is None for y in ys):
            continue
        name = f"Chỉ tiêu {fmt_target(row['comparator'], row['value'])}"
        steps += [{"x": lab, "t": y, "series": name} for lab, y in zip(x, ys)]
    # met and not met always head the legend (as the cards' colours); then what else is drawn
    pairs = [(STATUS_LABELS["met"], HEX["met"]), (STATUS_LABELS["not_met"], HEX["not_met"])] + colours
    scale = _colour_scale(pairs)
    xenc = _x_ordinal(x)
    yenc = {"field": "v", "type": "quantitative", "axis": PCT_AXIS, "scale": {"zero": False}}
    tooltip = [{"field": "x", "title": "Kỳ"}, {"field": "text", "title": label},
               {"field": "target", "title": "Chỉ tiêu"}, {"field": "status", "title": "Đánh giá"}]
    layers = [
        {"data": _values(points), "mark": {"type": "line", "color": HEX["value"], "strokeWidth": 2,
                                           "invalid": "break-paths-show-domains"},
         "encoding": {"x": xenc, "y": yenc}},
        {"data": _values(points), "mark": {"type": "point", "filled": True, "size": 80, "opacity": 1,
                                           "stroke": "white", "strokeWidth": 1},
         "encoding": {"x": xenc, "y": yenc, "color": {"field": "status", "type": "nominal", "scale": scale},
                      "tooltip": tooltip}},
    ]
    if steps:
        names = list(dict.fromkeys(r["series"] for r in steps))
        layers.append({"data": _values(steps), "mark": {"type": "line", "interpolate": "step-after",
                                                        "color": HEX["target"], "strokeWidth": 2,
                                                        "invalid": "break-paths-show-domains"},
                       "encoding": {"x": xenc, "y": {"field": "t", "type": "quantitative"},
                                    "strokeDash": {"field": "series", "type": "nominal",
                                                   "scale": {"domain": names, "range": [DASH] * len(names)},
                                                   "legend": {"symbolType": "stroke",
                                                              "symbolStrokeColor": HEX["target"]}},
                                    "tooltip": [{"field": "series", "title": "Chỉ tiêu"}]}})
    return _spec(title or label, layers, height)


def sector_bars(df: pd.DataFrame, key: str, target_rows: list[dict], day: date, title: str | None = None) -> dict:
    """The metric per sector (kpis_by_sector rows), bars coloured met / not met against the
    target in effect on `day`, the target(s) as vertical dashed lines."""
    label = METRICS[key].label if key in METRICS else key
    rows, colours = [], []
    for sector, v in zip(df["sector"], df[key]):
        v = _num(v)
        _, status, colour = _judged(target_rows, key, v, day)
        colours.append((status, colour))
        rows.append({"sector": NO_SECTOR if sector is None or pd.isna(sector) else str(sector),
                     "v": v if v is not None else 0.0, "text": fmt_pct(v), "status": status})
    order = [r["sector"] for r in rows]
    targets = [r for r in judging.rows_for(target_rows, key) if judging.in_effect(r, day)]
    y = {"field": "sector", "type": "nominal", "sort": order, "axis": {"title": None, "labelLimit": 260}}
    x = {"field": "v", "type": "quantitative", "axis": PCT_AXIS}
    layers = [
        {"mark": {"type": "bar"},
         "encoding": {"y": y, "x": x, "color": {"field": "status", "type": "nominal",
                                                "scale": _colour_scale(colours)},
                      "tooltip": [{"field": "sector", "title": "Lĩnh vực"}, {"field": "text", "title": label},
                                  {"field": "status", "title": "Đánh giá"}]}},
        {"mark": {"type": "text", "align": "left", "dx": 4, "color": "#1f2328", "fontSize": 11},
         "encoding": {"y": y, "x": x, "text": {"field": "text"}}},
    ] + _target_rules(targets, "x")
    return _spec(title or f"{label} theo lĩnh vực", layers, {"step": 24}, data=rows)


def heatmap(matrix: pd.DataFrame, title: str, target: float | None = None) -> dict:
    """A sector × month matrix of rates (index: sectors, columns: month labels); empty cells =
    no resolved case. The colour runs red → yellow → green from 20 points below the target (or
    90 %) through the target (yellow) to 100 %."""
    mid = target if target is not None and target < 100 else 90.0
    low = max(0.0, mid - 20)
    rows = []
    for sector, line in zip(matrix.index, matrix.to_numpy(dtype="float64")):
        for month, v in zip(matrix.columns, line):
            if pd.notna(v):
                # white text where the colour is dark: the outer 60 % of either half of the scale
                dark = v <= low + 0.4 * (mid - low) or v >= mid + 0.6 * (100 - mid)
                rows.append({"sector": str(sector), "month": str(month), "v": float(v), "text": fmt_pct(v),
                             "ink": "white" if dark else "#1f2328"})
    months = [str(c) for c in matrix.columns]
    sectors = [str(s) for s in matrix.index]
    x = _x_ordinal(months, "month", orient="top")
    y = {"field": "sector", "type": "nominal", "sort": sectors, "axis": {"title": None, "labelLimit": 260}}
    layers = [
        {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
         "encoding": {"x": x, "y": y,
                      "color": {"field": "v", "type": "quantitative",
                                "scale": {"domain": [low, mid, 100], "clamp": True,
                                          "range": [HEX["not_met"], "#fff8c5", HEX["met"]]},
                                "legend": {"title": None, "labelExpr": "datum.label + ' %'", "orient": "right"}},
                      "tooltip": [{"field": "sector", "title": "Lĩnh vực"}, {"field": "month", "title": "Tháng"},
                                  {"field": "text", "title": "Tỷ lệ"}]}},
        {"mark": {"type": "text", "fontSize": 10},
         "encoding": {"x": x, "y": y, "text": {"field": "text"},
                      "color": {"condition": {"test": "datum.ink === 'white'", "value": "white"},
                                "value": "#1f2328"}}},
    ]
    return _spec(title, layers, {"step": 28}, data=rows)


def projection_chart(proj: dict, title: str) -> dict:
    """Monthly values of the year, the fitted trend extended to December, the projected December
    value and the target(s)."""
    months = [f"T{m}" for m in range(1, 13)]
    actual = [{"x": f"T{m['month']}", "v": _num(m["value"]), "series": "Thực tế theo tháng",
               "text": fmt_pct(m["value"])} for m in proj.get("months") or []]
    names = [("Thực tế theo tháng", HEX["value"])]
    x = _x_ordinal(months)
    y = {"field": "v", "type": "quantitative", "axis": PCT_AXIS, "scale": {"zero": False}}
    tip = [{"field": "x", "title": "Tháng"}, {"field": "series", "title": " "}, {"field": "text", "title": "Giá trị"}]
    layers = [{"data": _values(actual), "mark": {"type": "line", "point": {"size": 60, "filled": True},
                                                 "invalid": "break-paths-show-domains"},
               "encoding": {"x": x, "y": y, "color": {"field": "series", "type": "nominal"}, "tooltip": tip}}]
    if proj.get("slope_pp_per_month") is not None:
        a, b = proj["intercept"], proj["slope_pp_per_month"]
        fitted = [min(100.0, max(0.0, a + b * m)) for m in range(1, 13)]
        trend = [{"x": lab, "v": v, "series": "Xu hướng", "text": fmt_pct(v)} for lab, v in zip(months, fitted)]
        names.append(("Xu hướng", HEX["projection"]))
        december = proj.get("projected_december")
        layers.append({"data": _values(trend), "mark": {"type": "line", "strokeDash": [2, 3], "strokeWidth": 2},
                       "encoding": {"x": x, "y": y, "color": {"field": "series", "type": "nominal"},
                                    "tooltip": tip}})
        if december is not None:
            names.append(("Dự báo tháng 12", HEX["projection"]))
            point = [{"x": "T12", "v": float(december), "series": "Dự báo tháng 12", "text": fmt_pct(december)}]
            layers += [
                {"data": _values(point), "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 160},
                 "encoding": {"x": x, "y": y, "color": {"field": "series", "type": "nominal"}, "tooltip": tip}},
                {"data": _values(point), "mark": {"type": "text", "dy": -14, "fontSize": 12,
                                                  "color": HEX["projection"]},
                 "encoding": {"x": x, "y": y, "text": {"field": "text"}}},
            ]
    layers += _target_rules(proj.get("targets") or [], "y", value="target")
    for layer in layers:
        colour = layer["encoding"].get("color")
        if colour:
            colour["scale"] = _colour_scale(names)
    return _spec(title, layers, 340)


def channel_donut(received: dict[str, int], title: str = "Hồ sơ tiếp nhận theo kênh") -> dict:
    """Cases received per channel as a ring, each part labelled with its share."""
    total = sum(received.values())
    colours = ["#0969da", "#bf8700", "#8250df", "#8c959f"]
    rows = [{"channel": k, "n": int(v), "i": i, "count": fmt_int(v),
             "share": fmt_pct(100.0 * v / total if total else None)} for i, (k, v) in enumerate(received.items())]
    enc = {"theta": {"field": "n", "type": "quantitative", "stack": True},
           "order": {"field": "i", "type": "quantitative"},
           "color": {"field": "channel", "type": "nominal", "legend": {"orient": "right"},
                     "scale": _colour_scale([(r["channel"], colours[r["i"] % len(colours)]) for r in rows])}}
    layers = [
        {"mark": {"type": "arc", "innerRadius": 55, "outerRadius": 100, "stroke": "white"},
         "encoding": {**enc, "tooltip": [{"field": "channel", "title": "Kênh"},
                                         {"field": "count", "title": "Số hồ sơ"},
                                         {"field": "share", "title": "Tỷ lệ"}]}},
        {"mark": {"type": "text", "radius": 118, "fontSize": 11},
         "encoding": {**enc, "text": {"field": "share"}, "color": {"value": "#1f2328"}}},
    ]
    return _spec(title, layers, 300, data=rows)


def stacked_counts(x: list[str], series: dict[str, list], title: str, colours: list[str] | None = None,
                   percent: bool = False, height: int = 320) -> dict:
    """Stacked bars: one series per colour over the x labels (counts, or shares when percent)."""
    colours = colours or SERIES_COLOURS
    rows = []
    for i, (name, ys) in enumerate(series.items()):
        for label, v in zip(x, ys):
            v = _num(v)
            rows.append({"x": label, "series": name, "v": v, "i": i,
                         "text": fmt_pct(v) if percent else fmt_int(v)})
    y = {"field": "v", "type": "quantitative", "stack": "zero",
         "axis": PCT_AXIS if percent else {"title": None, "format": ",d"}}
    if percent:
        y["scale"] = {"domain": [0, 100]}
    layers = [{"mark": {"type": "bar"},
               "encoding": {"x": _x_ordinal(list(x)), "y": y,
                            "color": {"field": "series", "type": "nominal",
                                      "scale": _colour_scale([(n, colours[i % len(colours)])
                                                              for i, n in enumerate(series)])},
                            "order": {"field": "i", "type": "quantitative"},
                            "tooltip": [{"field": "x", "title": "Kỳ"}, {"field": "series", "title": " "},
                                        {"field": "text", "title": "Tỷ lệ" if percent else "Số hồ sơ"}]}}]
    return _spec(title, layers, height, data=rows)


def rating_shares(df: pd.DataFrame, by: str, title: str, targets: list[dict] | None = None) -> dict:
    """Ratings distribution (ratings_distribution rows) as 100 % stacked bars by month or sector,
    with the number of ratings in the tooltip. The satisfied part (Rất hài lòng + Hài lòng) is
    stacked from 0, so its top is the satisfaction rate: the target rows (comparator, value) are
    drawn across at their level."""
    d = df.copy()
    if by == "month":
        d["x"] = [month_label(m) for m in d["month"]]
        xs = [label for _, label in sorted(set(zip(d["month"], d["x"])))]
    else:
        d["x"] = d["sector"].fillna(NO_SECTOR)
        xs = sorted(set(d["x"]), key=vi_sort_key)
    pivot = d.pivot_table(index="x", columns="rating", values="ratings", aggfunc="sum", fill_value=0).reindex(xs)
    total = pivot.sum(axis=1)
    colours = {3: "#1a7f37", 2: "#4ac26b", 1: "#cf222e"}
    rows = []
    for order, code in enumerate((3, 2, 1)):
        counts = pivot[code] if code in pivot.columns else pd.Series(0, index=pivot.index)
        for label, c, t in zip(xs, counts, total):
            share = 100.0 * c / t if t else None
            rows.append({"x": label, "rating": RATINGS[code], "v": share, "i": order,
                         "text": f"{fmt_pct(share)} ({fmt_int(c)}/{fmt_int(t)} đánh giá)"})
    horizontal = by != "month"
    cat = ({"field": "x", "type": "nominal", "sort": xs, "axis": {"title": None, "labelLimit": 260}}
           if horizontal else _x_ordinal(xs))
    val = {"field": "v", "type": "quantitative", "stack": "zero", "axis": PCT_AXIS,
           "scale": {"domain": [0, 100]}}
    layers = [{"mark": {"type": "bar"},
               "encoding": {("y" if horizontal else "x"): cat, ("x" if horizontal else "y"): val,
                            "color": {"field": "rating", "type": "nominal",
                                      "scale": _colour_scale([(RATINGS[c], colours[c]) for c in (3, 2, 1)])},
                            "order": {"field": "i", "type": "quantitative"},
                            "tooltip": [{"field": "x", "title": "Lĩnh vực" if horizontal else "Tháng"},
                                        {"field": "rating", "title": "Mức đánh giá"},
                                        {"field": "text", "title": "Tỷ lệ"}]}}]
    layers += _target_rules(targets or [], "x" if horizontal else "y")
    return _spec(title, layers, {"step": 22} if horizontal else 320, data=rows)


def index766_stacked(months: list[dict], title: str = "Điểm Chỉ số 766 theo tháng") -> dict:
    """Group scores stacked per month, the total and the reachable maximum."""
    x = [month_label(m["period_start"]) for m in months]
    colours = ["#57606a", "#1a7f37", "#bf8700", "#0969da", "#1b7c83"]
    groups = months[0]["groups"] if months else []
    bars, names = [], []
    for i, g in enumerate(groups):
        name = f"{g['name']} (tối đa {fmt_score(g['max'])})"
        ys = [next((gg["score"] for gg in m["groups"] if gg["id"] == g["id"]), None) for m in months]
        if all(v is None for v in ys):
            continue
        names.append((name, colours[i % len(colours)]))
        bars += [{"x": lab, "series": name, "v": _num(v), "i": i, "text": fmt_score(v)} for lab, v in zip(x, ys)]
    names += [("Điểm tối đa đo được", "#57606a"), ("Tổng điểm", "#24292f")]
    scale = _colour_scale(names)
    reach = [{"x": lab, "series": "Điểm tối đa đo được", "v": _num(m["reachable_max"]),
              "text": fmt_score(m["reachable_max"])} for lab, m in zip(x, months)]
    totals = [{"x": lab, "series": "Tổng điểm", "v": _num(m["total"]), "text": fmt_score(m["total"])}
              for lab, m in zip(x, months)]
    xenc = _x_ordinal(x)
    y = {"field": "v", "type": "quantitative", "axis": {"title": None}}
    tip = [{"field": "x", "title": "Tháng"}, {"field": "series", "title": " "}, {"field": "text", "title": "Điểm"}]
    colour = {"field": "series", "type": "nominal", "scale": scale, "legend": {"columns": 3}}
    layers = [
        {"data": _values(bars), "mark": {"type": "bar"},
         "encoding": {"x": xenc, "y": {**y, "stack": "zero"}, "color": colour,
                      "order": {"field": "i", "type": "quantitative"}, "tooltip": tip}},
        {"data": _values(reach), "mark": {"type": "line", "strokeDash": DASH, "point": True},
         "encoding": {"x": xenc, "y": y, "color": colour, "tooltip": tip}},
        {"data": _values(totals), "mark": {"type": "point", "filled": True, "size": 60},
         "encoding": {"x": xenc, "y": y, "color": colour, "tooltip": tip}},
        # inside the top of the bar: just above it, the reachable maximum's dashed line runs
        {"data": _values(totals), "mark": {"type": "text", "baseline": "top", "dy": 6, "fontSize": 11,
                                           "fontWeight": "bold", "color": "white"},
         "encoding": {"x": xenc, "y": y, "text": {"field": "text"}}},
    ]
    return _spec(title, layers, 400)


def handler_bars(counts: pd.DataFrame, title: str) -> dict:
    """Counts per handler (columns: Cán bộ xử lý, and one column per series), stacked."""
    colours = {"Đã giải quyết quá hạn": HEX["not_met"], "Đang quá hạn": "#bf8700", "Sắp đến hạn": HEX["value"]}
    series = [c for c in counts.columns if c != "Cán bộ xử lý"]
    handlers = [str(h) for h in counts["Cán bộ xử lý"]]
    rows = [{"handler": h, "series": col, "v": int(v or 0), "i": i, "text": fmt_int(v)}
            for i, col in enumerate(series) for h, v in zip(handlers, counts[col])]
    layers = [{"mark": {"type": "bar"},
               "encoding": {"y": {"field": "handler", "type": "nominal", "sort": handlers,
                                  "axis": {"title": None, "labelLimit": 200}},
                            "x": {"field": "v", "type": "quantitative", "stack": "zero",
                                  "axis": {"title": None, "format": ",d", "tickMinStep": 1}},
                            "color": {"field": "series", "type": "nominal",
                                      "scale": _colour_scale([(c, colours.get(c, "#8c959f")) for c in series])},
                            "order": {"field": "i", "type": "quantitative"},
                            "tooltip": [{"field": "handler", "title": "Cán bộ xử lý"},
                                        {"field": "series", "title": " "}, {"field": "text", "title": "Số hồ sơ"}]}}]
    return _spec(title, layers, {"step": 24}, data=rows)


def show(container, spec: dict, key: str) -> None:
    """Draw a spec across its container (`container` is st or a column)."""
    container.vega_lite_chart(spec, width="stretch", key=key)


def show_trends(df: pd.DataFrame, keys: list[str], target_rows: list[dict], grain: str, key_prefix: str,
                name_empty: bool = False) -> None:
    """metric_trend of each of `keys` (kpis_by_period rows), two per row; a metric without any value
    is left out, and named under the charts when `name_empty`."""
    cols = st.columns(2)
    shown, empty = 0, []
    for key in keys:
        if df.empty or df[key].isna().all():
            empty.append(METRICS[key].label)
            continue
        with cols[shown % 2], page.guard(METRICS[key].label):
            show(st, metric_trend(df, key, target_rows, grain), key=f"{key_prefix}{key}")
        shown += 1
    if name_empty and empty:
        st.caption("Không có dữ liệu trong khoảng thời gian: " + "; ".join(empty) + ".")
