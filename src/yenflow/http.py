"""The one HTTP client (network only): timeouts, bounded retries, conditional requests,
redirects within allowed hosts, bounded bodies.

:class:`Fetcher` is what sources receive. In network mode it GETs URLs with httpx:

- connect and read timeouts (a stalled server becomes a ``timeout`` error, not a hang),
  and one time budget per URL (``Settings.deadline_s``) covering every try, its download
  and the back-off between tries;
- retries with exponential back-off, capped at ``Settings.max_backoff_s``, on 429, 5xx
  and connection errors (``Retry-After`` honoured up to the same cap);
- conditional requests (``If-None-Match`` / ``If-Modified-Since`` from the validators of
  the last good fetch of the same URL), so an unchanged source downloads nothing;
- redirects followed only to the request's own host or a source's allowed hosts
  (``Settings.hosts_for``), never carrying a key to another host, never from https to
  http; the payload records the final URL that served the bytes;
- bodies streamed into a bounded buffer: ``Content-Length`` checked first, gzip and
  deflate decoded here with a cap on the decompressed size (``Settings.max_bytes_for``),
  so a fetch's memory stays bounded whatever the server sends (a gzip bomb included);
- every failure of one request (any httpx error, a bad redirect, a corrupt body) is a
  :class:`FetchError` naming the redacted URL, yielded by :meth:`Fetcher.get_many` as a
  value so the other requests of the source go on;
- :meth:`Fetcher.cancel` (Ctrl-C) abandons requests in flight at once and starts no more.

Raw snapshot folders are read by :mod:`yenflow.snapshot`; :meth:`Fetcher.read_snapshot`
only hands the folder over. URLs are redacted (:mod:`yenflow.redact`) before they leave
this module.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from yenflow.errors import AbsentError, FetchError
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request, Validators
from yenflow.redact import redact, redact_url

if TYPE_CHECKING:
    import httpx

    from yenflow.config import Settings
    from yenflow.sources.base import Source
else:
    httpx = lazy_module("httpx")

__all__ = ["Fetcher", "redact_url"]

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 10
_CHUNK = 64 * 1024
_STEP = 1 << 20  # decompress at most this much at a time (a gzip bomb expands ~1000:1)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class _Failure(Exception):
    """One try failed; ``retry`` says whether another try may help."""

    def __init__(self, error: FetchError, *, retry: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry = retry


def _netloc(url: httpx.URL) -> str:
    port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
    return f"{url.host.lower()}:{port}"


def _allowed(url: httpx.URL, origin: httpx.URL, hosts: tuple[str, ...]) -> bool:
    """Same host and port as the request, or listed (a ``host`` without port: default port)."""
    here = _netloc(url)
    if here == _netloc(origin):
        return True
    for host in hosts:
        has_port = ":" in host.rsplit("]", 1)[-1]
        entry = host if has_port else f"{host}:{_DEFAULT_PORTS.get(url.scheme, 0)}"
        if entry.lower() == here:
            return True
    return False


class _Decoder:
    """Content-Encoding gzip/deflate decoding with a hard cap on the output size."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding == "gzip":
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
            self._first = True
        else:
            self._z = None

    def feed(self, data: bytes, out: bytearray, limit: int) -> None:
        """Append the decoded ``data`` to ``out``, in steps of at most 1 MB, stopping once
        ``out`` holds more than ``limit`` bytes (the caller then refuses the body)."""
        if self._z is None:
            out += data
            return
        if self.encoding == "deflate" and getattr(self, "_first", False):
            self._first = False
            try:
                zlib.decompressobj().decompress(data[:2])
            except zlib.error:  # raw deflate, without the zlib header (as httpx allows)
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        while data and len(out) <= limit:
            out += self._z.decompress(data, min(_STEP, limit + 1 - len(out)))
            data = self._z.unconsumed_tail

    def finish(self) -> None:
        if self._z is not None and not self._z.eof:
            msg = f"the {self.encoding} body is truncated"
            raise zlib.error(msg)


class _Sockets:
    """The open sockets of the client, so :meth:`abort` can cut reads in flight at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def add(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._open.add(sock)

    def abort(self) -> None:
        with self._lock:
            socks = list(self._open)
            self._open.clear()
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv()


class _TrackingBackend:
    """An httpcore network backend that records the socket of every connection it opens."""

    def __init__(self, inner: object, sockets: _Sockets) -> None:
        self._inner = inner
        self._sockets = sockets

    def connect_tcp(self, *args: object, **kwargs: object) -> object:
        stream = self._inner.connect_tcp(*args, **kwargs)  # type: ignore[attr-defined]
        self._sockets.add(stream.get_extra_info("socket"))
        return stream

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class Fetcher:
    """Gets payloads for sources, from the network or (via :mod:`yenflow.snapshot`) from a
    raw snapshot folder.

    Args:
        settings: timeouts, retries, back-off, size caps, allowed hosts, user agent.
        snapshot_dir: read ``DIR/<source>/...`` instead of the network.
        validators: URL (redacted) -> validators of its last good fetch.
        transport: an httpx transport (tests inject faults with it).
        sleep: the back-off wait (tests pass a recorder); by default a wait that
            :meth:`cancel` interrupts.
        clock: a monotonic clock for the per-URL time budget (tests pass a fake one).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        snapshot_dir: Path | None = None,
        validators: Mapping[str, Validators] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.snapshot_dir = snapshot_dir
        self._validators = dict(validators or {})
        self._cancelled = threading.Event()
        self._sleep = sleep if sleep is not None and sleep is not time.sleep else self._wait
        self._client: httpx.Client | None = None
        self._transport = transport
        self._sockets = _Sockets()
        self._client_lock = threading.Lock()  # sources' worker threads share one client

    # -- lifecycle ---------------------------------------------------------------
    def _http(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=httpx.Timeout(self.settings.timeout_s),
                    follow_redirects=False,  # followed in _attempt, host by host
                    headers={
                        "User-Agent": self.settings.user_agent,
                        "Accept-Encoding": "gzip, deflate",  # decoded here, with a cap
                    },
                    transport=self._transport,
                )
                self._track_connections(self._client)
            return self._client

    def _track_connections(self, client: httpx.Client) -> None:
        """Register every socket the client opens, so :meth:`cancel` can cut it even while
        a thread waits for the response headers (httpcore's backend, wrapped; a transport
        injected by a test has no sockets and is left alone)."""
        pools = [getattr(t, "_pool", None) for t in (client._transport, *client._mounts.values())]
        for pool in pools:
            backend = getattr(pool, "_network_backend", None)
            if backend is not None and hasattr(backend, "connect_tcp"):
                pool._network_backend = _TrackingBackend(backend, self._sockets)  # type: ignore[union-attr]

    def cancel(self) -> None:
        """Stop now (Ctrl-C): no new request or retry starts, reads in flight are cut.

        Every request not finished fails with a ``cancelled`` :class:`FetchError`.
        """
        self._cancelled.set()
        self._sockets.abort()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is KeyboardInterrupt:
            self.cancel()
        self.close()

    def _wait(self, seconds: float) -> None:
        self._cancelled.wait(seconds)

    # -- network -----------------------------------------------------------------
    def get(self, request: Request, *, source: str) -> RawPayload:
        """GET one request, with retries and a conditional request if possible.

        Returns a payload (``not_modified=True`` and no content on 304). Raises
        :class:`AbsentError` on 404/410 and :class:`FetchError` for any other failure,
        once retries or the URL's time budget are exhausted.
        """
        shown = redact_url(request.url, self.settings.secrets)
        headers: dict[str, str] = {}
        known = self._validators.get(shown)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        attempts = self.settings.retries + 1
        budget_end = self._clock() + self.settings.deadline_s
        last: FetchError | None = None
        tries = 0
        for attempt in range(attempts):
            if attempt:
                delay = self._backoff(attempt, last)
                if self._clock() + delay >= budget_end:
                    assert last is not None
                    raise self._gave_up(last, tries, shown, source, budget=True)
                self._sleep(delay)
            if self._cancelled.is_set():
                raise self._cancel_error(shown, source)
            tries += 1
            try:
                return self._attempt(request, shown, headers, known, source, budget_end)
            except _Failure as failure:
                if self._cancelled.is_set():
                    raise self._cancel_error(shown, source) from None
                if not failure.retry:
                    raise failure.error from None
                last = failure.error
        assert last is not None
        raise self._gave_up(last, tries, shown, source, budget=False)

    def _gave_up(
        self, last: FetchError, tries: int, shown: str, source: str, *, budget: bool
    ) -> FetchError:
        what = last.args[0].split(": ", 1)[-1] if last.location else last.args[0]
        word = "try" if tries == 1 else "tries"
        why = (
            f"; the next retry would pass the {self.settings.deadline_s:g} s budget of one URL "
            "(YENFLOW_DEADLINE)"
            if budget
            else ""
        )
        msg = f"{what} (gave up after {tries} {word}{why})"
        return FetchError(
            msg, source=source, location=shown, status=last.status, reason=last.reason
        )

    def _cancel_error(self, shown: str, source: str) -> FetchError:
        msg = "cancelled (interrupted): the download was abandoned"
        return FetchError(msg, source=source, location=shown, reason="cancelled")

    def _attempt(
        self,
        request: Request,
        shown: str,
        headers: dict[str, str],
        known: Validators | None,
        source: str,
        budget_end: float,
    ) -> RawPayload:
        """One try: follow allowed redirects, check the status, read the bounded body."""
        origin = httpx.URL(request.url)
        url = origin
        hosts = self.settings.hosts_for(source)
        secrets = self.settings.secrets
        here = shown

        def fail(msg: str, reason: str, *, retry: bool, status: int | None = None) -> _Failure:
            error = FetchError(msg, source=source, location=here, status=status, reason=reason)
            return _Failure(error, retry=retry)

        for _hop in range(_MAX_REDIRECTS + 1):
            remaining = budget_end - self._clock()
            if remaining <= 0:
                raise fail(self._budget_msg(), "deadline", retry=False)
            timeout = httpx.Timeout(min(self.settings.timeout_s, remaining))
            try:
                client = self._http()
                built = client.build_request("GET", url, headers=headers, timeout=timeout)
                response = client.send(built, stream=True)
            except httpx.TimeoutException as exc:
                msg = (
                    f"timed out after {min(self.settings.timeout_s, remaining):g} s "
                    f"({type(exc).__name__}); the server stalled or is slow "
                    "(raise YENFLOW_TIMEOUT?)"
                )
                raise fail(msg, "timeout", retry=True) from None
            except httpx.TransportError as exc:
                msg = f"connection failed: {type(exc).__name__}: {redact(str(exc), secrets)}"
                raise fail(msg, "connection", retry=True) from None
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                msg = f"the request failed: {type(exc).__name__}: {redact(str(exc), secrets)}"
                raise fail(msg, "request", retry=False) from None
            try:
                if self._cancelled.is_set():
                    raise fail("cancelled", "cancelled", retry=False)
                status = response.status_code
                if status in _REDIRECT_STATUS and "Location" in response.headers:
                    target = self._redirect_target(response, origin, hosts, secrets)
                    if isinstance(target, str):
                        raise fail(target, "redirect", retry=False, status=status)
                    url = target
                    here = redact_url(str(url), secrets)
                    continue
                if status == 304:
                    return RawPayload(
                        source=source,
                        url=here,
                        requested_url=shown,
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
                    raise _Failure(
                        AbsentError(
                            msg,
                            source=source,
                            location=here,
                            status=status,
                            reason=f"http-{status}",
                            optional=request.optional,
                        ),
                        retry=False,
                    )
                if status in _RETRY_STATUS:
                    error = FetchError(
                        f"HTTP {status} {response.reason_phrase}",
                        source=source,
                        location=here,
                        status=status,
                        reason=f"http-{status}",
                        retry_after=response.headers.get("Retry-After"),
                    )
                    raise _Failure(error, retry=True)
                if status >= 400 or status in _REDIRECT_STATUS:
                    msg = f"HTTP {status} {response.reason_phrase}"
                    raise fail(msg, f"http-{status}", retry=False, status=status)
                content = self._read_body(response, source, budget_end, fail)
                return RawPayload(
                    source=source,
                    url=here,
                    requested_url=shown,
                    raw_path=request.raw_path,
                    content=content,
                    fetched_at=datetime.now(UTC),
                    http_status=status,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
            finally:
                response.close()
        raise fail(
            f"more than {_MAX_REDIRECTS} redirects (a redirect loop?)", "redirect", retry=False
        )

    def _budget_msg(self) -> str:
        return (
            f"the download took longer than {self.settings.deadline_s:g} s in all "
            "(a server trickling bytes; raise YENFLOW_DEADLINE?)"
        )

    def _redirect_target(
        self,
        response: httpx.Response,
        origin: httpx.URL,
        hosts: tuple[str, ...],
        secrets: tuple[str, ...],
    ) -> httpx.URL | str:
        """The next URL, or why it is refused (a message)."""
        try:
            target = response.url.join(response.headers["Location"])
        except (httpx.InvalidURL, ValueError):
            return "a redirect to an invalid URL"
        shown_target = redact_url(str(target), secrets)
        if target.scheme not in ("http", "https"):
            return f"a redirect to {shown_target}: only http(s) is followed"
        if response.url.scheme == "https" and target.scheme == "http":
            return f"a redirect from https to plain http ({shown_target}) was refused"
        if not _allowed(target, origin, hosts):
            return (
                f"a redirect to {shown_target}, a host this source may not use, was refused "
                "(allow it with YENFLOW_<SOURCE>_ALLOWED_HOSTS if it is official)"
            )
        carries_key = shown_target != str(target) or redact(str(target), secrets) != str(target)
        if carries_key and _netloc(target) != _netloc(origin):
            return f"a redirect to {shown_target} would send the API key to another host; refused"
        return target

    def _read_body(
        self,
        response: httpx.Response,
        source: str,
        budget_end: float,
        fail: Callable[..., _Failure],
    ) -> bytes:
        """The body, decoded, never more than the source's cap in memory."""
        limit = self.settings.max_bytes_for(source)
        too_large = (
            f"the response is larger than {limit:,} bytes (the cap of this source; raise "
            f"YENFLOW_{source.upper()}_MAX_MB or YENFLOW_MAX_MB if it is genuine)"
        )
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise fail(
                too_large + f"; Content-Length says {int(declared):,}", "too-large", retry=False
            )
        codings = [
            c.strip().lower()
            for c in response.headers.get("Content-Encoding", "").split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "deflate")):
            msg = f"unsupported Content-Encoding {', '.join(codings)} (yenflow asks for gzip)"
            raise fail(msg, "decoding", retry=False)
        decoder = _Decoder(codings[0] if codings else "identity")
        chunks: Iterator[bytes] | list[bytes]
        if response.is_stream_consumed:  # built in memory (a test's transport): decoded already
            chunks, decoder = [response.content], _Decoder("identity")
        else:
            chunks = response.iter_raw(_CHUNK)
        buffer = bytearray()
        raw_seen = 0
        try:
            for chunk in chunks:
                raw_seen += len(chunk)
                if raw_seen > limit:
                    raise fail(too_large, "too-large", retry=False)
                decoder.feed(chunk, buffer, limit)
                if len(buffer) > limit:
                    raise fail(too_large, "too-large", retry=False)
                if self._clock() > budget_end:
                    raise fail(self._budget_msg(), "deadline", retry=False)
            decoder.finish()
        except zlib.error as exc:
            msg = f"the {decoder.encoding} body cannot be decoded ({exc}): corrupt or cut"
            raise fail(msg, "decoding", retry=False) from None
        except httpx.TimeoutException as exc:
            msg = (
                f"timed out reading the body ({type(exc).__name__}); the server stalled "
                "(raise YENFLOW_TIMEOUT?)"
            )
            raise fail(msg, "timeout", retry=True) from None
        except httpx.HTTPError as exc:
            msg = f"the body was cut: {type(exc).__name__}: {redact(str(exc))}"
            raise fail(msg, "connection", retry=True) from None
        return bytes(buffer)

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
            except Exception as exc:  # a bug here must not lose the source's other files
                msg = f"unexpected error: {type(exc).__name__}: {exc} (a yenflow bug; report it)"
                return FetchError(
                    msg,
                    source=source,
                    location=redact_url(request.url, self.settings.secrets),
                    reason="bug",
                )

        if len(requests) <= 1:
            yield from (one(r) for r in requests)
            return
        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            yield from pool.map(one, requests)

    def _backoff(self, attempt: int, last_error: FetchError | None) -> float:
        cap = self.settings.max_backoff_s
        delay = min(self.settings.backoff_s * 2.0 ** min(attempt - 1, 60), cap)
        retry_after = last_error.retry_after if last_error else None
        if retry_after:
            with contextlib.suppress(ValueError):  # an HTTP date: keep the back-off
                seconds = float(retry_after)
                if seconds == seconds:  # not NaN
                    delay = max(delay, min(seconds, cap))
        return delay

    # -- snapshot ----------------------------------------------------------------
    def read_snapshot(self, source: Source) -> Iterator[RawPayload | FetchError]:
        """The source's files in the snapshot folder: :func:`yenflow.snapshot.read_snapshot`."""
        from yenflow.snapshot import read_snapshot

        assert self.snapshot_dir is not None
        return read_snapshot(self.snapshot_dir, source)
