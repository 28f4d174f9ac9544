"""Benchmark: `yenflow report` as whole commands (wall clock), and where its time goes.

1. `yenflow report --from DATA` into an empty store (target, issue "what happened": < 5 s;
   issue 10: <= 2.5 s at 1x on a 2-core machine);
2. `yenflow report --offline` on the store that run filled (issue 10: <= 1.2 s at 1x);
3. in-process stages of the offline report: the store read of only the series the analyses
   declare (`pipeline.required_series`) with every series' freshness in one query, against
   reading every series; the analyses; the HTML; the JSON.

    python benchmarks/bench_report.py [DATA_DIR] [--repeat N]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from realdata import arguments


def _run(cmd: list[str], env: dict[str, str], out: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or not out.exists():
        print(proc.stdout, proc.stderr)
        sys.exit("report failed")
    return elapsed


def _median(label: str, times: list[float]) -> None:
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"{label}: median {statistics.median(times):.3f} s (runs: {runs})")


def _stages(store_path: Path, repeat: int) -> None:
    from yenflow import api, pipeline
    from yenflow.report import render_html
    from yenflow.report.build import build_report

    read_all, read_needed, analyse, html, js = [], [], [], [], []
    for _ in range(repeat):
        with api.open_store(store_path, read_only=True) as st:
            t0 = time.perf_counter()
            everything = st.observations()
            t1 = time.perf_counter()
            fresh = st.freshness()
            ids = pipeline.required_series(fresh["series_id"].astype(str))
            obs = st.observations(series_ids=ids)
            status = st.source_status()
            t2 = time.perf_counter()
        report = build_report(obs, sources=status, freshness=fresh)
        t3 = time.perf_counter()
        page = render_html(report)
        t4 = time.perf_counter()
        json.dumps(report.summary(), default=str)
        t5 = time.perf_counter()
        read_all.append(t1 - t0)
        read_needed.append(t2 - t1)
        analyse.append(t3 - t2)
        html.append(t4 - t3)
        js.append(t5 - t4)
    print(
        f"store: {len(everything):,} rows in {everything['series_id'].nunique()} series; the "
        f"analyses read {len(obs):,} rows of {len(ids)} series"
    )
    for label, times in (
        ("  read every series (before)", read_all),
        ("  read the declared series + freshness + status", read_needed),
        ("  analyses and sections", analyse),
        ("  HTML", html),
        ("  JSON", js),
    ):
        _median(label, times)
    print(f"  HTML size: {len(page) / 1e6:.2f} MB")


def main() -> None:
    args = arguments(__doc__, repeat=3)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        store = Path(tmp) / "store.duckdb"
        env = {**os.environ, "YENFLOW_STORE": str(store)}
        base = [sys.executable, "-m", "yenflow", "report", "--out", str(out)]
        warm_cache = {"YENFLOW_CACHE_DIR": str(Path(tmp) / "cache-warm")}
        fresh_cold, fresh_warm, offline_cold, offline_warm = [], [], [], []
        _run([*base, "--from", args.data], {**env, **warm_cache}, out)  # fills the warm cache
        for i in range(args.repeat):
            for path in Path(tmp).glob("store.duckdb*"):
                path.unlink()
            cold = {"YENFLOW_CACHE_DIR": str(Path(tmp) / f"cache-cold-{i}")}  # empty
            fresh_cold.append(_run([*base, "--from", args.data], {**env, **cold}, out))
            for path in Path(tmp).glob("store.duckdb*"):
                path.unlink()
            fresh_warm.append(_run([*base, "--from", args.data], {**env, **warm_cache}, out))
        for i in range(args.repeat):
            cold = {"YENFLOW_CACHE_DIR": str(Path(tmp) / f"cache-offline-{i}")}  # empty
            offline_cold.append(_run([*base, "--offline"], {**env, **cold}, out))
            offline_warm.append(_run([*base, "--offline"], {**env, **warm_cache}, out))
        print(f"yenflow report, data {args.data}, cores: {os.cpu_count()}")
        print("cold: empty analysis cache; warm: every analysis's result read from the cache")
        _median("report --from DATA into an empty store, cold", fresh_cold)
        _median("report --from DATA into an empty store, warm", fresh_warm)
        _median("report --offline, cold", offline_cold)
        _median("report --offline, warm", offline_warm)
        print("targets: --from < 5 s (<= 2.5 s, issue 10); --offline <= 1.2 s (issue 10)")
        _stages(store, args.repeat)


if __name__ == "__main__":
    main()
