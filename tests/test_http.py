"""The HTTP client: retries, back-off, conditional requests, errors, redaction (MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from yenflow.errors import AbsentError, FetchError
from yenflow.http import Fetcher, redact_url
from yenflow.payload import Request, Validators

REQ = Request("https://example.test/data.csv?api_key=SECRET123&id=X", "fred/X.csv")


def fetcher(settings, handler, **kw) -> tuple[Fetcher, list[float]]:
    sleeps: list[float] = []
    f = Fetcher(settings, transport=httpx.MockTransport(handler), sleep=sleeps.append, **kw)
    return f, sleeps


def test_retries_on_503_then_succeeds(settings):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(503 if len(calls) == 1 else 200, content=b"a,b\n")

    f, sleeps = fetcher(settings, handler)
    payload = f.get(REQ, source="fred")
    assert payload.content == b"a,b\n" and len(calls) == 2 and len(sleeps) == 1


def test_429_honours_retry_after_and_gives_up(settings):
    def handler(request):
        return httpx.Response(429, headers={"Retry-After": "2"})

    f, sleeps = fetcher(settings, handler)
    with pytest.raises(FetchError, match="HTTP 429") as info:
        f.get(REQ, source="fred")
    assert info.value.status == 429 and sleeps == [2.0] * settings.retries
    assert "SECRET123" not in str(info.value)


def test_404_is_absent_and_not_retried(settings):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(404)

    f, _ = fetcher(settings, handler)
    with pytest.raises(AbsentError):
        f.get(REQ, source="fred")
    assert len(calls) == 1


def test_timeout_becomes_fetch_error(settings):
    def handler(request):
        raise httpx.ReadTimeout("stalled", request=request)

    f, _ = fetcher(settings, handler)
    with pytest.raises(FetchError, match="timed out") as info:
        f.get(REQ, source="fred")
    assert info.value.reason == "timeout"


def test_conditional_request_and_304(settings):
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(304)

    shown = redact_url(REQ.url)
    f, _ = fetcher(settings, handler, validators={shown: Validators('"abc"', "Mon, 01 Jan 2024")})
    payload = f.get(REQ, source="fred")
    assert payload.not_modified and payload.content == b""
    assert seen["if-none-match"] == '"abc"' and seen["if-modified-since"] == "Mon, 01 Jan 2024"


def test_payload_url_is_redacted(settings):
    f, _ = fetcher(settings, lambda r: httpx.Response(200, content=b"x", headers={"ETag": "e"}))
    payload = f.get(REQ, source="fred")
    assert "SECRET123" not in payload.url and "api_key=REDACTED" in payload.url
    assert payload.etag == "e" and len(payload.sha256) == 64


def test_redact_known_secret_anywhere():
    assert (
        redact_url("https://x.test/k/SECRET/data", ("SECRET",)) == "https://x.test/k/REDACTED/data"
    )


class TrickleStream(httpx.SyncByteStream):
    """A body that arrives in many small chunks; each chunk advances a fake clock by 1 s."""

    def __init__(self, clock: list[float], chunks: int) -> None:
        self.clock = clock
        self.chunks = chunks

    def __iter__(self):
        for _ in range(self.chunks):
            self.clock[0] += 1.0
            yield b"x" * 10


def test_a_trickling_server_hits_the_whole_download_deadline(settings):
    from dataclasses import replace

    now = [0.0]
    short = replace(settings, deadline_s=5.0, retries=0)
    f = Fetcher(
        short,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=TrickleStream(now, 50))),
        sleep=lambda s: None,
        clock=lambda: now[0],
    )
    with pytest.raises(FetchError, match="longer than 5 s") as info:
        f.get(REQ, source="fred")
    assert info.value.reason == "deadline"


def test_oversized_body_is_refused(settings):
    from dataclasses import replace

    small = replace(settings, max_bytes=100)
    f, _ = fetcher(small, lambda r: httpx.Response(200, content=b"y" * 1000))
    with pytest.raises(FetchError, match="larger than 100 bytes") as info:
        f.get(REQ, source="fred")
    assert info.value.reason == "too-large"


def test_connection_error_message_never_shows_a_key(settings):
    from dataclasses import replace

    keyed = replace(settings, fred_api_key="SECRET123")

    def handler(request):
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    f, _ = fetcher(keyed, handler)
    with pytest.raises(FetchError) as info:
        f.get(REQ, source="fred")
    assert "SECRET123" not in str(info.value)
