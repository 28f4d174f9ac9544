"""The one alignment: values enter BTC's days at their publication time; truncation test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yenflow.analytics.bitcoin.inputs import align, decision_instants, known_at
from yenflow.errors import DataError


def _obs() -> pd.DataFrame:
    """BTC every day (public at 00:00 UTC after the day); USD/JPY on weekdays, published the
    Monday after its week at 20:15 UTC (as the H.10 rule)."""
    btc_days = pd.date_range("2025-03-01", "2025-04-30", freq="D")
    fx_days = pd.bdate_range("2025-03-03", "2025-04-25")
    rng = np.random.default_rng(1)
    monday = fx_days + pd.to_timedelta(7 - fx_days.day_of_week, unit="D")
    rows = [
        pd.DataFrame(
            {
                "series_id": "btc.yahoo.close",
                "period_start": btc_days,
                "period_end": btc_days,
                "value": 80_000 * np.exp(np.cumsum(rng.normal(0, 0.03, len(btc_days)))),
                "published_at": decision_instants(btc_days),
            }
        ),
        pd.DataFrame(
            {
                "series_id": "fred.DEXJPUS",
                "period_start": fx_days,
                "period_end": fx_days,
                "value": 150 + np.cumsum(rng.normal(0, 0.5, len(fx_days))),
                "published_at": (monday + pd.Timedelta(hours=20, minutes=15)).tz_localize("UTC"),
            }
        ),
    ]
    return pd.concat(rows, ignore_index=True)


def test_fx_enters_on_its_publication_day() -> None:
    obs = _obs()
    a = align(obs)
    f = a.frame
    # the week of 31 March - 4 April is published on Monday 7 April, 20:15 UTC: before the BTC
    # close of 7 April (8 April 00:00 UTC), so day 7 April knows Friday 4 April's fix
    assert f.loc["2025-04-06", "usdjpy_period"] == pd.Timestamp("2025-03-28")
    assert f.loc["2025-04-07", "usdjpy_period"] == pd.Timestamp("2025-04-04")
    fx = obs[obs.series_id == "fred.DEXJPUS"].set_index("period_end")["value"]
    assert f.loc["2025-04-07", "usdjpy"] == fx[pd.Timestamp("2025-04-04")]
    assert a.btc_series == "btc.yahoo.close"
    observed = align(obs, timing="observed").frame
    assert observed.loc["2025-04-04", "usdjpy_period"] == pd.Timestamp("2025-04-04")
    assert observed.loc["2025-04-05", "usdjpy_period"] == pd.Timestamp("2025-04-04")


@pytest.mark.parametrize("cut", ["2025-03-20T12:00Z", "2025-04-07T21:00Z", "2025-04-14T19:00Z"])
def test_truncation_changes_nothing_at_or_before_the_cut(cut: str) -> None:
    obs = _obs()
    full = align(obs).frame
    cutoff = pd.Timestamp(cut)
    part = align(obs.loc[obs["published_at"] <= cutoff]).frame
    rows = decision_instants(part.index) <= cutoff
    pd.testing.assert_frame_equal(part.loc[rows], full.loc[part.index[rows]])


def test_known_at_ignores_later_publication_of_older_period() -> None:
    obs = pd.DataFrame(
        {
            "series_id": "x",
            "period_start": pd.to_datetime(["2025-01-02", "2025-01-01"]),
            "period_end": pd.to_datetime(["2025-01-02", "2025-01-01"]),
            "value": [2.0, 1.0],
            "published_at": pd.to_datetime(["2025-01-03", "2025-01-05"], utc=True),
        }
    )
    instants = pd.DatetimeIndex(pd.to_datetime(["2025-01-04", "2025-01-06"], utc=True))
    got = known_at(obs, "x", instants)
    assert list(got["value"]) == [2.0, 2.0]


def test_missing_series_is_a_clear_error() -> None:
    obs = _obs()
    with pytest.raises(DataError, match=r"fred\.WALCL"):
        align(obs, {"walcl": "fred.WALCL"})
    with pytest.raises(DataError, match="daily BTC closes"):
        align(obs.loc[obs.series_id != "btc.yahoo.close"])


@pytest.mark.realdata
def test_real_inputs_april_2025(real_btc_obs: pd.DataFrame) -> None:
    a = align(real_btc_obs, {"usdjpy": "fred.DEXJPUS", "walcl": "fred.WALCL"})
    f = a.frame
    assert a.btc_series == "btc.yahoo.close"
    # BTC closed near USD 76-79k on 7-8 April 2025 (Yahoo file)
    assert 74_000 < f.loc["2025-04-08", "btc"] < 80_000
    # H.10: the week to Friday 4 April is public Monday 7 April
    assert f.loc["2025-04-07", "usdjpy_period"] == pd.Timestamp("2025-04-04")
    # H.4.1: Wednesday 2 April's WALCL is public Thursday 3 April
    assert f.loc["2025-04-02", "walcl_period"] == pd.Timestamp("2025-03-26")
    assert f.loc["2025-04-03", "walcl_period"] == pd.Timestamp("2025-04-02")
