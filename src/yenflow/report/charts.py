"""Charts: analytics results in, plotly figures out (pure functions, no I/O).

Every figure has a title, axis titles with units, and hover labels that show values with their
units. Figures are specified as plain dicts (traces and layout) in a
:class:`~yenflow.report.figure.Figure`, which writes plotly.js JSON directly, as plotly writes
the validated figure (validating through plotly's classes, and even importing them, costs more
than the rest of the report's HTML); :meth:`~yenflow.report.figure.Figure.to_plotly` gives the
validated plotly figure. All use one small template (:data:`TEMPLATE`), so the HTML file does
not carry plotly's large default template once per chart; dates travel as ISO day strings,
numbers as numpy arrays (plotly encodes them compactly); long daily series are thinned
(:func:`thin`) to about :data:`MAX_POINTS` points that keep every peak and trough."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from yenflow.analytics.carry import CarryMonitor, Positioning, UnwindEpisodes
from yenflow.analytics.flows import Asset, Direction, FlowWindows, InvestorFlows
from yenflow.analytics.holdings import TreasuryHoldings
from yenflow.analytics.labels import asset_words, flow_label
from yenflow.report.figure import Figure

if TYPE_CHECKING:  # the Bitcoin lab loads numba: only when its section is built
    from yenflow.analytics.bitcoin.chain import ChainResult
    from yenflow.analytics.bitcoin.events import EventStudy
    from yenflow.analytics.bitcoin.sweep import SweepResult

__all__ = [
    "MAX_POINTS",
    "TEMPLATE",
    "carry_chart",
    "flows_chart",
    "holder_label",
    "holdings_chart",
    "investor_chart",
    "positioning_chart",
    "thin",
    "usdjpy_chart",
]

INK = "#1d2430"
BLUE = "#1f4e79"
LIGHT_BLUE = "#7fa7cf"
RED = "#b23b3b"
GREEN = "#2e7d4f"
ORANGE = "#d9822b"
GREY = "#8a94a3"
SHADE = "rgba(178, 59, 59, 0.13)"
GRID = "#eceff3"
AXIS = "#c5cbd3"

_AXIS = {"showgrid": True, "gridcolor": GRID, "linecolor": AXIS, "ticks": "outside"}

#: A small template: system fonts, light grid, legend under the plot, one colour order.
TEMPLATE: dict[str, Any] = {
    "layout": {
        "font": {
            "family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
            "size": 13,
            "color": INK,
        },
        "colorway": [BLUE, RED, GREEN, ORANGE, GREY, LIGHT_BLUE],
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 70, "r": 70, "t": 60, "b": 100},
        "hovermode": "closest",
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0, "x": 0},
        "xaxis": {**_AXIS, "zeroline": False},
        "yaxis": {**_AXIS, "zeroline": True, "zerolinecolor": AXIS},
        "title": {"x": 0.0, "xanchor": "left", "xref": "paper", "font": {"size": 16}},
    }
}

#: Most points a daily line carries; longer series are thinned to about this many.
MAX_POINTS = 1_500

_HOLDER_LABEL = {"japan": "Japan", "china_mainland": "China (mainland)", "united_kingdom": "UK"}


def holder_label(holder: str) -> str:
    """``Japan``, ``China (mainland)``, ``UK``; other slugs title-cased."""
    return _HOLDER_LABEL.get(holder, holder.replace("_", " ").title())


def thin(series: pd.Series, *, max_points: int = MAX_POINTS) -> pd.Series:
    """A long series reduced to about ``max_points`` points that keep its shape.

    The series is cut into buckets of consecutive points; each bucket keeps its first point,
    its lowest and its highest, and the last point is always kept. 14,000 daily closes become
    ~1,500 points: enough for a 1,000-pixel-wide chart, and no trough or peak (the episodes
    readers look for) is lost.
    """
    clean = series.dropna()
    n = len(clean)
    if n <= max_points:
        return clean
    per_bucket = max(1, int(np.ceil(3 * n / max_points)))
    buckets = -(-n // per_bucket)
    values = clean.to_numpy(dtype="float64")
    # one row per bucket, the last one padded so that padding is never its min or max
    low = np.full(buckets * per_bucket, np.inf)
    high = np.full(buckets * per_bucket, -np.inf)
    low[:n] = high[:n] = values
    starts = np.arange(buckets) * per_bucket
    keep = np.zeros(n, dtype=bool)
    keep[starts + low.reshape(buckets, per_bucket).argmin(axis=1)] = True  # first lowest
    keep[starts + high.reshape(buckets, per_bucket).argmax(axis=1)] = True  # first highest
    keep[starts] = True
    keep[-1] = True
    return clean[keep]


# --------------------------------------------------------------------------------------------
# Spec helpers
# --------------------------------------------------------------------------------------------


def _dates(index: Iterable[Any]) -> np.ndarray:
    """ISO day strings (plotly reads them as dates) in an object array.

    Naive datetime64 columns and indexes are written by numpy in one call (the same strings
    as ``strftime("%Y-%m-%d")``); anything else (timestamps in a list, zoned times) through
    pandas."""
    dtype = getattr(index, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        days = np.asarray(index).astype("datetime64[D]")
        if days.size == 0 or (days.min() >= _FIRST_DAY and days.max() <= _LAST_DAY):
            return np.datetime_as_string(days, unit="D").astype(object)
    return np.asarray(pd.DatetimeIndex(list(index)).strftime("%Y-%m-%d"), dtype=object)


#: the days numpy writes as ``YYYY-MM-DD`` (four-digit years; no NaT)
_FIRST_DAY, _LAST_DAY = np.datetime64("1000-01-01", "D"), np.datetime64("9999-12-31", "D")


def _numbers(values: Any) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def _custom(*columns: Any) -> np.ndarray:
    """A numeric customdata block (one column per hover value)."""
    return np.column_stack([_numbers(c) for c in columns])


def _hover(template: str, missing: str, *columns: Any) -> str | np.ndarray:
    """A hover template per point: ``template`` where every value of ``columns`` is a number,
    ``missing`` (which names what is missing) where one is NaN: one vectorised choice, no
    per-point string formatting (plotly formats the numbers from ``customdata``).

    One string when no value is missing (the common case; the HTML carries it once).
    """
    nan = np.zeros(len(_numbers(columns[0])), dtype=bool)
    for column in columns:
        nan |= np.isnan(_numbers(column))
    if not nan.any():
        return template
    return np.where(nan, missing, template).astype(object)


def _line(
    x: np.ndarray, y: Any, *, name: str, color: str, hover: str | np.ndarray, **extra: Any
) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": _numbers(y),
        "name": name,
        "line": {"color": color, "width": 1.4},
        "hovertemplate": _extra(hover),
        **extra,
    }


def _extra(hover: str | np.ndarray) -> str | np.ndarray:
    """The hover template(s) without plotly's trace-name box."""
    if isinstance(hover, str):
        return hover + "<extra></extra>"
    return np.char.add(hover.astype(str), "<extra></extra>").astype(object)


def _figure(title: str, traces: list[dict], layout: dict | None = None) -> Figure:
    """One figure from trace dicts and layout overrides."""
    return Figure(traces, {"template": TEMPLATE, "title": {"text": title}, **(layout or {})})


def _stacked_axes(rows: Sequence[tuple[float, str]], *, x_title: str, gap: float = 0.07) -> dict:
    """Layout for panels stacked vertically on one shared date axis.

    ``rows`` are (relative height, y-axis title) from top to bottom; trace ``k`` of panel ``i``
    uses ``yaxis{i+1}`` and the shared ``xaxis``.
    """
    total = sum(h for h, _ in rows)
    usable = 1.0 - gap * (len(rows) - 1)
    layout: dict[str, Any] = {}
    top = 1.0
    for i, (height, title) in enumerate(rows):
        span = usable * height / total
        name = "yaxis" if i == 0 else f"yaxis{i + 1}"
        layout[name] = {"domain": [max(top - span, 0.0), top], "title": {"text": title}, **_AXIS}
        if i:
            layout[name]["anchor"] = "x"
        top -= span + gap
    layout["xaxis"] = {
        "title": {"text": x_title},
        "anchor": f"y{len(rows)}" if len(rows) > 1 else "y",
    }
    return layout


def _panel_titles(rows: Sequence[tuple[str, float]]) -> list[dict]:
    """Small left-aligned titles above each panel (text, top of the panel in paper units)."""
    return [
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0.0,
            "y": top,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12},
        }
        for text, top in rows
    ]


# --------------------------------------------------------------------------------------------
# MoF flows
# --------------------------------------------------------------------------------------------


def _flow_hover(label: str, rows: pd.DataFrame) -> str | np.ndarray:
    """``week to 2025-04-12: -0.51 ¥ tn (-5,119 × ¥100 million; USD -3.5 bn)`` per window, from
    ``customdata`` = (net ¥100 million, net USD bn); USD n/a without DEXJPUS days."""
    head = f"{label} to %{{x}}: %{{y:+,.2f}} ¥ tn (%{{customdata[0]:+,.0f}} × ¥100 million; "
    return _hover(
        head + "USD %{customdata[1]:+,.1f} bn)",
        head + "USD n/a: no DEXJPUS day)",
        rows["net_usd_bn"],
    )


def _flow_custom(rows: pd.DataFrame) -> np.ndarray:
    return _custom(rows["net_jpy_100m"], rows["net_usd_bn"])


def flows_chart(
    windows: FlowWindows,
    *,
    direction: Direction = "outward",
    asset: Asset = "long_term_debt",
    top: int = 5,
    years_shown: int = 12,
) -> Figure:
    """Weekly net flows (bars) and the rolling 2-week sum (line), with record windows marked.

    Amounts in ¥ trillion (hover adds ¥100 million and USD bn; USD is blank where DEXJPUS has
    no day in the window). The ``top`` largest non-overlapping 2-week net sales and purchases
    are marked with their rank. The view opens on the last ``years_shown`` years; the range
    slider below shows the whole history.
    """
    weekly = windows.rows(direction, asset, 1)  # sorted by period already
    two = windows.rows(direction, asset, 2)
    traces: list[dict] = [
        {
            "type": "bar",
            "x": _dates(weekly["period_end"]),
            "y": _numbers(weekly["net_jpy_tn"]),
            "name": "weekly net",
            "marker": {"color": LIGHT_BLUE, "line": {"width": 0}},
            "customdata": _flow_custom(weekly),
            "hovertemplate": _extra(_flow_hover("week", weekly)),
        },
        _line(
            _dates(two["period_end"]),
            two["net_jpy_tn"],
            name="rolling 2-week net",
            color=BLUE,
            hover=_flow_hover("2 weeks", two),
            customdata=_flow_custom(two),
        ),
    ]
    for side, color, symbol in (("sale", RED, "triangle-down"), ("purchase", GREEN, "triangle-up")):
        if two.empty:
            continue
        best = windows.episodes(direction=direction, asset=asset, weeks=2, side=side, top=top)  # type: ignore[arg-type]
        if best.empty:
            continue
        ranks = best["episode_rank"].astype("int64").to_numpy()
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": _dates(best["period_end"]),
                "y": _numbers(best["net_jpy_tn"]),
                "name": f"largest 2-week net {side}s (top {top}, non-overlapping)",
                "marker": {"color": color, "size": 11, "symbol": symbol},
                "text": [f"#{r}" for r in ranks],
                "textposition": "bottom center" if side == "sale" else "top center",
                "customdata": _custom(best["net_jpy_100m"], best["net_usd_bn"], ranks),
                "hovertemplate": (
                    f"record 2-week net {side} #%{{customdata[2]}}, 2 weeks to %{{x}}: "
                    "%{y:+,.2f} ¥ tn (%{customdata[0]:+,.0f} × ¥100 million)<extra></extra>"
                ),
            }
        )
    layout: dict[str, Any] = {
        "barmode": "overlay",
        "bargap": 0.0,
        "height": 540,
        "margin": {"b": 95},
        "yaxis": {"title": {"text": "net purchase (+) / net sale (−), ¥ trillion"}},
        "xaxis": {
            "title": {"text": "week ending (Saturday)"},
            "rangeslider": {"visible": True, "thickness": 0.07},
        },
    }
    if len(weekly):
        last = pd.Timestamp(weekly["period_end"].iloc[-1])
        start = max(
            pd.Timestamp(weekly["period_end"].iloc[0]), last - pd.DateOffset(years=years_shown)
        )
        layout["xaxis"]["range"] = list(
            _dates([start - pd.Timedelta(days=7), last + pd.Timedelta(days=7)])
        )
    title = f"{flow_label(direction, asset)}: weekly and rolling 2-week net (MoF)"
    return _figure(title, traces, layout)


def investor_chart(flows: InvestorFlows, *, months: int = 36) -> Figure:
    """Monthly net purchases of foreign securities by investor type (bars, ¥ trillion)."""
    table = flows.to_frame()
    start = table["period_start"].max() - pd.DateOffset(months=months - 1)
    table = table.loc[table["period_start"] >= start]
    traces = []
    for investor, rows in table.groupby("investor", sort=False):
        label = str(investor).replace("_", " ")
        traces.append(
            {
                "type": "bar",
                "x": _dates(rows["period_start"]),
                "y": _numbers(rows["net_jpy_tn"]),
                "name": label,
                "xperiodalignment": "middle",
                "xperiod": "M1",
                "customdata": _custom(
                    rows["net_jpy_100m"], rows["rank_sale"], rows["rank_purchase"]
                ),
                "hovertemplate": (
                    f"{label}, %{{x|%Y-%m}}: %{{y:+,.2f}} ¥ tn (%{{customdata[0]:+,.0f}} × "
                    "¥100 million); rank %{customdata[1]} as a sale, %{customdata[2]} as a "
                    "purchase<extra></extra>"
                ),
            }
        )
    who = "by investor type" if flows.by_investor_type else "all designated investors"
    asset = asset_words(flows.asset)
    layout = {
        "barmode": "relative",
        "yaxis": {"title": {"text": "net purchase (+) / net sale (−), ¥ trillion"}},
        "xaxis": {"title": {"text": "month"}},
    }
    return _figure(f"Net purchases of foreign {asset}, monthly, {who}", traces, layout)


# --------------------------------------------------------------------------------------------
# TIC holdings
# --------------------------------------------------------------------------------------------


def _holding_hover(label: str, rows: pd.DataFrame) -> str | np.ndarray:
    """Hover per month from ``customdata`` = (change USD bn, share %, rank, holders), saying
    "n/a" for a missing change or share (a vectorised choice among four templates)."""
    head = f"{label}, end of %{{x|%Y-%m}}: USD %{{y:,.1f}} bn ("
    tail = "; rank %{customdata[2]} of %{customdata[3]})"
    change_nan = np.isnan(_numbers(rows["change_usd_bn"]))
    share_nan = np.isnan(_numbers(rows["share_pct"]))
    change = np.where(change_nan, "change n/a", "change USD %{customdata[0]:+,.1f} bn")
    share = np.where(share_nan, "share n/a", "%{customdata[1]:.1f}% of foreign holdings")
    if not (change_nan.any() or share_nan.any()):
        return head + str(change[0]) + "; " + str(share[0]) + tail if len(rows) else head + tail
    return np.char.add(
        np.char.add(np.char.add(head + "", change), "; "), np.char.add(share, tail)
    ).astype(object)


def holdings_chart(holdings: TreasuryHoldings) -> Figure:
    """End-of-month holdings of US Treasuries of each holder (lines, USD bn)."""
    table = holdings.to_frame()
    colors = [BLUE, RED, GREEN, ORANGE, GREY]
    traces = []
    for i, holder in enumerate(holdings.holders):
        rows = table.loc[table["holder"] == holder].sort_values("period_end")
        label = holder_label(holder)
        traces.append(
            _line(
                _dates(rows["period_end"]),
                rows["holdings_usd_bn"],
                name=label,
                color=colors[i % len(colors)],
                hover=_holding_hover(label, rows),
                customdata=_custom(
                    rows["change_usd_bn"], rows["share_pct"], rows["rank"], rows["n_holders"]
                ),
            )
        )
    layout = {
        "yaxis": {"title": {"text": "holdings, USD bn"}, "rangemode": "tozero"},
        "xaxis": {"title": {"text": "end of month"}},
    }
    title = "Holdings of US Treasury securities, end of month (TIC major foreign holders)"
    return _figure(title, traces, layout)


# --------------------------------------------------------------------------------------------
# Carry monitor
# --------------------------------------------------------------------------------------------


def usdjpy_chart(
    usdjpy: pd.Series, episodes: UnwindEpisodes, *, since: str = "2000-01-01"
) -> Figure:
    """USD/JPY (yen per dollar) with every unwind episode shaded from its peak to its end.

    The line is thinned (peaks and troughs kept); each episode's trough is marked with its
    exact close, and the hover gives the fall from the peak.
    """
    rate = usdjpy.dropna().sort_index()
    rate = rate.loc[rate.index >= pd.Timestamp(since)]
    shown = thin(rate)
    traces = [
        _line(
            _dates(shown.index),
            shown,
            name="USD/JPY",
            color=BLUE,
            hover="USD/JPY %{y:.2f} yen per USD on %{x}",
        )
    ]
    visible = [e for e in episodes.episodes if len(rate) and e.trough >= rate.index[0]]
    shapes = []
    if visible:
        last_day = rate.index[-1]
        for e in visible:
            end = e.end if e.end is not None else last_day
            x0, x1 = _dates([e.start, end])
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": x1,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": SHADE,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": _dates([e.trough for e in visible]),
                "y": _numbers([e.trough_usdjpy for e in visible]),
                "name": "unwind episode (shaded) and its trough",
                "marker": {"color": RED, "size": 9, "symbol": "triangle-down"},
                "customdata": _custom(
                    [e.start_usdjpy for e in visible], [e.depth_pct for e in visible]
                ),
                "hovertemplate": (
                    "unwind trough %{y:.2f} yen per USD on %{x}: %{customdata[1]:.1f}% from "
                    "the peak of %{customdata[0]:.2f}<extra></extra>"
                ),
            }
        )
    layout = {
        "shapes": shapes,
        "yaxis": {"title": {"text": "yen per US dollar"}, "zeroline": False},
        "xaxis": {"title": {"text": "date"}},
    }
    return _figure(
        "USD/JPY and carry-unwind episodes (FRED DEXJPUS, noon New York)", traces, layout
    )


def carry_chart(monitor: CarryMonitor, *, since: str = "2005-01-01") -> Figure:
    """Three panels on one date axis: US minus Japan rates (3-month and 10-year, percentage
    points), carry-to-risk (3-month differential / 3-month realized volatility, a ratio), and
    the carry index (long USD / short JPY funded at the Japanese 3-month rate, base 100)."""
    frame = monitor.frame  # read only: no copy
    frame = frame.loc[frame.index >= pd.Timestamp(since)]
    panels = (
        ("y", "diff_3m_pct", "3-month differential", BLUE, "%{y:+.2f} pp"),
        ("y", "diff_10y_pct", "10-year differential", ORANGE, "%{y:+.2f} pp"),
        ("y2", "carry_to_risk", "carry-to-risk", GREEN, "%{y:.2f} (ratio)"),
        ("y3", "carry_index_base100", "carry index", INK, "%{y:.1f} (base 100)"),
    )
    traces = []
    for axis, column, name, color, value in panels:
        series = thin(frame[column])
        if series.empty:
            continue
        traces.append(
            _line(
                _dates(series.index),
                series,
                name=name,
                color=color,
                hover=f"{name}: {value} on %{{x}}",
                yaxis=axis,
            )
        )
    rows = ((1.0, "pp"), (0.8, "ratio"), (0.9, "index"))
    layout = _stacked_axes(rows, x_title="date")
    tops = [layout[a]["domain"][1] for a in ("yaxis", "yaxis2", "yaxis3")]
    layout["annotations"] = _panel_titles(
        list(
            zip(
                (
                    "US minus Japan rates, percentage points",
                    "Carry-to-risk: 3-month differential / 3-month realized USD/JPY volatility",
                    "Carry index: long USD / short JPY funded at the Japanese 3-month rate "
                    "(base 100)",
                ),
                tops,
                strict=True,
            )
        )
    )
    layout.update(height=760, margin={"t": 90})
    title = "Yen carry: rate differentials, carry-to-risk and carry index"
    return _figure(title, traces, layout)


def _zero_aligned_ranges(
    left: np.ndarray, right: np.ndarray, *, pad: float = 0.05
) -> tuple[list[float] | None, list[float] | None]:
    """Ranges for two overlaid y axes with their zeros at the same height.

    The right range is the left one times ``k``, the smallest factor that keeps every right
    value inside it; both include zero. None where an axis has no finite value.
    """

    def span(values: np.ndarray) -> tuple[float, float] | None:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return None
        lo, hi = min(float(finite.min()), 0.0), max(float(finite.max()), 0.0)
        width = (hi - lo) or 1.0
        return lo - pad * width * (lo < 0), hi + pad * width * (hi > 0)

    a, b = span(left), span(right)
    if a is None or b is None:
        return (None if a is None else list(a)), (None if b is None else list(b))
    if (a[0] == 0 and b[0] < 0) or (a[1] == 0 and b[1] > 0):
        return list(a), list(b)  # signs differ: no common zero can hold both
    ratios = [b[1] / a[1] if a[1] > 0 else 0.0, b[0] / a[0] if a[0] < 0 else 0.0]
    k = max(ratios) or 1.0
    return [a[0], a[1]], [a[0] * k, a[1] * k]


def positioning_chart(pos: Positioning) -> Figure:
    """CFTC speculative net long yen: contracts (bars) and USD bn (line, right axis), and the
    z-score below. Negative = net short yen, the carry-trade side."""
    frame = pos.to_frame()
    dates = _dates(frame.index)
    trader = {"noncommercial": "non-commercial", "leveraged_funds": "leveraged-fund"}.get(
        pos.trader, pos.trader
    )
    traces = [
        {
            "type": "bar",
            "x": dates,
            "y": _numbers(frame["net_long_jpy_contracts"]),
            "name": "net long yen, contracts",
            "marker": {"color": LIGHT_BLUE, "line": {"width": 0}},
            "customdata": _numbers(frame["net_long_jpy_pct_oi"]),
            "hovertemplate": _extra(
                _hover(
                    "net long yen %{y:+,.0f} contracts (%{customdata:+.1f}% of open interest), "
                    "report of %{x}",
                    "net long yen %{y:+,.0f} contracts (open interest n/a), report of %{x}",
                    frame["net_long_jpy_pct_oi"],
                )
            ),
        },
        _line(
            dates,
            frame["net_long_jpy_usd_bn"],
            name="net long yen, USD bn (right axis)",
            color=BLUE,
            hover="net long yen USD %{y:+,.2f} bn, report of %{x}",
            yaxis="y3",
        ),
        _line(
            dates,
            frame["net_long_jpy_z_3y"],
            name=f"z-score over {pos.z_window_weeks} reports",
            color=RED,
            hover="z-score %{y:+.2f}, report of %{x}",
            yaxis="y2",
        ),
    ]
    layout = _stacked_axes(((2.0, "contracts"), (1.0, "z-score")), x_title="report date (Tuesday)")
    left, right = _zero_aligned_ranges(
        frame["net_long_jpy_contracts"].to_numpy(dtype="float64"),
        frame["net_long_jpy_usd_bn"].to_numpy(dtype="float64"),
    )
    layout["yaxis"]["range"] = left
    layout["yaxis3"] = {
        "range": right,
        "overlaying": "y",
        "side": "right",
        "title": {"text": "USD bn"},
        "showgrid": False,
        "anchor": "x",
        "zeroline": False,
        "tickmode": "auto",
        "ticks": "outside",
    }
    tops = [layout["yaxis"]["domain"][1], layout["yaxis2"]["domain"][1]]
    layout["annotations"] = _panel_titles(
        [
            (f"Net long yen, {trader} traders (CFTC JPY futures; < 0 = net short yen)", tops[0]),
            (f"z-score of the net over the last {pos.z_window_weeks} reports", tops[1]),
        ]
    )
    layout.update(height=640, margin={"t": 90}, bargap=0.0)
    return _figure("CFTC yen futures positioning", traces, layout)


# ----------------------------------------------------------------------- Bitcoin and the yen

#: ColorBrewer's red-to-blue diverging scale, as plotly expands its name ``"RdBu"``.
RDBU: tuple[tuple[float, str], ...] = tuple(
    (i / 10, f"rgb({c})")
    for i, c in enumerate(
        (
            "103,0,31",
            "178,24,43",
            "214,96,77",
            "244,165,130",
            "253,219,199",
            "247,247,247",
            "209,229,240",
            "146,197,222",
            "67,147,195",
            "33,102,172",
            "5,48,97",
        )
    )
)

_VERDICT_COLORS = {"supported": "#2a9d8f", "contradicted": "#e76f51", "inconclusive": "#8d99ae"}


def btc_event_chart(study: EventStudy) -> Figure:
    """Mean excess BTC log return after the events, per horizon, with its bootstrap band."""
    h = study.horizons
    band = f"{study.level:.0%} band"
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": h,
            "y": _numbers(study.upper_pct),
            "line": {"width": 0},
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": h,
            "y": _numbers(study.lower_pct),
            "fill": "tonexty",
            "fillcolor": "rgba(42,157,143,0.2)",
            "line": {"width": 0},
            "name": band,
            "hoverinfo": "skip",
        },
        _line(
            h,
            study.mean_excess_pct,
            name="mean excess",
            color="#264653",
            hover="%{x} days: %{y:+.2f}%",
        ),
    ]
    if study.placebo is not None:
        traces.append(
            _line(
                h,
                study.placebo.mean_excess_pct,
                name="placebo",
                color="#e9c46a",
                hover="placebo %{x} days: %{y:+.2f}%",
            )
        )
    return _figure(
        f"BTC after {len(study.events)} yen shocks: excess log return over its drift",
        traces,
        {
            "xaxis": {"title": {"text": "days after the event"}},
            "yaxis": {"title": {"text": "percent (log return)"}},
        },
    )


def btc_heatmap_chart(result: SweepResult) -> Figure:
    """Annualised Sharpe over fall × look-back at the best rule's holding period: a grid of
    square markers (a plotly heatmap draws itself as an image URL, which the offline report
    avoids)."""
    table = result.heatmap("sharpe")
    cells = table.stack(future_stack=True).reset_index()
    cells.columns = ["fall_pct", "lookback", "sharpe"]
    return _figure(
        f"Sharpe (365-day annualisation) by rule, holding {table.attrs['hold']} days",
        [
            {
                "type": "scatter",
                "mode": "markers",
                "x": cells["lookback"].to_numpy(),
                "y": cells["fall_pct"].to_numpy(),
                "marker": {
                    "symbol": "square",
                    "size": 9,
                    "color": _numbers(cells["sharpe"]),
                    "colorscale": RDBU,
                    "cmid": 0,
                    "showscale": True,
                    "colorbar": {"title": {"text": "Sharpe"}},
                },
                "hovertemplate": "fall > %{y:.2f}% over %{x} days: Sharpe "
                "%{marker.color:.2f}<extra></extra>",
            }
        ],
        {
            "xaxis": {"title": {"text": "look-back n (days)"}},
            "yaxis": {"title": {"text": "USD/JPY fall x (%)"}},
        },
    )


def btc_chain_chart(chain: ChainResult) -> Figure:
    """Each link's effect with its interval, coloured by verdict."""
    links = chain.links
    names = [x.name for x in links]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": _numbers([x.effect for x in links]),
            "marker": {"color": [_VERDICT_COLORS[x.verdict] for x in links]},
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": _numbers([x.upper - x.effect for x in links]),
                "arrayminus": _numbers([x.effect - x.lower for x in links]),
            },
            "customdata": np.array([[x.unit, x.verdict, x.events] for x in links], dtype=object),
            "hovertemplate": "%{x:+.1f} %{customdata[0]} (%{customdata[1]}, "
            "%{customdata[2]} episodes)<extra></extra>",
        }
    ]
    return _figure(
        "The chain: effect of each link beyond drift (interval; colour = verdict)",
        traces,
        {"xaxis": {"title": {"text": "effect, in each link's unit"}}, "margin": {"l": 220}},
    )
