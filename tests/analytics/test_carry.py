"""Tests of the carry-trade monitor (yenflow.analytics.carry) and its statistics (stats).

Three layers: hand-checked values on tests/fixtures/carry/mini_obs.csv and small synthetic
series; hypothesis properties; real-data checks against the real raw files in YENFLOW_TEST_DATA
(values recomputed here from the raw CSV files with the csv module, independently of the parsers).
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload
from yenflow.analytics.carry import (
    JPY_FUTURES_CONTRACT_JPY,
    UnwindParams,
    build_carry_index,
    carry_monitor,
    detect_unwinds,
    distance_from_low,
    fx_volatility,
    positioning,
    rate_differentials,
    tbill_bond_equivalent_pct,
)
from yenflow.analytics.stats import (
    annualized_vol_pct,
    drawdown_pct,
    drawdown_periods,
    rolling_peak_index,
    rolling_zscore,
)
from yenflow.config import Settings
from yenflow.errors import DataError

MINI = FIXTURES / "carry" / "mini_obs.csv"


def mini_obs() -> pd.DataFrame:
    """The hand-made canonical frame, with the store's dtypes."""
    frame = pd.read_csv(MINI)
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


def business_days(n: int, start: str = "2020-01-01") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n)


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ----------------------------------------------------------------------------- stats


def test_vol_of_alternating_returns_by_hand() -> None:
    # 21 log returns +1 %, -1 %, ... (11 up, 10 down): rms = 1 %, sample sd by formula.
    r = np.array([0.01 if i % 2 == 0 else -0.01 for i in range(21)])
    prices = pd.Series(100 * np.exp(np.concatenate([[0.0], np.cumsum(r)])), business_days(22))
    rms = annualized_vol_pct(prices, window=21, demean=False)
    assert rms.iloc[-1] == pytest.approx(0.01 * math.sqrt(252) * 100)  # 15.8745...
    mean = 0.01 / 21
    sd = math.sqrt((21 * 0.01**2 - 21 * mean**2) / 20)
    assert annualized_vol_pct(prices, window=21).iloc[-1] == pytest.approx(
        sd * math.sqrt(252) * 100
    )
    assert annualized_vol_pct(prices, window=21).iloc[:-1].isna().all()  # needs 21 returns


def test_rolling_zscore_by_hand() -> None:
    z = rolling_zscore(pd.Series([1.0, 2.0, 3.0, 4.0, 10.0]), window=5)
    # mean 4, sample sd sqrt((9 + 4 + 1 + 0 + 36) / 4) = sqrt(12.5)
    assert z.iloc[-1] == pytest.approx(6 / math.sqrt(12.5))
    assert z.iloc[:4].isna().all()
    assert np.isnan(rolling_zscore(pd.Series([3.0] * 5), window=5).iloc[-1])  # sd 0 -> NaN


def test_drawdowns_by_hand() -> None:
    level = pd.Series([100.0, 110.0, 99.0, 104.5, 111.0, 100.0], business_days(6))
    dd = drawdown_pct(level)
    assert dd.iloc[2] == pytest.approx(-10.0)
    assert dd.iloc[4] == 0.0
    periods = drawdown_periods(level)
    assert list(periods["depth_pct"].round(6)) == [-10.0, pytest.approx(-9.909910, abs=1e-6)]
    first = periods.iloc[0]
    assert (first["peak"], first["trough"], first["recovery"]) == tuple(level.index[[1, 2, 4]])
    assert pd.isna(periods.iloc[1]["recovery"])  # still under water at the end


def test_rolling_peak_index_prefers_latest_tie() -> None:
    v = np.array([1.0, 3.0, 2.0, 3.0, 1.0, 0.0])
    assert rolling_peak_index(v, 3).tolist() == [0, 1, 1, 3, 3, 3]


# ----------------------------------------------------------------------------- fixture


def test_tbill_bond_equivalent_by_hand() -> None:
    # 365 x 0.05 / (360 - 0.05 x 91) = 18.25 / 355.45
    assert tbill_bond_equivalent_pct(5.0) == pytest.approx(100 * 18.25 / 355.45)
    assert tbill_bond_equivalent_pct(0.0) == 0.0


def test_differentials_by_hand_without_look_ahead() -> None:
    diffs = rate_differentials(mini_obs(), tbill_basis="discount").to_frame()
    # July's Japan figure (0.20) is published on 14 August: until then June's (0.10, published
    # 15 July) is what was known, also in the first days of August; August's (0.30) never.
    expected_jp = {"2024-07-29": 0.10, "2024-07-30": 0.10, "2024-08-01": 0.10, "2024-08-05": 0.10}
    for when, jp in expected_jp.items():
        assert diffs.loc[when, "jp_3m_pct"] == pytest.approx(jp)
        assert diffs.loc[when, "jp_3m_period_end"] == pd.Timestamp("2024-06-30")
    assert diffs.loc["2024-07-29", "diff_3m_pct"] == pytest.approx(4.90)
    assert diffs.loc["2024-08-05", "diff_3m_pct"] == pytest.approx(4.50)
    # every row says when all of it was public: DTB3 and JGB of the day, June's Japan rate
    assert (diffs["known_at"] >= pd.Timestamp("2024-07-15 12:00", tz="UTC")).all()
    assert diffs.loc["2024-07-30", "diff_10y_pct"] == pytest.approx(4.10 - 1.10)
    assert diffs.loc["2024-08-02", "diff_10y_pct"] == pytest.approx(3.80 - 1.05)  # JGB holiday
    bey = rate_differentials(mini_obs()).to_frame()
    assert bey.loc["2024-07-29", "us_3m_pct"] == pytest.approx(100 * 18.25 / 355.45)


def test_daily_rate_not_carried_past_its_last_observation() -> None:
    obs = mini_obs()
    obs = obs[~((obs["series_id"] == "jgb.yield.10y") & (obs["period_end"] == "2024-08-05"))]
    diffs = rate_differentials(obs).to_frame()
    assert diffs.loc["2024-08-01", "jp_10y_pct"] == pytest.approx(1.05)
    # the last JGB yield is of 2024-08-01: later days are unknown, not 1.05
    assert diffs.loc["2024-08-02":, "jp_10y_pct"].isna().all()


def test_dgs3mo_preferred_and_oecd_10y_fallback() -> None:
    obs = mini_obs()
    dgs3mo = obs[obs["series_id"] == "fred.DTB3"].assign(series_id="fred.DGS3MO", value=5.5)
    oecd = obs[obs["series_id"] == "fred.IR3TIB01JPM156N"].assign(
        series_id="fred.IRLTLT01JPM156N", value=[0.9, 1.0, 1.1]
    )
    no_jgb = obs[obs["series_id"] != "jgb.yield.10y"]
    result = rate_differentials(pd.concat([no_jgb, dgs3mo, oecd]))
    frame = result.to_frame()
    assert result.sources["us_3m"] == "fred.DGS3MO" and result.us_3m_basis == "bond_equivalent"
    assert (frame["us_3m_pct"] == 5.5).all()  # constant maturity: already bond-equivalent
    assert result.sources["jp_10y"] == "fred.IRLTLT01JPM156N"
    assert frame.loc["2024-07-30", "jp_10y_pct"] == 0.9  # June's, July not ended
    assert frame.loc["2024-08-02", "jp_10y_pct"] == 0.9  # July's is published on 14 August
    forced = rate_differentials(pd.concat([obs, dgs3mo]), us_3m="DTB3", tbill_basis="discount")
    assert forced.to_frame().loc["2024-07-29", "us_3m_pct"] == 5.0
    assert forced.sources["us_3m"] == "fred.DTB3" and forced.us_3m_basis == "discount"
    without_10y = rate_differentials(no_jgb)
    assert without_10y.sources["jp_10y"] is None
    assert without_10y.to_frame()["diff_10y_pct"].isna().all()


def test_monthly_rate_expires_92_days_after_its_month() -> None:
    obs = mini_obs()
    obs = obs[obs["series_id"] != "fred.IR3TIB01JPM156N"].iloc[:0]
    june = mini_obs().query("series_id == 'fred.IR3TIB01JPM156N'").head(1)  # June 2024: 0.10
    us = june.assign(series_id="fred.DTB3", value=5.0)
    days = pd.to_datetime(["2024-06-30", "2024-07-01", "2024-07-15", "2024-09-30", "2024-10-01"])
    us = pd.concat([us.assign(period_start=d, period_end=d) for d in days])
    diffs = rate_differentials(pd.concat([obs, june, us]), tbill_basis="discount").to_frame()
    # June's figure is published on 15 July (not on 1 July, the day its month is over) and
    # used until 92 days after its month end
    assert diffs["jp_3m_pct"].isna().tolist() == [True, True, False, False, True]


def test_monthly_rate_never_before_its_month_ends() -> None:
    june = mini_obs().query("series_id == 'fred.IR3TIB01JPM156N'").head(1)
    early = june.assign(published_at=pd.Timestamp("2024-06-15", tz="UTC"))  # a wrong stamp
    days = pd.to_datetime(["2024-06-29", "2024-06-30", "2024-07-01"])
    us = pd.concat(
        [june.assign(series_id="fred.DTB3", value=5.0, period_start=d, period_end=d) for d in days]
    )
    diffs = rate_differentials(pd.concat([early, us]), tbill_basis="discount").to_frame()
    assert diffs["jp_3m_pct"].isna().tolist() == [True, True, False]


def test_carry_index_three_days_by_hand() -> None:
    monitor = carry_monitor(mini_obs(), tbill_basis="discount")
    level = monitor.carry.frame["carry_index_base100"]
    # day 1: +2 % spot + 4.90 % x 1/360; day 2: 147.9/153 - 1 + 4.90 % x 3/360;
    # day 3: -2 % + 4.70 % x 3/360 (the differential known on the previous observation day:
    # US 4.80 % minus June's Japanese 0.10 %, July's being published only on 14 August).
    i1 = 100 * (1 + 0.02 + 0.049 / 360)
    i2 = i1 * (1 + (147.9 / 153 - 1) + 0.049 * 3 / 360)
    i3 = i2 * (1 - 0.02 + 0.047 * 3 / 360)
    assert level.tolist() == pytest.approx([100.0, i1, i2, i3])
    assert (i1, i2, i3) == pytest.approx((102.0136111, 98.6548130, 96.7203565))
    assert monitor.frame["carry_drawdown_pct"].iloc[-1] == pytest.approx((i3 / i1 - 1) * 100)


def test_positioning_in_usd_by_hand() -> None:
    frame = positioning(mini_obs()).to_frame()
    row = frame.loc["2024-07-30"]
    assert row["net_long_jpy_contracts"] == -100_000
    assert row["usdjpy_jpy_per_usd"] == 153.0
    assert row["net_long_jpy_usd_bn"] == pytest.approx(-100_000 * 12.5e6 / 153 / 1e9)
    assert row["net_long_jpy_pct_oi"] == pytest.approx(-40.0)
    assert JPY_FUTURES_CONTRACT_JPY == 12_500_000


def test_monitor_state_is_json_and_dated() -> None:
    monitor = carry_monitor(mini_obs(), tbill_basis="discount")
    state = monitor.state()
    assert state["as_of"] == "2024-08-05"
    assert state["diff_3m_pct"] == {"value": pytest.approx(4.50), "date": "2024-08-05"}
    assert state["net_long_jpy_contracts"]["date"] == "2024-07-30"
    assert state["vol_3m_pct_ann"]["value"] is None  # too short a series
    assert state["unwind_active"] is False
    json.dumps(monitor.summary(), allow_nan=False)
    assert (
        monitor.frame.loc["2024-08-05", "net_long_jpy_contracts"] == -100_000
    )  # report 6 days old


def test_monitor_without_cftc_and_missing_required_series() -> None:
    obs = mini_obs()
    no_cftc = carry_monitor(obs[~obs["series_id"].str.startswith("cftc.")])
    assert no_cftc.positioning is None
    assert no_cftc.frame["net_long_jpy_contracts"].isna().all()
    assert any("CFTC" in note for note in no_cftc.summary()["notes"])
    with pytest.raises(DataError, match=re.escape("fred.IR3TIB01JPM156N")):
        carry_monitor(obs[obs["series_id"] != "fred.IR3TIB01JPM156N"])
    with pytest.raises(DataError, match=re.escape("fred.DEXJPUS")):
        carry_monitor(obs[obs["series_id"] != "fred.DEXJPUS"])
    with pytest.raises(DataError, match=re.escape("fred.DGS3MO")):
        rate_differentials(obs, us_3m="DGS3MO")


def test_duplicate_vintages_keep_latest_published() -> None:
    obs = mini_obs()
    extra = obs[obs["series_id"] == "fred.DEXJPUS"].head(1).copy()
    extra["value"] = 151.0
    extra["published_at"] = extra["published_at"] + pd.Timedelta(days=30)
    vol = fx_volatility(pd.concat([extra, obs])).to_frame()
    assert len(vol) == 4
    assert vol["usdjpy_jpy_per_usd"].iloc[0] == 151.0


# ----------------------------------------------------------------------------- detector


def synthetic_drop() -> pd.Series:
    """Flat 100 for 150 days, up to a peak of 110, -10 % in 10 days, back above half-way."""
    path = [100.0] * 150 + list(np.linspace(101, 110, 10))  # peak 110 at position 159
    path += list(np.linspace(108.9, 99.0, 10))  # trough 99 at position 169
    path += list(np.linspace(100.0, 106.0, 10)) + [106.0] * 30  # 104.5 = half-way back
    return pd.Series(path, business_days(len(path)))


def test_detector_finds_the_one_synthetic_drop() -> None:
    fx = synthetic_drop()
    found = detect_unwinds(fx)
    assert len(found) == 1
    e = found.episodes[0]
    assert (e.start, e.start_usdjpy) == (fx.index[159], 110.0)
    assert (e.trough, e.trough_usdjpy) == (fx.index[169], 99.0)
    assert e.depth_pct == pytest.approx(-10.0)
    assert e.length_days == (fx.index[169] - fx.index[159]).days
    # first close <= 110 x 0.92 = 101.2 is the 8th step of the fall (101.2)
    assert e.first_signal == fx.index[167]
    first_back = fx.index[(fx >= 104.5) & (fx.index > fx.index[169])][0]
    assert (e.end, e.end_reason) == (first_back, "recovered")
    assert not e.active and found.active is None
    assert found.covering(fx.index[165]) == e and found.covering(fx.index[10]) is None


def test_detector_ignores_small_and_slow_falls() -> None:
    up_down = [100.0] * 130 + list(np.linspace(100, 95, 20)) + [95.0] * 20  # -5 %
    slow = list(np.linspace(120, 100, 300))  # -16.7 % but over 300 days, never 8 % in 63
    for path in (up_down, slow):
        assert len(detect_unwinds(pd.Series(path, business_days(len(path))))) == 0


def test_detector_merges_overlapping_falls_and_reports_active() -> None:
    path = [100.0] * 130 + [110.0] + list(np.linspace(109, 100, 8))  # first leg -9.1 %
    path += [102.0, 103.0, *np.linspace(101, 95, 5)]  # no half-way recovery, second leg
    fx = pd.Series(path, business_days(len(path)))
    found = detect_unwinds(fx)
    assert len(found) == 1
    e = found.episodes[0]
    assert e.trough_usdjpy == 95.0 and e.start_usdjpy == 110.0
    assert e.active and e.end is None and e.end_reason == "active"
    assert found.active == e


def test_detector_quiet_end() -> None:
    # one trigger (the 100 close, -9.1 %), then 103: neither a new trigger (> 101.2) nor a
    # half-way recovery (< 105)
    path = [100.0] * 130 + [110.0] + list(np.linspace(108, 100, 5)) + [103.0] * 60
    fx = pd.Series(path, business_days(len(path)))
    e = detect_unwinds(fx, params=UnwindParams(quiet_days=10)).episodes[0]
    assert e.end_reason == "quiet"
    assert e.end == fx.index[135 + 10]  # last trigger + 10 observations
    assert (e.trough, e.trough_usdjpy) == (fx.index[135], 100.0)


def test_detector_confirmations_and_filters() -> None:
    fx = synthetic_drop()
    net = pd.Series(
        [-150_000.0, -60_000.0, -20_000.0],
        pd.DatetimeIndex([fx.index[158], fx.index[164], fx.index[169]]),
    )
    e = detect_unwinds(fx, net_long_jpy=net).episodes[0]
    assert e.net_long_jpy_start_contracts == -150_000
    assert e.net_long_jpy_trough_contracts == -20_000
    assert e.positioning_change_contracts == 130_000
    assert e.short_covering is True and e.vol_spike is True  # vol_3m at the peak is tiny
    assert len(detect_unwinds(fx, params=UnwindParams(confirm="both"), net_long_jpy=net)) == 1
    assert len(detect_unwinds(fx, params=UnwindParams(confirm="short_covering"))) == 0
    with pytest.raises(ValueError, match="fall_pct"):
        UnwindParams(fall_pct=0)
    with pytest.raises(ValueError, match="confirm"):
        UnwindParams(confirm="maybe")  # type: ignore[arg-type]


def test_distance_from_low_by_hand() -> None:
    fx = synthetic_drop()
    e = detect_unwinds(fx).episodes[0]
    d = distance_from_low(fx, e, fx.index[-1])
    assert (d.above_low_jpy, d.above_low_pct) == pytest.approx((7.0, 700 / 99))
    month = distance_from_low(fx, e, fx.index[169], period="month")
    assert month.usdjpy_jpy_per_usd == 99.0 and month.above_low_jpy == 0.0
    with pytest.raises(DataError):
        distance_from_low(fx, e, "1990-01-01")


# ----------------------------------------------------------------------------- properties

prices_strategy = st.lists(
    st.floats(min_value=-0.03, max_value=0.03, allow_nan=False), min_size=30, max_size=200
).map(lambda r: pd.Series(100 * np.exp(np.cumsum([0.0, *r])), business_days(len(r) + 1)))


@settings(max_examples=60, deadline=None)
@given(prices=prices_strategy, scale=st.floats(min_value=0.01, max_value=1000))
def test_vol_is_scale_invariant(prices: pd.Series, scale: float) -> None:
    a = annualized_vol_pct(prices, window=21)
    b = annualized_vol_pct(prices * scale, window=21)
    # atol in percentage points: pandas' online rolling variance leaves ~1e-7 of rounding
    # noise on windows of (nearly) constant prices (found with --hypothesis-seed=4)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-7, atol=1e-5)


@settings(max_examples=60, deadline=None)
@given(prices=prices_strategy)
def test_zero_differential_index_is_spot_ratio(prices: pd.Series) -> None:
    zero = pd.Series(0.0, prices.index)
    level = build_carry_index(prices, zero).frame["carry_index_base100"]
    np.testing.assert_allclose(level.to_numpy(), 100 * prices / prices.iloc[0], rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(diff=st.floats(min_value=-5, max_value=10), n=st.integers(min_value=2, max_value=60))
def test_flat_spot_index_accrues_the_differential(diff: float, n: int) -> None:
    dates = business_days(n)
    flat = pd.Series(150.0, dates)
    level = build_carry_index(flat, pd.Series(diff, dates)).frame["carry_index_base100"]
    days = np.diff(dates.to_numpy()) / np.timedelta64(1, "D")
    expected = 100 * np.prod(1 + diff / 100 * days / 360)
    assert level.iloc[-1] == pytest.approx(expected, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(prices=prices_strategy)
def test_drawdown_periods_agree_with_the_drawdown_curve(prices: pd.Series) -> None:
    dd = drawdown_pct(prices)
    periods = drawdown_periods(prices)
    assert (dd <= 0).all()
    if (dd < 0).any():
        deepest = periods.iloc[0]
        assert deepest["depth_pct"] == pytest.approx(dd.min())
        assert deepest["trough"] == dd.idxmin()
    else:
        assert periods.empty
    assert len(periods) == int(((dd < 0) & (dd.shift(1, fill_value=0) == 0)).sum())
    for row in periods.itertuples():
        back = prices.loc[row.peak :].iloc[1:]
        above = back[back >= row.peak_level]
        if above.empty:
            assert pd.isna(row.recovery)
        else:
            assert row.recovery == above.index[0]


@settings(max_examples=60, deadline=None)
@given(prices=prices_strategy)
def test_detector_invariants_on_random_walks(prices: pd.Series) -> None:
    params = UnwindParams(fall_pct=3.0, peak_window_days=20, max_fall_days=10, quiet_days=5)
    found = detect_unwinds(prices, params=params)
    previous_end = None
    for e in found.episodes:
        assert e.depth_pct <= -params.fall_pct + 1e-9
        assert e.start <= e.first_signal and e.start <= e.trough
        assert e.trough_usdjpy == prices.loc[e.start : e.end or prices.index[-1]].min()
        if previous_end is not None:
            assert e.start >= previous_end
        previous_end = e.end
    peak = rolling_peak_index(prices.to_numpy(), 20)
    np.testing.assert_array_equal(
        prices.to_numpy()[peak], prices.rolling(20, min_periods=1).max().to_numpy()
    )


# ----------------------------------------------------------------------------- real data

REAL_FILES = (
    "fred/DEXJPUS.csv",
    "fred/DEXJPUS_1971-2026_pandas.csv",
    "fred/DTB3.csv",
    "fred/DGS10.csv",
    "fred/IR3TIB01JPM156N.csv",
    "jgb/jgbcm_all.csv",
    "cftc/cot_jpy_legacy_noncommercial_2005-2026.csv",
    "cftc/annual_legacy_futures_only_2025.txt",
    "cftc/FinFutYY_2024.txt",
    "cftc/FinFutYY_2025.txt",
)


@pytest.fixture(scope="module")
def real_obs(real_data: Path) -> pd.DataFrame:
    from yenflow.sources.cftc import CftcSource
    from yenflow.sources.fred import FredSource
    from yenflow.sources.jgb import JgbSource

    sources = {"fred": FredSource, "jgb": JgbSource, "cftc": CftcSource}
    env = Settings.from_env({})
    frames = []
    for relative in REAL_FILES:
        source = sources[relative.split("/")[0]](env)
        frames.append(source.parse(load_payload(real_data, relative)).frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def monitor(real_obs: pd.DataFrame):
    return carry_monitor(real_obs)


def raw_csv(real_data: Path, relative: str) -> dict[str, list[str]]:
    """``{first column: other cells}`` of a raw CSV, read without the parsers."""
    with (real_data / relative).open(newline="") as handle:
        rows = list(csv.reader(handle))
    return {row[0]: row[1:] for row in rows[1:]}


def raw_fred(real_data: Path, relative: str) -> dict[str, float]:
    return {k: float(v[0]) for k, v in raw_csv(real_data, relative).items() if v and v[0]}


@pytest.mark.realdata
def test_real_detector_finds_the_2024_unwind(monitor, real_data: Path) -> None:
    episode = monitor.episodes.covering("2024-08-05")
    assert episode is not None
    assert episode.start.strftime("%Y-%m") == "2024-07"
    assert episode.trough.strftime("%Y-%m") in {"2024-08", "2024-09"}
    # independently: July 2024 high of the official file, then the lowest close to end-September
    fx = raw_fred(real_data, "fred/DEXJPUS.csv")
    july = {k: v for k, v in fx.items() if k.startswith("2024-07")}
    peak_day = max(july, key=lambda k: july[k])
    after = {k: v for k, v in fx.items() if peak_day <= k <= "2024-09-30"}
    low_day = min(after, key=lambda k: after[k])
    assert (peak_day, july[peak_day]) == ("2024-07-10", 161.73)
    assert (low_day, after[low_day]) == ("2024-09-13", 140.66)
    assert episode.start == day(peak_day) and episode.trough == day(low_day)
    assert episode.depth_pct == pytest.approx((140.66 / 161.73 - 1) * 100)  # -13.03 %
    assert fx["2024-08-05"] == 143.95 and episode.vol_spike and episode.short_covering
    assert episode.carry_index_drawdown_pct == pytest.approx(-12.23, abs=0.01)


@pytest.mark.realdata
def test_real_episode_count_is_modest(monitor) -> None:
    since_2005 = monitor.episodes.between("2005-01-01")
    assert len(since_2005) == 9  # see the report: 2007, 2008, 2010, 2013, 2016, 2020, ...
    assert len(monitor.episodes) == 24  # DEXJPUS since 1971
    assert monitor.episodes.first_date == day("1971-01-04")


@pytest.mark.realdata
def test_real_april_2025_distance_from_the_2024_low(monitor) -> None:
    episode = monitor.episodes.covering("2024-08-05")
    d = monitor.distance_from_low(episode, "2025-04", period="month")
    assert (d.date, d.usdjpy_jpy_per_usd) == (day("2025-04-21"), 140.81)
    assert d.above_low_jpy == pytest.approx(140.81 - 140.66)
    assert d.above_low_pct == pytest.approx((140.81 / 140.66 - 1) * 100)  # +0.107 %
    on_day = monitor.distance_from_low(episode, "2025-04-21")
    assert on_day.above_low_jpy == pytest.approx(0.15)


@pytest.mark.realdata
def test_real_positioning_over_the_2024_episode(monitor, real_data: Path) -> None:
    cot = raw_csv(real_data, "cftc/cot_jpy_legacy_noncommercial_2005-2026.csv")
    net = {k: float(v[3]) for k, v in cot.items()}  # report_date -> net = long - short
    assert (net["2024-07-02"], net["2024-08-06"]) == (-184_223, -11_354)
    weekly = monitor.positioning.frame["net_long_jpy_contracts"]
    assert weekly.loc["2024-07-02"] == -184_223 and weekly.loc["2024-08-06"] == -11_354
    assert weekly.loc["2024-08-06"] - weekly.loc["2024-07-02"] == 172_869  # yen short covering
    episode = monitor.episodes.covering("2024-08-05")
    before_start = max(k for k in net if k <= episode.start.strftime("%Y-%m-%d"))
    before_trough = max(k for k in net if k <= episode.trough.strftime("%Y-%m-%d"))
    assert (before_start, before_trough) == ("2024-07-09", "2024-09-10")
    assert episode.net_long_jpy_start_contracts == net[before_start]
    assert episode.positioning_change_contracts == net[before_trough] - net[before_start]
    change = monitor.positioning.frame.loc["2024-08-06", "net_change_1w_contracts"]
    assert change == -11_354 - (-73_460)


@pytest.mark.realdata
def test_real_positioning_usd_and_zscore(monitor, real_data: Path) -> None:
    frame = monitor.positioning.frame
    fx = raw_fred(real_data, "fred/DEXJPUS.csv")
    row = frame.loc["2025-03-18"]
    assert row["net_long_jpy_contracts"] == 122_964  # PROVENANCE check
    assert row["net_long_jpy_usd_bn"] == pytest.approx(122_964 * 12.5e6 / fx["2025-03-18"] / 1e9)
    window = frame["net_long_jpy_contracts"].loc[:"2024-07-02"].tail(156)
    z = (window.iloc[-1] - window.mean()) / window.std(ddof=1)
    assert frame.loc["2024-07-02", "net_long_jpy_z_3y"] == pytest.approx(z)
    assert z < -2.5  # a record yen short before the unwind


@pytest.mark.realdata
def test_real_leveraged_funds(real_obs: pd.DataFrame) -> None:
    lev = positioning(real_obs, trader="leveraged_funds").frame
    assert lev.loc["2025-04-29", "net_long_jpy_contracts"] == 50_238 - 30_627  # +19,611
    assert lev.loc["2024-07-23", "net_long_jpy_contracts"] == 37_264 - 95_860


@pytest.mark.realdata
def test_real_differentials(monitor, real_data: Path) -> None:
    frame = monitor.frame
    dtb3 = raw_fred(real_data, "fred/DTB3.csv")
    jp = raw_fred(real_data, "fred/IR3TIB01JPM156N.csv")
    dgs10 = raw_fred(real_data, "fred/DGS10.csv")
    d = dtb3["2024-07-01"] / 100
    bey = 100 * 365 * d / (360 - 91 * d)
    # FRED stamps an OECD month 45 days after it ends: on 1 July 2024 April's figure was the
    # latest public one (May's came out on 15 July), on 1 August May's, on 15 August June's.
    assert frame.loc["2024-07-01", "jp_3m_period_end"] == pd.Timestamp("2024-04-30")
    expected = bey - jp["2024-04-01"]
    assert frame.loc["2024-07-01", "diff_3m_pct"] == pytest.approx(expected)
    assert frame.loc["2024-08-01", "jp_3m_pct"] == jp["2024-05-01"]
    assert frame.loc["2024-08-15", "jp_3m_pct"] == jp["2024-06-01"]
    assert frame.loc["2024-08-05", "diff_10y_pct"] == pytest.approx(dgs10["2024-08-05"] - 0.781)
    vol = frame.loc["2024-08-05", "vol_3m_pct_ann"]
    assert frame.loc["2024-08-05", "carry_to_risk"] == pytest.approx(
        frame.loc["2024-08-05", "diff_3m_pct"] / vol
    )
    assert monitor.differentials.sources["us_3m"] == "fred.DTB3"
    assert monitor.state()["us_3m_pct"]["date"] == "2026-01-15"  # DTB3's last observation


@pytest.mark.realdata
def test_real_vol_independently(monitor, real_data: Path) -> None:
    fx = raw_fred(real_data, "fred/DEXJPUS.csv")
    days = sorted(k for k in fx if k <= "2024-08-05")[-64:]
    r = np.diff(np.log([fx[k] for k in days]))
    expected = np.std(r, ddof=1) * math.sqrt(252) * 100
    assert monitor.frame.loc["2024-08-05", "vol_3m_pct_ann"] == pytest.approx(expected)
    expected_1m = np.std(r[-21:], ddof=1) * math.sqrt(252) * 100
    assert monitor.frame.loc["2024-08-05", "vol_1m_pct_ann"] == pytest.approx(expected_1m)


@pytest.mark.realdata
def test_real_as_of_the_week_after_the_crash(real_obs: pd.DataFrame, real_data: Path) -> None:
    # what the store shows on 2024-08-13: DEXJPUS through Friday 2024-08-09 (H.10 is weekly)
    known = real_obs[real_obs["published_at"] <= pd.Timestamp("2024-08-13", tz="UTC")]
    state = carry_monitor(known).state()
    assert state["as_of"] == "2024-08-09"
    assert state["unwind_active"] is True
    active = state["active_episode"]
    assert (active["start"], active["first_signal"]) == ("2024-07-10", "2024-08-02")
    assert (active["trough"], active["trough_usdjpy"]) == ("2024-08-05", 143.95)
    assert state["net_long_jpy_contracts"] == {"value": -11_354, "date": "2024-08-06"}
    may = raw_fred(real_data, "fred/IR3TIB01JPM156N.csv")["2024-05-01"]
    assert state["jp_3m_pct"]["value"] == may  # June's figure is stamped 2024-08-14


@pytest.mark.realdata
def test_real_monitor_state(monitor) -> None:
    summary = monitor.summary()
    json.dumps(summary, allow_nan=False)
    state = summary["state"]
    assert state["as_of"] == "2026-05-15"
    assert state["last_episode"]["start"] == "2025-01-08"
    assert state["unwind_active"] is False
    level = monitor.carry.frame["carry_index_base100"]
    # from DTB3's first day to the day after its last (the accrual uses the previous day's rate)
    assert (level.first_valid_index(), level.last_valid_index()) == (
        day("2015-01-15"),
        day("2026-01-16"),
    )
    assert level.loc["2015-01-15":"2026-01-16"].notna().all()
