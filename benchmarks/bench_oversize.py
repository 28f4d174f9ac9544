"""Benchmark: peak memory of a fetch when servers send far more than a source's cap.

Scenarios, each in a fresh child process (so its peak RSS is its own), against a loopback
server on 127.0.0.1 that generates the bytes as it sends them:

- ``4 x oversized, no length``: four concurrent responses of ``--size-mb`` MB each,
  without Content-Length (the client must stop at the cap while streaming);
- ``4 x oversized, declared``: the same, with Content-Length (refused before reading);
- ``gzip bomb``: one ~``--bomb-mb / 1000`` MB gzip body that expands to ``--bomb-mb`` MB.

Prints, per scenario: what the client reported, the wall time, the child's RSS before the
fetch and its peak (``ru_maxrss``), and the growth. The issue's target: peak memory of a
fetch bounded (a few times the 32 MB cap), whatever the server sends.

    python benchmarks/bench_oversize.py [--size-mb 300] [--bomb-mb 1000] [--cap-mb 32]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_CHUNK = b"x" * (1 << 20)


def _gzip_bomb(size_mb: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (1 << 20)
    parts = [comp.compress(zeros) for _ in range(size_mb)]
    parts.append(comp.flush())
    return b"".join(parts)


def serve(size_mb: int, bomb_mb: int) -> None:
    """The loopback server (a child process); prints its port, then serves forever."""
    bomb = _gzip_bomb(bomb_mb)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            try:
                if self.path.startswith("/bomb"):
                    self.send_response(200)
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(bomb)))
                    self.end_headers()
                    self.wfile.write(bomb)
                    return
                declared = self.path.startswith("/declared")
                self.send_response(200)
                if declared:
                    self.send_header("Content-Length", str(size_mb << 20))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                for _ in range(size_mb):
                    self.wfile.write(_CHUNK)
            except (BrokenPipeError, ConnectionResetError):
                pass
            if not declared:
                self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def child(port: int, scenario: str, cap_mb: float) -> None:
    """One fetch in this process; prints a JSON line with outcome, time and memory."""
    from yenflow.config import Settings
    from yenflow.http import Fetcher
    from yenflow.payload import Request

    settings = Settings.from_env({}, max_mb=cap_mb, retries=0, timeout_s=60.0)
    base = f"http://127.0.0.1:{port}"
    if scenario == "bomb":
        requests = [Request(f"{base}/bomb", "mof/bomb.csv")]
    else:
        requests = [Request(f"{base}/{scenario}/{i}", f"mof/{i}.csv") for i in range(4)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with Fetcher(settings) as fetcher:
        results = list(fetcher.get_many(requests, source="mof", max_workers=4))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome = sorted({getattr(r, "reason", "ok") for r in results})
    print(
        json.dumps({"outcome": outcome, "seconds": seconds, "rss_before": rss_before, "peak": peak})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=300, help="each oversized response, MB")
    parser.add_argument("--bomb-mb", type=int, default=1000, help="gzip bomb expanded size, MB")
    parser.add_argument("--cap-mb", type=float, default=32.0, help="the source's cap, MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("PORT", "SCENARIO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.size_mb, args.bomb_mb)
        return
    if args.child:
        child(int(args.child[0]), args.child[1], args.cap_mb)
        return

    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--size-mb",
            str(args.size_mb),
            "--bomb-mb",
            str(args.bomb_mb),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        print(
            f"cap {args.cap_mb:g} MB per response; oversized responses {args.size_mb} MB each; "
            f"gzip bomb {args.bomb_mb} MB expanded; median of {args.repeat} runs"
        )
        print(
            f"{'scenario':<28} {'outcome':<12} {'wall s':>7} {'RSS before':>11} "
            f"{'peak RSS':>9} {'growth':>8}"
        )
        for label, scenario in (
            ("4 x oversized, no length", "stream"),
            ("4 x oversized, declared", "declared"),
            ("gzip bomb", "bomb"),
        ):
            runs = []
            for _ in range(args.repeat):
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(port),
                        scenario,
                        "--cap-mb",
                        str(args.cap_mb),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=True,
                    env={**os.environ},
                )
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            runs.sort(key=lambda r: r["peak"])
            mid = runs[len(runs) // 2]
            print(
                f"{label:<28} {','.join(mid['outcome']):<12} {mid['seconds']:>7.2f} "
                f"{mid['rss_before']:>8.1f} MB {mid['peak']:>6.1f} MB "
                f"{mid['peak'] - mid['rss_before']:>5.1f} MB"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    threading.stack_size(0)
    main()
