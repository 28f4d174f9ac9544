"""The CLI: every command has help and is documented; the commands work on a real snapshot."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from yenflow.cli import app

runner = CliRunner()


def commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = commands()
    expected = {"fetch", "report", "series", "show", "export", "sources", "trace", "log", "status"}
    assert expected <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert len(result.output.strip()) > 40
        assert re.search(rf"yenflow {name}\b", readme), f"`yenflow {name}` is not in README.md"


@pytest.fixture(scope="module")
def store(real_data: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store.duckdb"
    result = runner.invoke(
        app, ["fetch", "mof", "fred", "--from", str(real_data), "--store", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.realdata
def test_show_series_trace_log(store: Path):
    out = runner.invoke(
        app,
        ["show", "mof.weekly.outward.long_term_debt.net", "--store", str(store), "--last", "400"],
    )
    assert out.exit_code == 0, out.output
    assert "JPY 100 million" in out.output and "-25,726" in out.output
    out = runner.invoke(app, ["series", "--store", str(store), "--contains", "DEXJPUS"])
    assert out.exit_code == 0 and "fred.DEXJPUS" in out.output
    out = runner.invoke(
        app, ["trace", "mof.weekly.outward.long_term_debt.net", "2025-04-02", "--store", str(store)]
    )
    assert out.exit_code == 0, out.output
    assert "mof/week.csv" in out.output and "de9ba9847fdc8beb" in out.output
    out = runner.invoke(app, ["log", "--store", str(store)])
    assert out.exit_code == 0 and "ingested" in out.output
    out = runner.invoke(app, ["status", "--store", str(store)])
    assert out.exit_code == 0 and "mof" in out.output and "2026-09-12" in out.output


@pytest.mark.realdata
def test_export_csv_and_parquet(store: Path, tmp_path: Path):
    ids = ["mof.weekly.outward.long_term_debt.net", "fred.DEXJPUS"]
    csv = tmp_path / "x.csv"
    out = runner.invoke(app, ["export", *ids, "--out", str(csv), "--store", str(store)])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(csv)
    row = frame[(frame.series_id == ids[0]) & (frame.period_start == "2025-03-30")]
    assert row["value"].item() == -25726 and row["unit"].item() == "JPY 100 million"
    pq = tmp_path / "x.parquet"
    out = runner.invoke(
        app,
        [
            "export",
            *ids,
            "--out",
            str(pq),
            "--shape",
            "wide",
            "--store",
            str(store),
            "--as-of",
            "2025-04-18",
        ],
    )
    assert out.exit_code == 0, out.output
    wide = pd.read_parquet(pq)
    assert wide.index.max() <= pd.Timestamp("2025-04-18")
    assert wide.loc[pd.Timestamp("2025-04-12"), ids[0]] == -5119


@pytest.mark.realdata
def test_fetch_json_reports_unchanged_on_second_run(store: Path, real_data: Path):
    out = runner.invoke(
        app, ["fetch", "mof", "--from", str(real_data), "--store", str(store), "--json"]
    )
    assert out.exit_code == 0
    result = json.loads(out.output)
    assert result["sources"][0]["status"] == "unchanged"


def test_bad_options_fail_clearly(tmp_path: Path):
    out = runner.invoke(app, ["fetch", "nosuch", "--store", str(tmp_path / "s.duckdb")])
    assert out.exit_code != 0 and "unknown source" in out.output
    out = runner.invoke(app, ["show", "x", "--store", str(tmp_path / "missing.duckdb")])
    assert out.exit_code == 1 and "yenflow fetch" in out.output
