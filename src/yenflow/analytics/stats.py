"""Small reusable statistics on time series: returns, realized volatility, z-scores, drawdowns.

Conventions, the same everywhere:

* inputs are float Series on a sorted :class:`pandas.DatetimeIndex`, one row per observation
  (holidays simply absent: a return spans the gap between two observations);
* windows count observations, not calendar days;
* a rolling statistic is NaN until its window holds ``min_periods`` valid values
  (the full window unless said otherwise);
* percentages are in percent (``5.0`` means 5 %), never fractions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "annualized_vol_pct",
    "drawdown_pct",
    "drawdown_periods",
    "log_returns",
    "rolling_peak_index",
    "rolling_zscore",
]


def log_returns(prices: pd.Series) -> pd.Series:
    """Natural-log returns ``ln(P_t / P_{t-1})`` between consecutive observations (a fraction).

    The first value is NaN. Prices must be positive.
    """
    return np.log(prices.astype("float64")).diff()


def annualized_vol_pct(
    prices: pd.Series,
    *,
    window: int,
    periods_per_year: int = 252,
    demean: bool = True,
    min_periods: int | None = None,
) -> pd.Series:
    """Rolling realized volatility of log returns, annualized, in percent.

    ``vol_t = 100 * sqrt(periods_per_year) * sd(r_{t-window+1..t})`` where ``r`` are the log
    returns of ``prices`` and ``sd`` is the sample standard deviation (ddof=1) when ``demean``,
    else the root mean square ``sqrt(mean(r^2))`` (zero-mean convention used by some desks).
    A window of 21 observations is "1 month", 63 is "3 months" for daily data.
    """
    if window < 2:
        msg = f"window must be at least 2 observations, got {window}"
        raise ValueError(msg)
    returns = log_returns(prices)
    periods = window if min_periods is None else min_periods
    roll = returns.rolling(window, min_periods=periods)
    sd = roll.std(ddof=1) if demean else np.sqrt((returns**2).rolling(window, periods).mean())
    return sd * np.sqrt(periods_per_year) * 100.0


def rolling_zscore(values: pd.Series, *, window: int, min_periods: int | None = None) -> pd.Series:
    """``(x_t - mean) / sd`` over the trailing ``window`` observations, ``t`` included.

    The mean and the sample standard deviation (ddof=1) include the current value, so the
    z-score says where today stands within the last ``window`` observations. NaN where the
    standard deviation is zero or the window is short.
    """
    periods = window if min_periods is None else min_periods
    roll = values.astype("float64").rolling(window, min_periods=periods)
    sd = roll.std(ddof=1)
    return (values - roll.mean()) / sd.where(sd > 0)


def drawdown_pct(level: pd.Series) -> pd.Series:
    """Percent below the running maximum: ``100 * (L_t / max(L_0..L_t) - 1)`` (≤ 0).

    NaN values are skipped by the running maximum and stay NaN.
    """
    return (level / level.cummax() - 1.0) * 100.0


def drawdown_periods(level: pd.Series, *, top: int | None = None) -> pd.DataFrame:
    """Every underwater period of ``level``, deepest first.

    A period starts at a running maximum (``peak``), reaches its lowest point (``trough``, the
    first one if tied) and ends on the first later observation back at or above the peak
    (``recovery``, NaT if it has not recovered by the last observation). Columns: ``peak``,
    ``trough``, ``recovery``, ``peak_level``, ``trough_level``, ``depth_pct`` (< 0),
    ``days_to_trough``, ``days_to_recovery`` (calendar days from the peak; NaN if not
    recovered). NaN levels are skipped.
    """
    clean = level.dropna()
    v = clean.to_numpy(dtype="float64")
    dates = pd.DatetimeIndex(clean.index)
    at_high = v >= np.maximum.accumulate(v)
    highs = np.flatnonzero(at_high)  # each period starts at a high ...
    group = np.cumsum(at_high) - 1  # ... and holds the days until the next one
    order = np.lexsort((v, group))  # by period, then level: the first of each is its trough
    trough = order[np.searchsorted(group[order], np.arange(len(highs)))]
    recovery = np.append(highs[1:], -1)
    keep = np.diff(np.append(highs, len(v))) > 1  # periods with at least one day under water
    highs, trough, recovery = highs[keep], trough[keep], recovery[keep]
    recovered = recovery >= 0
    recovery_dates = pd.DatetimeIndex(np.where(recovered, dates[recovery].to_numpy(), None))
    out = pd.DataFrame(
        {
            "peak": dates[highs],
            "trough": dates[trough],
            "recovery": recovery_dates,
            "peak_level": v[highs],
            "trough_level": v[trough],
        }
    )
    out["depth_pct"] = (out["trough_level"] / out["peak_level"] - 1.0) * 100.0
    out["days_to_trough"] = (out["trough"] - out["peak"]).dt.days
    out["days_to_recovery"] = (out["recovery"] - out["peak"]).dt.days.astype("float64")
    out = out.sort_values("depth_pct", kind="stable").reset_index(drop=True)
    return out if top is None else out.head(top)


def rolling_peak_index(values: np.ndarray, window: int) -> np.ndarray:
    """For each position ``t``, the position of the highest value in ``values[t-window+1..t]``.

    Ties go to the latest position. Positions before the first full window look back only as
    far as the data go. NaN values never win. Vectorized (a strided window view, no loop).
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    filled = np.where(np.isnan(values), -np.inf, values)
    padded = np.concatenate([np.full(window - 1, -np.inf), filled])
    windows = sliding_window_view(padded, window)
    from_end = np.argmax(windows[:, ::-1], axis=1)  # latest maximum within each window
    return np.arange(n) - from_end
