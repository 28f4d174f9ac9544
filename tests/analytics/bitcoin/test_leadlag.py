"""Lead-lag: a planted 2-day lead shows at lag +2 with a band excluding 0, and in Granger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yenflow.analytics.bitcoin.inputs import decision_instants
from yenflow.analytics.bitcoin.leadlag import OVERLAP_CAVEAT, lead_lag

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def _obs(lead: float) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    days = pd.date_range("2018-01-01", periods=1400, freq="D")
    fixes = days[days.day_of_week < 5]
    yen = rng.normal(0, 0.006, len(fixes))  # yen appreciation on fixing days
    fx = 110 * np.exp(-np.cumsum(yen))
    btc_on_fix = rng.normal(0, 0.03, len(fixes))
    btc_on_fix[2:] += lead * yen[:-2] / 0.006 * 0.03  # BTC follows the yen 2 fixings later
    level = pd.Series(np.exp(np.cumsum(btc_on_fix)) * 1000, index=fixes)
    btc = level.reindex(days).ffill().bfill()
    frames = [
        pd.DataFrame(
            {
                "series_id": "fred.DEXJPUS",
                "period_start": fixes,
                "period_end": fixes,
                "value": fx,
                "published_at": decision_instants(fixes),
            }
        ),
        pd.DataFrame(
            {
                "series_id": "btc.yahoo.close",
                "period_start": days,
                "period_end": days,
                "value": btc.to_numpy(),
                "published_at": decision_instants(days),
            }
        ),
    ]
    return pd.concat(frames, ignore_index=True)


def test_planted_lead_is_found() -> None:
    res = lead_lag(_obs(0.4), lags=5, window=60)
    cross = res.cross.set_index("lag")
    assert cross.loc[2, "corr"] == pytest.approx(0.37, abs=0.08)
    assert cross.loc[2, "lower"] > 0
    assert cross.loc[-2, "lower"] < 0 < cross.loc[-2, "upper"]
    g = res.granger.groupby("direction")["p_value"].min()
    assert g["yen → btc"] < 0.01
    assert res.caveat == OVERLAP_CAVEAT and "not independent" in res.describe()
    assert len(res.rolling.dropna()) > 0


def test_no_lead_no_band() -> None:
    res = lead_lag(_obs(0.0), lags=5)
    inside = (res.cross["lower"] < 0) & (res.cross["upper"] > 0)
    assert inside.sum() >= 9  # at the 95 % level, at most one or two of 11 lags by chance
