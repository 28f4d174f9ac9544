"""The "Why: competing explanations" section on the small synthetic report and on real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from yenflow.report.build import build_report

GENERATED = pd.Timestamp("2025-05-01 12:00", tz="UTC")


@pytest.fixture(scope="module")
def small(small_obs: pd.DataFrame):
    return build_report(small_obs, generated_at=GENERATED, on_error="raise")


def test_why_section_on_the_small_report(small) -> None:
    why = small.section("why")
    assert why.status == "ok", why.notes
    fact = why.fact("why_latest")
    assert fact.unit == "JPY 100 million" and isinstance(fact.value, float)
    assert set(fact.extra["verdicts"]) >= {"rebalancing", "carry_unwind"}
    hyps = why.table("why_hypotheses")
    assert {row[2] for row in hyps.rows} <= {
        "supported",
        "contradicted",
        "mixed",
        "inconclusive",
        "untestable",
    }
    assert any(
        row[1].startswith("A Treasury basis-trade") and row[2] == "untestable" for row in hyps.rows
    )
    # the April 2025 episode is not in the small data: said, not invented
    assert any("chosen episode 2025-03-30..2025-04-12 left out" in n.text for n in why.notes)
    keys = [c.key for c in why.charts]
    assert "why_latest_seasonal" in keys and "why_latest_waterfall" in keys


@pytest.mark.realdata
def test_why_section_on_real_data(real_obs: pd.DataFrame) -> None:
    report = build_report(real_obs, generated_at=GENERATED, on_error="raise")
    why = report.section("why")
    chosen = why.fact("why_chosen")
    assert chosen.value == -30845.0 and chosen.text.startswith("2025-03-30..2025-04-12")
    assert "Treasuries" in why.fact("why_chosen_treasuries").text
    assert why.fact("why_latest").value < 0  # the latest notable episode is a net sale


def test_why_section_without_the_flow_is_skipped(small_obs: pd.DataFrame, tmp_path: Path):
    obs = small_obs.loc[small_obs["series_id"] != "mof.weekly.outward.long_term_debt.net"]
    report = build_report(obs, generated_at=GENERATED)
    why = report.section("why")
    assert not why.facts
    assert any("mof.weekly.outward.long_term_debt.net" in n.text for n in why.notes)
