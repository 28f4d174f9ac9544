"""Bitcoin: Coinbase paging, the candles JSON shape, the Yahoo snapshot, bad input, properties."""

from __future__ import annotations

import csv
import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload
from tests.sources.helpers import PROPERTY, mutated, parsed_or_parse_error
from yenflow.config import Settings
from yenflow.errors import ParseError
from yenflow.frame import FRAME_COLUMNS
from yenflow.payload import RawPayload
from yenflow.sources import get_source_class
from yenflow.sources.btc import COINBASE_FIRST_DAY, BitcoinSource
from yenflow.sources.fred import FredSource

FETCHED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FIXTURE_NAME = "coinbase_BTC-USD_1d_2024-08-01_2024-08-10.json"
FIXTURE = FIXTURES / "btc" / FIXTURE_NAME
YAHOO = "btc/BTC-USD_yahoo_daily.csv"
FIELDS = ("open", "high", "low", "close", "volume")


def _payload(content: bytes | str, raw_path: str, fetched_at: datetime = FETCHED) -> RawPayload:
    data = content.encode() if isinstance(content, str) else content
    return RawPayload.from_bytes(data, source="btc", raw_path=raw_path, fetched_at=fetched_at)


def _parse(content: bytes | str, raw_path: str, fetched_at: datetime = FETCHED):
    return BitcoinSource(Settings()).parse(_payload(content, raw_path, fetched_at))


def _coinbase(candles: object, name: str = FIXTURE_NAME, **kwargs: object):
    return _parse(json.dumps(candles), f"btc/{name}", **kwargs)


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    wide = frame.pivot(index="period_start", columns="series_id", values="value")
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide


def _fixture_candles() -> list[list[float]]:
    return json.loads(FIXTURE.read_text())


# ------------------------------------------------------------------------------------ requests


def test_registry_and_catalog() -> None:
    assert get_source_class("btc") is BitcoinSource
    units = {spec.id: spec.unit for spec in BitcoinSource.catalog}
    assert units == {
        **{f"btc.coinbase.{f}": "USD" for f in FIELDS[:4]},
        "btc.coinbase.volume": "BTC",
        **{f"btc.yahoo.{f}": "USD" for f in FIELDS},
    }
    for spec in BitcoinSource.catalog:
        assert spec.frequency == "daily" and spec.source == "btc"
        assert "utc_day_close" in spec.description
        if spec.id.startswith("btc.yahoo."):
            assert "third-party" in spec.description and "third-party" in spec.title


def test_requests_page_the_whole_history_in_300_day_windows() -> None:
    today = date(2026, 11, 25)
    requests = BitcoinSource(Settings(), today=today).requests()
    first = requests[0]
    assert first.url == (
        "https://api.exchange.coinbase.com/products/BTC-USD/candles?granularity=86400"
        "&start=2015-07-20T00:00:00Z&end=2016-05-14T23:59:59Z"
    )
    assert first.raw_path == "btc/coinbase_BTC-USD_1d_2015-07-20_2016-05-14.json"
    windows = [
        tuple(date.fromisoformat(part) for part in r.raw_path[-26:-5].split("_")) for r in requests
    ]
    assert windows[0][0] == COINBASE_FIRST_DAY == date(2015, 7, 20)
    assert windows[-1][1] == today - timedelta(days=1)  # the last complete UTC day
    for (_, end), (next_start, _) in itertools.pairwise(windows):
        assert next_start == end + timedelta(days=1)
    assert all((end - start).days + 1 <= 300 for start, end in windows)
    total_days = (today - COINBASE_FIRST_DAY).days
    assert len(requests) == -(-total_days // 300)
    source = BitcoinSource(Settings())
    assert all(source.recognizes(r.raw_path.split("/", 1)[1]) for r in requests)


def test_requests_start_and_base_url_are_configurable() -> None:
    settings = Settings(base_urls={"btc": "http://127.0.0.1:8080/"})
    source = BitcoinSource(settings, start=date(2024, 8, 1), today=date(2024, 8, 11))
    (request,) = source.requests()
    assert request.url.startswith("http://127.0.0.1:8080/products/BTC-USD/candles?")
    assert request.raw_path == f"btc/{FIXTURE_NAME}"
    assert BitcoinSource(settings, start=date(2024, 8, 1), today=date(2024, 8, 1)).requests() == []


# ------------------------------------------------------------------------------ Coinbase JSON


def test_coinbase_fixture() -> None:
    dataset = _parse(FIXTURE.read_bytes(), f"btc/{FIXTURE_NAME}")
    frame = dataset.frame
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert {s.id for s in dataset.series} == {f"btc.coinbase.{f}" for f in FIELDS}
    wide = _wide(frame)
    assert list(wide.index) == [f"2024-08-{d:02d}" for d in range(1, 11)]  # sorted, oldest first
    for t, low, high, open_, close, volume in _fixture_candles():
        day = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")
        row = wide.loc[day]
        assert (row["btc.coinbase.open"], row["btc.coinbase.high"]) == (open_, high)
        assert (row["btc.coinbase.low"], row["btc.coinbase.close"]) == (low, close)
        assert row["btc.coinbase.volume"] == volume
    aug5 = frame[frame["period_start"] == pd.Timestamp("2024-08-05")]
    assert (aug5["period_end"] == pd.Timestamp("2024-08-05")).all()
    assert (aug5["published_at"] == pd.Timestamp("2024-08-06 00:00", tz="UTC")).all()
    assert dataset.notes == ()


def test_coinbase_candles_before_the_window_are_dropped() -> None:
    candles = _fixture_candles()
    earlier = [candles[-1][0] - 86400, 60000.0, 66000.0, 61000.0, 64607.71, 1.0]
    dataset = _coinbase([*candles, earlier])
    assert dataset.frame["period_start"].min() == pd.Timestamp("2024-08-01")
    assert dataset.notes == ("1 candle(s) before the window start 2024-08-01 dropped",)


def test_coinbase_candle_of_an_unfinished_day_is_dropped() -> None:
    fetched = datetime(2024, 8, 10, 15, 0, tzinfo=UTC)
    dataset = _parse(FIXTURE.read_bytes(), f"btc/{FIXTURE_NAME}", fetched_at=fetched)
    assert dataset.frame["period_start"].max() == pd.Timestamp("2024-08-09")
    assert "not yet over" in dataset.notes[0]


def test_coinbase_empty_page_is_an_empty_dataset() -> None:
    assert _coinbase([]).frame.empty


def _with(index: int, position: int, value: object) -> list[list[object]]:
    candles: list[list[object]] = [list(c) for c in _fixture_candles()]
    candles[index][position] = value
    return candles


@pytest.mark.parametrize(
    ("candles", "row", "message"),
    [
        ({"message": "granularity too small"}, None, "Coinbase error: granularity too small"),
        ({"candles": []}, None, "not a JSON array"),
        (_with(2, 2, 50000.0), 3, "high is below open or close"),  # high < open
        (_with(2, 1, 62000.0), 3, "low is above open or close"),
        (_with(4, 5, -1.0), 5, "volume is negative"),
        (_with(4, 1, 0.0), 5, "not positive"),
        (_with(0, 0, 1723248000 + 86400), 1, "after the requested window"),
        (_with(0, 0, 1723248000 - 3600), 1, "does not start a UTC day"),
        (_with(1, 0, 1723248000), 2, "appears twice"),
        (_with(3, 4, "55100.98"), 4, "six finite numbers"),
        (_with(3, 4, True), 4, "six finite numbers"),
        (_with(3, 4, None), 4, "six finite numbers"),
        ([*_fixture_candles()[:2], [1723075200, 1, 2, 1, 2]], 3, "six finite numbers"),
    ],
)
def test_coinbase_bad_pages(candles: object, row: int | None, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _coinbase(candles)
    error = info.value
    assert (error.source, error.location, error.row) == ("btc", f"btc/{FIXTURE_NAME}", row)
    assert error.expected


def test_coinbase_page_larger_than_the_api_limit() -> None:
    page = [[1722470400 + 86400 * i, 1, 2, 1, 2, 1] for i in range(301)]
    with pytest.raises(ParseError, match="at most 300") as info:
        _coinbase(page, name="coinbase_BTC-USD_1d_2024-08-01_2025-05-27.json")
    assert info.value.row == 301


def test_coinbase_non_finite_json_number() -> None:
    text = FIXTURE.read_text().replace("10987.65", "NaN", 1)
    with pytest.raises(ParseError, match="six finite numbers") as info:
        _parse(text, f"btc/{FIXTURE_NAME}")
    assert info.value.row == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("coinbase_BTC-USD_1d_2024-08-10_2024-08-01.json", "ends before it starts"),
        ("coinbase_BTC-USD_1d_2024-02-30_2024-08-01.json", "not a date"),
        ("candles.json", "unknown file"),
    ],
)
def test_coinbase_file_names(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        _parse(FIXTURE.read_bytes(), f"btc/{name}")


# ------------------------------------------------------------------------ Yahoo snapshot (real)


@pytest.mark.realdata
def test_yahoo_snapshot_real_values(real_data: Path) -> None:
    with (real_data / YAHOO).open(newline="") as handle:
        rows = list(csv.reader(handle))
    by_day = {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}

    dataset = BitcoinSource(Settings()).parse(load_payload(real_data, YAHOO))
    assert {s.id for s in dataset.series} == {f"btc.yahoo.{f}" for f in FIELDS}
    wide = _wide(dataset.frame)
    assert len(wide) == len(by_day) == 4211
    assert wide.index[0] == "2014-09-17" and wide.index[-1] == "2026-03-28"
    first = wide.loc["2014-09-17"]
    assert first["btc.yahoo.close"] == pytest.approx(457.3340148925781, abs=0)
    assert first["btc.yahoo.volume"] == 21056800.0
    for day in ("2014-09-17", "2024-08-05", "2025-04-07", "2026-03-28"):
        expected = dict(zip(FIELDS, by_day[day], strict=True))
        assert {f: wide.loc[day, f"btc.yahoo.{f}"] for f in FIELDS} == expected
    aug5 = wide.loc["2024-08-05"]
    assert aug5["btc.yahoo.low"] < 50000 < aug5["btc.yahoo.open"]  # the carry-unwind crash day
    published = dataset.frame.loc[dataset.frame["period_start"] == pd.Timestamp("2024-08-05")]
    assert (published["published_at"] == pd.Timestamp("2024-08-06", tz="UTC")).all()


@pytest.mark.realdata
def test_yahoo_close_tracks_fred_coinbase_close(real_data: Path) -> None:
    yahoo = _wide(BitcoinSource(Settings()).parse(load_payload(real_data, YAHOO)).frame)
    fred = FredSource(Settings()).parse(load_payload(real_data, "fred/CBBTCUSD.csv")).frame
    fred_close = fred.set_index(fred["period_start"].dt.strftime("%Y-%m-%d"))["value"]
    shared = yahoo.index.intersection(fred_close.index)
    gap = (yahoo.loc[shared, "btc.yahoo.close"] / fred_close[shared] - 1).abs()
    assert len(shared) > 4000
    assert gap.median() < 0.01
    assert gap["2024-08-05"] < 0.01


# ----------------------------------------------------------------------------- Yahoo bad input

YAHOO_SAMPLE = (
    "Date,Open,High,Low,Close,Volume\n"
    "2024-01-01,100.5,110.25,99.0,105.0,1000\n"
    "2024-01-02,105.0,108.0,101.5,102.0,2000\n"
    "2024-01-03,102.0,104.0,95.0,96.5,3000\n"
)


def test_yahoo_sample_and_missing_cells() -> None:
    text = YAHOO_SAMPLE.replace("2000\n", "\n")
    wide = _wide(_parse(text, YAHOO).frame)
    assert wide.loc["2024-01-01", "btc.yahoo.high"] == 110.25
    assert np.isnan(wide.loc["2024-01-02", "btc.yahoo.volume"])  # blank cell: no row


@pytest.mark.parametrize(
    ("content", "row", "message"),
    [
        (b"", 1, "empty"),
        (b"<html><head><title>Error</title></head></html>", 1, "HTML"),
        (YAHOO_SAMPLE[:-12].encode(), 4, "truncated"),
        (YAHOO_SAMPLE.replace("99.0", "9\xe9.0").encode("latin-1"), 2, "utf-8"),
        (YAHOO_SAMPLE.replace("Volume", "Adj Close,Volume").encode(), 1, "header"),
        (YAHOO_SAMPLE.replace("Date,", "date,").encode(), 1, "header"),
        (YAHOO_SAMPLE.replace("2000", "2000,1").encode(), 3, "7 cells"),
        (YAHOO_SAMPLE.replace("108.0", "n/a").encode(), 3, "not a number"),
        (YAHOO_SAMPLE.replace("2024-01-02", "2024-01-01").encode(), 3, "appears twice"),
        (YAHOO_SAMPLE.replace("2024-01-03", "2023-12-31").encode(), 4, "out of order"),
        (YAHOO_SAMPLE.replace("110.25", "104.0").encode(), 2, "high is below"),
        (YAHOO_SAMPLE.replace("95.0", "97.0").encode(), 4, "low is above"),
    ],
)
def test_yahoo_bad_input(content: bytes, row: int, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _parse(content, YAHOO)
    error = info.value
    assert (error.source, error.location, error.row) == ("btc", YAHOO, row)
    assert error.expected


# ----------------------------------------------------------------------------------- properties


#: bytes the edits draw from: JSON and CSV punctuation, digits, exponents, NUL, non-ASCII.
ALPHABET = b',.-:0123456789\n"{}[] eE\x00\xff'


def _check_parse_or_parse_error(content: bytes, raw_path: str) -> None:
    parsed_or_parse_error(BitcoinSource(Settings()), _payload(content, raw_path))


@PROPERTY
@given(content=st.binary(max_size=400), raw_path=st.sampled_from([f"btc/{FIXTURE_NAME}", YAHOO]))
def test_random_bytes_raise_only_parse_error(content: bytes, raw_path: str) -> None:
    _check_parse_or_parse_error(content, raw_path)


@PROPERTY
@given(content=mutated(FIXTURE.read_bytes(), ALPHABET))
def test_mutated_coinbase_raises_only_parse_error(content: bytes) -> None:
    _check_parse_or_parse_error(content, f"btc/{FIXTURE_NAME}")


@PROPERTY
@given(content=mutated(YAHOO_SAMPLE.encode(), ALPHABET))
def test_mutated_yahoo_raises_only_parse_error(content: bytes) -> None:
    _check_parse_or_parse_error(content, YAHOO)


@PROPERTY
@given(
    candles=st.lists(
        st.tuples(
            st.integers(0, 9),
            st.floats(1, 1e6),
            st.floats(1, 1e6),
            st.floats(0, 1e4),
        ),
        min_size=1,
        max_size=10,
        unique_by=lambda c: c[0],
    )
)
def test_generated_valid_candles_round_trip(
    candles: list[tuple[int, float, float, float]],
) -> None:
    start = int(datetime(2024, 8, 1, tzinfo=UTC).timestamp())
    page = []
    for offset, a, b, volume in candles:
        low, high = min(a, b), max(a, b)
        page.append([start + 86400 * offset, low, high, high, low, volume])
    frame = _coinbase(page).frame
    assert len(frame) == 5 * len(candles)
    wide = _wide(frame)
    assert (wide["btc.coinbase.high"] >= wide["btc.coinbase.low"]).all()
