"""``yenflow btc ...`` against a store filled from the real raw files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yenflow.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store(real_data: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("btc") / "store.duckdb"
    out = runner.invoke(
        app, ["fetch", "fred", "btc", "--from", str(real_data), "--store", str(path)]
    )
    assert out.exit_code == 0, out.output
    return path


def test_btc_commands_have_help() -> None:
    for name in ("events", "leadlag", "chain", "sweep"):
        out = runner.invoke(app, ["btc", name, "--help"])
        assert out.exit_code == 0 and "--as-of" in out.output and "--json" in out.output


@pytest.mark.realdata
def test_btc_events_and_chain_as_of(store: Path, tmp_path: Path) -> None:
    js = tmp_path / "events.json"
    out = runner.invoke(
        app,
        [
            "btc",
            "events",
            "--date",
            "2024-08-05",
            "--reps",
            "300",
            "--store",
            str(store),
            "--json",
            str(js),
            "--as-of",
            "2025-03-01",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(js.read_text())
    assert data["summary"]["events"] == 1
    # as of 2025-03-01 the BTC data end on 2025-02-28: 60 days after 2024-08-05 fit
    assert data["table"][59]["events"] == 1
    js = tmp_path / "chain.json"
    out = runner.invoke(
        app,
        [
            "btc",
            "chain",
            "--reps",
            "200",
            "--store",
            str(store),
            "--json",
            str(js),
        ],
    )
    assert out.exit_code == 0, out.output
    links = json.loads(js.read_text())["summary"]["links"]
    assert [x["verdict"] in {"supported", "contradicted", "inconclusive"} for x in links] == [
        True
    ] * 4
    assert "2025-04-07" in out.output


@pytest.mark.realdata
def test_btc_sweep_and_bad_options(store: Path, tmp_path: Path) -> None:
    js = tmp_path / "sweep.json"
    out = runner.invoke(
        app,
        [
            "btc",
            "sweep",
            "--spa-reps",
            "50",
            "--store",
            str(store),
            "--json",
            str(js),
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(js.read_text())
    assert data["summary"]["configurations"] == 10_000
    assert len(data["tests"]) == 4
    bad = runner.invoke(app, ["btc", "sweep", "--backend", "spark", "--store", str(store)])
    assert bad.exit_code == 2
    bad = runner.invoke(app, ["btc", "events", "--as-of", "someday", "--store", str(store)])
    assert bad.exit_code == 2
