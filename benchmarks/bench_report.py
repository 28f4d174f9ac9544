"""Benchmark: `yenflow report --from DATA` into an empty store (whole command, wall clock).

Target (issue "what happened"): under 5 s on a 2-core machine.

    python benchmarks/bench_report.py [DATA_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get(
        "YENFLOW_TEST_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("data", nargs="?", default=default)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times = []
    size = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.html"
            env = {**os.environ, "YENFLOW_STORE": str(Path(tmp) / "store.duckdb")}
            cmd = [
                sys.executable,
                "-m",
                "yenflow",
                "report",
                "--from",
                args.data,
                "--out",
                str(out),
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0 or not out.exists():
                print(proc.stdout, proc.stderr)
                sys.exit("report failed")
            size = out.stat().st_size
    print(f"yenflow report --from {args.data} into an empty store, cores: {os.cpu_count()}")
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"wall clock: median {statistics.median(times):.3f} s (runs: {runs})")
    print(f"HTML size: {size / 1e6:.2f} MB")
    print("target: < 5 s")


if __name__ == "__main__":
    main()
