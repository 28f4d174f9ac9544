"""The Python API: pandas objects with units in their metadata, point-in-time reads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import yenflow
from yenflow.errors import DataError


@pytest.fixture(scope="module")
def store(real_data: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("api") / "store.duckdb"
    result = yenflow.fetch(["mof", "fred"], from_dir=real_data, store=path)
    assert result.ok, result.to_frame()
    return path


def test_catalog_lists_every_source_with_units():
    cat = yenflow.catalog()
    assert set(cat["source"]) == {"mof", "jgb", "tic", "fred", "cftc", "btc", "markets"}
    assert (cat["unit"].str.len() > 0).all()
    row = cat.set_index("series_id").loc["mof.weekly.outward.long_term_debt.net"]
    assert row["unit"] == "JPY 100 million" and "> 0" in row["sign"]


@pytest.mark.realdata
def test_series_carries_its_unit(store: Path):
    s = yenflow.series("mof.weekly.outward.long_term_debt.net", store=store)
    assert s.attrs["unit"] == "JPY 100 million" and s.attrs["frequency"] == "weekly"
    assert s.loc[pd.Timestamp("2025-04-05")] == -25726
    wide = yenflow.series(
        ["mof.weekly.outward.long_term_debt.net", "fred.DEXJPUS"], store=store, start="2025-01-01"
    )
    assert wide.attrs["units"]["fred.DEXJPUS"] == "JPY per USD"
    assert wide.loc[pd.Timestamp("2025-04-21"), "fred.DEXJPUS"] == 140.81


@pytest.mark.realdata
def test_as_of_sees_only_what_was_published(store: Path):
    # the week to 12 April 2025 was published on Thursday 17 April, 08:50 Tokyo (23:50 UTC on
    # 16 April); a bare date means the end of that day, UTC, as in the CLI and the report
    sid = "mof.weekly.outward.long_term_debt.net"
    before = yenflow.series(sid, store=store, as_of="2025-04-16T23:49:59Z")
    bare_date = yenflow.series(sid, store=store, as_of="2025-04-16")
    after = yenflow.series(sid, store=store, as_of="2025-04-17T00:00:00Z")
    assert before.index.max() == pd.Timestamp("2025-04-05")
    assert bare_date.index.max() == pd.Timestamp("2025-04-12")
    assert after.index.max() == pd.Timestamp("2025-04-12") and after.iloc[-1] == -5119


@pytest.mark.realdata
def test_unknown_series_is_a_clear_error(store: Path):
    with pytest.raises(DataError, match=r"no series fred\.NOPE"):
        yenflow.series("fred.NOPE", store=store)
