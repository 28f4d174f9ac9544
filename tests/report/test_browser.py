"""The HTML report in headless Chromium: every chart renders, no console error, no network.

Driven over the Chrome DevTools Protocol (tests/report/cdp.py, with the ``websocket-client``
package): Network, Runtime, Log and Page are enabled before the file is opened, so every
request the page makes and every error it logs is recorded.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.report.cdp import Chromium, find_chromium
from yenflow.report import Report, build_report, render_html

pytestmark = pytest.mark.browser

GENERATED = pd.Timestamp("2026-11-25 12:00", tz="UTC")

#: Resolves once every plot div holds an SVG (plotly drew it), or after 20 s with what it has.
COUNT_RENDERED = """
new Promise((resolve) => {
  const started = Date.now();
  (function poll() {
    const divs = [...document.querySelectorAll('.plotly-graph-div')];
    const drawn = divs.filter((d) => d.querySelector('svg.main-svg') !== null);
    // heatmaps draw as an inline image in a .hm group, not a .trace
    const traces = divs.map((d) => d.querySelectorAll('.trace, .hm').length);
    if ((divs.length > 0 && drawn.length === divs.length) || Date.now() - started > 20000) {
      resolve({divs: divs.length, drawn: drawn.length, traces: traces,
               plotly: typeof window.Plotly});
    } else {
      setTimeout(poll, 50);
    }
  })();
})
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    required = os.environ.get("YENFLOW_REQUIRE_BROWSER") == "1"  # set by .ci/run
    if binary is None:
        reason = "headless Chromium is not installed (looked for /usr/bin/chromium, chromium)"
        if required:
            pytest.fail(reason + "; YENFLOW_REQUIRE_BROWSER=1 demands it")
        pytest.skip(reason)
    pytest.importorskip("websocket", reason="the websocket-client package is not installed")
    return binary


def open_report(chromium: str, report: Report, tmp_path: Path) -> tuple[dict, list, list, str]:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    with Chromium(chromium) as browser:
        visit = browser.visit(path, expression=COUNT_RENDERED)
    return visit.value, visit.requests, visit.errors, visit.url


def check(result: dict, requests: list, errors: list, url: str, report: Report) -> None:
    charts = sum(len(s.charts) for s in report.sections)
    assert errors == []
    # data: URLs (images plotly draws inline) are part of the page, not a network request
    fetched = [r for r in requests if not r.startswith("data:")]
    assert fetched == [url], "the page fetched something besides itself"
    assert result["plotly"] == "object"
    assert result["divs"] == charts
    assert result["drawn"] == charts, result
    assert all(n > 0 for n in result["traces"]), result


def test_small_report_renders_offline(chromium: str, small_obs: pd.DataFrame, tmp_path: Path):
    report = build_report(small_obs, generated_at=GENERATED, on_error="raise")
    check(*open_report(chromium, report, tmp_path), report)


@pytest.mark.realdata
def test_real_report_renders_offline(chromium: str, real_obs: pd.DataFrame, tmp_path: Path):
    report = build_report(real_obs, generated_at=GENERATED, on_error="raise")
    result, requests, errors, url = open_report(chromium, report, tmp_path)
    check(result, requests, errors, url, report)
    charts = {s.key: len(s.charts) for s in report.sections}
    assert charts["bitcoin"] == 3  # the chain, event and sweep charts
    assert charts["why"] >= 3  # seasonal distribution, waterfall, policy drift vs flows
    assert result["divs"] == sum(charts.values()) >= 12


def test_report_with_missing_data_renders(
    chromium: str, small_obs: pd.DataFrame, tmp_path: Path
) -> None:
    no_fred = small_obs.loc[~small_obs["series_id"].str.startswith("fred.")]
    report = build_report(no_fred, generated_at=GENERATED, on_error="raise")
    check(*open_report(chromium, report, tmp_path), report)
