"""charts: titles and axis titles with units, hover labels with units, thinning keeps extremes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yenflow.report import Report, build_report
from yenflow.report.charts import MAX_POINTS, thin

GENERATED = pd.Timestamp("2024-07-20 12:00", tz="UTC")

#: chart key -> words its hover labels must contain (the units)
HOVER_UNITS = {
    "flows": "¥ tn",
    "investors": "¥ tn",
    "holdings": "USD",
    "usdjpy": "yen per USD",
    "carry": "pp",
    "positioning": "contracts",
    "why_latest_seasonal": "¥ tn",
    "why_latest_waterfall": "¥ tn",
    "why_latest_model": "¥ tn",
}


@pytest.fixture(scope="module")
def report(small_obs: pd.DataFrame) -> Report:
    return build_report(small_obs, generated_at=GENERATED, on_error="raise")


def figures(report: Report) -> dict[str, go.Figure]:
    return {c.key: c.figure() for s in report.sections for c in s.charts}


def _templates(trace) -> list[str]:
    """A trace's hover templates: one string, or one per point (a vectorised choice)."""
    template = trace.hovertemplate
    if template is None:
        return []
    return [template] if isinstance(template, str) else sorted(set(map(str, template)))


def test_every_chart_has_titles_units_and_hover(report: Report) -> None:
    figs = figures(report)
    assert set(figs) == set(HOVER_UNITS)
    for key, fig in figs.items():
        layout = fig.layout
        assert layout.title.text, key
        assert layout.xaxis.title.text, key
        assert layout.yaxis.title.text, key
        assert fig.data, key
        hovers = " ".join(" ".join(_templates(t)) for t in fig.data)
        assert HOVER_UNITS[key] in hovers, key
        for trace in fig.data:
            assert _templates(trace), (key, trace.name)
            assert trace.name, key


def test_flows_chart_marks_records(report: Report) -> None:
    fig = figures(report)["flows"]
    sales = next(t for t in fig.data if t.name.startswith("largest 2-week net sales"))
    assert tuple(sales.text)[:1] == ("#1",)
    assert fig.layout.yaxis.title.text.endswith("¥ trillion")


def test_usdjpy_chart_shades_episodes(report: Report) -> None:
    fig = figures(report)["usdjpy"]
    assert len(fig.layout.shapes) == 1
    shape = fig.layout.shapes[0]
    assert shape.x0 == "2023-06-30" and shape.yref == "paper"
    trough = next(t for t in fig.data if t.mode == "markers")
    assert list(trough.y) == [132.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=6_000),
    st.integers(min_value=10, max_value=2_000),
)
def test_thin_keeps_ends_and_extremes(values: list[float], max_points: int) -> None:
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values)))
    out = thin(series, max_points=max_points)
    assert len(out) <= max(len(series), max_points + 4)
    assert out.index.is_monotonic_increasing and out.index.isin(series.index).all()
    assert out.iloc[0] == series.iloc[0] and out.iloc[-1] == series.iloc[-1]
    assert out.min() == series.min() and out.max() == series.max()
    assert (out == series.loc[out.index]).all()


def test_thin_long_series_is_short() -> None:
    rng = np.random.default_rng(0)
    series = pd.Series(rng.normal(size=14_000).cumsum())
    assert len(thin(series)) <= MAX_POINTS + 4


def test_positioning_axes_share_their_zero(report: Report) -> None:
    fig = figures(report)["positioning"]
    left, right = fig.layout.yaxis.range, fig.layout.yaxis3.range
    assert left[0] < 0 < left[1]
    assert -left[0] / (left[1] - left[0]) == pytest.approx(-right[0] / (right[1] - right[0]))
    usd = np.asarray(next(t for t in fig.data if "USD bn" in t.name).y, dtype="float64")
    usd = usd[np.isfinite(usd)]
    assert right[0] <= usd.min() and usd.max() <= right[1]


def _thin_by_groupby(series: pd.Series, max_points: int) -> pd.Series:
    """The bucket rule of :func:`thin` written with a pandas groupby (its first form)."""
    clean = series.dropna()
    n = len(clean)
    if n <= max_points:
        return clean
    per_bucket = max(1, int(np.ceil(3 * n / max_points)))
    bucket = np.arange(n) // per_bucket
    grouped = pd.DataFrame({"bucket": bucket, "value": clean.to_numpy()}).groupby("bucket")
    keep = np.zeros(n, dtype=bool)
    keep[grouped["value"].idxmin().to_numpy()] = True
    keep[grouped["value"].idxmax().to_numpy()] = True
    keep[np.flatnonzero(np.diff(bucket, prepend=-1))] = True
    keep[-1] = True
    return clean[keep]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 1.0, -2.5, 3.0, np.nan, np.inf, -np.inf]), max_size=900),
    st.integers(min_value=3, max_value=200),
)
def test_thin_keeps_the_points_of_the_bucket_rule(values: list[float], max_points: int) -> None:
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values)))
    pd.testing.assert_series_equal(
        thin(series, max_points=max_points), _thin_by_groupby(series, max_points)
    )
