"""CFTC yen futures positioning of one trader group, weekly, with its publication dates.

CFTC yen futures are quoted in dollars per yen, so a speculator *net long* yen futures
(``net_long_jpy_contracts > 0``) is long the yen: the *opposite* of a carry trade. Carry-trade
positioning shows up as a large negative net; an unwind as the net rising back towards zero
or above (short covering). A report is dated by its Tuesday "as of" date and published on the
Friday after (``published_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics import align
from yenflow.analytics.carry._common import Latest, dedupe, has, latest, latest_of
from yenflow.analytics.carry.fx import usdjpy
from yenflow.analytics.carry.series import (
    CFTC_OPEN_INTEREST_ID,
    CFTC_PREFIX,
    FX_ID,
    FX_STALE_DAYS,
    JPY_FUTURES_CONTRACT_JPY,
)
from yenflow.analytics.inputs import to_series
from yenflow.analytics.results import ResultBase
from yenflow.analytics.stats import rolling_zscore

__all__ = ["Positioning", "Trader", "positioning"]

Trader = Literal["noncommercial", "leveraged_funds"]

POSITIONING_COLUMNS = (
    "long_contracts",
    "short_contracts",
    "open_interest_contracts",
    "net_long_jpy_contracts",
    "net_long_jpy_pct_oi",
    "usdjpy_jpy_per_usd",
    "net_long_jpy_usd_bn",
    "net_long_jpy_z_3y",
    "net_change_1w_contracts",
)


@dataclass(frozen=True, repr=False)
class Positioning(ResultBase):
    """CFTC yen futures positioning of one trader group, weekly (Tuesday "as of" dates).

    Columns: ``long_contracts``, ``short_contracts``, ``net_long_jpy_contracts`` (long minus
    short; **> 0 = net long yen = against the carry trade**, < 0 = short yen = carry),
    ``open_interest_contracts``, ``net_long_jpy_pct_oi``, ``usdjpy_jpy_per_usd`` (DEXJPUS on the
    as-of date, or the last day before), ``net_long_jpy_usd_bn`` (contracts x ¥12.5m / USDJPY /
    1e9), ``net_long_jpy_z_3y`` (z-score of the net over the last 156 reports, current one
    included; NaN until 156 reports exist), ``net_change_1w_contracts`` (change since the
    previous report; > 0 = yen buying / short covering), ``published_at`` (when the report
    came out, UTC) and ``known_at`` (when the row's values were all public, the DEXJPUS rate
    included).
    """

    frame: pd.DataFrame
    trader: str
    z_window_weeks: int

    def to_frame(self) -> pd.DataFrame:
        """A copy of the weekly frame."""
        return self.frame.copy()

    def latest(self, column: str) -> Latest:
        """The last value of a column and its report date."""
        return latest_of(self.frame, column)

    def summary(self) -> dict[str, Any]:
        """Latest values with their report dates, and the conventions."""
        return {
            "trader": self.trader,
            "sign": "net_long_jpy > 0 = speculators net long yen (against the carry trade)",
            "contract_size_jpy": JPY_FUTURES_CONTRACT_JPY,
            "z_window_weeks": self.z_window_weeks,
            "latest": latest(self.frame, list(POSITIONING_COLUMNS)),
        }


def _published_by_report(obs: pd.DataFrame, series_id: str, dates: pd.DatetimeIndex) -> np.ndarray:
    rows = obs.loc[obs["series_id"] == series_id, ["period_end", "published_at"]]
    stamps = pd.Series(
        pd.DatetimeIndex(rows["published_at"]), index=pd.DatetimeIndex(rows["period_end"])
    )
    stamps = stamps[~stamps.index.duplicated(keep="last")]
    return stamps.reindex(dates).to_numpy()


def positioning(
    obs: pd.DataFrame, *, trader: Trader = "noncommercial", z_window_weeks: int = 156
) -> Positioning:
    """CFTC yen positioning of ``trader`` in contracts and USD bn, with z-score and change.

    ``fred.DEXJPUS`` is optional: without it the USD columns are NaN.

    Raises:
        DataError: the trader group's net series is missing.
    """
    prefix = CFTC_PREFIX[trader]
    ids = [f"{prefix}.{leg}" for leg in ("long", "short", "net")] + [CFTC_OPEN_INTEREST_ID, FX_ID]
    sub = dedupe(obs, ids)
    net = to_series(sub, f"{prefix}.net", purpose=f"CFTC {trader} yen positioning")
    frame = pd.DataFrame(index=pd.DatetimeIndex(net.index, name="report_date"))
    for column, series_id in (
        ("long_contracts", f"{prefix}.long"),
        ("short_contracts", f"{prefix}.short"),
        ("open_interest_contracts", CFTC_OPEN_INTEREST_ID),
    ):
        frame[column] = to_series(sub, series_id) if has(sub, series_id) else np.nan
    frame["net_long_jpy_contracts"] = net
    frame["net_long_jpy_pct_oi"] = 100.0 * net / frame["open_interest_contracts"]
    fx = usdjpy(sub) if has(sub, FX_ID) else pd.Series(dtype="float64")
    frame["usdjpy_jpy_per_usd"] = align.on_or_before(fx, frame.index, max_gap_days=FX_STALE_DAYS)
    frame["net_long_jpy_usd_bn"] = (
        net * JPY_FUTURES_CONTRACT_JPY / frame["usdjpy_jpy_per_usd"] / 1e9
    )
    frame["net_long_jpy_z_3y"] = rolling_zscore(net, window=z_window_weeks)
    frame["net_change_1w_contracts"] = net.diff()
    frame["published_at"] = pd.DatetimeIndex(
        _published_by_report(sub, f"{prefix}.net", frame.index)
    )
    fx_pub = align.published(sub, FX_ID, frame.index)
    frame["known_at"] = align.known_at(frame["published_at"], fx_pub)
    return Positioning(frame=frame, trader=trader, z_window_weeks=z_window_weeks)
