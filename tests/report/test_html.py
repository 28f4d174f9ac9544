"""render_html: one self-contained file, plotly.js once, header, sections, notes, risk warning."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from yenflow.report import Note, Report, Section, build_report, render_html

GENERATED = pd.Timestamp("2024-07-20 12:00", tz="UTC")


@pytest.fixture(scope="module")
def report(small_obs: pd.DataFrame) -> Report:
    return build_report(small_obs, generated_at=GENERATED, on_error="raise")


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return render_html(report)


def without_plotlyjs(page: str) -> str:
    """The page minus the inlined plotly.js bundle (which holds URL strings it never loads)."""
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1
    return page.replace(bundle, "")


def test_plotlyjs_inlined_exactly_once(page: str) -> None:
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1
    assert page.count("plotly.js v") == bundle.count("plotly.js v")


def test_no_external_reference(page: str) -> None:
    ours = without_plotlyjs(page)
    assert not re.search(r"https?://", ours), re.findall(r".{40}https?://.{40}", ours)[:3]
    assert not re.search(r"<(script|img|iframe|link|source)[^>]+(src|href)=", ours, re.I)
    assert "@import" not in ours and "url(" not in ours
    assert "mathjax" not in ours.lower().replace("mathjaxconfig: 'local'", "")
    assert "cdn" not in ours.lower()


def test_header_sections_and_risk_warning(report: Report, page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "As of <strong>latest data</strong> · generated 2024-07-20 12:00 UTC" in page
    positions = [page.index(f'<section id="{s.key}">') for s in report.sections if s.key != "risk"]
    assert positions == sorted(positions)
    risk = page.index('<footer id="risk">')
    assert risk > positions[-1]
    assert page.index("Correlation is not causation") > risk
    for section in report.sections:
        if section.key not in ("risk", "data"):
            assert section.freshness_text().replace("'", "&#x27;") in page, section.key


def test_every_chart_has_a_div_with_a_stable_id(report: Report, page: str) -> None:
    charts = [(s.key, c.key) for s in report.sections for c in s.charts]
    assert len(charts) == 9  # 6, and the "why" section's seasonal, waterfall and model charts
    assert page.count('class="plotly-graph-div"') == len(charts)
    for section_key, chart_key in charts:
        assert f'id="chart-{section_key}-{chart_key}"' in page
    assert render_html(report) == page  # deterministic: no random div ids


def test_missing_data_notes_are_visible(small_obs: pd.DataFrame) -> None:
    no_fred = small_obs.loc[~small_obs["series_id"].str.startswith("fred.")]
    page = render_html(build_report(no_fred, generated_at=GENERATED, on_error="raise"))
    carry = page[page.index('<section id="carry">') : page.index('<section id="data">')]
    assert (
        '<li class="missing">missing: fred.DTB3 — not in the store; run `yenflow fetch fred`</li>'
        in carry
    )


def test_text_is_escaped() -> None:
    section = Section(
        key="x", title="A <b> & C", notes=(Note("info", "<script>alert(1)</script>"),)
    )
    report = Report(
        as_of=pd.Timestamp("2025-04-18", tz="UTC"), generated_at=GENERATED, sections=(section,)
    )
    page = render_html(report)
    assert "A &lt;b&gt; &amp; C" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "As of <strong>2025-04-18 00:00 UTC</strong>" in page


def test_page_is_reasonably_small(page: str) -> None:
    ours = without_plotlyjs(page)
    assert len(ours.encode("utf-8")) < 1_000_000
