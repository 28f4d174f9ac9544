"""Benchmark: `yenflow report --from DATA` into an empty store (whole command, wall clock).

Target (issue "what happened"): under 5 s on a 2-core machine.

    python benchmarks/bench_report.py [DATA_DIR] [--repeat N]
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


def main() -> None:
    args = arguments(__doc__, repeat=3)
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
