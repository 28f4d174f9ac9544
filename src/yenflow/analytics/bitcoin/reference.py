"""A plain reference implementation of the rule sweep, written from the definitions.

Slow on purpose and easy to read: for each configuration it builds the signal, the position and
the daily strategy returns as explicit arrays, then the metrics with numpy's own functions. The
tests check that the fused kernel (:mod:`.kernels`) gives the same numbers on random grids. The
definitions are in the :mod:`.kernels` docstring.
"""

from __future__ import annotations

import math

import numpy as np

from yenflow.analytics.bitcoin.kernels import ANNUALISATION_DAYS

__all__ = ["reference_metrics", "reference_returns"]


def reference_returns(
    close: np.ndarray, fx: np.ndarray, *, x: float, n: int, h: int, cost: float, start: int = 0
) -> np.ndarray:
    """Daily strategy returns of one configuration for the return days ``start+1 .. T-1``."""
    n_t = len(close)
    signal = np.zeros(n_t, dtype=bool)
    for t in range(max(n, start + 1), n_t):
        signal[t] = fx[t] / fx[t - n] - 1.0 < -x
    # held[t]: a signal in t-h .. t-1 (t = 0 .. T, one day past the end for the last exit)
    held = np.zeros(n_t + 1, dtype=bool)
    for t in range(n_t + 1):
        held[t] = bool(signal[max(0, t - h) : t].any())
    out = []
    for t in range(start + 1, n_t):
        g = 1.0
        if held[t]:
            g *= close[t] / close[t - 1]
            if not held[t + 1]:
                g *= 1.0 - cost
        elif held[t + 1]:
            g /= 1.0 + cost
        out.append(g - 1.0)
    return np.array(out, dtype="float64")


def reference_metrics(
    close: np.ndarray, fx: np.ndarray, *, x: float, n: int, h: int, cost: float, start: int = 0
) -> dict[str, float]:
    """Total return, Sharpe, max drawdown (fractions), trades, exposure of one configuration."""
    n_t = len(close)
    s = reference_returns(close, fx, x=x, n=n, h=h, cost=cost, start=start)
    signal = np.array([t >= max(n, start + 1) and fx[t] / fx[t - n] - 1.0 < -x for t in range(n_t)])
    held = np.array([bool(signal[max(0, t - h) : t].any()) for t in range(n_t + 1)])
    days = np.arange(start + 1, n_t)
    entries = int(np.sum(~held[days] & held[days + 1]))
    equity = np.concatenate([[1.0], np.cumprod(1.0 + s)])
    drawdown = equity / np.maximum.accumulate(equity) - 1.0
    sd = float(np.std(s, ddof=1)) if len(s) > 1 else 0.0
    sharpe = float(np.mean(s)) / sd * math.sqrt(ANNUALISATION_DAYS) if sd > 0 else math.nan
    return {
        "total_return": float(equity[-1] - 1.0),
        "sharpe": sharpe,
        "max_drawdown": float(drawdown.min()),
        "trades": entries,
        "exposure": float(held[days].mean()) if len(days) else math.nan,
    }
