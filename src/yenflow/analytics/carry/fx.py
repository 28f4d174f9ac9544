"""USD/JPY realized volatility (the risk side of the carry trade)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from yenflow.analytics.carry._common import dedupe, latest
from yenflow.analytics.carry.series import FX_ID, VOL_1M_DAYS, VOL_3M_DAYS
from yenflow.analytics.inputs import to_series
from yenflow.analytics.results import ResultBase
from yenflow.analytics.stats import annualized_vol_pct, log_returns

__all__ = ["FxVolatility", "fx_volatility", "usdjpy"]


@dataclass(frozen=True, repr=False)
class FxVolatility(ResultBase):
    """USD/JPY realized volatility.

    Columns: ``usdjpy_jpy_per_usd``, ``log_return_pct`` (100 x log return since the previous
    observation), ``vol_1m_pct_ann`` and ``vol_3m_pct_ann`` (sample standard deviation of the
    last 21 / 63 daily log returns x sqrt(252) x 100; percent per year). Each row uses only
    closes up to its day.
    """

    frame: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def summary(self) -> dict[str, Any]:
        """Latest values with their dates."""
        return {"latest": latest(self.frame, list(self.frame.columns))}


def usdjpy(obs: pd.DataFrame) -> pd.Series:
    """DEXJPUS closes (yen per dollar) on their dates."""
    return to_series(obs, FX_ID, purpose="the carry monitor (USD/JPY)")


def fx_volatility(obs: pd.DataFrame) -> FxVolatility:
    """USD/JPY realized volatility (1 and 3 months) from ``fred.DEXJPUS``."""
    return volatility_of(usdjpy(dedupe(obs, [FX_ID])))


def volatility_of(rate: pd.Series) -> FxVolatility:
    """:class:`FxVolatility` of a USD/JPY series (sorted DatetimeIndex)."""
    frame = pd.DataFrame({"usdjpy_jpy_per_usd": rate.to_numpy()}, index=rate.index)
    frame.index.name = "date"
    frame["log_return_pct"] = log_returns(rate).to_numpy() * 100.0
    frame["vol_1m_pct_ann"] = annualized_vol_pct(rate, window=VOL_1M_DAYS).to_numpy()
    frame["vol_3m_pct_ann"] = annualized_vol_pct(rate, window=VOL_3M_DAYS).to_numpy()
    return FxVolatility(frame=frame)
