"""Event study: hand-checked means, de-clustering, a bootstrap with a known answer, placebo."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from yenflow.analytics.bitcoin.events import event_study, resampled_event_means, yen_shocks
from yenflow.errors import DataError


def test_yen_shocks_declustered() -> None:
    days = pd.date_range("2024-07-01", periods=30, freq="D")
    fx = pd.Series(160.0, index=days)
    fx.iloc[10:] = 154.0  # -3.75 % on day 10 (and on 11, 12 over 3 days: one cluster)
    fx.iloc[25:] = 148.0  # -3.9 % on day 25: 15 days later
    assert list(yen_shocks(fx, fall_pct=3, days=3, min_gap=5)) == [days[10], days[25]]
    assert list(yen_shocks(fx, fall_pct=3, days=3, min_gap=20)) == [days[10]]
    assert len(yen_shocks(fx, fall_pct=5, days=3)) == 0


def test_event_means_hand_checked() -> None:
    days = pd.date_range("2025-01-01", periods=8, freq="D")
    # log returns of days 1..7: 0.1, -0.2, 0.3, 0.0, 0.05, -0.05, 0.1 (sum 0.3, drift 0.3/7)
    logret = np.array([0.1, -0.2, 0.3, 0.0, 0.05, -0.05, 0.1])
    btc = pd.Series(100 * np.exp(np.concatenate([[0], np.cumsum(logret)])), index=days)
    res = event_study(
        btc, [days[1], days[3]], horizons=3, reps=200, seed=1, placebo=False, block_size=2
    )
    mu = 0.3 / 7
    # event day 1 reads days 2..4: -0.2, 0.3, 0.0; event day 3 reads days 4..6: 0, .05, -.05
    want = [
        ((-0.2 - mu) + (0.0 - mu)) / 2,
        ((0.1 - 2 * mu) + (0.05 - 2 * mu)) / 2,
        ((0.1 - 3 * mu) + (0.0 - 3 * mu)) / 2,
    ]
    np.testing.assert_allclose(res.mean_excess_pct, np.array(want) * 100, rtol=1e-12)
    assert list(res.events_used) == [2, 2, 2]
    assert res.drift_pct_per_day == pytest.approx(mu * 100)
    # the lower bound is below the mean, the upper above
    assert (res.lower_pct <= res.mean_excess_pct).all()
    assert (res.upper_pct >= res.mean_excess_pct).all()


def test_bootstrap_known_answer_iid_one_day() -> None:
    """Block size 1 and one event at horizon 1: the null is the empirical distribution of
    ``r - mean(r)``; with r = 0 (x16), +1, -1, +2, -2 the share with |.| >= 2 is 2/20."""
    logret = np.array([0.0] * 16 + [1.0, -1.0, 2.0, -2.0])
    null = resampled_event_means(
        logret, np.array([3]), horizons=1, block_size=1.0, reps=40_000, seed=7
    )[:, 0]
    assert null.mean() == pytest.approx(0.0, abs=0.02)
    assert np.mean(np.abs(null) >= 2.0 - 1e-12) == pytest.approx(2 / 20, abs=0.006)
    assert np.mean(np.abs(null) >= 1.0 - 1e-12) == pytest.approx(4 / 20, abs=0.008)
    # seeded: the same draws again
    again = resampled_event_means(
        logret, np.array([3]), horizons=1, block_size=1.0, reps=40_000, seed=7
    )[:, 0]
    np.testing.assert_array_equal(null, again)


def _planted(effect: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2015-01-01", periods=3000, freq="D")
    logret = rng.normal(0.0005, 0.03, len(days) - 1)
    events = np.arange(100, 2900, 70)
    for e in events:
        logret[e : e + 10] += effect / 10  # +effect over the 10 days after each event
    btc = pd.Series(500 * np.exp(np.concatenate([[0], np.cumsum(logret)])), index=days)
    return btc, days[events]


def test_planted_effect_is_found_and_placebo_is_not() -> None:
    btc, events = _planted(0.08)
    res = event_study(btc, events, horizons=20, reps=4000, seed=3, min_gap=20)
    assert res.at(10)["p_value"] < 0.01
    assert res.at(10)["lower_pct"] > 0
    assert res.placebo is not None and res.placebo.at(10)["p_value"] > 0.01
    assert len(res.placebo.events) == len(events)
    # no overlap between placebo days and the events' neighbourhoods
    gaps = np.abs(res.placebo.events.values[:, None] - events.values[None, :])
    assert (gaps > pd.Timedelta(days=20).to_timedelta64()).all()
    null_btc, _ = _planted(0.0)
    assert event_study(null_btc, events, horizons=20, reps=2000, seed=3).at(10)["p_value"] > 0.05
    frame = res.to_frame()
    assert list(frame["horizon_days"]) == list(range(1, 21))
    assert "placebo_p_value" in frame.columns
    assert "events" in res.describe()


def test_events_near_the_end_use_fewer_windows_and_bad_dates_fail() -> None:
    btc, events = _planted(0.0)
    late = [*events[:3], btc.index[-5]]
    res = event_study(btc, late, horizons=10, reps=200, placebo=False)
    assert res.events_used[3] == 4 and res.events_used[4] == 3
    assert math.isnan(res.per_event_pct[3, 9])
    with pytest.raises(DataError, match="outside the BTC data"):
        event_study(btc, ["1999-01-01"], reps=10)


def test_unwind_events_are_dated_when_confirmed() -> None:
    from yenflow.analytics.bitcoin.events import unwind_events
    from yenflow.analytics.episodes import EpisodeParams

    days = pd.date_range("2024-01-01", periods=200, freq="D")
    fx = pd.Series(150.0, index=days)
    fx.iloc[50:60] = np.linspace(155, 161, 10)  # peak 161 on day 59
    fx.iloc[60:80] = np.linspace(160, 140, 20)  # falls 13 %
    fx.iloc[80:] = 150.0
    got = unwind_events(fx, params=EpisodeParams(fall_pct=8))
    assert len(got) == 1
    # 161 · 0.92 = 148.12 is first crossed on day 72 (148.42 on day 71, 147.37 on day 72)
    assert got[0] == days[72]
