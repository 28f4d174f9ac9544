"""Benchmark: `yenflow explain` for one episode and for all top-20 two-week episodes.

Targets (issue "why did they sell?"): one episode under 2 s, all top-20 two-week episodes of
outward long-term debt net sales under 10 s, on a 2-core machine. The store is filled first
(untimed) with `yenflow fetch --from DATA`. Prints:

- the whole command `yenflow explain --start 2025-03-30 --end 2025-04-12` (a new Python
  process: interpreter, imports, store read, scorecard, printing), median of N runs, wall
  clock and the child's CPU time (user + sys: what a busy shared machine does not inflate);
- in process, after one warm-up call: reading the store and `explain()` for the April 2025
  episode (median of N), and `explain_many()` for the 20 largest non-overlapping two-week
  net sales (one pass, sequential, each series read once).

    python benchmarks/bench_explain.py [DATA_DIR] [--repeat N]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from realdata import arguments

from yenflow import api
from yenflow.analytics.attribution import explain, explain_many, load_observations
from yenflow.analytics.flows import flow_windows

EPISODE = ("2025-03-30", "2025-04-12")


def load(store: Path) -> pd.DataFrame:
    with api.open_store(store, read_only=True) as st:
        return load_observations(st)


def main() -> None:
    args = arguments(__doc__, repeat=3)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store.duckdb"
        env = {**os.environ, "YENFLOW_STORE": str(store)}
        fetch = [sys.executable, "-m", "yenflow", "fetch", "--from", args.data]
        proc = subprocess.run(fetch, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr)
            sys.exit("fetch failed")

        cmd = [
            sys.executable,
            "-m",
            "yenflow",
            "explain",
            "--start",
            EPISODE[0],
            "--end",
            EPISODE[1],
        ]
        command, cpu = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            command.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr)
                sys.exit("explain failed")

        obs = load(store)
        explain(obs, start=EPISODE[0], end=EPISODE[1])  # warm-up (imports, caches)
        single = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            card = explain(load(store), start=EPISODE[0], end=EPISODE[1])
            single.append(time.perf_counter() - t0)

        windows = flow_windows(
            obs, directions=["outward"], assets=["long_term_debt"], window_weeks=[2]
        )
        top = windows.episodes(
            direction="outward", asset="long_term_debt", weeks=2, side="sale", top=20
        )
        spans = [(r["period_start"].date(), r["period_end"].date()) for _, r in top.iterrows()]
        t0 = time.perf_counter()
        cards = explain_many(obs, spans)
        total = time.perf_counter() - t0
        supported = sum("supported" in c.verdicts().values() for c in cards)

    loadavg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}; load average {loadavg}; data: {args.data}")
    runs = ", ".join(f"{t:.3f}" for t in command)
    print(
        f"`yenflow explain --start {EPISODE[0]} --end {EPISODE[1]}` whole command: median "
        f"{statistics.median(command):.3f} s (runs: {runs}; child CPU user+sys median "
        f"{statistics.median(cpu):.3f} s)  target < 2 s"
    )
    runs = ", ".join(f"{t:.3f}" for t in single)
    print(
        f"in process, store read + explain(), one episode: median "
        f"{statistics.median(single):.3f} s (runs: {runs})  target < 2 s"
    )
    print(
        f"in process, explain_many() for the top {len(cards)} two-week net sales: "
        f"{total:.3f} s ({total / len(cards):.3f} s each; {supported} with a supported "
        "hypothesis)  target < 10 s"
    )
    print(f"April 2025 verdicts: {card.verdicts()}")


if __name__ == "__main__":
    main()
