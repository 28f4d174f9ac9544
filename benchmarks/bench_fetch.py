"""Benchmark: a full fetch from a raw snapshot into an empty store, then a no-change refresh.

Target (issue "data spine"): both under 2 s for everything in ../shared/data on a
2-core machine. Prints in-process times (the library call) and whole-command
times (`python -m yenflow fetch --from DIR`, interpreter start-up included).

    python benchmarks/bench_fetch.py [DATA_DIR] [--repeat N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from realdata import arguments

from yenflow.config import Settings
from yenflow.refresh import refresh
from yenflow.store import Store


def in_process(data: Path, store_path: Path) -> tuple[float, float, int]:
    settings = Settings.from_env({}, store_path=store_path)
    with Store(store_path) as store:
        t0 = time.perf_counter()
        first = refresh(settings=settings, store=store, snapshot_dir=data)
        t1 = time.perf_counter()
        second = refresh(settings=settings, store=store, snapshot_dir=data)
        t2 = time.perf_counter()
    rows = sum(o.added for o in first.outcomes)
    assert all(o.added == 0 and o.revised == 0 for o in second.outcomes), second.to_frame()
    return t1 - t0, t2 - t1, rows


def whole_command(data: Path, store_path: Path) -> tuple[float, float]:
    env = {**os.environ, "YENFLOW_STORE": str(store_path)}
    cmd = [sys.executable, "-m", "yenflow", "fetch", "--from", str(data), "--json"]
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=False, capture_output=True)
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def main() -> None:
    args = arguments(__doc__, repeat=3)
    data = Path(args.data)
    full, noop, cli_full, cli_noop = [], [], [], []
    rows = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            f, n, rows = in_process(data, Path(tmp) / "a.duckdb")
            full.append(f)
            noop.append(n)
            cf, cn = whole_command(data, Path(tmp) / "b.duckdb")
            cli_full.append(cf)
            cli_noop.append(cn)
    size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    print(f"snapshot: {data} ({size / 1e6:.1f} MB), {rows:,} observations, cores: {os.cpu_count()}")
    print(
        f"full fetch into empty store   (in-process): median {statistics.median(full):.3f} s  "
        f"(runs: {', '.join(f'{x:.3f}' for x in full)})"
    )
    print(
        f"no-change refresh             (in-process): median {statistics.median(noop):.3f} s  "
        f"(runs: {', '.join(f'{x:.3f}' for x in noop)})"
    )
    print(f"full fetch, whole command  (yenflow fetch): median {statistics.median(cli_full):.3f} s")
    print(f"no-change, whole command   (yenflow fetch): median {statistics.median(cli_noop):.3f} s")
    print("target: < 2 s each")


if __name__ == "__main__":
    main()
