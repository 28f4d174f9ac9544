"""The HTTP client: retries, back-off, conditional requests, errors, redaction (MockTransport)."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
from dataclasses import replace

import httpx
import pytest

from tests.scripted_server import ScriptedServer, respond
from yenflow.config import Settings
from yenflow.errors import AbsentError, FetchError
from yenflow.http import Fetcher, redact_url
from yenflow.payload import Request, Validators

#: the longest any handshake of the cancel test may wait: a bound on a broken run (so it fails
#: instead of hanging), never what a passing run measures.
SAFETY_S = 60.0
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

    small = replace(settings, max_mb=0.0001)  # 100 bytes
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


# -- over real sockets (127.0.0.1 only) -------------------------------------------------------


KEY = "0123456789abcdef0123456789abcdef"


def _redirect(to: str, status: int = 302):
    return lambda h: respond(h, status, headers={"Location": to})


def test_a_redirect_loop_is_a_fetch_error_naming_the_url(settings):
    with ScriptedServer({"/a": _redirect("/b"), "/b": _redirect("/a")}) as server:
        f = Fetcher(settings)
        with pytest.raises(FetchError, match="redirects") as info:
            f.get(Request(server.url("/a"), "fred/a.csv"), source="fred")
    assert info.value.reason == "redirect" and server.base in str(info.value)
    assert server.hits["/a"] + server.hits["/b"] <= 12  # bounded, and not retried


def test_a_corrupt_gzip_body_is_a_fetch_error(settings):
    bad = gzip.compress(b"a,b\n" * 1000)[:-40] + b"garbage-garbage-garbage-garbage-garbage!"
    routes = {"/x": lambda h: respond(h, 200, bad, {"Content-Encoding": "gzip"})}
    with (
        ScriptedServer(routes) as server,
        pytest.raises(FetchError, match="cannot be decoded") as info,
    ):
        Fetcher(settings).get(Request(server.url("/x"), "fred/x.csv"), source="fred")
    assert info.value.reason == "decoding" and server.url("/x") in str(info.value)


def test_one_bad_request_never_loses_the_other_files_of_the_source(settings):
    bad = gzip.compress(b"x" * 100)[:10]
    routes = {
        "/ok1": lambda h: respond(h, 200, b"one"),
        "/loop": _redirect("/loop"),
        "/gz": lambda h: respond(h, 200, bad, {"Content-Encoding": "gzip"}),
        "/ok2": lambda h: respond(h, 200, b"two"),
    }
    with ScriptedServer(routes) as server:
        reqs = [Request(server.url(p), f"fred{p}.csv") for p in ("/ok1", "/loop", "/gz", "/ok2")]
        out = list(Fetcher(settings).get_many(reqs, source="fred"))
    assert [type(o).__name__ for o in out] == [
        "RawPayload",
        "FetchError",
        "FetchError",
        "RawPayload",
    ]
    assert out[0].content == b"one" and out[3].content == b"two"
    assert "/loop" in str(out[1]) and "/gz" in str(out[2])


def test_any_unexpected_error_of_one_request_is_a_fetch_error(settings):
    def handler(request):
        if "boom" in str(request.url):
            raise RuntimeError("kaboom")
        return httpx.Response(200, content=b"fine")

    f, _ = fetcher(settings, handler)
    reqs = [
        Request("https://x.test/boom", "fred/a.csv"),
        Request("https://x.test/ok", "fred/b.csv"),
    ]
    out = list(f.get_many(reqs, source="fred"))
    assert (
        isinstance(out[0], FetchError) and "kaboom" in str(out[0]) and "x.test/boom" in str(out[0])
    )
    assert out[1].content == b"fine"


def test_redirect_within_the_host_is_followed_and_the_final_url_recorded(settings):
    routes = {
        "/old": _redirect("/new?api_key=" + KEY, 301),
        "/new": lambda h: respond(h, 200, b"d"),
    }
    keyed = replace(settings, fred_api_key=KEY)
    with ScriptedServer(routes) as server:
        payload = Fetcher(keyed).get(Request(server.url("/old"), "fred/x.csv"), source="fred")
    assert payload.content == b"d"
    assert payload.url == server.url("/new?api_key=REDACTED")
    assert payload.requested_url == server.url("/old") and payload.request_key.endswith("/old")


def test_redirect_to_another_host_or_port_is_refused_unless_allowed(settings):
    with ScriptedServer({"/file": lambda h: respond(h, 200, b"elsewhere")}) as other:
        target = other.url("/file")
        with ScriptedServer({"/x": _redirect(target)}) as server:
            req = Request(server.url("/x"), "mof/x.csv")
            with pytest.raises(FetchError, match="may not use") as info:
                Fetcher(settings).get(req, source="mof")
            assert info.value.reason == "redirect" and other.hits["/file"] == 0
            host = other.base.split("//")[1]
            allowed = Settings.from_env(
                {"YENFLOW_MOF_ALLOWED_HOSTS": host}, store_path=settings.store_path
            )
            payload = Fetcher(allowed).get(req, source="mof")
    assert payload.content == b"elsewhere" and payload.url == target


def test_the_key_is_never_sent_to_another_host(settings):
    with ScriptedServer({"/file": lambda h: respond(h, 200, b"x")}) as other:
        host = other.base.split("//")[1]
        with ScriptedServer(
            {
                "/api": lambda h: respond(
                    h, 302, headers={"Location": other.url("/file") + h.path[4:]}
                )
            }
        ) as server:
            keyed = Settings.from_env(
                {"YENFLOW_FRED_ALLOWED_HOSTS": host, "FRED_API_KEY": KEY},
                store_path=settings.store_path,
            )
            req = Request(server.url(f"/api?series_id=X&api_key={KEY}"), "fred/X.json")
            with pytest.raises(FetchError, match="API key to another host") as info:
                Fetcher(keyed).get(req, source="fred")
    assert other.hits["/file"] == 0 and KEY not in str(info.value)


def test_https_to_http_redirect_is_refused(settings):
    def handler(request):
        return httpx.Response(302, headers={"Location": "http://x.test/plain"})

    f, _ = fetcher(settings, handler)
    with pytest.raises(FetchError, match="plain http"):
        f.get(Request("https://x.test/a", "mof/a.csv"), source="mof")


def test_a_declared_content_length_over_the_cap_is_refused_before_reading(settings):
    def huge(h):  # announces 500 MB, then stalls: a client reading it would hang or swell
        h.send_response(200)
        h.send_header("Content-Length", str(500_000_000))
        h.end_headers()
        h.wfile.write(b"x" * 1000)
        h.wfile.flush()
        time.sleep(3)

    small = replace(settings, max_mb=1)
    with ScriptedServer({"/big": huge}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="Content-Length says 500,000,000") as info:
            Fetcher(small).get(Request(server.url("/big"), "mof/big.csv"), source="mof")
    assert info.value.reason == "too-large" and time.monotonic() - started < 2


def test_a_gzip_bomb_is_stopped_at_the_cap_with_bounded_memory(settings):
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # ~200 KB -> 200 MB
    small = replace(settings, max_mb=2)
    routes = {"/bomb": lambda h: respond(h, 200, bomb, {"Content-Encoding": "gzip"})}
    with ScriptedServer(routes) as server:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="larger than 2,000,000 bytes"):
                Fetcher(small).get(Request(server.url("/bomb"), "mof/b.csv"), source="mof")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 12_000_000, f"peak {peak:,} bytes"


def test_the_cap_is_per_source_and_configurable():
    s = Settings.from_env({"YENFLOW_MAX_MB": "5", "YENFLOW_TIC_MAX_MB": "0.5"})
    assert s.max_bytes_for("tic") == 500_000 and s.max_bytes_for("mof") == 5_000_000
    default = Settings.from_env({})
    assert (
        default.max_bytes_for("mof") == 32_000_000 and default.max_bytes_for("cftc") == 64_000_000
    )


def test_back_off_is_capped_even_with_a_huge_retry_after(settings):
    capped = replace(settings, retries=6, backoff_s=10.0, max_backoff_s=15.0)
    f, sleeps = fetcher(capped, lambda r: httpx.Response(503, headers={"Retry-After": "86400"}))
    with pytest.raises(FetchError, match="HTTP 503"):
        f.get(REQ, source="fred")
    assert sleeps and max(sleeps) == 15.0


def test_the_time_spent_on_one_url_is_bounded_in_all(settings):
    now = [0.0]
    bounded = replace(settings, retries=20, backoff_s=4.0, max_backoff_s=30.0, deadline_s=40.0)
    f = Fetcher(
        bounded,
        transport=httpx.MockTransport(lambda r: httpx.Response(503)),
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
    )
    with pytest.raises(FetchError, match="YENFLOW_DEADLINE") as info:
        f.get(REQ, source="fred")
    assert now[0] <= 40.0 and "gave up after 4 tries" in str(info.value)


def test_cancel_abandons_a_request_in_flight_at_once_and_retries_nothing(settings):
    """No clock: the server holds its response until the test releases it, and the test
    releases it only after the cancelled fetch has returned. A fetch that waited for the
    response (did not abandon the request) could not return first; one that retried would
    make the server see a second request."""
    arrived = threading.Event()  # the server has the request
    release = threading.Event()  # the test lets the server answer
    returned = threading.Event()  # the fetch came back
    order: list[str] = []

    def stall(h):
        arrived.set()
        release.wait(SAFETY_S)  # only a bound on a broken run, never reached when it works
        order.append("response released")
        respond(h, 200, b"late")

    slow = replace(settings, timeout_s=SAFETY_S * 2, retries=3)
    with ScriptedServer({"/stall": stall}) as server:
        f = Fetcher(slow)
        result: list[object] = []

        def fetch() -> None:
            result.append(
                next(f.get_many([Request(server.url("/stall"), "mof/s.csv")], source="mof"))
            )
            order.append("fetch returned")
            returned.set()

        worker = threading.Thread(target=fetch, daemon=True)
        worker.start()
        assert arrived.wait(SAFETY_S), "the request never reached the server"
        f.cancel()
        assert returned.wait(SAFETY_S), "the cancelled fetch did not return"
        order.append("test releases the response")
        release.set()
        worker.join(SAFETY_S)
    assert order[:2] == ["fetch returned", "test releases the response"], order
    assert isinstance(result[0], FetchError) and result[0].reason == "cancelled"
    assert server.hits["/stall"] == 1


# -- every network fault at once: the other files and sources are done, nothing is lost -------


@pytest.mark.realdata
def test_all_network_faults_together_keep_the_other_files_and_sources(real_data, tmp_path):
    from pathlib import Path

    from yenflow.refresh import refresh
    from yenflow.store import Store

    data = Path(real_data)
    week = (data / "mof" / "week.csv").read_bytes()
    montha1 = (data / "mof" / "montha1.csv").read_bytes()
    dexjpus = (data / "fred" / "DEXJPUS.csv").read_bytes()

    def endless(h):  # no Content-Length, far over the cap
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(50):
            h.wfile.write(b"9" * 100_000)

    with ScriptedServer({"/elsewhere": lambda h: respond(h, 200, b"x")}) as other:
        routes = {
            "/mof/week.csv": lambda h: respond(
                h, 200, gzip.compress(week), {"Content-Encoding": "gzip"}
            ),
            "/mof/montha1.csv": _redirect("/mof/moved/montha1.csv"),  # followed: same host
            "/mof/moved/montha1.csv": lambda h: respond(h, 200, montha1),
            "/mof/monthb2.csv": _redirect("/mof/monthb2.csv"),  # a redirect loop
            "/mof/monthb3.csv": lambda h: respond(
                h, 200, gzip.compress(b"x" * 5000)[:-30], {"Content-Encoding": "gzip"}
            ),  # a cut gzip body
            "/mof/monthb4.csv": _redirect(other.url("/elsewhere")),  # another host: refused
            "/fred/csv": endless,  # over the 1 MB cap of FRED
        }
        with ScriptedServer(routes) as server:
            env = {
                "YENFLOW_MOF_BASE_URL": server.url("/mof/"),
                "YENFLOW_FRED_BASE_URL": server.url("/fred/csv"),
                "YENFLOW_FRED_SERIES": "DEXJPUS",
                "YENFLOW_FRED_MAX_MB": "1",
                "YENFLOW_RETRIES": "0",
            }
            settings = Settings.from_env(env, store_path=tmp_path / "s.duckdb")
            result = refresh(["mof", "fred"], settings=settings, store=settings.store_path)
            outcomes = {o.source: o for o in result.outcomes}
            assert other.hits["/elsewhere"] == 0
        mof, fred = outcomes["mof"], outcomes["fred"]
        assert mof.status == "partial" and mof.added > 30_000, mof
        failures = " | ".join(mof.failures)
        for path, what in (
            ("monthb2", "redirects"),
            ("monthb3", "decoded"),
            ("monthb4", "refused"),
        ):
            assert f"/mof/{path}.csv" in failures and what in failures, failures
        assert fred.status == "failed" and "larger than 1,000,000 bytes" in fred.failures[0]
    with Store(settings.store_path, read_only=True) as st:
        weekly = st.observations(["mof.weekly.outward.long_term_debt.net"])
        log = st.fetch_log(50)
    assert (weekly["period_end"] == "2025-04-12").any()
    served = log[log["raw_path"] == "mof/montha1.csv"]["url"].dropna()
    assert served.str.endswith("/mof/moved/montha1.csv").any()  # the URL that served the bytes

    # Fixed servers: the next run completes the source; nothing was lost meanwhile.
    def serve(body: bytes):
        return lambda h: respond(h, 200, body)

    names = ("week.csv", "montha1.csv", "monthb2.csv", "monthb3.csv", "monthb4.csv")
    routes = {f"/mof/{n}": serve((data / "mof" / n).read_bytes()) for n in names}
    with ScriptedServer({**routes, "/fred/csv": serve(dexjpus)}) as fixed:
        env2 = {
            **env,
            "YENFLOW_MOF_BASE_URL": fixed.url("/mof/"),
            "YENFLOW_FRED_BASE_URL": fixed.url("/fred/csv"),
        }
        settings2 = Settings.from_env(env2, store_path=settings.store_path)
        again = refresh(["mof", "fred"], settings=settings2, store=settings2.store_path)
    assert again.ok, again.to_frame()
    with Store(settings.store_path, read_only=True) as st:
        assert len(st.observations(["mof.weekly.outward.long_term_debt.net"])) == len(weekly)
