"""Benchmark: flow_windows, treasury_holdings and carry_monitor on the real observations.

Target: flow_windows and carry_monitor each under 0.5 s on everything in ../shared/data
(the budgets the timed tests held before they moved here); treasury_holdings has no budget
of its own; the whole `yenflow report` stays under 5 s (bench_report.py). The observations
are every real file parsed by the sources that recognize it, then one row per (series,
period) with `latest_per_period`, as the store keeps them. Prints the first (cold) call and
the best and median of N more, and the size of each answer.

    python benchmarks/bench_analytics.py [DATA_DIR] [--repeat N]
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from realdata import arguments, real_payloads, time_calls

from yenflow.analytics.carry import CarryMonitor, carry_monitor
from yenflow.analytics.flows import FlowWindows, flow_windows
from yenflow.analytics.holdings import TreasuryHoldings, treasury_holdings
from yenflow.analytics.inputs import latest_per_period
from yenflow.errors import DataError
from yenflow.pipeline import ENTRIES, Analyses, analyse

ROW = "{:<20} {:>9} {:>9} {:>10}  {}"


def observations(data: Path) -> tuple[pd.DataFrame, int, float]:
    """The canonical frame of every real file, one row per (series, period).

    Also returns how many files were parsed and the seconds it took (parse and dedupe).
    """
    t0 = time.perf_counter()
    frames = [source.parse(payload).frame for source, payload in real_payloads(data)]
    obs = latest_per_period(pd.concat(frames, ignore_index=True))
    return obs, len(frames), time.perf_counter() - t0


def _windows(result: FlowWindows) -> str:
    return f"{len(result.to_frame()):,} window rows"


def _holdings(result: TreasuryHoldings) -> str:
    return f"{len(result.table):,} holder-months"


def _monitor(result: CarryMonitor) -> str:
    return f"{len(result.frame):,} days, {len(result.episodes.episodes)} unwind episodes"


def _bundle(obs: pd.DataFrame) -> Analyses:
    """The analysis bundle with every entry computed (what one report needs)."""
    bundle = analyse(obs)
    for name in ENTRIES:
        with contextlib.suppress(DataError):  # a missing series is a note, not a failure
            bundle.get(name)
    return bundle


def _computed(result: Analyses) -> str:
    return f"{len(result.computed())} of {len(ENTRIES)} results"


#: name, the analysis (called on the observations), a description of the size of its answer
ANALYSES: tuple[tuple[str, Callable[[pd.DataFrame], Any], Callable[[Any], str]], ...] = (
    ("flow_windows", flow_windows, _windows),
    ("treasury_holdings", treasury_holdings, _holdings),
    ("carry_monitor", carry_monitor, _monitor),
    ("pipeline.analyse (all)", _bundle, _computed),
)


def main() -> None:
    args = arguments(__doc__)
    obs, files, seconds = observations(Path(args.data))
    print(
        f"data: {args.data}, cores: {os.cpu_count()}, timed runs per analysis: {args.repeat}\n"
        f"observations: {len(obs):,} rows, {obs['series_id'].nunique()} series "
        f"from {files} files (parsed and deduplicated in {seconds:.3f} s)"
    )
    print(ROW.format("analysis", "first ms", "best ms", "median ms", "answer"))
    total = 0.0
    for name, analysis, size in ANALYSES:
        result, timing = time_calls(lambda f=analysis: f(obs), args.repeat)
        total += timing.median
        print(
            ROW.format(
                name,
                f"{timing.first * 1000:.1f}",
                f"{timing.best * 1000:.1f}",
                f"{timing.median * 1000:.1f}",
                size(result),
            )
        )
    print(f"sum of medians: {total * 1000:.1f} ms")
    print("target: flow_windows < 0.5 s, carry_monitor < 0.5 s")


if __name__ == "__main__":
    main()
