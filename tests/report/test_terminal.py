"""render_terminal: the compact summary names the latest week, holdings, carry, notes, risk."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from yenflow.frame import empty_frame
from yenflow.report import build_report, render_terminal

GENERATED = pd.Timestamp("2024-07-20 12:00", tz="UTC")


def text_of(obs: pd.DataFrame, **kwargs) -> str:
    report = build_report(obs, generated_at=GENERATED, on_error="raise", **kwargs)
    console = Console(record=True, width=160, color_system=None)
    render_terminal(report, console)
    return console.export_text()


def test_summary_of_small_report(small_obs: pd.DataFrame) -> None:
    text = text_of(small_obs)
    assert "yenflow report · as of latest · generated 2024-07-20 12:00 UTC" in text
    assert "Week 2024-07-07 to 2024-07-13: Japanese investors net sold ¥3.00 tn" in text
    assert "Japanese investors' trades in foreign long-term bonds: latest windows" in text
    assert "Largest since" in text
    assert "Japan held USD 1,154.0 bn of US Treasuries" in text
    assert "stands" in text and "above the low of the last unwind episode" in text
    assert "CFTC non-commercial traders' net long yen" in text
    assert "Risk warning" in text and "Not investment advice" in text
    assert "missing:" not in text


def test_missing_notes_and_as_of(small_obs: pd.DataFrame) -> None:
    no_fred = small_obs.loc[~small_obs["series_id"].str.startswith("fred.")]
    text = text_of(no_fred, as_of="2024-06-01")
    assert "as of 2024-06-01 23:59 UTC" in text  # a bare date: the end of that day
    assert "missing: fred.DEXJPUS — nothing published by 2024-06-01 23:59 UTC in the store" in text
    assert "run `yenflow fetch fred`" in text
    assert text.count("missing: fred.DEXJPUS") == 1  # one line, though several sections note it


def test_empty_store() -> None:
    text = text_of(empty_frame())
    assert "nothing to show" in text
    assert "the store has no observations; run `yenflow fetch` first" in text
    assert "Risk warning" in text
