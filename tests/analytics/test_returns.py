"""Market returns: the JGB yield-to-return approximation, local / FX / yen returns.

Hand-computed reference (pencil formulas, evaluated once outside the module): a 10-year
par bond with semi-annual coupons at 1 % has modified duration
(1 - 1.005^-20) / 0.01 = 9.493709573 years and convexity
sum_k CF_k k(k+1)/4 * 1.005^-(k+2) = 97.62170717 years^2; a move to 1.1 % over one day
returns 0.01/365 - 9.493709573 * 0.001 + 0.5 * 97.62170717 * 0.001^2 = -0.009417501459,
against -0.009417677625 for repricing the 1 % coupon bond at 1.1 % (plus the day's carry).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import load_payload
from yenflow.analytics.returns import (
    GPIF_PROXIES,
    Proxy,
    asset_returns,
    jgb_return_approximation,
    par_bond_convexity,
    par_bond_duration,
)
from yenflow.config import Settings
from yenflow.errors import DataError
from yenflow.sources.jgb import JgbSource
from yenflow.sources.markets import MarketsSource


def test_par_bond_duration_and_convexity_by_hand() -> None:
    assert par_bond_duration(0.01, 10) == pytest.approx(9.493709573, abs=1e-9)
    assert par_bond_convexity(0.01, 10) == pytest.approx(97.62170717, abs=1e-7)
    # at a zero yield a par bond is a zero-coupon bond: D = T, C = n(n+1)/4 = 105 for 10y
    assert par_bond_duration(0.0, 10) == pytest.approx(10.0)
    assert par_bond_convexity(0.0, 10) == pytest.approx(105.0)
    # vectorized, negative yields allowed (JGBs in 2016-2020)
    d = par_bond_duration(np.array([-0.002, 0.01]), 10)
    assert d[0] > 10 > d[1]


def test_jgb_return_approximation_hand_case() -> None:
    yields = pd.Series([1.0, 1.1], index=pd.to_datetime(["2025-04-07", "2025-04-08"]))
    parts = jgb_return_approximation(yields, maturity_years=10)
    row = parts.iloc[0]
    assert row["carry"] == pytest.approx(0.01 / 365, abs=1e-15)
    assert row["duration"] == pytest.approx(-0.009493709573, abs=1e-12)
    assert row["convexity"] == pytest.approx(0.5 * 97.62170717e-6, abs=1e-12)
    assert row["total"] == pytest.approx(-0.009417501459, abs=1e-11)
    # full repricing of the 1 % coupon bond at 1.1 %: within 0.02 basis points
    assert abs(row["total"] - (-0.009417677625)) < 2e-7


def test_jgb_return_over_a_weekend_accrues_three_days() -> None:
    yields = pd.Series([0.5, 0.5], index=pd.to_datetime(["2025-04-04", "2025-04-07"]))
    parts = jgb_return_approximation(yields, maturity_years=10)
    assert parts["total"].iloc[0] == pytest.approx(0.005 * 3 / 365)


def _obs(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["series_id", "day", "value", "published_at"])
    frame["period_start"] = pd.to_datetime(frame["day"])
    frame["period_end"] = frame["period_start"]
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame[["series_id", "period_start", "period_end", "value", "published_at"]]


#: Mon 2025-04-07 .. Thu 04-10; 04-09 is a US holiday in this fixture (no ACWI close).
SMALL = _obs(
    [
        ("markets.acwi.close", "2025-04-07", 100.0, "2025-04-07 20:00"),
        ("markets.acwi.close", "2025-04-08", 102.0, "2025-04-08 20:00"),
        ("markets.acwi.close", "2025-04-10", 102.0, "2025-04-10 20:00"),
        ("markets.usdjpy.close", "2025-04-07", 150.0, "2025-04-08 00:00"),
        ("markets.usdjpy.close", "2025-04-08", 147.0, "2025-04-09 00:00"),
        ("markets.usdjpy.close", "2025-04-09", 147.0, "2025-04-10 00:00"),
        ("markets.usdjpy.close", "2025-04-10", 151.41, "2025-04-11 00:00"),
        ("markets.topix.close", "2025-04-07", 2000.0, "2025-04-07 06:30"),
        ("markets.topix.close", "2025-04-08", 2100.0, "2025-04-08 06:30"),
        ("markets.topix.close", "2025-04-09", 2079.0, "2025-04-09 06:30"),
        ("markets.topix.close", "2025-04-10", 2079.0, "2025-04-10 06:30"),
    ]
)
PROXIES = {
    "foreign_equity": Proxy("markets.acwi.close", "USD"),
    "domestic_equity": Proxy("markets.topix.close", "JPY"),
}


def test_local_fx_and_yen_returns_by_hand() -> None:
    r = asset_returns(SMALL, PROXIES)
    assert list(r.frame.index.strftime("%m-%d")) == ["04-08", "04-09", "04-10"]
    fe = r.frame["foreign_equity"]
    # 04-08: ACWI +2 % in USD, USD/JPY -2 %: in yen 1.02 * 0.98 - 1 = -0.04 %
    assert fe.loc["2025-04-08", "local"] == pytest.approx(0.02)
    assert fe.loc["2025-04-08", "fx"] == pytest.approx(-0.02)
    assert fe.loc["2025-04-08", "jpy"] == pytest.approx(-0.0004)
    # 04-09: the US market is closed: local 0, FX 0 (unchanged rate)
    assert fe.loc["2025-04-09", "local"] == 0.0
    # 04-10: a pure FX move (+3 %) moves only the foreign asset's yen return
    assert fe.loc["2025-04-10", "local"] == 0.0
    assert fe.loc["2025-04-10", "fx"] == pytest.approx(0.03)
    assert fe.loc["2025-04-10", "jpy"] == pytest.approx(0.03)
    de = r.frame["domestic_equity"]
    assert (de["fx"] == 0).all()
    assert list(de["local"].round(10)) == [0.05, -0.01, 0.0]
    assert (de["jpy"] == de["local"]).all()


def test_available_at_is_when_every_input_was_final_and_as_of_cuts() -> None:
    r = asset_returns(SMALL, PROXIES)
    assert r.available_at.loc["2025-04-08"] == pd.Timestamp("2025-04-09 00:00", tz="UTC")
    # 04-09 carries ACWI's 04-08 close: final once ACWI's next close (04-10) is public
    assert r.available_at.loc["2025-04-09"] == pd.Timestamp("2025-04-10 20:00", tz="UTC")
    assert r.available_at.loc["2025-04-10"] == pd.Timestamp("2025-04-11 00:00", tz="UTC")
    cut = r.as_of("2025-04-10 21:00")
    assert list(cut.frame.index.strftime("%m-%d")) == ["04-08", "04-09"]
    # data ending before the others: no row is extrapolated past the shortest input
    short = asset_returns(SMALL.loc[SMALL.period_start <= "2025-04-08"], PROXIES)
    assert list(short.frame.index.strftime("%m-%d")) == ["04-08"]


@pytest.mark.parametrize(
    "cut", ["2025-04-08 21:00", "2025-04-09 12:00", "2025-04-10 01:00", "2025-04-10 21:00"]
)
def test_truncation_changes_no_row_knowable_at_the_cut(cut: str) -> None:
    """Rebuilt from only the data public at the cut, every row available by then is unchanged."""
    moment = pd.Timestamp(cut, tz="UTC")
    full = asset_returns(SMALL, PROXIES).as_of(moment)
    truncated = asset_returns(SMALL.loc[SMALL.published_at <= moment], PROXIES).as_of(moment)
    pd.testing.assert_frame_equal(full.frame, truncated.frame, check_freq=False)
    pd.testing.assert_series_equal(full.available_at, truncated.available_at, check_freq=False)


def test_missing_fx_or_series_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no FX series for EUR"):
        asset_returns(SMALL, {"x": Proxy("markets.acwi.close", "EUR")})
    with pytest.raises(DataError, match=r"markets\.bwx\.close"):
        asset_returns(SMALL, {"x": Proxy("markets.bwx.close", "USD")})


def test_feeds_the_rebalancing_model() -> None:
    market = asset_returns(SMALL, PROXIES).market_returns()
    assert market.sleeves == ("foreign_equity", "domestic_equity")
    np.testing.assert_allclose(
        market.yen()["foreign_equity"].to_numpy(),
        asset_returns(SMALL, PROXIES).component("jpy")["foreign_equity"].to_numpy(),
    )


@pytest.mark.realdata
def test_gpif_proxies_on_the_real_files(real_data: Path) -> None:
    markets = MarketsSource(Settings.from_env({}))
    frames = [
        markets.parse(load_payload(real_data, f"markets/{name}")).frame
        for name in (
            "TOPIX_2016-2026.csv",
            "ACWI_2008-2026.csv",
            "AGG_2003-2026.csv",
            "usdjpy_yahoo_daily.csv",
        )
    ]
    frames.append(
        JgbSource(Settings.from_env({})).parse(load_payload(real_data, "jgb/jgbcm_all.csv")).frame
    )
    obs = pd.concat(frames, ignore_index=True)
    r = asset_returns(obs, GPIF_PROXIES, start="2025-04-01", end="2025-04-30")
    row = r.frame.loc["2025-04-07"]
    # TOPIX 2,482.06 (04-04) -> 2,288.66 (04-07); USD/JPY 146.231 -> 145.433 (the files)
    assert row[("domestic_equities", "local")] == pytest.approx(2288.66 / 2482.06 - 1)
    assert row[("foreign_equities", "fx")] == pytest.approx(
        145.43299865722656 / 146.2310028076172 - 1
    )
    acwi = 102.59175872802734 / 103.59841918945312 - 1
    assert row[("foreign_equities", "local")] == pytest.approx(acwi)
    assert row[("foreign_equities", "jpy")] == pytest.approx(
        (1 + acwi) * (145.433 / 146.231) - 1, abs=1e-5
    )
    # JGB 10y 1.176 % (04-04) -> 1.129 % (04-07): a gain of about D x 4.7 bp
    bond = row[("domestic_bonds", "local")]
    d = par_bond_duration(0.01176, 10)
    assert bond == pytest.approx(
        0.01176 * 3 / 365 + d * 0.00047 + 0.5 * par_bond_convexity(0.01176, 10) * 0.00047**2
    )
    assert 0.004 < bond < 0.005
    assert r.summary()["assets"]["domestic_bonds"]["kind"] == "jgb_yield"
