"""What the parse and analytics benchmarks share: the command line and the real raw files.

Not a benchmark itself. The ``bench_*.py`` scripts import it (Python
puts the script's folder, ``benchmarks/``, first on ``sys.path``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from yenflow.config import Settings
from yenflow.payload import RawPayload
from yenflow.sources import get_source_class, source_names
from yenflow.sources.base import Source

__all__ = ["Timing", "arguments", "real_payloads", "time_calls"]

T = TypeVar("T")


def arguments(doc: str, *, repeat: int = 5) -> argparse.Namespace:
    """``[DATA_DIR] [--repeat N]``; DATA_DIR defaults to $YENFLOW_TEST_DATA or ../shared/data."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    default = os.environ.get(
        "YENFLOW_TEST_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("data", nargs="?", default=default, help="folder of real raw files")
    parser.add_argument("--repeat", type=int, default=repeat, help="timed runs")
    args = parser.parse_args()
    if not Path(args.data).is_dir():
        parser.error(f"no data folder at {args.data} (pass DATA_DIR or set YENFLOW_TEST_DATA)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def real_payloads(data: Path) -> Iterator[tuple[Source, RawPayload]]:
    """Every file of ``data/<source>/`` a registered source recognizes, as the snapshot reader
    would hand it over (``raw_path`` = ``<source>/<path in its folder>``), in path order."""
    settings = Settings.from_env({})
    for name in source_names():
        source = get_source_class(name)(settings)
        folder = data / name
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if source.recognizes(relative):
                yield (
                    source,
                    RawPayload.from_bytes(
                        path.read_bytes(), source=name, raw_path=f"{name}/{relative}"
                    ),
                )


@dataclass(frozen=True)
class Timing:
    """Seconds of one cold call (the first, caches empty) and of ``repeat`` further calls."""

    first: float
    runs: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def time_calls(call: Callable[[], T], repeat: int) -> tuple[T, Timing]:
    """Call ``call`` once, then ``repeat`` more times; its first result and the times."""
    t0 = time.perf_counter()
    result = call()
    first = time.perf_counter() - t0
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        runs.append(time.perf_counter() - t0)
    return result, Timing(first, tuple(runs))
