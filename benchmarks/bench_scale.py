"""Benchmark: whole commands at 1x and 10x the data (FRED files replicated under new ids).

Builds the 10x snapshot itself in a temporary folder: every folder of DATA_DIR, plus each
FRED file copied under new series ids (``DGS10`` -> ``DGS10R001``, ``DGS10R002``...: the
header renamed, the values the same) until the observation count is about ``--scale`` times
that of DATA_DIR; ``YENFLOW_FRED_SERIES`` lists every id. Then, for 1x and for 10x, it times
each of these as the whole command (a subprocess of ``--yenflow``, interpreter start-up
included), median of ``--repeat`` runs, with the peak memory (max RSS) of the command:

- full fetch: ``fetch --from SNAP`` into an empty store;
- no-change fetch: the same again;
- ``report --offline``;
- ``report --from SNAP`` into an empty store;
- ``show fred.DEXJPUS --last 5``.

Targets (issue "Speed at ten times the data", 2-core machine): report --offline <= 1.2 s
(1x) and <= 1.6 s (10x); report --from into an empty store <= 2.5 s (1x); full fetch
<= 1.5 s (1x) and <= 10 s (10x); no-change fetch <= 0.5 s (1x) and <= 0.8 s (10x);
show <= 0.5 s; peak memory of a 10x fetch < 600 MB.

``--yenflow PATH`` is the executable to time (default: the ``yenflow`` beside this Python),
so two versions (e.g. an old commit's install and the current one) can be compared with the
same script; run it once per executable, on the same machine, close together.

    python benchmarks/bench_scale.py [DATA_DIR] [--yenflow PATH] [--repeat 5] [--scale 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = os.environ.get(
    "YENFLOW_TEST_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
)
#: the sources a snapshot folder holds (the others in DATA_DIR, e.g. ``markets``, are not read)
SOURCES = ("mof", "jgb", "tic", "fred", "cftc", "btc")


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system CPU seconds of the command (less sensitive to a busy machine)
    peak_mb: float
    code: int


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=DEFAULT_DATA, help="folder of real raw files")
    parser.add_argument(
        "--yenflow",
        default=str(Path(sys.executable).with_name("yenflow")),
        help="the yenflow executable to time (default: the one beside this Python)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command")
    parser.add_argument("--scale", type=float, default=10.0, help="the large snapshot's size")
    parser.add_argument(
        "--only", choices=("1x", "10x"), default=None, help="time one snapshot only"
    )
    args = parser.parse_args()
    if not Path(args.data).is_dir():
        parser.error(f"no data folder at {args.data} (pass DATA_DIR or set YENFLOW_TEST_DATA)")
    if not Path(args.yenflow).is_file():
        parser.error(f"--yenflow {args.yenflow}: no such executable")
    if args.repeat < 1 or args.scale < 1:
        parser.error("--repeat and --scale must be at least 1")
    return args


def run(cmd: list[str], env: dict[str, str]) -> Run:
    """Run ``cmd``; its wall time, CPU time and peak RSS (from ``wait4``: this child only).
    Prints one progress line per run (to stderr)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    result = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)
    shown = " ".join(Path(c).name if "/" in c else c for c in cmd[1:3])
    print(
        f"  {shown:<28} {result.seconds:7.2f} s {result.cpu:7.2f} cpu {result.peak_mb:6.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    return result


def fred_rows(folder: Path) -> dict[Path, int]:
    """Data lines of each FRED CSV file (header excluded)."""
    out = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open("rb") as fh:
            out[path] = sum(1 for _ in fh) - 1
    return out


def one_x(data: Path, root: Path) -> Path:
    """The 1x snapshot: links to DATA_DIR's source folders."""
    one = root / "1x"
    one.mkdir()
    for name in SOURCES:
        if (data / name).is_dir():
            (one / name).symlink_to((data / name).resolve(), target_is_directory=True)
    return one


def observations_of(exe: str, snap: Path, store: Path, env: dict[str, str]) -> int:
    """Rows a full fetch of ``snap`` stores (added + unchanged, from ``fetch --json``)."""
    proc = subprocess.run(
        [exe, "fetch", "--from", str(snap), "--json"],
        env={**env, "YENFLOW_STORE": str(store)},
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        sources = json.loads(proc.stdout)["sources"]
    except (json.JSONDecodeError, KeyError):
        sys.exit(f"fetch printed no JSON:\n{proc.stdout[-1000:]}\n{proc.stderr[-1000:]}")
    store.unlink(missing_ok=True)
    return sum(int(s["added"]) for s in sources)


def build_scaled(data: Path, root: Path, scale: float, rows_1x: int) -> tuple[Path, str, int]:
    """The scaled snapshot: FRED files replicated under new ids until about ``scale`` times
    ``rows_1x`` observations; its FRED ids and its approximate observation count."""
    big = root / f"{scale:g}x"
    big.mkdir()
    for name in SOURCES:
        if (data / name).is_dir() and name != "fred":
            (big / name).symlink_to((data / name).resolve(), target_is_directory=True)
    fred = big / "fred"
    fred.mkdir()
    per_file = fred_rows(data / "fred")
    fred_lines = sum(per_file.values())
    copies = max(0, math.ceil((scale - 1) * rows_1x / max(fred_lines, 1)))
    ids: list[str] = []
    for path in per_file:
        shutil.copyfile(path, fred / path.name)
        header = path.read_text(encoding="utf-8").split("\n", 1)[0].strip().split(",")
        if header[1] not in ids:
            ids.append(header[1])
    for k in range(1, copies + 1):
        for path, _ in per_file.items():
            text = path.read_text(encoding="utf-8")
            head, body = text.split("\n", 1)
            date_col, series_id = head.strip().split(",")
            new_id = f"{series_id}R{k:03d}"
            name = path.name.replace(series_id, new_id, 1)
            (fred / name).write_text(f"{date_col},{new_id}\n{body}", encoding="utf-8")
            if new_id not in ids:
                ids.append(new_id)
    return big, ",".join(ids), rows_1x + copies * fred_lines


def child_env() -> dict[str, str]:
    """The environment of the timed commands: no yenflow settings; bytecode caches allowed."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("YENFLOW_", "FRED_")) and k != "PYTHONDONTWRITEBYTECODE"
    }


def time_snapshot(
    label: str, exe: str, snap: Path, fred_ids: str | None, repeat: int, work: Path
) -> dict[str, list[Run]]:
    base_env = child_env()
    if fred_ids:
        base_env["YENFLOW_FRED_SERIES"] = fred_ids
    out: dict[str, list[Run]] = {
        k: []
        for k in (
            "full fetch",
            "no-change fetch",
            "report --offline cold",
            "report --offline warm",
            "report --from cold",
            "report --from warm",
            "show",
        )
    }
    fetch = [exe, "fetch", "--from", str(snap), "--json"]
    # warm-up (bytecode caches, OS file cache), not timed
    warm = work / f"{label}-warm.duckdb"
    run(fetch, {**base_env, "YENFLOW_STORE": str(warm)})
    for i in range(repeat):
        store = work / f"{label}-{i}.duckdb"
        env = {**base_env, "YENFLOW_STORE": str(store)}
        out["full fetch"].append(run(fetch, env))
        out["no-change fetch"].append(run(fetch, env))
        html = str(work / f"{label}-{i}.html")
        # cold: an empty analysis cache; warm: the cache the cold run filled (same inputs)
        cache = {"YENFLOW_CACHE_DIR": str(work / f"{label}-{i}-cache")}
        offline = [exe, "report", "--offline", "--out", html]
        out["report --offline cold"].append(run(offline, {**env, **cache}))
        out["report --offline warm"].append(run(offline, {**env, **cache}))
        out["show"].append(run([exe, "show", "fred.DEXJPUS", "--last", "5"], env))
        from_snap = [exe, "report", "--from", str(snap), "--out", html]
        caches = (("cold", f"{label}-{i}-cache-from"), ("warm", f"{label}-{i}-cache"))
        for kind, cache_dir in caches:
            fresh = {
                **base_env,
                "YENFLOW_STORE": str(work / f"{label}-{i}-report-{kind}.duckdb"),
                "YENFLOW_CACHE_DIR": str(work / cache_dir),
            }
            out[f"report --from {kind}"].append(run(from_snap, fresh))
        for path in work.glob(f"{label}-{i}*"):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    warm.unlink(missing_ok=True)
    return out


def main() -> None:
    args = arguments()
    data = Path(args.data)
    exe = str(Path(args.yenflow).resolve())
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    print(f"yenflow: {exe} ({version.stdout.strip() or version.stderr.strip()})")
    print(f"data: {data}; cores: {os.cpu_count()}; median of {args.repeat} whole commands")
    results: dict[str, dict[str, list[Run]]] = {}
    with tempfile.TemporaryDirectory(prefix="yenflow-bench-scale-") as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        one = one_x(data, root)
        rows = observations_of(exe, one, work / "count.duckdb", child_env())
        big, ids, big_rows = build_scaled(data, root, args.scale, rows)
        n_fred = len(list((big / "fred").glob("*.csv")))
        print(
            f"snapshots: 1x {rows:,} observations; {args.scale:g}x ~{big_rows:,} "
            f"({n_fred} FRED files, {len(ids.split(','))} FRED series)"
        )
        plan = [("1x", one, None), (f"{args.scale:g}x", big, ids)]
        for label, snap, fred_ids in plan:
            if args.only and (label == "1x") != (args.only == "1x"):
                continue
            results[label] = time_snapshot(label, exe, snap, fred_ids, args.repeat, work)
    print()
    labels = list(results)
    print(
        f"{'command':<18}" + "".join(f"{x + ' s':>9}{x + ' cpu':>9}{x + ' MB':>8}" for x in labels)
    )
    for command in results[labels[0]]:
        cells = ""
        for label in labels:
            runs = results[label][command]
            cells += f"{statistics.median(r.seconds for r in runs):>9.2f}"
            cells += f"{statistics.median(r.cpu for r in runs):>9.2f}"
            cells += f"{max(r.peak_mb for r in runs):>8.0f}"
        print(f"{command:<18}{cells}")
    print(
        "\n(s: median wall-clock seconds of the whole command; cpu: median user+system CPU "
        "seconds; MB: the largest peak RSS among the runs)\n"
        "cold: an empty analysis cache (everything computed); warm: every analysis's result "
        "read from the cache the cold run filled\n"
        "targets: report --offline <= 1.2 s / 1.6 s (1x/10x); report --from <= 2.5 s (1x); "
        "full fetch <= 1.5 s / 10 s; no-change fetch <= 0.5 s / 0.8 s; show <= 0.5 s; "
        "10x fetch peak < 600 MB"
    )
    print(
        json.dumps(
            {
                label: {
                    command: {
                        "median_s": round(statistics.median(r.seconds for r in runs), 3),
                        "runs_s": [round(r.seconds, 3) for r in runs],
                        "median_cpu_s": round(statistics.median(r.cpu for r in runs), 3),
                        "peak_mb": round(max(r.peak_mb for r in runs), 1),
                    }
                    for command, runs in by_command.items()
                }
                for label, by_command in results.items()
            }
        )
    )


if __name__ == "__main__":
    main()
