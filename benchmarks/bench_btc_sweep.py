"""Benchmark: the Bitcoin lab's rule sweep on the issue's synthetic workload.

4,000 days (numpy.random.default_rng(20250101)), 50 x × 20 n × 10 h = 10,000 configurations,
10 bp per side. Targets on a 2-core machine: ≤ 0.05 s warm, < 0.5 GB peak memory.

Prints the cold time (first call in a fresh process: numba compiles or loads its cache), the
median of the warm calls, and the process's peak resident memory. When vectorbt is importable
(``pip install -e '.[bench]'``), runs ``vbt.Portfolio.from_signals`` on the same workload
(entries/exits built from the same rule; fees 10 bp; close fills), checks that total return,
max drawdown and trades agree and that the Sharpe ratios agree on vectorbt's returns from day 1
(vectorbt's own ``sharpe_ratio`` also counts day 0's zero return and reports +inf for rules
that never trade — both shown, neither counted as disagreement), and prints the speed ratio.

    python benchmarks/bench_btc_sweep.py [--repeat N] [--vbt-configs K] [--no-vbt]

``--vbt-configs K`` times vectorbt on the first K configurations only and scales its time
linearly to 10,000 (said so in the output); the default runs it on all of them.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

import numpy as np


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB on Linux


def cold_time() -> float:
    code = (
        "import time;from yenflow.analytics.bitcoin.workload import synthetic_workload as s;"
        "from yenflow.analytics.bitcoin.sweep import sweep;w=s();t=time.perf_counter();"
        "sweep(w.btc,w.usdjpy,w.grid);print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def vectorbt_signals(close: np.ndarray, fx: np.ndarray, configs) -> tuple[np.ndarray, ...]:
    """Entries/exits (T × K booleans) of the same rule, for vectorbt."""
    n_t = len(close)
    k = len(configs)
    entries = np.zeros((n_t, k), dtype=bool)
    exits = np.zeros((n_t, k), dtype=bool)
    for j, (x, n, h) in enumerate(configs):
        change = np.full(n_t, np.nan)
        change[n:] = fx[n:] / fx[:-n] - 1.0
        sig = change < -x
        sig[0] = False
        held = np.zeros(n_t + 1, dtype=bool)  # held[t]: a signal in t-h .. t-1
        csum = np.concatenate([[0], np.cumsum(sig)])
        t = np.arange(n_t + 1)
        held = (csum[np.minimum(t, n_t)] - csum[np.maximum(t - h, 0)]) > 0
        entries[:, j] = ~held[:-1] & held[1:]
        exits[:, j] = held[:-1] & ~held[1:]
    return entries, exits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--vbt-configs", type=int, default=None)
    parser.add_argument("--no-vbt", action="store_true")
    args = parser.parse_args()

    from yenflow.analytics.bitcoin._jit import HAVE_NUMBA
    from yenflow.analytics.bitcoin.sweep import sweep
    from yenflow.analytics.bitcoin.workload import synthetic_workload

    w = synthetic_workload()
    cold = cold_time()
    first = time.perf_counter()
    res = sweep(w.btc, w.usdjpy, w.grid, cost_bp=w.cost_bp)
    first = time.perf_counter() - first
    warm, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = sweep(w.btc, w.usdjpy, w.grid, cost_bp=w.cost_bp)
        warm.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    ours = statistics.median(warm)
    print(f"sweep: {w.grid.size:,} configurations × {len(w.btc):,} days, numba={HAVE_NUMBA}")
    print(f"  cold (fresh process, first call): {cold:.3f} s; first call here {first:.3f} s")
    print(f"  warm median of {args.repeat}: {ours:.4f} s wall  (target ≤ 0.05 s)")
    print(
        f"  CPU time of the same calls, median: {statistics.median(cpu):.4f} s (both threads; "
        "on a shared, busy machine wall time exceeds CPU time / 2)"
    )
    print(f"  peak resident memory of this process: {peak_rss_gb():.3f} GB  (target < 0.5 GB)")
    print(f"  {res.describe()}")

    if args.no_vbt:
        return
    try:
        import vectorbt as vbt
    except ImportError:
        print("vectorbt: not installed (pip install -e '.[bench]'); no comparison")
        return
    import pandas as pd

    configs = w.grid.configs()
    k = len(configs) if args.vbt_configs is None else min(args.vbt_configs, len(configs))
    sub = configs.iloc[:k]
    close = w.btc.to_numpy()
    t0 = time.perf_counter()
    entries, exits = vectorbt_signals(close, w.usdjpy.to_numpy(), list(sub.itertuples(index=False)))
    t_sig = time.perf_counter() - t0
    cols = pd.RangeIndex(k)
    ent = pd.DataFrame(entries, index=w.btc.index, columns=cols)
    ex = pd.DataFrame(exits, index=w.btc.index, columns=cols)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        pf = vbt.Portfolio.from_signals(
            w.btc, ent, ex, fees=w.cost_bp / 1e4, freq="1D", init_cash=1.0
        )
        total = pf.total_return().to_numpy()
        mdd = pf.max_drawdown().to_numpy()
        trades = pf.trades.count().to_numpy()
        vbt_sharpe = pf.sharpe_ratio().to_numpy()
        times.append(time.perf_counter() - t0)
    rets = pf.returns().to_numpy()[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = rets.std(axis=0, ddof=1)
        sharpe_d1 = np.where(sd > 0, rets.mean(axis=0) / sd * np.sqrt(365), np.nan)
    ok_total = np.allclose(total, res.total_return[:k], rtol=1e-9, atol=1e-12)
    ok_mdd = np.allclose(mdd, res.max_drawdown[:k], rtol=1e-9, atol=1e-12)
    ok_trades = bool((trades == res.trades[:k]).all())
    ok_sharpe = np.allclose(sharpe_d1, res.sharpe[:k], rtol=1e-7, equal_nan=True)
    inf = int(np.isinf(vbt_sharpe).sum())
    ours_nan = int(np.isnan(res.sharpe[:k]).sum())
    vt = times[-1]
    scale = len(configs) / k
    print(f"vectorbt {vbt.__version__} on {k:,} configurations (warm = 2nd of 2 runs):")
    print(f"  signals (numpy, not timed as vectorbt's): {t_sig:.2f} s")
    print(f"  from_signals + metrics: cold {times[0]:.2f} s, warm {vt:.2f} s")
    if scale != 1:
        print(f"  scaled linearly to {len(configs):,} configurations: {vt * scale:.1f} s")
    print(
        f"  agreement: total return {ok_total}, max drawdown {ok_mdd}, trades {ok_trades}, "
        f"Sharpe on returns from day 1 {ok_sharpe}"
    )
    print(f"  vectorbt sharpe_ratio() = ±inf for {inf} rules (ours NaN for {ours_nan})")
    print(f"  peak resident memory after vectorbt: {peak_rss_gb():.2f} GB")
    print(f"  speed ratio vectorbt / ours (warm): {vt * scale / ours:,.0f}×")


if __name__ == "__main__":
    main()
