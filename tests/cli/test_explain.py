"""``yenflow explain`` on a store filled from the real snapshot: the April 2025 episode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yenflow.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store(real_data: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("explain") / "store.duckdb"
    args = ["fetch", "mof", "fred", "cftc", "tic", "--from", str(real_data), "--store", str(path)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.realdata
def test_explain_april_2025_prints_and_writes_json(store: Path, tmp_path: Path):
    out = tmp_path / "card.json"
    args = ["explain", "--start", "2025-03-30", "--end", "2025-04-12", "--store", str(store)]
    result = runner.invoke(app, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "-30,845" in result.output and "Competing explanations" in result.output
    assert "Were they US Treasuries?" in result.output and "Conclusion:" in result.output
    card = json.loads(out.read_text(encoding="utf-8"))
    assert card["observed_jpy_100m"] == -30845.0
    assert card["episode"]["flow"] == "outward.long_term_debt"
    assert set(card["verdicts"]) >= {"rebalancing", "carry_unwind", "fiscal_year_seasonality"}


@pytest.mark.realdata
def test_explain_as_of_before_the_episode_is_public_fails_clearly(store: Path):
    args = ["explain", "--start", "2025-03-30", "--end", "2025-04-12", "--store", str(store)]
    result = runner.invoke(app, [*args, "--as-of", "2025-04-10"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "1 of the episode's 2 weeks are public by 2025-04-10" in text


def test_explain_bad_flow_fails_clearly(tmp_path: Path):
    args = ["explain", "--start", "2025-03-30", "--end", "2025-04-12", "--flow", "sideways.gold"]
    result = runner.invoke(app, [*args, "--store", str(tmp_path / "none.duckdb")])
    assert result.exit_code != 0
