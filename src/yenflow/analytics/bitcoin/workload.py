"""The synthetic benchmark workload of the Bitcoin lab (fixed by the issue, reproducible).

Two aligned daily series of 4,000 days from ``numpy.random.default_rng(20250101)``: USD/JPY
``105 · exp(cumsum(N(0, 0.006)))`` and BTC ``600 · exp(cumsum(N(0.0008, 0.037)))``, the first
increment of each set to 0 (so the series start at exactly 105 and 600). The FX increments are
drawn first, then BTC's. Grid: ``x = linspace(0.005, 0.05, 50)`` (USD/JPY fall, fraction),
``n = 1..20`` days, ``h in {1, 2, 3, 5, 10, 15, 20, 30, 40, 60}`` days; 10 bp per side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yenflow.analytics.bitcoin.sweep import SweepGrid

__all__ = ["SEED", "Workload", "default_grid", "synthetic_workload"]

SEED = 20250101
DAYS = 4_000
COST_BP = 10.0


@dataclass(frozen=True)
class Workload:
    """The benchmark inputs: ``usdjpy`` (JPY per USD) and ``btc`` (USD) on one daily index."""

    usdjpy: pd.Series
    btc: pd.Series
    grid: SweepGrid
    cost_bp: float = COST_BP


def default_grid() -> SweepGrid:
    """50 x × 20 n × 10 h = 10,000 configurations."""
    return SweepGrid(
        fall=np.linspace(0.005, 0.05, 50),
        lookback=np.arange(1, 21),
        hold=np.array([1, 2, 3, 5, 10, 15, 20, 30, 40, 60]),
    )


def synthetic_workload(days: int = DAYS, *, seed: int = SEED) -> Workload:
    """The issue's synthetic workload (see the module docstring)."""
    rng = np.random.default_rng(seed)
    fx_inc = rng.normal(0.0, 0.006, days)
    btc_inc = rng.normal(0.0008, 0.037, days)
    fx_inc[0] = 0.0
    btc_inc[0] = 0.0
    index = pd.date_range("2015-01-01", periods=days, freq="D", name="date")
    usdjpy = pd.Series(105.0 * np.exp(np.cumsum(fx_inc)), index=index, name="usdjpy")
    btc = pd.Series(600.0 * np.exp(np.cumsum(btc_inc)), index=index, name="btc")
    return Workload(usdjpy=usdjpy, btc=btc, grid=default_grid())
