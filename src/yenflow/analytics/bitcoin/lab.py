"""The Bitcoin lab's analyses as the analysis bundle computes them (:mod:`yenflow.pipeline`).

One function per bundle entry, each from the bundle's point-in-time observations, with the
report's settings (fewer bootstrap replications than the CLI's defaults, so the report stays
fast; the CLI runs the full ones): the chain, the yen-shock event study, the rule sweep with its
walk-forward and the SPA against buy-and-hold BTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from yenflow.analytics.bitcoin.chain import CHAIN_INPUTS, ChainParams, ChainResult, causal_chain
from yenflow.analytics.bitcoin.events import EventStudy, event_study, yen_shocks
from yenflow.analytics.bitcoin.inputs import BTC_CLOSES, align
from yenflow.analytics.bitcoin.spa import SpaResult, spa
from yenflow.analytics.bitcoin.sweep import (
    SweepResult,
    WalkForward,
    strategy_returns,
    sweep,
    walk_forward,
)
from yenflow.analytics.bitcoin.workload import default_grid

__all__ = ["LAB_SERIES", "SweepStudy", "lab_chain", "lab_events", "lab_sweep"]

LAB_SERIES: tuple[str, ...] = (*CHAIN_INPUTS.values(), *BTC_CLOSES)
REPORT_REPS = 2000
SPA_REPS = 200  # the report keeps its time down; `yenflow btc sweep` runs 1,000


@dataclass(frozen=True)
class SweepStudy:
    """The sweep, its walk-forward and the studentized SPA against buy-and-hold BTC."""

    sweep: SweepResult
    walk_forward: WalkForward
    spa: SpaResult


def lab_chain(obs: pd.DataFrame) -> ChainResult:
    return causal_chain(obs, params=ChainParams(reps=REPORT_REPS))


def lab_events(obs: pd.DataFrame) -> EventStudy:
    a = align(obs)
    events = yen_shocks(a.frame["usdjpy"], fall_pct=3.0, days=5, min_gap=20)
    return event_study(a.btc, events, reps=REPORT_REPS, label="Yen shocks (USD/JPY -3% in 5 days)")


def lab_sweep(obs: pd.DataFrame) -> SweepStudy:
    frame = align(obs).frame.dropna(subset=["usdjpy"])
    btc, fx = frame["btc"], frame["usdjpy"]
    grid = default_grid()
    res = sweep(btc, fx, grid)
    wf = walk_forward(btc, fx, grid, split=0.7)
    hold = btc.pct_change().to_numpy()[1:]
    test = spa(
        strategy_returns(btc, fx, grid), hold, reps=SPA_REPS, benchmark_name="buy-and-hold BTC"
    )
    return SweepStudy(sweep=res, walk_forward=wf, spa=test)
