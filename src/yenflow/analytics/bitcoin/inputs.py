"""The Bitcoin lab's inputs on BTC's calendar, each aligned by its publication time.

**The one alignment** (the project's, :func:`yenflow.analytics.align.as_known`). BTC trades
every calendar day; its daily close is the last trade of the UTC day, so the *decision instant*
of BTC day ``d`` is the end of that UTC day (the meaning of a bare "as of" date). Every other
input (USD/JPY's noon New York fix, published weekly with the Fed's H.10; the US 10-year
yield; the Fed's total assets, Wednesday levels published on Thursdays; ...) enters day ``d``
with the newest period among the values whose ``published_at`` (from the store) is by then —
its period date is kept in a separate column. A signal computed on day ``d`` is acted
on at the close of ``d`` and earns BTC's returns of ``d + 1`` onwards (close to close), never
the return into the close of ``d``. Nothing in a row depends on anything published after its
decision instant (tested by truncation).

``timing="observed"`` instead dates each value at the end of its own period (as if the
noon-fix or the yield were known the moment they are struck). It answers "what happened after
the yen jumped" in market time; it is *not* usable for a trading rule and the results say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from yenflow.analytics.align import as_known
from yenflow.analytics.inputs import latest_per_period
from yenflow.errors import DataError

__all__ = [
    "BTC_CLOSES",
    "USDJPY",
    "BtcInputs",
    "Timing",
    "align",
    "decision_instants",
    "known_at",
]

Timing = Literal["published", "observed"]
# the btc source's own venues first (UTC-day closes), FRED's Coinbase series last
BTC_CLOSES: tuple[str, ...] = ("btc.coinbase.close", "btc.yahoo.close", "fred.CBBTCUSD")
USDJPY = "fred.DEXJPUS"
_END_OF_DAY = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def decision_instants(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The close of each BTC day: the end of that UTC day (23:59:59.999999)."""
    return pd.DatetimeIndex(days).tz_localize(None).tz_localize("UTC") + _END_OF_DAY


def known_at(
    obs: pd.DataFrame,
    series_id: str,
    instants: pd.DatetimeIndex,
    *,
    timing: Timing = "published",
) -> pd.DataFrame:
    """For each instant, the latest value of ``series_id`` known by then.

    Returns a frame on ``instants`` with ``value`` and ``period_end`` (the period the value is
    about; NaT/NaN before the first one). ``timing="published"`` uses the store's
    ``published_at``; ``"observed"`` the end of the value's own period (see module docstring).
    """
    rows = latest_per_period(obs.loc[obs["series_id"] == series_id])
    if rows.empty:
        msg = f"the Bitcoin lab needs {series_id}, which the store does not have (yenflow fetch)"
        raise DataError(msg)
    days = pd.DatetimeIndex(instants).tz_convert("UTC").tz_localize(None).normalize()
    if timing == "published":
        known = as_known(rows, series_id, days)
        return pd.DataFrame(
            {"value": known["value"].to_numpy(), "period_end": known["period"].to_numpy()},
            index=pd.DatetimeIndex(instants),
        )
    if timing != "observed":
        msg = f"timing must be 'published' or 'observed', got {timing!r}"
        raise ValueError(msg)
    # market time: the value of day d is known at the end of day d
    restamped = rows.assign(published_at=decision_instants(pd.DatetimeIndex(rows["period_end"])))
    known = as_known(restamped, series_id, days)
    return pd.DataFrame(
        {"value": known["value"].to_numpy(), "period_end": known["period"].to_numpy()},
        index=pd.DatetimeIndex(instants),
    )


@dataclass(frozen=True, eq=False)
class BtcInputs:
    """Daily BTC closes (USD) and other inputs as known at each BTC close.

    ``frame``: index = BTC day (naive date); columns ``btc`` (USD close, forward-filled over a
    missing day), and for each input ``<name>`` (its known value) and ``<name>_period`` (the
    period that value is about). ``btc_series`` names the close used; ``filled_days`` counts
    days without a BTC close (carried forward, a zero return).
    """

    frame: pd.DataFrame
    btc_series: str
    inputs: dict[str, str]
    timing: Timing
    filled_days: int

    @property
    def btc(self) -> pd.Series:
        return self.frame["btc"]

    def series(self, name: str) -> pd.Series:
        return self.frame[name]


def _btc_closes(obs: pd.DataFrame, prefer: Sequence[str]) -> tuple[pd.Series, str]:
    present = set(obs["series_id"].unique()) if len(obs) else set()
    for sid in prefer:
        if sid in present:
            rows = latest_per_period(obs.loc[obs["series_id"] == sid])
            closes = pd.Series(
                rows["value"].to_numpy(dtype="float64"),
                index=pd.DatetimeIndex(rows["period_end"]),
            ).sort_index()
            closes = closes[closes > 0]
            if len(closes) >= 3:
                return closes, sid
    msg = (
        f"the Bitcoin lab needs daily BTC closes ({', '.join(prefer)}); the store has none "
        "(yenflow fetch btc fred)"
    )
    raise DataError(msg)


def align(
    obs: pd.DataFrame,
    inputs: dict[str, str] | None = None,
    *,
    timing: Timing = "published",
    btc: Sequence[str] = BTC_CLOSES,
    start: str | pd.Timestamp | None = None,
) -> BtcInputs:
    """Build :class:`BtcInputs` from a canonical observation frame.

    ``inputs`` maps a column name to a series id (default ``{"usdjpy": "fred.DEXJPUS"}``);
    ``btc`` is the order of preference for the BTC close; ``start`` drops earlier days. The
    observation frame may be an as-of read: then every value is one that was public by then.
    """
    inputs = {"usdjpy": USDJPY} if inputs is None else dict(inputs)
    closes, sid = _btc_closes(obs, btc)
    days = pd.date_range(closes.index[0], closes.index[-1], freq="D")
    if start is not None:
        days = days[days >= pd.Timestamp(start)]
    if len(days) < 3:
        msg = f"fewer than 3 BTC days from {start} in {sid}"
        raise DataError(msg)
    full = closes.reindex(days)
    filled = int(full.isna().sum())
    frame = pd.DataFrame({"btc": full.ffill().bfill()}, index=days)
    frame.index.name = "date"
    instants = decision_instants(days)
    for name, series_id in inputs.items():
        known = known_at(obs, series_id, instants, timing=timing)
        frame[name] = known["value"].to_numpy()
        frame[f"{name}_period"] = known["period_end"].to_numpy()
    return BtcInputs(frame=frame, btc_series=sid, inputs=inputs, timing=timing, filled_days=filled)


def log_returns(closes: pd.Series) -> np.ndarray:
    """``ln(P_t / P_{t-1})`` for t = 1 .. T-1 (fractions)."""
    v = closes.to_numpy(dtype="float64")
    return np.diff(np.log(v))
