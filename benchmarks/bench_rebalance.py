"""Benchmark: the rebalancing model on a long synthetic daily history, and the GPIF validation.

Workloads (seeded synthetic returns, so no data folder is needed):

1. ``simulate``: GPIF's 5th-plan portfolio (its dates opened up) over ``--years`` of business
   days, one rule (threshold, back to the band edge);
2. ``trade_range``: the same history under the 13 default rule/fraction configurations,
   monthly trades;
3. ``gpif_validation``: the shipped GPIF holdings (FY2020 Q2 .. FY2026 Q1, 24 quarters), each
   quarter started from the published holdings under the 13 configurations, against synthetic
   MoF trust-account flows.

No peer library models policy-portfolio rebalancing, so there is no side-by-side run. The daily
loop runs all rules of a range side by side, so 13 rules cost about as much as one.

    python benchmarks/bench_rebalance.py [--years N] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from yenflow.analytics.rebalance import MarketReturns, Rule, policy, simulate, trade_range
from yenflow.analytics.rebalance.gpif import gpif_validation

SLEEVES = ["domestic_bonds", "foreign_bonds", "domestic_equities", "foreign_equities"]


def synthetic_returns(start: str, days: int, seed: int) -> MarketReturns:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(start, periods=days)
    vol = np.array([0.002, 0.004, 0.011, 0.010])
    local = pd.DataFrame(rng.normal(0.0002, vol, (days, 4)), index=idx, columns=SLEEVES)
    fx_move = rng.normal(0.0, 0.006, days)
    fx = pd.DataFrame({"foreign_bonds": fx_move, "foreign_equities": fx_move}, index=idx)
    return MarketReturns.from_components(local, fx)


def synthetic_mof(start: str, end: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range(start, end, freq="MS")
    rows = []
    for asset in ("equity", "long_term_debt"):
        for m, v in zip(months, rng.normal(0, 10_000, len(months)), strict=True):
            rows.append(
                {
                    "series_id": f"mof.monthly.investor.trust_accounts.{asset}.net",
                    "period_start": m,
                    "period_end": m + pd.offsets.MonthEnd(0),
                    "value": float(round(v)),
                    "published_at": pd.Timestamp(m + pd.DateOffset(months=1, days=8), tz="UTC"),
                }
            )
    return pd.DataFrame(rows)


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    call()
    first = time.perf_counter() - t0
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        runs.append(time.perf_counter() - t0)
    return first, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=25, help="years of business days")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after the first")
    args = parser.parse_args()
    days = args.years * 261
    pol = replace(policy("gpif_5th"), effective_from=None, effective_to=None)
    long = synthetic_returns("2000-01-03", days, seed=1)
    rule = Rule.threshold(to="edge")

    run = simulate(pol, long, rule=rule)
    first, median = timed(lambda: simulate(pol, long, rule=rule), args.repeat)
    print(
        f"simulate: {days:,} days x 4 classes, 1 rule: median {median * 1000:.1f} ms "
        f"(first {first * 1000:.1f} ms); {run.summary()['rebalance_days']} rebalancing days; "
        f"{days / median:,.0f} days/s"
    )
    rng = trade_range(pol, long, freq="month")
    first, median = timed(lambda: trade_range(pol, long, freq="month"), args.repeat)
    print(
        f"trade_range: {len(rng.rules)} rules x {days:,} days, monthly: median {median:.3f} s "
        f"(first {first:.3f} s); {median / len(rng.rules) * 1000:.1f} ms per rule"
    )

    gpif_returns = synthetic_returns("2020-06-01", 1600, seed=2)
    obs = synthetic_mof("2020-06-01", "2026-09-01", seed=3)
    val = gpif_validation(obs, gpif_returns)
    first, median = timed(lambda: gpif_validation(obs, gpif_returns), args.repeat)
    print(
        f"gpif_validation: {val.summary()['quarters']} quarters x {len(val.rules)} rules: "
        f"median {median:.3f} s (first {first:.3f} s)"
    )


if __name__ == "__main__":
    main()
