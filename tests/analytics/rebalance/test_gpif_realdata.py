"""GPIF's disclosures against MoF's trust-account flows and the model, on the real files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import load_payload
from yenflow.analytics.rebalance.gpif import gpif_holdings, gpif_validation, implied_trades
from yenflow.analytics.returns import asset_returns
from yenflow.config import Settings
from yenflow.sources.jgb import JgbSource
from yenflow.sources.markets import MarketsSource
from yenflow.sources.mof import MofSource

#: the market proxies of GPIF's classes (yenflow.analytics.returns.GPIF_PROXIES): TOPIX, ACWI
#: and AGG closes, USD/JPY, and the 10-year JGB yield
MARKET_FILES = (
    "TOPIX_2016-2026.csv",
    "ACWI_2008-2026.csv",
    "AGG_2003-2026.csv",
    "usdjpy_yahoo_daily.csv",
)

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def settings_ro() -> Settings:
    return Settings.from_env({})


@pytest.fixture(scope="module")
def returns(real_data: Path, settings_ro: Settings):
    markets = MarketsSource(settings_ro)
    frames = [markets.parse(load_payload(real_data, f"markets/{n}")).frame for n in MARKET_FILES]
    frames.append(JgbSource(settings_ro).parse(load_payload(real_data, "jgb/jgbcm_all.csv")).frame)
    return asset_returns(pd.concat(frames, ignore_index=True), start="2020-01-01").market_returns()


@pytest.fixture(scope="module")
def mof_obs(real_data: Path, settings_ro: Settings) -> pd.DataFrame:
    source = MofSource(settings_ro)
    frames = [
        source.parse(load_payload(real_data, f"mof/{name}")).frame
        for name in ("monthb2.csv", "monthb3.csv")
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def validation(mof_obs: pd.DataFrame, returns):
    return gpif_validation(mof_obs, returns)


def test_implied_trade_by_hand_fy2025_q1(returns) -> None:
    # Foreign equities, 2025-03-31 -> 2025-06-30: ACWI 113.753021 -> 126.657104 (USD), USD/JPY
    # 149.617004 -> 144.516998 yen per dollar (the files); GPIF's market value ¥61,918.8 bn ->
    # ¥66,517.4 bn.
    r = 126.657104 / 113.753021 * 144.516998 / 149.617004 - 1
    t = implied_trades(gpif_holdings(), returns).set_index(["quarter_end", "asset_class"])
    row = t.loc[(pd.Timestamp("2025-06-30"), "foreign_equities")]
    assert row["return_pct"] == pytest.approx(100 * r, abs=1e-6)
    assert row["implied_trade_jpy_bn"] == pytest.approx(66517.4 - 61918.8 * (1 + r), abs=1e-3)
    assert row["implied_trade_jpy_bn"] == pytest.approx(-75.4, abs=0.5)


def test_validation_table_structure_and_mof_sums(validation) -> None:
    t = validation.to_frame()
    assert list(t.columns) == [
        "quarter_start",
        "quarter_end",
        "asset_class",
        "gpif_implied_jpy_bn",
        "mof_net_jpy_bn",
        "model_low_jpy_bn",
        "model_median_jpy_bn",
        "model_high_jpy_bn",
        "return_pct",
    ]
    assert set(t["asset_class"]) == {"foreign_equities", "foreign_bonds"}
    # the proxies run from January 2020 to March 2026 (USD/JPY): FY2020 Q2 .. FY2025 Q3
    assert t["quarter_end"].min() == pd.Timestamp("2020-09-30")
    assert t["quarter_end"].nunique() >= 22
    assert t["mof_net_jpy_bn"].notna().all()
    assert (t["model_low_jpy_bn"] <= t["model_high_jpy_bn"]).all()
    q = t.set_index(["asset_class", "quarter_end"]).loc
    # MoF trust accounts, April-June 2025 (monthb3 / monthb2, ¥100 million):
    # long-term debt -7,768 + 5,772 + 15,756; equity 27,623 - 5,441 - 24,374
    assert q[("foreign_bonds", pd.Timestamp("2025-06-30")), "mof_net_jpy_bn"] == pytest.approx(
        1376.0
    )
    assert q[("foreign_equities", pd.Timestamp("2025-06-30")), "mof_net_jpy_bn"] == pytest.approx(
        -219.2
    )


def test_gpif_disclosures_track_the_trust_accounts(validation) -> None:
    for cls in ("foreign_equities", "foreign_bonds"):
        pair = validation.pair("gpif~mof", cls)
        assert pair["n_quarters"] >= 22
        assert pair["correlation"] > 0.5  # measured 0.87 (equities) and 0.85 (bonds)
        assert pair["sign_agreement"] > 0.6
        model = validation.pair("model[calendar/quarter/target/1]~gpif", cls)
        assert model["correlation"] > 0.5  # measured 0.81 and 0.89
    # GPIF stayed inside its bands: threshold rules never trade
    edge = validation.by_rule.loc[validation.by_rule["rule"] == "threshold/edge"]
    assert (edge["model_jpy_bn"] == 0).all()
    s = validation.summary()
    assert s["investor"] == "trust_accounts" and s["quarters"] >= 22
