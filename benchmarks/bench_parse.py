"""Benchmark: parse time of every real raw file that a registered source recognizes.

Target (issue "data spine"): the whole of ../shared/data fetched from a snapshot into
the store in < 2 s, so each parser well under ~150 ms on its real files (vectorized
where rows are many). Prints, per file, the size, the rows out, the first (cold) parse
and the best and median of N more; then the totals and the files no source reads.

    python benchmarks/bench_parse.py [DATA_DIR] [--repeat N]
"""

from __future__ import annotations

import os
from pathlib import Path

from realdata import Timing, arguments, real_payloads, time_calls

from yenflow.errors import ParseError

ROW = "{:<52} {:>8} {:>9} {:>9} {:>9} {:>9}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def unread_files(data: Path, read: set[str]) -> list[str]:
    """Files of the data folder that no source recognizes (documentation aside)."""
    return sorted(
        path.relative_to(data).as_posix()
        for path in data.rglob("*")
        if path.is_file() and path.suffix != ".md" and path.relative_to(data).as_posix() not in read
    )


def main() -> None:
    args = arguments(__doc__)
    data = Path(args.data)
    print(f"data: {data}, cores: {os.cpu_count()}, timed runs per file: {args.repeat}")
    print(ROW.format("file", "MB", "rows", "first ms", "best ms", "median ms"))
    timings: dict[str, Timing] = {}
    total_rows = total_bytes = 0
    read: set[str] = set()
    for source, payload in real_payloads(data):
        read.add(payload.raw_path)
        size = len(payload.content)
        try:
            dataset, timing = time_calls(lambda s=source, p=payload: s.parse(p), args.repeat)
        except ParseError as error:
            print(f"{payload.raw_path:<52} PARSE ERROR: {error}")
            continue
        rows = len(dataset.frame)
        timings[payload.raw_path] = timing
        total_rows += rows
        total_bytes += size
        print(
            ROW.format(
                payload.raw_path,
                f"{size / 1e6:.2f}",
                f"{rows:,}",
                ms(timing.first),
                ms(timing.best),
                ms(timing.median),
            )
        )
    print(
        ROW.format(
            f"total ({len(timings)} files)",
            f"{total_bytes / 1e6:.2f}",
            f"{total_rows:,}",
            ms(sum(t.first for t in timings.values())),
            ms(sum(t.best for t in timings.values())),
            ms(sum(t.median for t in timings.values())),
        )
    )
    if timings:
        slowest = max(timings, key=lambda path: timings[path].best)
        print(f"slowest (best of {args.repeat}): {slowest}, {ms(timings[slowest].best)} ms")
    unread = unread_files(data, read)
    if unread:
        print(f"not read by any source ({len(unread)} files): {', '.join(unread)}")
    print("target: each file well under 150 ms; everything into the store < 2 s (bench_fetch.py)")


if __name__ == "__main__":
    main()
