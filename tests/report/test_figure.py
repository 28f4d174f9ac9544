"""figure: the chart JSON written without plotly is plotly's own, byte for byte."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from yenflow.report import Report, build_report
from yenflow.report.charts import TEMPLATE
from yenflow.report.figure import Figure
from yenflow.report.html import PLOT_CONFIG

GENERATED = pd.Timestamp("2024-07-20 12:00", tz="UTC")


def plotly_div(figure: Figure, div_id: str) -> str:
    """The chart's div as plotly writes it from the validated figure."""
    return figure.to_plotly().to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=dict(PLOT_CONFIG),
        default_width="100%",
        default_height="440px",
    )


def assert_same_as_plotly(report: Report) -> None:
    charts = [(s.key, c) for s in report.sections for c in s.charts]
    assert charts
    for section, chart in charts:
        figure = chart.spec()
        div_id = f"chart-{section}-{chart.key}"
        ours = figure.to_html(
            div_id=div_id, config=PLOT_CONFIG, default_width="100%", default_height="440px"
        )
        assert ours == plotly_div(figure, div_id), chart.key
        assert figure.to_dict() == json.loads(figure.to_plotly().to_json()), chart.key


def test_every_chart_of_the_small_report_is_plotlys(small_obs: pd.DataFrame) -> None:
    assert_same_as_plotly(build_report(small_obs, generated_at=GENERATED, on_error="raise"))


def test_every_chart_of_the_real_report_is_plotlys(real_obs: pd.DataFrame) -> None:
    assert_same_as_plotly(build_report(real_obs, generated_at=GENERATED, on_error="raise"))


@pytest.mark.parametrize(
    "values",
    [
        np.array([1, -2, 300], dtype="int64"),  # narrowed to int16
        np.array([2**40, 1], dtype="int64"),  # too wide for int32: a list
        np.array([3, 70_000], dtype="uint64"),  # narrowed to uint32
        np.arange(6.0).reshape(3, 2),  # a 2-D block keeps its shape
        np.array([1.5, np.nan, np.inf], dtype="float32"),
        np.array([True, False]),
        np.array(["a</b>", "¥"], dtype=object),
        np.array([], dtype="float64"),
    ],
)
def test_arrays_are_written_as_plotly_writes_them(values: np.ndarray) -> None:
    figure = Figure(
        [{"type": "scatter", "x": values, "customdata": values, "name": "x/y <1>"}],
        {
            "template": TEMPLATE,
            "title": {"text": "t"},
            "yaxis": {"range": np.array([0.0, np.nan])},
            "height": 300.0,
        },
    )
    assert figure.to_html(div_id="d", config=PLOT_CONFIG) == figure.to_plotly().to_html(
        full_html=False, include_plotlyjs=False, div_id="d", config=dict(PLOT_CONFIG)
    )
