"""A loopback HTTP server that serves a raw-data folder under the official sources' URL shapes.

It listens on 127.0.0.1 only, answers conditional requests (ETag = sha256 of the
bytes, Last-Modified = the file's mtime) with 304, counts what it served, and can
inject faults per path prefix: ``"500"`` (always), ``"503-once"`` (then OK),
``"truncate"`` (announces the full Content-Length, sends half, closes),
``"short"`` (a complete response whose body is the first half of the file),
``"stall"`` (sends nothing for ``stall_s`` seconds), ``"html"`` (200 with an
HTML error page), ``"404"``.

Routes (path -> file in the data folder):

- ``/mof/<name>``, ``/tic/<name>``, ``/jgb/<name>``, ``/jgb/data/<name>`` -> ``<source>/<name>``
- ``/fred/fredgraph.csv?id=X`` -> ``fred/X.csv`` (FRED's no-key CSV endpoint)
- ``/cftc/files/dea/history/fut_fin_txt_YYYY.zip`` -> a zip of ``cftc/FinFutYY_YYYY.txt``
  named ``FinFutYY.txt``; ``deacotYYYY.zip`` -> a zip of
  ``cftc/annual_legacy_futures_only_YYYY.txt`` named ``annual.txt``: the official
  files are zips of exactly these texts.
- ``/markets/q/d/l/?s=<ticker>&i=d`` (stooq's daily CSV) -> our fixture
  ``tests/fixtures/markets/stooq_<ticker>.csv`` (the env selects ``spy`` only).
- Files the data folder lacks are answered with the project's own fixtures in the
  sources' documented layouts (:data:`FIXTURE_FALLBACKS`): the CFTC public-reporting
  API CSV and TIC's current ``mfh.txt``.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import threading
import time
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_FALLBACKS = {
    "cftc_api": FIXTURES / "cftc" / "legacy_fut_jpy_api.csv",
    "tic/mfh.txt": FIXTURES / "tic" / "mfh.txt",
}

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    b"<body>Down for maintenance</body></html>"
)


class DataServer:
    """Serve ``data_dir`` on 127.0.0.1 with the official URL shapes; see the module docstring."""

    def __init__(self, data_dir: Path, *, stall_s: float = 3.0) -> None:
        self.data_dir = data_dir
        self.stall_s = stall_s
        self.faults: dict[str, str] = {}
        self.hits: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.bytes_served = 0
        self._lock = threading.Lock()
        self._once: set[str] = set()
        self._cache: dict[str, tuple[bytes, float] | None] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """Environment variables pointing every source's base URL at this server."""
        return {
            "YENFLOW_MOF_BASE_URL": f"{self.base}/mof/",
            "YENFLOW_JGB_BASE_URL": f"{self.base}/jgb/",
            "YENFLOW_TIC_BASE_URL": f"{self.base}/tic/",
            "YENFLOW_FRED_BASE_URL": f"{self.base}/fred/fredgraph.csv",
            "YENFLOW_CFTC_BASE_URL": f"{self.base}/cftc/files/dea/history",
            "YENFLOW_CFTC_API_BASE_URL": f"{self.base}/cftc_api",
            "YENFLOW_BTC_BASE_URL": f"{self.base}/btc",
            "YENFLOW_MARKETS_BASE_URL": f"{self.base}/markets/q/d/l/",
            "YENFLOW_MARKETS_SYMBOLS": "spy",
        }

    def __enter__(self) -> DataServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()
            self.statuses.clear()
            self.bytes_served = 0

    # -- routing -------------------------------------------------------------
    def resolve(self, path: str, query: dict[str, list[str]]) -> tuple[bytes, float] | None:
        key = path + "?" + "&".join(f"{k}={v[0]}" for k, v in sorted(query.items()))
        if key not in self._cache:
            self._cache[key] = self._resolve(path, query)
        return self._cache[key]

    def _file(self, relative: str) -> tuple[bytes, float] | None:
        file = self.data_dir / relative
        if not file.is_file():
            return None
        return file.read_bytes(), file.stat().st_mtime

    def _resolve(self, path: str, query: dict[str, list[str]]) -> tuple[bytes, float] | None:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return None
        if parts[0] == "cftc_api" and parts[-1].endswith(".csv"):
            fixture = FIXTURE_FALLBACKS["cftc_api"]
            return fixture.read_bytes(), fixture.stat().st_mtime
        if parts[0] == "fred" and parts[-1] == "fredgraph.csv" and "id" in query:
            return self._file(f"fred/{query['id'][0]}.csv")
        if parts[0] == "cftc" and parts[-1].endswith(".zip"):
            name = parts[-1]
            for prefix, pattern, inner in (
                ("fut_fin_txt_", "FinFutYY_{year}.txt", "FinFutYY.txt"),
                ("deacot", "annual_legacy_futures_only_{year}.txt", "annual.txt"),
            ):
                if name.startswith(prefix):
                    year = name[len(prefix) : -len(".zip")]
                    found = self._file("cftc/" + pattern.format(year=year))
                    if found is None:
                        return None
                    buf = io.BytesIO()
                    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                        info = zipfile.ZipInfo(inner, date_time=(2025, 1, 1, 0, 0, 0))
                        zf.writestr(info, found[0])
                    return buf.getvalue(), found[1]
            return None
        if parts[0] == "markets" and "s" in query:  # stooq's daily CSV: our fixture
            fixture = FIXTURES / "markets" / f"stooq_{query['s'][0]}.csv"
            return (fixture.read_bytes(), fixture.stat().st_mtime) if fixture.is_file() else None
        if parts[0] in ("mof", "tic", "jgb", "btc"):
            relative = f"{parts[0]}/{parts[-1]}"
            found = self._file(relative)
            fallback = FIXTURE_FALLBACKS.get(relative)
            if found is None and fallback is not None:
                return fallback.read_bytes(), fallback.stat().st_mtime
            return found
        return None

    def _fault(self, path: str) -> str | None:
        for prefix, mode in self.faults.items():
            if path.startswith(prefix):
                if mode.endswith("-once"):
                    with self._lock:
                        if prefix in self._once:
                            return None
                        self._once.add(prefix)
                return mode
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                with server._lock:
                    server.statuses[status] += 1
                    if status == 200:
                        server.bytes_served += len(body)
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                split = urlsplit(self.path)
                with server._lock:
                    server.hits[split.path] += 1
                fault = server._fault(split.path)
                if fault == "stall":
                    time.sleep(server.stall_s)
                    self.close_connection = True
                    return
                if fault in ("500", "503-once"):
                    self._send(int(fault[:3]), b"server error")
                    return
                if fault == "404":
                    self._send(404, b"not found")
                    return
                if fault == "html":
                    self._send(200, HTML_PAGE, {"Content-Type": "text/html"})
                    return
                found = server.resolve(split.path, parse_qs(split.query))
                if found is None:
                    self._send(404, b"not found")
                    return
                body, mtime = found
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                last_modified = email.utils.formatdate(mtime, usegmt=True)
                if fault is None and self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", {"ETag": etag})
                    return
                if fault == "short":
                    body = body[: len(body) // 2]
                if fault == "truncate":
                    with server._lock:
                        server.statuses[200] += 1
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(200, body, {"ETag": etag, "Last-Modified": last_modified})

        return Handler
