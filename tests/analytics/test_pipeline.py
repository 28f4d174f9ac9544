"""The analysis bundle: each result computed once, declared needs, missing data as DataError,
and the result reprs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from tests.report.conftest import _cftc, _rates_and_fx, _tic, _weekly_flows
from yenflow import pipeline
from yenflow.analytics.results import Result
from yenflow.errors import DataError
from yenflow.frame import FRAME_COLUMNS


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(20250418)
    parts = [*_weekly_flows(rng), *_rates_and_fx(), *_cftc(rng), *_tic()]
    return pd.concat(parts, ignore_index=True)[list(FRAME_COLUMNS)]


def test_each_result_is_computed_once_even_from_threads(obs: pd.DataFrame) -> None:
    bundle = pipeline.analyse(obs)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: bundle.carry, range(8)))
    assert all(r is results[0] for r in results)
    assert bundle.unwinds is bundle.carry.episodes  # one detector run, shared
    assert bundle.flows("outward", "long_term_debt") is bundle.flows("outward", "long_term_debt")
    assert set(bundle.computed()) >= {"carry", "unwinds", "flows.outward.long_term_debt"}
    with pytest.raises(AttributeError):
        bundle.as_of = None  # type: ignore[misc]


def test_missing_series_is_a_data_error_naming_them(obs: pd.DataFrame) -> None:
    bundle = pipeline.analyse(obs.loc[~obs["series_id"].str.startswith("fred.")])
    for _ in range(2):  # the failure is kept: asked again, the same error
        with pytest.raises(DataError, match=r"fred\.DEXJPUS"):
            bundle.get("carry")
    assert "carry" not in bundle.computed()
    assert bundle.positioning.trader == "noncommercial"  # CFTC alone still works
    assert bundle.usdjpy_rates is None


def test_required_series_are_the_declared_ones_present() -> None:
    available = [
        "fred.DEXJPUS",
        "fred.DTB3",
        "fred.UNUSED",
        "tic.holdings.japan",
        "tic.holdings.belgium",
        "mof.monthly.investor.banks.long_term_debt.net",
        "mof.monthly.investor.banks.equity.net",
        "btc.close",
    ]
    needed = pipeline.required_series(available)
    assert "fred.UNUSED" not in needed and "btc.close" not in needed
    assert {"fred.DEXJPUS", "fred.DTB3", "tic.holdings.belgium"} <= set(needed)  # by prefix
    assert "mof.monthly.investor.banks.long_term_debt.net" in needed
    # the investor-type section shows bonds only; the attribution also reads equity flows
    # (trust accounts buying foreign equities is a rebalancing fingerprint)
    assert "mof.monthly.investor.banks.equity.net" in needed
    without_why = pipeline.required_series(
        available, names=[n for n in pipeline.ENTRIES if n != "attribution"]
    )
    assert "mof.monthly.investor.banks.equity.net" not in without_why
    assert set(needed) <= set(available)
    assert pipeline.required_series(available, names=["fx"]) == ["fred.DEXJPUS"]


def test_results_have_short_and_html_reprs(obs: pd.DataFrame) -> None:
    bundle = pipeline.analyse(obs, as_of="2024-07-20")
    for result in (bundle.carry, bundle.flows("outward", "equity"), bundle.holdings):
        assert isinstance(result, Result)
        text = repr(result)
        assert text.startswith(f"<{type(result).__name__}: ") and len(text) < 160
        page = result._repr_html_()
        assert "<table" in page and "summary()" in page
    assert repr(bundle).startswith("<Analyses as of 2024-07-20 23:59 UTC: ")
