"""Plotly figures of the dashboard. Every metric chart draws the selected plan's target(s) and
marks each value met (green) or not met (red); grey = no target applies or no data.

Numbers use the Vietnamese separators (layout.separators = ",." : decimal comma, thousands dot);
x axes use text labels made by ui.format (11/2026, Quý IV/2026, 09/11–15/11/2026) so no English
month name appears.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from ui import judging
from ui.format import fmt_bucket, fmt_number, fmt_pct, fmt_score, fmt_target
from ui.labels import HEX, METRICS, RATINGS, STATUS_LABELS

FONT = "Inter, 'Segoe UI', Roboto, Arial, sans-serif"
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
RATE_SUFFIX = " %"


def _base(fig: go.Figure, title: str | None = None, height: int = 320) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "y": 0.98, "yref": "container", "yanchor": "top"}
        if title else None,
        separators=",.",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 70 if title else 36, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0,
                "font": {"size": 11}},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(showgrid=False, linecolor="#d0d7de", automargin=True)
    fig.update_yaxes(gridcolor="#eaeef2", zerolinecolor="#d0d7de", automargin=True)
    return fig


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
            out.append(f"T{s.month}/{s.year % 100:02d}")
        elif grain == "quarter":
            out.append(f"Q{(s.month - 1) // 3 + 1}/{s.year % 100:02d}")
        else:
            out.append(fmt_bucket(s, e, grain))
    return out


def metric_trend(df: pd.DataFrame, key: str, target_rows: list[dict], grain: str, title: str | None = None,
                 height: int = 320) -> go.Figure:
    """The metric per bucket (kpis_by_period rows) with its target line(s) as steps over time and
    each point coloured by met / not met against the target in effect at the bucket's end."""
    label = METRICS[key].label if key in METRICS else key
    x = bucket_labels(df, grain)
    values = [None if pd.isna(v) else float(v) for v in df[key]]
    ends = [_as_date(e) for e in df["period_end"]]
    verdicts = [judging.judge_value(target_rows, key, v, d) for v, d in zip(values, ends)]
    colours, hover = [], []
    for v, verdict in zip(values, verdicts):
        status = verdict.status if v is not None else "no_data"
        colours.append(HEX["met"] if status == "met" else HEX["not_met"] if status == "not_met" else HEX["none"])
        extra = f"<br>Chỉ tiêu: {verdict.target_text}" if verdict.targets else ""
        hover.append(f"{fmt_pct(v)}{extra}<br>{STATUS_LABELS.get(status, '')}")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=values, mode="lines+markers", name=label, connectgaps=False, showlegend=False,
        line={"color": HEX["value"], "width": 2},
        marker={"color": colours, "size": 9, "line": {"color": "white", "width": 1}},
        hovertext=hover, hovertemplate="%{x}<br>%{hovertext}<extra></extra>",
    ))
    for row in judging.rows_for(target_rows, key):
        ys = [float(row["value"]) if judging.in_effect(row, d) else None for d in ends]
        if all(y is None for y in ys):
            continue
        fig.add_trace(go.Scatter(
            x=x, y=ys, mode="lines", line_shape="hv", connectgaps=False,
            name=f"Chỉ tiêu {fmt_target(row['comparator'], row['value'])}",
            line={"color": HEX["target"], "dash": "dash", "width": 2},
            hovertemplate="Chỉ tiêu " + fmt_target(row["comparator"], row["value"]) + "<extra></extra>",
        ))
    # legend entries for the marker colours
    for status in ("met", "not_met"):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=STATUS_LABELS[status],
                                 marker={"color": HEX[status], "size": 9}, hoverinfo="skip"))
    fig.update_yaxes(ticksuffix=RATE_SUFFIX)
    fig.update_xaxes(automargin=True, nticks=8 if grain == "week" else 13)
    return _base(fig, title or label, height)


def sector_bars(df: pd.DataFrame, key: str, target_rows: list[dict], day: date, title: str | None = None) -> go.Figure:
    """The metric per sector (kpis_by_sector rows), bars coloured met / not met against the
    target in effect on `day`, the target(s) as vertical dashed lines."""
    label = METRICS[key].label if key in METRICS else key
    d = df[["sector", key]].copy()
    d["sector"] = d["sector"].fillna("Chưa xác định lĩnh vực")
    d = d.iloc[::-1]
    values = [None if pd.isna(v) else float(v) for v in d[key]]
    verdicts = [judging.judge_value(target_rows, key, v, day) for v in values]
    colours = [HEX["met"] if v.status == "met" and val is not None else
               HEX["not_met"] if v.status == "not_met" and val is not None else HEX["none"]
               for v, val in zip(verdicts, values)]
    text = [fmt_pct(v) for v in values]
    fig = go.Figure(go.Bar(
        x=[v if v is not None else 0 for v in values], y=list(d["sector"]), orientation="h",
        marker={"color": colours}, text=text, textposition="auto", name=label,
        hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    for row in judging.rows_for(target_rows, key):
        if judging.in_effect(row, day):
            fig.add_vline(x=float(row["value"]), line_dash="dash", line_color=HEX["target"],
                          annotation_text=f"Chỉ tiêu {fmt_target(row['comparator'], row['value'])}",
                          annotation_position="top")
    fig.update_xaxes(ticksuffix=RATE_SUFFIX)
    return _base(fig, title or f"{label} theo lĩnh vực", height=max(260, 28 * len(d) + 80))


def heatmap(matrix: pd.DataFrame, title: str, target: float | None = None) -> go.Figure:
    """A sector × month matrix of rates (index: sectors, columns: month labels); empty cells =
    no resolved case. The colour scale is centred on the target when there is one."""
    z = matrix.to_numpy(dtype="float64")
    text = [[fmt_pct(v) if pd.notna(v) else "" for v in row] for row in z]
    mid = target if target is not None else 90.0
    fig = go.Figure(go.Heatmap(
        z=z, x=list(matrix.columns), y=list(matrix.index), text=text, texttemplate="%{text}",
        colorscale=[[0, "#cf222e"], [0.5, "#fff8c5"], [1, "#1a7f37"]], zmin=max(0.0, mid - 20), zmax=100,
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>", colorbar={"ticksuffix": RATE_SUFFIX},
        xgap=2, ygap=2,
    ))
    fig.update_yaxes(autorange="reversed")
    return _base(fig, title, height=max(300, 30 * len(matrix.index) + 90))


def projection_chart(proj: dict, title: str) -> go.Figure:
    """Monthly values of the year, the fitted trend extended to December, the projected December
    value and the target(s)."""
    months = proj.get("months") or []
    x = [m["month"] for m in months]
    y = [m["value"] for m in months]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[f"T{m}" for m in x], y=y, name="Thực tế theo tháng", mode="lines+markers",
                             line={"color": HEX["value"]}, marker={"size": 8},
                             text=[fmt_pct(v) for v in y], hovertemplate="%{x}: %{text}<extra></extra>"))
    if proj.get("slope_pp_per_month") is not None:
        a, b = proj["intercept"], proj["slope_pp_per_month"]
        xs = list(range(1, 13))
        fig.add_trace(go.Scatter(x=[f"T{m}" for m in xs], y=[min(100, max(0, a + b * m)) for m in xs],
                                 mode="lines", name="Xu hướng", line={"color": HEX["projection"], "dash": "dot"},
                                 hovertemplate="%{x}: %{y:.1f} %<extra>Xu hướng</extra>"))
        pd_ = proj.get("projected_december")
        fig.add_trace(go.Scatter(x=["T12"], y=[pd_], mode="markers+text", name="Dự báo tháng 12",
                                 marker={"color": HEX["projection"], "size": 12, "symbol": "diamond"},
                                 text=[fmt_pct(pd_)], textposition="top center",
                                 hovertemplate="Dự báo T12: %{text}<extra></extra>"))
    for t in proj.get("targets") or []:
        fig.add_hline(y=float(t["target"]), line_dash="dash", line_color=HEX["target"],
                      annotation_text=f"Chỉ tiêu {fmt_target(t['comparator'], t['target'])}",
                      annotation_position="bottom right")
    fig.update_xaxes(categoryorder="array", categoryarray=[f"T{m}" for m in range(1, 13)])
    fig.update_yaxes(ticksuffix=RATE_SUFFIX)
    return _base(fig, title, height=340)


def channel_donut(received: dict[str, int], title: str = "Hồ sơ tiếp nhận theo kênh") -> go.Figure:
    labels = list(received)
    values = list(received.values())
    fig = go.Figure(go.Pie(labels=labels, values=values, hole=0.55, sort=False,
                           marker={"colors": ["#0969da", "#bf8700", "#8250df", "#8c959f"]},
                           texttemplate="%{label}<br>%{percent:.1%}",
                           hovertemplate="%{label}: %{value:,.0f} hồ sơ (%{percent:.1%})<extra></extra>"))
    return _base(fig, title, height=320)


def stacked_counts(x: list[str], series: dict[str, list], title: str, colours: list[str] | None = None,
                   percent: bool = False, height: int = 320) -> go.Figure:
    """Stacked bars: one trace per series over the x labels (counts, or shares when percent)."""
    fig = go.Figure()
    colours = colours or ["#0969da", "#bf8700", "#8250df", "#8c959f", "#1a7f37", "#cf222e"]
    for i, (name, ys) in enumerate(series.items()):
        fig.add_trace(go.Bar(x=x, y=ys, name=name, marker_color=colours[i % len(colours)],
                             hovertemplate="%{x} · " + name + (": %{y:.1f} %" if percent else ": %{y:,.0f}")
                             + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    if percent:
        fig.update_yaxes(ticksuffix=RATE_SUFFIX, range=[0, 100])
    return _base(fig, title, height)


def rating_shares(df: pd.DataFrame, by: str, title: str, targets: list[dict] | None = None) -> go.Figure:
    """Ratings distribution (ratings_distribution rows) as 100 % stacked bars by month or sector,
    with the number of ratings in the hover. The satisfied part (Rất hài lòng + Hài lòng) is
    stacked from 0, so its top is the satisfaction rate: the target rows (comparator, value) are
    drawn across at their level."""
    d = df.copy()
    if by == "month":
        d["x"] = [month_label(m) for m in d["month"]]
        xs = [label for _, label in sorted(set(zip(d["month"], d["x"])))]
    else:
        d["x"] = d["sector"]
        xs = sorted(set(d["x"]), key=vi_sort_key)
    pivot = d.pivot_table(index="x", columns="rating", values="ratings", aggfunc="sum", fill_value=0).reindex(xs)
    total = pivot.sum(axis=1)
    fig = go.Figure()
    colours = {3: "#1a7f37", 2: "#4ac26b", 1: "#cf222e"}
    horizontal = by != "month"
    for code in (3, 2, 1):
        counts = pivot[code] if code in pivot.columns else pd.Series(0, index=pivot.index)
        shares = [100.0 * c / t if t else None for c, t in zip(counts, total)]
        custom = [[int(c), int(t)] for c, t in zip(counts, total)]
        name = RATINGS[code]
        tip = ("%{y}" if horizontal else "%{x}") + " · " + name + ": " + \
              ("%{x:.1f} %" if horizontal else "%{y:.1f} %") + " (%{customdata[0]:,.0f}/%{customdata[1]:,.0f} đánh giá)"
        fig.add_trace(go.Bar(x=shares if horizontal else xs, y=xs if horizontal else shares, name=name,
                             orientation="h" if horizontal else "v", marker_color=colours[code],
                             customdata=custom, hovertemplate=tip + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    for t in targets or []:
        text = f"Chỉ tiêu {fmt_target(t['comparator'], t['value'])}"
        if horizontal:
            fig.add_vline(x=float(t["value"]), line_dash="dash", line_color=HEX["target"], line_width=2,
                          annotation_text=text, annotation_position="top")
        else:
            fig.add_hline(y=float(t["value"]), line_dash="dash", line_color=HEX["target"], line_width=2,
                          annotation_text=text, annotation_position="bottom right")
    if horizontal:
        fig.update_xaxes(ticksuffix=RATE_SUFFIX, range=[0, 100])
        fig.update_yaxes(autorange="reversed")
        return _base(fig, title, height=max(320, 26 * len(xs) + 120))
    fig.update_yaxes(ticksuffix=RATE_SUFFIX, range=[0, 100])
    return _base(fig, title)


def index766_stacked(months: list[dict], title: str = "Điểm Chỉ số 766 theo tháng") -> go.Figure:
    """Group scores stacked per month, the total and the reachable maximum."""
    x = [month_label(m["period_start"]) for m in months]
    fig = go.Figure()
    colours = ["#57606a", "#1a7f37", "#bf8700", "#0969da", "#1b7c83"]
    groups = months[0]["groups"] if months else []
    for i, g in enumerate(groups):
        ys = [next((gg["score"] for gg in m["groups"] if gg["id"] == g["id"]), None) for m in months]
        if all(v is None for v in ys):
            continue
        fig.add_trace(go.Bar(x=x, y=ys, name=f"{g['name']} (tối đa {fmt_score(g['max'])})",
                             marker_color=colours[i % len(colours)],
                             hovertemplate="%{x} · " + g["name"] + ": %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=[m["reachable_max"] for m in months], mode="lines+markers",
                             name="Điểm tối đa đo được", line={"color": "#57606a", "dash": "dash"},
                             hovertemplate="%{x}: tối đa đo được %{y:.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=[m["total"] for m in months], mode="markers+text",
                             name="Tổng điểm", marker={"color": "#24292f", "size": 8},
                             text=[fmt_score(m["total"]) for m in months], textposition="top center",
                             hovertemplate="%{x}: tổng %{text}<extra></extra>"))
    fig.update_layout(barmode="stack")
    return _base(fig, title, height=380)


def handler_bars(counts: pd.DataFrame, title: str) -> go.Figure:
    """Counts per handler (columns: handler, and one column per series)."""
    d = counts.iloc[::-1]
    fig = go.Figure()
    colours = {"Đã giải quyết quá hạn": HEX["not_met"], "Đang quá hạn": "#bf8700", "Sắp đến hạn": HEX["value"]}
    for col in [c for c in d.columns if c != "Cán bộ xử lý"]:
        fig.add_trace(go.Bar(y=list(d["Cán bộ xử lý"]), x=list(d[col]), orientation="h", name=col,
                             marker_color=colours.get(col, "#8c959f"),
                             hovertemplate="%{y} · " + col + ": %{x}<extra></extra>"))
    fig.update_layout(barmode="stack")
    return _base(fig, title, height=max(260, 26 * len(d) + 100))


def value_only_trend(x: list[str], ys: list, title: str, suffix: str = RATE_SUFFIX) -> go.Figure:
    fig = go.Figure(go.Scatter(x=x, y=ys, mode="lines+markers", line={"color": HEX["value"]},
                               hovertemplate="%{x}: %{y:.1f}" + suffix + "<extra></extra>"))
    fig.update_yaxes(ticksuffix=suffix)
    return _base(fig, title)


def number_text(value) -> str:
    return fmt_number(value)
