"""Market proxies: every layout of the real files in markets/, stooq live over loopback.

Real-file tests read the shared data folder (skipped if absent) and assert values read
from the files by hand (PROVENANCE.md and the files' rows). The live path is tested
against a stooq-shaped server on 127.0.0.1 serving our fixture
(tests/fixtures/markets/stooq_spy.us.csv).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload
from tests.sources.helpers import PROPERTY, mutated, parse_error, parsed_or_parse_error
from yenflow.config import Settings
from yenflow.errors import ConfigError, FetchError
from yenflow.frame import Dataset
from yenflow.http import Fetcher
from yenflow.payload import RawPayload
from yenflow.sources import get_source_class
from yenflow.sources.markets import INSTRUMENTS, STOOQ_URL, MarketsSource

STOOQ_FIXTURE = FIXTURES / "markets" / "stooq_spy.us.csv"


def source(**overrides: object) -> MarketsSource:
    return MarketsSource(Settings.from_env({}, **overrides))


def payload(content: bytes | str, raw_path: str = "markets/spy.csv", url: str = "") -> RawPayload:
    data = content.encode() if isinstance(content, str) else content
    return RawPayload.from_bytes(data, source="markets", raw_path=raw_path, url=url)


def close(ds: Dataset, day: str) -> float:
    frame = ds.frame
    hit = frame[frame.period_start == pd.Timestamp(day)]
    assert len(hit) == 1, f"{day}: {len(hit)} rows"
    return float(hit["value"].iloc[0])


def real(real_data: Path, name: str) -> Dataset:
    return source().parse(load_payload(real_data, f"markets/{name}"))


# --------------------------------------------------------------------------- registry, config


def test_registered_and_catalog_units() -> None:
    assert get_source_class("markets") is MarketsSource
    units = {s.id: (s.unit, s.frequency) for s in MarketsSource.catalog}
    assert units["markets.spy.close"] == ("USD per share", "daily")
    assert units["markets.topix.close"] == ("index points", "daily")
    assert units["markets.usdjpy.close"] == ("JPY per USD", "daily")
    assert INSTRUMENTS["n225"].currency == "JPY" and INSTRUMENTS["acwi"].currency == "USD"
    assert "currency JPY" in next(s for s in MarketsSource.catalog if "n225" in s.id).description


def test_requests_default_symbols_and_override() -> None:
    requests = source().requests()
    assert [r.raw_path for r in requests] == [
        f"markets/{s}.csv" for s in ("topix", "n225", "acwi", "agg", "bwx", "spy", "usdjpy")
    ]
    assert requests[5].url == STOOQ_URL + "?s=spy.us&i=d"
    assert requests[1].url == STOOQ_URL + "?s=%5Enkx&i=d"
    env = {
        "YENFLOW_MARKETS_SYMBOLS": "spy, ewj=ewj.us:USD",
        "YENFLOW_MARKETS_BASE_URL": "http://127.0.0.1:9/q/d/l/",
    }
    custom = MarketsSource(Settings.from_env(env))
    assert [r.url for r in custom.requests()] == [
        "http://127.0.0.1:9/q/d/l/?s=spy.us&i=d",
        "http://127.0.0.1:9/q/d/l/?s=ewj.us&i=d",
    ]


def test_unknown_symbol_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="neither a known symbol"):
        source(markets_symbols=("nosuch",))


def test_custom_symbol_parses_with_its_currency() -> None:
    custom = source(markets_symbols=("ewj=ewj.us:USD",))
    ds = custom.parse(payload(STOOQ_FIXTURE.read_bytes(), "markets/ewj.csv"))
    assert ds.series[0].id == "markets.ewj.close"
    assert ds.series[0].unit == "USD per share"


# --------------------------------------------------------------------------- real files


@pytest.mark.realdata
def test_yfinance_three_row_header_n225(real_data: Path) -> None:
    ds = real(real_data, "N225_yfinance_2010-2025.csv")
    assert ds.series[0].id == "markets.n225.close.yfinance_2010_2025"
    assert ds.series[0].unit == "index points"
    # PROVENANCE.md: 2024-08-05 close 31,458.42; 2025-04-07 close 31,136.58
    assert round(close(ds, "2024-08-05"), 2) == 31_458.42
    assert round(close(ds, "2025-04-07"), 2) == 31_136.58
    assert ds.frame.period_start.min() == pd.Timestamp("2010-01-04")
    assert ds.frame.period_start.max() == pd.Timestamp("2025-04-28")
    # the close of a Tokyo day is public at 15:30 Tokyo = 06:30 UTC
    first = ds.frame.iloc[0]
    assert first.published_at == pd.Timestamp("2010-01-04 06:30", tz="UTC")


@pytest.mark.realdata
def test_damaged_yfinance_header_reads_close_not_adj_close(real_data: Path) -> None:
    ds = real(real_data, "AGG_yfinance_2003-2025.csv")
    # "the 2nd column is Adj Close (50.90 vs Close 102.17 on 2003-09-29)"
    assert round(close(ds, "2003-09-29"), 2) == 102.17
    assert ds.frame.period_start.max() == pd.Timestamp("2025-09-26")
    assert len(ds.frame) == 5535


@pytest.mark.realdata
def test_yahoo_ohlcv_layout_and_us_close_time(real_data: Path) -> None:
    ds = real(real_data, "spy_yahoo_daily.csv")
    assert ds.series[0].id == "markets.spy.close"
    assert ds.frame.period_start.min() == pd.Timestamp("1993-01-29")
    assert round(close(ds, "2026-03-27"), 2) == 634.09
    row = ds.frame[ds.frame.period_start == pd.Timestamp("2026-03-27")].iloc[0]
    assert row.published_at == pd.Timestamp("2026-03-27 20:00", tz="UTC")  # 16:00 EDT
    fx = real(real_data, "usdjpy_yahoo_daily.csv")
    assert fx.series[0].unit == "JPY per USD"
    assert round(close(fx, "2026-03-27"), 3) == 159.704
    fx_row = fx.frame[fx.frame.period_start == pd.Timestamp("2026-03-27")].iloc[0]
    assert fx_row.published_at == pd.Timestamp("2026-03-28 00:00", tz="UTC")


@pytest.mark.realdata
def test_old_yahoo_layout_with_adj_close(real_data: Path) -> None:
    ds = real(real_data, "N225_yahoo_1965-2024.csv")
    assert ds.series[0].id == "markets.n225.close.yahoo_1965_2024"
    assert round(close(ds, "2024-08-05"), 2) == 31_458.42  # the last row, the day of the crash
    assert ds.frame.period_start.min() == pd.Timestamp("1965-01-05")


@pytest.mark.realdata
def test_date_value_and_date_close_layouts(real_data: Path) -> None:
    topix = real(real_data, "TOPIX_2016-2026.csv")
    assert topix.series[0].id == "markets.topix.close"
    assert close(topix, "2016-01-04") == 1509.67
    assert close(topix, "2026-08-21") == 4067.29
    n225 = real(real_data, "N225_1970-2026.csv")
    assert close(n225, "1970-01-05") == 2402.85
    assert len(n225.frame) == 13_926
    acwi = real(real_data, "ACWI_2008-2026.csv")
    assert acwi.series[0].id == "markets.acwi.close"
    assert round(close(acwi, "2026-08-03"), 2) == 157.44
    bwx = real(real_data, "BWX_2007-2026.csv")
    assert bwx.series[0].unit == "USD per share"
    assert bwx.frame.period_start.min() == pd.Timestamp("2007-10-11")


@pytest.mark.realdata
def test_calendar_daily_file_loses_its_weekend_repeats(real_data: Path) -> None:
    ds = real(real_data, "ACWI_close_2008-2026.csv")
    assert ds.series[0].id == "markets.acwi.close.close_2008_2026"
    assert ds.notes == (
        "acwi: 1906 weekend rows repeating the previous close dropped (no trading)",
    )
    assert (ds.frame.period_start.dt.day_of_week < 5).all()
    assert len(ds.frame) == 6667 - 1906


@pytest.mark.realdata
def test_every_real_file_parses_once_per_series(real_data: Path) -> None:
    ids = []
    for path in sorted((real_data / "markets").glob("*.csv")):
        ds = real(real_data, path.name)
        assert ds.frame.period_start.is_monotonic_increasing
        assert (ds.frame.value > 0).all()
        ids.append(ds.series[0].id)
    assert len(ids) == len(set(ids)), "two files would write the same series"


# --------------------------------------------------------------------------- loopback stooq


class _Stooq:
    """A stooq-shaped endpoint on 127.0.0.1: /q/d/l/?s=<ticker>&i=d."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        files = {"spy.us": STOOQ_FIXTURE.read_bytes()}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                outer.hits.append(self.path)
                if parts.path != "/q/d/l/" or query.get("i") != ["d"]:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = files.get(query.get("s", [""])[0], b"No data")
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/q/d/l/"


@pytest.fixture
def stooq() -> Iterator[_Stooq]:
    server = _Stooq()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_live_fetch_over_loopback(stooq: _Stooq, tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"YENFLOW_MARKETS_BASE_URL": stooq.base, "YENFLOW_MARKETS_SYMBOLS": "spy,topix"},
        store_path=tmp_path / "s.duckdb",
        retries=0,
        timeout_s=5.0,
    )
    markets = MarketsSource(settings)
    with Fetcher(settings) as client:
        got = list(markets.fetch(client))
    assert sorted(stooq.hits) == ["/q/d/l/?s=%5Etpx&i=d", "/q/d/l/?s=spy.us&i=d"]
    by_path = {p.raw_path: p for p in got if isinstance(p, RawPayload)}
    spy, topix = by_path["markets/spy.csv"], by_path["markets/topix.csv"]
    assert not any(isinstance(p, FetchError) for p in got)
    ds = markets.parse(spy)
    assert ds.series[0].id == "markets.spy.close"
    assert len(ds.frame) == 8
    assert close(ds, "2024-08-05") == 517.38
    err = parse_error(markets, topix)  # stooq answers "No data" for a ticker it lacks
    assert "stooq has no data" in str(err)


# --------------------------------------------------------------------------- bad input

HEADER = "Date,Open,High,Low,Close,Volume\n"


@pytest.mark.parametrize(
    ("text", "message", "row"),
    [
        ("Day,Close\n2024-01-02,1\n", "unexpected header", 1),
        (HEADER + "2024-01-02,1,1,1,1,1\n2024-01-02,1,1,1,2,1\n", "appears twice", 3),
        (HEADER + "2024-01-03,1,1,1,1,1\n2024-01-02,1,1,1,2,1\n", "is out of order", 3),
        (HEADER + "2024-01-02,1,1,1,-4,1\n", "a close is not positive", 2),
        (HEADER + "2024-01-02,1,1,1,abc,1\n", "is not a number", 2),
        (HEADER + "02/01/2024,1,1,1,1,1\n", "is not a date", 2),
        (HEADER + "2024-01-02,1,1,1,1\n", "a row has 5 cells", 2),
        (HEADER, "no data rows", 2),
        (HEADER + "2024-01-02,1,1,1,1,1", "no line break", 2),
        (
            "Price,Close,High\nTicker,SPY,SPY\nDate,,\n2024-01-02,1,1\n".replace("SPY", "QQQ"),
            "another ticker",
            2,
        ),
        ("Price,Close,High\nTicker,SPY,SPY\n2024-01-02,1,1\n", "yfinance header is incomplete", 3),
    ],
)
def test_bad_input(text: str, message: str, row: int) -> None:
    err = parse_error(source(), payload(text))
    assert message in str(err)
    assert err.row == row


def test_unknown_file_name_and_html() -> None:
    err = parse_error(source(), payload(HEADER + "2024-01-02,1,1,1,1,1\n", "markets/xyz.csv"))
    assert "no instrument is known" in str(err)
    err = parse_error(source(), payload("<html><body>rate limited</body></html>"))
    assert "HTML page" in str(err)


def test_missing_closes_are_dropped_and_counted() -> None:
    text = HEADER + "2024-01-02,1,1,1,5,1\n2024-01-03,1,1,1,null,1\n2024-01-04,1,1,1,,1\n"
    ds = source().parse(payload(text))
    assert len(ds.frame) == 1
    assert ds.notes == ("spy: 2 rows without a close dropped",)


# --------------------------------------------------------------------------- properties


@PROPERTY
@given(content=mutated(STOOQ_FIXTURE.read_bytes(), b'0123456789-.,\r\nDateClose"\x00\xe9 '))
def test_mutated_stooq_file_gives_a_dataset_or_parse_error(content: bytes) -> None:
    parsed_or_parse_error(source(), payload(content))


@PROPERTY
@given(content=st.binary(max_size=800))
def test_random_bytes_give_a_dataset_or_parse_error(content: bytes) -> None:
    parsed_or_parse_error(source(), payload(content, "markets/agg_yfinance_2020-2026.csv"))


_YF = "Price,Close,High,Low,Open,Volume\nTicker,AGG,AGG,AGG,AGG,AGG\nDate,,,,,\n" + "".join(
    f"2020-01-{d:02d},9{d}.5,9{d}.6,9{d}.4,9{d}.5,{d}00\n" for d in (2, 3, 6, 7, 8)
)


@PROPERTY
@given(content=mutated(_YF.encode(), b"0123456789-.,\nTickerPriceDate AGG"))
def test_mutated_yfinance_layout_gives_a_dataset_or_parse_error(content: bytes) -> None:
    parsed_or_parse_error(source(), payload(content, "markets/AGG_yfinance_2020-2026.csv"))
