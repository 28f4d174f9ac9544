"""Benchmark: a 1,000,000-configuration sweep on a dask.distributed LocalCluster.

The issue's synthetic 4,000 days, a grid of 100 falls (0.2 %..5 %) × 100 look-backs (1..100
days) × 100 holding periods (1..100 days), 10 bp per side. Runs the same call locally and on a
LocalCluster (2 worker processes, 1 thread each; or ``--scheduler tcp://host:8786`` for a real
cluster), checks the results are identical, prints both times.

    python benchmarks/bench_btc_dask.py [--scheduler ADDRESS] [--partitions N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--partitions", type=int, default=None)
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    from yenflow.analytics.bitcoin.sweep import SweepGrid, sweep
    from yenflow.analytics.bitcoin.workload import synthetic_workload

    w = synthetic_workload()
    grid = SweepGrid(
        fall=np.linspace(0.002, 0.05, 100), lookback=np.arange(1, 101), hold=np.arange(1, 101)
    )
    sweep(w.btc, w.usdjpy, SweepGrid([0.01], [1], [1]))  # compile / load the cache
    t0 = time.perf_counter()
    local = sweep(w.btc, w.usdjpy, grid)
    t_local = time.perf_counter() - t0
    if args.scheduler:
        client = Client(args.scheduler)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    try:
        small = SweepGrid([0.01], [1, 2], [1])
        sweep(w.btc, w.usdjpy, small, backend="dask", scheduler=client)  # warm the workers
        t0 = time.perf_counter()
        remote = sweep(
            w.btc, w.usdjpy, grid, backend="dask", scheduler=client, partitions=args.partitions
        )
        t_dask = time.perf_counter() - t0
        workers = len(client.scheduler_info()["workers"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    same = all(
        np.array_equal(getattr(local, n), getattr(remote, n), equal_nan=True)
        for n in ("total_return", "sharpe", "max_drawdown", "trades", "exposure")
    )
    print(f"sweep of {grid.size:,} configurations × {len(w.btc):,} days")
    print(f"  local (numba, all cores): {t_local:.2f} s")
    print(f"  dask ({workers} workers): {t_dask:.2f} s; identical to local: {same}")
    print(f"  {remote.describe()}")


if __name__ == "__main__":
    main()
