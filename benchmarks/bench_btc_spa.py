"""Benchmark: Hansen's SPA (and White's reality check) over the sweep's 10,000 rules.

The issue's synthetic workload (4,000 days, 10,000 configurations, 10 bp per side), the rules'
daily returns against buy-and-hold BTC, 1,000 stationary-bootstrap replications (mean block
sqrt(T) = 63 days, seed 20250101). Target on a 2-core machine: ≤ 1.5 s for the test.

When arch is installed it runs ``arch.bootstrap.SPA`` on the same differentials with the same
seed (so the same index stream) and checks the p-values agree with ours computed the way arch
computes them (``studentize="none"``: arch's statistic is not studentized). arch's O(T²)
variance loop makes the full case take minutes: ``--arch-configs N`` (default 1,000) times arch
on the first N rules and scales linearly in the number of rules (its cost is linear in K), and
says so; ``--arch-configs 10000`` runs it in full.

    python benchmarks/bench_btc_spa.py [--repeat N] [--arch-configs N] [--no-arch]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--arch-configs", type=int, default=1000)
    parser.add_argument("--no-arch", action="store_true")
    args = parser.parse_args()

    from yenflow.analytics.bitcoin.spa import reality_check, spa
    from yenflow.analytics.bitcoin.sweep import strategy_returns
    from yenflow.analytics.bitcoin.workload import SEED, synthetic_workload

    w = synthetic_workload()
    t0 = time.perf_counter()
    returns = strategy_returns(w.btc, w.usdjpy, w.grid, cost_bp=w.cost_bp)
    t_ret = time.perf_counter() - t0
    bench = w.btc.pct_change().to_numpy()[1:]  # buy-and-hold BTC, daily simple returns
    spa(returns[:, :50], bench, reps=20, seed=SEED)  # compile
    times, rc_times, cpu = [], [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = spa(returns, bench, reps=1000, seed=SEED, benchmark_name="buy-and-hold BTC")
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    f32 = []
    for _ in range(max(1, args.repeat // 2)):
        t0 = time.perf_counter()
        res32 = spa(returns, bench, reps=1000, seed=SEED, precision="float32")
        f32.append(time.perf_counter() - t0)
    for _ in range(max(1, args.repeat // 2)):
        t0 = time.perf_counter()
        rc = reality_check(returns, bench, reps=1000, seed=SEED, benchmark_name="buy-and-hold")
        rc_times.append(time.perf_counter() - t0)
    cash = spa(returns, np.zeros_like(bench), reps=1000, seed=SEED, benchmark_name="cash")
    ours = statistics.median(times)
    print(f"SPA: {returns.shape[1]:,} rules × {returns.shape[0]:,} days × 1,000 replications")
    print(f"  rules' daily returns matrix built in {t_ret:.2f} s (not part of the test)")
    print(f"  studentized SPA, median of {args.repeat}: {ours:.3f} s wall  (target ≤ 1.5 s)")
    print(f"  CPU time of the same calls, median: {statistics.median(cpu):.3f} s (all threads)")
    print(
        f"  float32 product, median of {len(f32)}: {statistics.median(f32):.3f} s; same "
        f"p-values as float64: {res32.pvalues == res.pvalues}"
    )
    print(f"  reality check, median of {len(rc_times)}: {statistics.median(rc_times):.3f} s")
    print(f"  {res.describe()}")
    print(f"  {rc.describe()}")
    print(f"  {cash.describe()}")
    if args.no_arch:
        return
    try:
        from arch.bootstrap import SPA
    except ImportError:
        print("arch: not installed (pip install -e '.[dev]'); no comparison")
        return
    k = min(args.arch_configs, returns.shape[1])
    sub = np.ascontiguousarray(returns[:, :k])
    t0 = time.perf_counter()
    ref = SPA(-bench, -sub, reps=1000, seed=SEED)  # losses = minus returns
    ref.compute()
    t_arch = time.perf_counter() - t0
    mine = spa(sub, bench, reps=1000, seed=SEED, studentize="none")
    t0 = time.perf_counter()
    spa(sub, bench, reps=1000, seed=SEED)
    t_sub = time.perf_counter() - t0
    agree = all(abs(mine.pvalues[c] - float(ref.pvalues[c])) < 1e-12 for c in mine.pvalues)
    scale = returns.shape[1] / k
    print(f"arch SPA on the first {k:,} rules: {t_arch:.1f} s (ours on the same: {t_sub:.3f} s)")
    if scale != 1:
        print(f"  arch scaled linearly to {returns.shape[1]:,} rules: {t_arch * scale:.0f} s")
    print(f"  p-values agree with ours computed as arch does (not studentized): {agree}")
    print(f"    arch {ref.pvalues.round(4).to_dict()}  ours {mine.pvalues}")
    print(f"  speed ratio arch / ours on the full case: {t_arch * scale / ours:,.0f}×")


if __name__ == "__main__":
    main()
