"""The one HTTP client: timeouts, retries with back-off, conditional requests, snapshots.

:class:`Fetcher` is what sources receive. In network mode it GETs URLs with
httpx: connect and read timeouts (a stalled server becomes a ``timeout``
error, not a hang), retries with exponential back-off on 429, 5xx and
connection errors (``Retry-After`` honoured up to 30 s), and conditional
requests (``If-None-Match`` / ``If-Modified-Since`` from the validators of the
last good fetch of the same URL) so an unchanged source downloads nothing.

In snapshot mode (``yenflow fetch --from DIR``) it reads the files of
``DIR/<source>/`` that the source recognizes, instead of the network.

URLs are redacted (API keys masked) before they leave this module.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from yenflow.errors import AbsentError, FetchError
from yenflow.payload import RawPayload, Request, Validators

if TYPE_CHECKING:
    from yenflow.config import Settings
    from yenflow.sources.base import Source

__all__ = ["Fetcher", "redact_url"]

_SECRET_PARAMS = re.compile(r"^(api_?key|key|token|access_token|apikey|secret)$", re.I)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 30.0


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """The URL with secret query parameters (``api_key=...``) and known secrets masked."""
    parts = urlsplit(url)
    if parts.query:
        query = [
            (k, "REDACTED" if _SECRET_PARAMS.match(k) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        url = urlunsplit(parts._replace(query=urlencode(query, safe="$,:")))
    for secret in secrets:
        if secret:
            url = url.replace(secret, "REDACTED")
    return url


class _DeadlineError(Exception):
    """The whole download took longer than ``Settings.deadline_s``."""


class _TooLargeError(Exception):
    """The body exceeded ``Settings.max_bytes``."""


class Fetcher:
    """Gets payloads for sources, from the network or from a raw snapshot folder.

    Args:
        settings: timeouts, retries, back-off, user agent, secrets.
        snapshot_dir: read ``DIR/<source>/...`` instead of the network.
        validators: URL (redacted) -> validators of its last good fetch.
        transport: an httpx transport (tests inject faults with it).
        sleep: the sleep function used for back-off (tests pass a no-op).
        clock: a monotonic clock for the per-download deadline (tests pass a fake one).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        snapshot_dir: Path | None = None,
        validators: Mapping[str, Validators] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.snapshot_dir = snapshot_dir
        self._validators = dict(validators or {})
        self._sleep = sleep
        self._client: httpx.Client | None = None
        self._transport = transport
        self._client_lock = threading.Lock()  # sources' worker threads share one client

    # -- lifecycle ---------------------------------------------------------------
    def _http(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=httpx.Timeout(self.settings.timeout_s),
                    follow_redirects=True,
                    headers={"User-Agent": self.settings.user_agent},
                    transport=self._transport,
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- network -----------------------------------------------------------------
    def get(self, request: Request, *, source: str) -> RawPayload:
        """GET one request, with retries and a conditional request if possible.

        Returns a payload (``not_modified=True`` and no content on 304).
        Raises :class:`AbsentError` on 404/410 and :class:`FetchError` for any
        other failure once retries are exhausted.
        """
        shown = redact_url(request.url, self.settings.secrets)
        headers: dict[str, str] = {}
        known = self._validators.get(shown)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        attempts = max(0, self.settings.retries) + 1
        last_error: FetchError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(self._backoff(attempt, last_error))
            try:
                response, content = self._download(request.url, headers)
            except _DeadlineError:
                last_error = FetchError(
                    f"the download took longer than {self.settings.deadline_s:g} s in all "
                    "(a server trickling bytes; raise YENFLOW_DEADLINE?)",
                    source=source,
                    location=shown,
                    reason="deadline",
                )
                continue
            except _TooLargeError:
                msg = f"the response is larger than {self.settings.max_bytes:,} bytes"
                raise FetchError(msg, source=source, location=shown, reason="too-large") from None
            except httpx.TimeoutException as exc:
                last_error = FetchError(
                    f"timed out after {self.settings.timeout_s:g} s ({type(exc).__name__}); "
                    "the server stalled or is slow (raise YENFLOW_TIMEOUT?)",
                    source=source,
                    location=shown,
                    reason="timeout",
                )
                continue
            except httpx.TransportError as exc:
                detail = redact_url(str(exc), self.settings.secrets)
                last_error = FetchError(
                    f"connection failed: {type(exc).__name__}: {detail}",
                    source=source,
                    location=shown,
                    reason="connection",
                )
                continue
            status = response.status_code
            if status == 304:
                return RawPayload(
                    source=source,
                    url=shown,
                    raw_path=request.raw_path,
                    content=b"",
                    fetched_at=datetime.now(UTC),
                    http_status=304,
                    etag=known.etag if known else None,
                    last_modified=known.last_modified if known else None,
                    not_modified=True,
                )
            if status in (404, 410):
                msg = f"HTTP {status}: the server has no such file"
                raise AbsentError(
                    msg,
                    source=source,
                    location=shown,
                    status=status,
                    reason=f"http-{status}",
                    optional=request.optional,
                )
            if status in _RETRY_STATUS:
                last_error = FetchError(
                    f"HTTP {status} {response.reason_phrase}",
                    source=source,
                    location=shown,
                    status=status,
                    reason=f"http-{status}",
                    retry_after=response.headers.get("Retry-After"),
                )
                continue
            if status >= 400:
                msg = f"HTTP {status} {response.reason_phrase}"
                raise FetchError(
                    msg, source=source, location=shown, status=status, reason=f"http-{status}"
                )
            return RawPayload(
                source=source,
                url=shown,
                raw_path=request.raw_path,
                content=content,
                fetched_at=datetime.now(UTC),
                http_status=status,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )
        assert last_error is not None
        tries = "try" if attempts == 1 else "tries"
        msg = f"{last_error.args[0].split(': ', 1)[-1]} (gave up after {attempts} {tries})"
        raise FetchError(
            msg,
            source=source,
            location=shown,
            status=last_error.status,
            reason=last_error.reason,
        )

    def _download(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """GET with a whole-download deadline and a size cap, reading the body in chunks."""
        deadline = self._clock() + self.settings.deadline_s
        with self._http().stream("GET", url, headers=headers) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.settings.max_bytes:
                    raise _TooLargeError
                if self._clock() > deadline:
                    raise _DeadlineError
                chunks.append(chunk)
        return response, b"".join(chunks)

    def get_many(
        self, requests: list[Request], *, source: str, max_workers: int = 4
    ) -> Iterator[RawPayload | FetchError]:
        """GET several requests, up to ``max_workers`` at once, yielding in request order.

        A failure is yielded as a :class:`FetchError` value, not raised, so one
        failed request never hides the others.
        """

        def one(request: Request) -> RawPayload | FetchError:
            try:
                return self.get(request, source=source)
            except FetchError as exc:
                return exc

        if len(requests) <= 1:
            yield from (one(r) for r in requests)
            return
        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            yield from pool.map(one, requests)

    def _backoff(self, attempt: int, last_error: FetchError | None) -> float:
        delay = self.settings.backoff_s * 2 ** (attempt - 1)
        retry_after = last_error.retry_after if last_error else None
        if retry_after:
            with contextlib.suppress(ValueError):  # an HTTP date: keep the back-off
                delay = max(delay, min(float(retry_after), _MAX_RETRY_AFTER_S))
        return delay

    # -- snapshot ----------------------------------------------------------------
    def read_snapshot(self, source: Source) -> Iterator[RawPayload | FetchError]:
        """Every file of ``DIR/<source.name>/`` that the source recognizes, sorted by path."""
        assert self.snapshot_dir is not None
        folder = self.snapshot_dir / source.name
        if not folder.is_dir():
            yield AbsentError(
                "the snapshot folder has no folder for this source",
                source=source.name,
                location=str(folder),
                reason="not-in-snapshot",
            )
            return
        # Files the source requests come first, in request order (a later request may
        # revise an earlier one, e.g. TIC's current table over its history); then the rest.
        try:
            order = {r.raw_path: i for i, r in enumerate(source.requests())}
        except Exception:  # requests() needing settings the snapshot mode lacks
            order = {}

        def key(path: Path) -> tuple[int, str]:
            relative = f"{source.name}/{path.relative_to(folder).as_posix()}"
            return order.get(relative, len(order)), relative

        found = False
        for path in sorted((p for p in folder.rglob("*") if p.is_file()), key=key):
            relative = path.relative_to(folder).as_posix()
            if not source.recognizes(relative):
                continue
            found = True
            try:
                content = path.read_bytes()
            except OSError as exc:
                yield FetchError(
                    f"cannot read the file: {exc}",
                    source=source.name,
                    location=str(path),
                    reason="read",
                )
                continue
            yield RawPayload(
                source=source.name,
                url="",
                raw_path=f"{source.name}/{relative}",
                content=content,
                fetched_at=datetime.now(UTC),
            )
        if not found:
            yield AbsentError(
                f"no file the source reads (patterns {', '.join(source.raw_patterns)})",
                source=source.name,
                location=str(folder),
                reason="not-in-snapshot",
            )
