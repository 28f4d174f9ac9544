"""A tiny headless-Chromium driver over the Chrome DevTools Protocol, for the report's browser test.

It starts ``chromium --headless`` on a fresh profile with ``--remote-debugging-port=0``, reads the
port Chromium picked from ``DevToolsActivePort`` in the profile folder, attaches to the blank page
over a websocket (the ``websocket-client`` package), enables the Network, Runtime, Log and Page
domains *before* navigating, then opens a file and records:

- every request the page made (``Network.requestWillBeSent``),
- every console error, uncaught exception and browser log error,
- the result of a JavaScript expression evaluated once the page has loaded.

Only the test suite uses it; nothing here is part of the package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["BrowserError", "Chromium", "PageVisit", "find_chromium"]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

# Flags that keep a headless run quiet and offline: no first-run UI, no background traffic
# (component updates, sync, safe-browsing lists), no QUIC probes.
QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
)


class BrowserError(RuntimeError):
    """Chromium did not start, or did not answer the DevTools protocol in time."""


def find_chromium() -> str | None:
    """The path of a Chromium binary, or None if none is installed."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    """What happened while one page loaded.

    Attributes:
        url: the URL navigated to.
        requests: URLs of every request the page sent, in order (the document included).
        errors: console errors (``console.error``), uncaught exceptions and log entries of
            level "error", as text.
        value: the JSON value of the expression evaluated after load.
    """

    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    value: Any = None


class Chromium:
    """A headless Chromium with one page, driven through the DevTools protocol.

    Use as a context manager; the browser process and its temporary profile are removed on exit.
    """

    def __init__(self, binary: str, *, timeout_s: float = 30.0) -> None:
        self.binary = binary
        self.timeout_s = timeout_s
        self._profile = Path(tempfile.mkdtemp(prefix="yenflow-chromium-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._ws: Any = None
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Chromium:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Launch the browser and attach to its first page."""
        import websocket  # websocket-client; imported here so collection works without it

        args = [
            self.binary,
            *QUIET_FLAGS,
            "--remote-debugging-port=0",
            f"--user-data-dir={self._profile}",
            "about:blank",
        ]
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = self._wait_for_port()
        page_ws = self._page_websocket(port)
        self._ws = websocket.create_connection(
            page_ws, timeout=self.timeout_s, suppress_origin=True
        )

    def close(self) -> None:
        """Close the websocket, stop the browser (its own process only) and delete the profile."""
        if self._ws is not None:
            try:
                self._ws.close()
            finally:
                self._ws = None
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
            self._proc = None
        shutil.rmtree(self._profile, ignore_errors=True)

    def _wait_for_port(self) -> int:
        marker = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                msg = f"chromium exited with status {self._proc.returncode} before listening"
                raise BrowserError(msg)
            if marker.is_file():
                lines = marker.read_text().split()
                if lines and lines[0].isdigit():
                    return int(lines[0])
            time.sleep(0.05)
        msg = f"chromium wrote no DevToolsActivePort in {self.timeout_s:.0f} s"
        raise BrowserError(msg)

    def _page_websocket(self, port: int) -> str:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
                targets = json.load(resp)
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
            time.sleep(0.05)
        msg = "chromium has no page target"
        raise BrowserError(msg)

    # -- protocol --------------------------------------------------------------------------

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call one DevTools method and return its result, keeping events that arrive meanwhile."""
        self._next_id += 1
        call_id = self._next_id
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            message = json.loads(self._ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    msg = f"{method} failed: {message['error']}"
                    raise BrowserError(msg)
                return dict(message.get("result", {}))
            if "method" in message:
                self._events.append(message)
        msg = f"no answer to {method} in {self.timeout_s:.0f} s"
        raise BrowserError(msg)

    def wait_for_event(self, method: str) -> dict[str, Any]:
        """Block until the event ``method`` arrives (or was already received)."""
        for event in self._events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            message = json.loads(self._ws.recv())
            if "method" in message:
                self._events.append(message)
                if message["method"] == method:
                    return message
        msg = f"no {method} event in {self.timeout_s:.0f} s"
        raise BrowserError(msg)

    # -- the one thing the tests do ---------------------------------------------------------

    def visit(self, path: Path, *, expression: str) -> PageVisit:
        """Open a local file, wait for load, evaluate ``expression`` (it may return a promise).

        Network, console and log recording starts before navigation, so the document's own
        request and everything it triggers are seen.
        """
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self._events.clear()
        url = path.resolve().as_uri()
        self.send("Page.navigate", url=url)
        self.wait_for_event("Page.loadEventFired")
        result = self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        # let late console messages and requests arrive: a harmless round trip flushes them
        self.send("Runtime.evaluate", expression="0")
        visit = PageVisit(url=url, value=result.get("result", {}).get("value"))
        if "exceptionDetails" in result:
            visit.errors.append(f"evaluation failed: {result['exceptionDetails']}")
        for event in self._events:
            self._record(event, visit)
        return visit

    @staticmethod
    def _record(event: dict[str, Any], visit: PageVisit) -> None:
        method = event["method"]
        params = event.get("params", {})
        if method == "Network.requestWillBeSent":
            visit.requests.append(str(params["request"]["url"]))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            visit.errors.append("console: " + " ".join(texts))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            visit.errors.append(f"exception: {text}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            visit.errors.append(f"log ({entry.get('source')}): {entry.get('text')}")
