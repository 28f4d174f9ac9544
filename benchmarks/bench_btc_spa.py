"""Benchmark: Hansen's SPA (and White's reality check) over the sweep's 10,000 rules.

The issue's synthetic workload (4,000 days, 10,000 configurations, 10 bp per side), the rules'
daily returns against buy-and-hold BTC, 1,000 stationary-bootstrap replications (mean block
sqrt(T) = 63 days, seed 20250101). Target on a 2-core machine: ≤ 1.5 s for the test. For
comparison it also runs the same test from a counts matrix (``counts=``: the matrix product
``counts @ d``, float64 and float32) and checks the p-values are the default path's.

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
import resource
import statistics
import time

import numpy as np


def peak_mib() -> float:
    """Peak resident memory of this process, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--arch-configs", type=int, default=1000)
    parser.add_argument("--no-arch", action="store_true")
    args = parser.parse_args()

    from yenflow.analytics.bitcoin.bootstrap import stationary_counts
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
    peak = peak_mib()  # the returns, the compile and the default path so far
    counts = stationary_counts(returns.shape[0], block_size=res.block_size, reps=1000, seed=SEED)
    product = {}
    for precision in ("float64", "float32"):
        t0 = time.perf_counter()
        got = spa(returns, bench, seed=SEED, counts=counts, precision=precision)
        product[precision] = (time.perf_counter() - t0, got.pvalues == res.pvalues)
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
        f"  peak memory of the process to here: {peak:,.0f} MiB (of which the returns matrix: "
        f"{returns.nbytes / 2**20:,.0f} MiB)"
    )
    for precision, (seconds, same) in product.items():
        print(
            f"  the same from a counts matrix (one {precision} matrix product, counts=): "
            f"{seconds:.3f} s; same p-values: {same}"
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
