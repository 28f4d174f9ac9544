"""Benchmark: the event study's stationary bootstrap on the issue's synthetic workload.

Events: yen-appreciation shocks of the synthetic USD/JPY (fall > 2 % over 5 days, de-clustered
with a 20-day gap); BTC's excess cumulative log return over horizons 1..60 days; 10,000
stationary-bootstrap resamples (mean block sqrt(T) = 63 days), seeded. Target on a 2-core
machine: ≤ 0.4 s for the study (without the placebo, which doubles it). Prints the median wall
time and the CPU time of the same calls (the machine is shared: CPU time shows the work).

    python benchmarks/bench_btc_events.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from yenflow.analytics.bitcoin.events import event_study, yen_shocks
    from yenflow.analytics.bitcoin.workload import SEED, synthetic_workload

    w = synthetic_workload()
    events = yen_shocks(w.usdjpy, fall_pct=2.0, days=5, min_gap=20)
    event_study(w.btc, events, reps=50, seed=SEED, placebo=False)  # compile / load cache
    wall, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = event_study(w.btc, events, reps=10_000, seed=SEED, placebo=False)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t0 = time.perf_counter()
    with_placebo = event_study(w.btc, events, reps=10_000, seed=SEED)
    t_placebo = time.perf_counter() - t0
    print(f"event study: {len(events)} events, horizons 1..60, 10,000 resamples, 4,000 days")
    print(
        f"  median of {args.repeat}: {statistics.median(wall):.3f} s wall, "
        f"{statistics.median(cpu):.3f} s CPU  (target ≤ 0.4 s)"
    )
    print(f"  with the placebo study: {t_placebo:.3f} s")
    print(f"  {with_placebo.describe()}")
    print(f"  (same seed, same answer: {res.p_value[19] == with_placebo.p_value[19]})")


if __name__ == "__main__":
    main()
