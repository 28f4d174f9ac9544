"""FRED: requests, the catalog, every real file, the API JSON shape, bad input, properties."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload
from tests.sources.helpers import PROPERTY, mutated, parsed_or_parse_error
from yenflow.config import Settings
from yenflow.errors import ConfigError, ParseError
from yenflow.frame import FRAME_COLUMNS
from yenflow.payload import RawPayload
from yenflow.sources import get_source_class
from yenflow.sources.fred import API_URL, DEFAULT_SERIES, KNOWN_SERIES, FredSource

FETCHED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

REAL_FILES = {
    # file -> (series id in the header, data rows, missing observations); from PROVENANCE.md
    "DEXJPUS.csv": ("DEXJPUS", 1305, 54),
    "DEXJPUS_1971-2026_pandas.csv": ("DEXJPUS", 14370, 565),
    "DGS10.csv": ("DGS10", 16798, 716),
    "DGS2.csv": ("DGS2", 2871, 120),
    "DTB3.csv": ("DTB3", 2871, 120),
    "VIXCLS.csv": ("VIXCLS", 9493, 302),
    "SP500.csv": ("SP500", 2610, 95),
    "CBBTCUSD.csv": ("CBBTCUSD", 4193, 35),
    "BAMLH0A0HYM2.csv": ("BAMLH0A0HYM2", 1322, 14),
    "IR3TIB01JPM156N.csv": ("IR3TIB01JPM156N", 290, 0),
    "EXJPUS.csv": ("EXJPUS", 652, 0),
    "WALCL_2002-2026_pandas.csv": ("WALCL", 1208, 0),
}


def _source(**overrides: object) -> FredSource:
    return FredSource(Settings.from_env({}, **overrides))


def _payload(content: str | bytes, raw_path: str = "fred/DEXJPUS.csv", url: str = "") -> RawPayload:
    data = content.encode() if isinstance(content, str) else content
    return RawPayload.from_bytes(
        data, source="fred", raw_path=raw_path, url=url, fetched_at=FETCHED
    )


def _parse(content: str | bytes, raw_path: str = "fred/DEXJPUS.csv", url: str = ""):
    return _source().parse(_payload(content, raw_path, url))


def _values(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index(frame["period_start"].dt.strftime("%Y-%m-%d"))["value"]


def _read_independently(path: Path) -> tuple[list[str], dict[str, float], int]:
    """Header, {date: value} and the number of placeholders, with the csv module only."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    values = {d: float(v) for d, v in rows[1:] if v not in ("", ".")}
    return rows[0], values, sum(1 for _, v in rows[1:] if v in ("", "."))


# ------------------------------------------------------------------------------ registry, catalog


def test_registry_resolves_fred() -> None:
    assert get_source_class("fred") is FredSource


def test_catalog_covers_the_default_series_with_units_and_rules() -> None:
    ids = {spec.id for spec in FredSource.catalog}
    assert ids == {f"fred.{s}" for s in DEFAULT_SERIES}
    assert len(DEFAULT_SERIES) == 14
    units = {spec.id: spec.unit for spec in FredSource.catalog}
    assert units["fred.DEXJPUS"] == "JPY per USD"
    assert units["fred.EXJPUS"] == "JPY per USD"
    assert units["fred.DGS10"] == "percent"
    assert units["fred.DTB3"] == "percent"
    assert units["fred.WALCL"] == "USD millions"
    assert units["fred.CBBTCUSD"] == "USD"
    for spec in FredSource.catalog:
        assert spec.source == "fred"
        assert spec.unit and spec.title
        assert "Published:" in spec.description
    freqs = {spec.id: spec.frequency for spec in FredSource.catalog}
    assert freqs["fred.WALCL"] == "weekly"
    assert freqs["fred.IR3TIB01JPM156N"] == freqs["fred.EXJPUS"] == "monthly"
    assert "45 days" in KNOWN_SERIES["IRLTLT01JPM156N"].schedule
    assert "discount basis" in KNOWN_SERIES["DTB3"].spec("DTB3").description


# ------------------------------------------------------------------------------------- requests


def test_requests_without_key_use_the_csv_endpoint() -> None:
    requests = _source().requests()
    assert [r.raw_path for r in requests] == [f"fred/{s}.csv" for s in DEFAULT_SERIES]
    assert requests[0].url == "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DEXJPUS"
    assert all(FredSource(Settings()).recognizes(r.raw_path.split("/", 1)[1]) for r in requests)


def test_requests_base_url_override() -> None:
    source = _source(base_urls={"fred": "http://127.0.0.1:8765/fredgraph.csv"})
    assert source.requests()[0].url == "http://127.0.0.1:8765/fredgraph.csv?id=DEXJPUS"


def test_requests_with_key_use_the_api_and_keep_the_key_out_of_raw_path() -> None:
    key = "abcdef0123456789abcdef0123456789"
    requests = _source(fred_api_key=key, fred_series=("dgs10", "DEXJPUS", "DGS10")).requests()
    assert [r.raw_path for r in requests] == ["fred/DGS10.json", "fred/DEXJPUS.json"]
    assert requests[0].url == (
        "https://api.stlouisfed.org/fred/series/observations"
        f"?series_id=DGS10&api_key={key}&file_type=json"
    )
    assert all(key not in r.raw_path for r in requests)
    override = _source(fred_api_key=key, base_urls={"fred_api": "http://127.0.0.1:1/obs"})
    assert override.requests()[0].url.startswith("http://127.0.0.1:1/obs?series_id=DEXJPUS&")


def test_api_key_is_redacted_by_the_http_layer_and_absent_from_parse_output() -> None:
    key = "abcdef0123456789abcdef0123456789"
    request = _source(fred_api_key=key, fred_series=("DEXJPUS",)).requests()[0]
    http = pytest.importorskip("yenflow.http")
    redacted = http.redact_url(request.url)
    assert key not in redacted
    content = (FIXTURES / "fred" / "DEXJPUS.json").read_bytes()
    dataset = _source().parse(_payload(content, request.raw_path, redacted))
    assert key not in repr(dataset.series) + repr(dataset.notes)
    with pytest.raises(ParseError) as info:
        _source().parse(_payload(b"{", request.raw_path, redacted))
    assert key not in str(info.value)


def test_configured_series_must_be_fred_ids() -> None:
    with pytest.raises(ConfigError, match="not a FRED series id"):
        _source(fred_series=("DEXJPUS", "bad id!")).requests()


# ------------------------------------------------------------------------------ real data files


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_every_real_file_parses_to_its_values(real_data: Path, name: str) -> None:
    series_id, rows, missing = REAL_FILES[name]
    header, expected, placeholders = _read_independently(real_data / "fred" / name)
    assert header[1] == series_id
    assert (len(expected) + placeholders, placeholders) == (rows, missing)

    dataset = FredSource(Settings()).parse(load_payload(real_data, f"fred/{name}"))
    frame = dataset.frame
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert [s.id for s in dataset.series] == [f"fred.{series_id}"]
    assert set(frame["series_id"]) == {f"fred.{series_id}"}
    assert len(frame) == rows - missing
    assert _values(frame).to_dict() == expected
    assert frame["period_start"].is_monotonic_increasing and frame["period_start"].is_unique
    assert (frame["published_at"] > frame["period_end"].dt.tz_localize("UTC")).all()
    if missing:
        assert dataset.notes == (
            f"{series_id}: {missing} missing observations (blank or '.') dropped",
        )


@pytest.mark.realdata
def test_dexjpus_checks_from_provenance(real_data: Path) -> None:
    usdjpy = _values(
        FredSource(Settings()).parse(load_payload(real_data, "fred/DEXJPUS.csv")).frame
    )
    assert usdjpy["2024-08-05"] == 143.95
    assert usdjpy["2024-09-13"] == 140.66
    assert usdjpy["2024-09-16"] == 140.79
    assert usdjpy["2025-04-21"] == 140.81
    assert usdjpy["2024-07-01":"2024-12-31"].idxmin() == "2024-09-13"
    assert usdjpy["2025-01-01":"2025-12-31"].idxmin() == "2025-04-21"
    window = usdjpy["2024-07-26":"2024-08-15"]
    assert window.idxmin() == "2024-08-05"
    assert "2024-09-02" not in usdjpy.index  # Labor Day: blank in the file, dropped


@pytest.mark.realdata
def test_both_dexjpus_files_agree_on_shared_dates(real_data: Path) -> None:
    source = FredSource(Settings())
    official = _values(source.parse(load_payload(real_data, "fred/DEXJPUS.csv")).frame)
    pandas_copy = _values(
        source.parse(load_payload(real_data, "fred/DEXJPUS_1971-2026_pandas.csv")).frame
    )
    shared = official.index.intersection(pandas_copy.index)
    assert len(shared) == 1177
    assert (official[shared] == pandas_copy[shared]).all()
    assert pandas_copy.index[0] == "1971-01-04" and pandas_copy.iloc[0] == 357.73


@pytest.mark.realdata
def test_monthly_series_cover_calendar_months(real_data: Path) -> None:
    source = FredSource(Settings())
    dataset = source.parse(load_payload(real_data, "fred/IR3TIB01JPM156N.csv"))
    frame = dataset.frame
    assert dataset.series[0].frequency == "monthly"
    first, last = frame.iloc[0], frame.iloc[-1]
    assert (first["period_start"], first["period_end"], first["value"]) == (
        pd.Timestamp("2002-04-01"),
        pd.Timestamp("2002-04-30"),
        0.1,
    )
    assert (last["period_start"], last["period_end"], last["value"]) == (
        pd.Timestamp("2026-05-01"),
        pd.Timestamp("2026-05-31"),
        1.27409,
    )
    # OECD rule: 45 days after the month end, 12:00 UTC
    assert first["published_at"] == pd.Timestamp("2002-06-14 12:00", tz="UTC")
    assert (
        frame["period_end"] + pd.offsets.Day(1) == frame["period_start"] + pd.offsets.MonthBegin(1)
    ).all()

    exjpus = source.parse(load_payload(real_data, "fred/EXJPUS.csv")).frame
    feb = exjpus[exjpus["period_start"] == pd.Timestamp("2024-02-01")].iloc[0]
    assert feb["period_end"] == pd.Timestamp("2024-02-29")
    assert exjpus.iloc[-1]["value"] == 144.1286  # 2025-04, monthly average
    # G.5 approximated by the Monday after the month end, 16:15 New York (EDT = UTC-4)
    assert feb["published_at"] == pd.Timestamp("2024-03-04 21:15", tz="UTC")


@pytest.mark.realdata
def test_walcl_is_a_wednesday_level(real_data: Path) -> None:
    dataset = FredSource(Settings()).parse(
        load_payload(real_data, "fred/WALCL_2002-2026_pandas.csv")
    )
    frame = dataset.frame
    assert dataset.series[0].frequency == "weekly"
    assert (frame["period_start"] == frame["period_end"]).all()
    assert (frame["period_start"].dt.day_of_week == 2).all()
    assert frame.iloc[0]["value"] == 719542.0
    assert frame.iloc[-1]["value"] == 6605909.0  # 2026-02-04, USD millions (~6.6 trillion)
    # H.4.1: Thursday 16:30 New York (EST = UTC-5)
    assert frame.iloc[0]["published_at"] == pd.Timestamp("2002-12-19 21:30", tz="UTC")


@pytest.mark.realdata
def test_publication_rules_on_real_rows(real_data: Path) -> None:
    source = FredSource(Settings())

    def published(name: str, day: str) -> pd.Timestamp:
        frame = source.parse(load_payload(real_data, f"fred/{name}")).frame
        return frame.loc[frame["period_start"] == pd.Timestamp(day), "published_at"].iloc[0]

    # H.10: Monday 2024-08-05 -> the next Monday, 16:15 EDT
    assert published("DEXJPUS.csv", "2024-08-05") == pd.Timestamp("2024-08-12 20:15", tz="UTC")
    # H.15: Friday 2024-08-02 -> Monday, 16:15 EDT
    assert published("DGS10.csv", "2024-08-02") == pd.Timestamp("2024-08-05 20:15", tz="UTC")
    # Coinbase on FRED: the day after, 00:00 UTC two days later
    assert published("CBBTCUSD.csv", "2024-08-05") == pd.Timestamp("2024-08-07 00:00", tz="UTC")


# --------------------------------------------------------------------------- API JSON and others


def test_api_json_fixture() -> None:
    content = (FIXTURES / "fred" / "DEXJPUS.json").read_bytes()
    dataset = _parse(content, "fred/DEXJPUS.json")
    values = _values(dataset.frame)
    assert len(values) == 11  # 12 observations, one "."
    assert values["2024-08-05"] == 143.95
    assert values["2024-09-13"] == 140.66
    assert "2024-09-02" not in values.index
    assert dataset.notes == ("DEXJPUS: 1 missing observations (blank or '.') dropped",)
    assert dataset.series[0].unit == "JPY per USD"


@pytest.mark.realdata
def test_api_json_agrees_with_the_csv(real_data: Path) -> None:
    from_json = _values(
        _parse(
            (FIXTURES / "fred" / "DEXJPUS.json").read_bytes(),
            "fred/X.json",
            f"{API_URL}?series_id=DEXJPUS&api_key=REDACTED&file_type=json",
        ).frame
    )
    from_csv = _values(
        FredSource(Settings()).parse(load_payload(real_data, "fred/DEXJPUS.csv")).frame
    )
    assert (from_csv[from_json.index] == from_json).all()


def test_api_json_series_id_from_url_or_file_name() -> None:
    doc = {"observations": [{"date": "2024-01-02", "value": 4.0}]}
    text = json.dumps(doc)
    url = "https://api.stlouisfed.org/fred/series/observations?series_id=DGS10&api_key=K"
    assert _parse(text, "fred/whatever.json", url).series[0].id == "fred.DGS10"
    assert _parse(text, "fred/DGS2.json").series[0].id == "fred.DGS2"
    with pytest.raises(ParseError, match="cannot tell which series"):
        _parse(text, "fred/not an id.json")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"error_code": 400, "error_message": "Bad Request.  The series does not exist."},
            "The series does not exist",
        ),
        ({"units": "pch", "observations": []}, "transformed"),
        (
            {"count": 3, "offset": 0, "observations": [{"date": "2024-01-02", "value": "1"}]},
            "one page",
        ),
        ({"observations": [{"date": "2024-01-02"}]}, "lacks a 'date' or 'value'"),
        ({"observations": [{"date": "2024-01-02", "value": True}]}, "lacks a 'date' or 'value'"),
        ({"observations": ["2024-01-02"]}, "lacks a 'date' or 'value'"),
        ({"observations": {"date": "2024-01-02"}}, "no 'observations' array"),
        ([1, 2], "no 'observations' array"),
        ({"observations": [{"date": "2024-01-02", "value": "n/a"}]}, "not a number"),
        ({"observations": [{"date": "2024-01-02", "value": "NaN"}]}, "not a finite number"),
    ],
)
def test_api_json_bad_shapes(doc: object, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _parse(json.dumps(doc), "fred/DEXJPUS.json")
    assert info.value.source == "fred"
    assert info.value.location == "fred/DEXJPUS.json"


def test_api_error_fixture() -> None:
    content = (FIXTURES / "fred" / "error_bad_series.json").read_bytes()
    with pytest.raises(ParseError, match="FRED API error 400: Bad Request"):
        _parse(content, "fred/NOPE.json")


def test_broken_json_names_the_line() -> None:
    with pytest.raises(ParseError, match="not valid JSON") as info:
        _parse('{\n"observations": [\n{"date": "2024-01-02", "value": "1"},\n', "fred/A.json")
    assert info.value.row == 4


# ------------------------------------------------------------------------- unknown (generic) ids


@pytest.mark.parametrize(
    ("rows", "frequency", "end"),
    [
        (["2020-01-01,1", "2020-02-01,2", "2020-04-01,3"], "monthly", "2020-01-31"),
        (["2020-01-01,1", "2020-04-01,2", "2020-07-01,3"], "quarterly", "2020-03-31"),
        (["2019-01-01,1", "2020-01-01,2"], "annual", "2019-12-31"),
        (["2024-01-05,1", "2024-01-12,2", "2024-01-26,3"], "weekly", "2024-01-05"),
        (["2024-01-05,1", "2024-01-08,.", "2024-01-09,3"], "daily", "2024-01-05"),
    ],
)
def test_unknown_series_get_a_generic_spec(rows: list[str], frequency: str, end: str) -> None:
    text = "observation_date,SOFR90DAYAVG\n" + "\n".join(rows) + "\n"
    dataset = _parse(text, "fred/SOFR90DAYAVG.csv")
    spec = dataset.series[0]
    assert (spec.id, spec.unit, spec.frequency) == ("fred.SOFR90DAYAVG", "see FRED", frequency)
    frame = dataset.frame
    assert frame.iloc[0]["period_end"] == pd.Timestamp(end)
    assert (frame["published_at"] == pd.Timestamp(FETCHED)).all()


def test_old_header_and_dot_placeholders() -> None:
    dataset = _parse("DATE,DGS10\n2024-08-02,3.80\n2024-08-05,.\n2024-08-06,3.90\n", "fred/x.csv")
    assert _values(dataset.frame).to_dict() == {"2024-08-02": 3.8, "2024-08-06": 3.9}


def test_header_only_is_an_empty_series() -> None:
    dataset = _parse("observation_date,DEXJPUS\n")
    assert dataset.frame.empty and dataset.series[0].id == "fred.DEXJPUS"


# ------------------------------------------------------------------------------------ bad input

GOOD = "observation_date,DEXJPUS\n2024-08-01,150.06\n2024-08-02,146.98\n2024-08-05,143.95\n"


@pytest.mark.parametrize(
    ("content", "row", "message"),
    [
        (b"", 1, "empty"),
        (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", 1, "HTML"),
        (GOOD[:-9].encode(), 4, "truncated"),  # cut inside the last row: no final newline
        (GOOD.replace("2024-08-05,143.95", "2024-08-0,143.95").encode(), 4, "not a date"),
        (
            "observation_date,DEXJPUS\n2024-08-01,150.06\n2024-08-02,1\xe946.98\n".encode(
                "latin-1"
            ),
            3,
            "utf-8",
        ),
        (GOOD.replace("observation_date", "date").encode(), 1, "header"),
        (GOOD.replace("DEXJPUS\n", "DEXJPUS,DGS10\n", 1).encode(), 1, "header"),
        (GOOD.replace("DEXJPUS\n", "dexjpus\n", 1).encode(), 1, "header"),
        (GOOD.replace("146.98", "146.98,1").encode(), 3, "3 cells"),
        (GOOD.replace("146.98", "abc").encode(), 3, "not a number"),
        (GOOD.replace("146.98", "inf").encode(), 3, "not a finite number"),
        (GOOD.replace("2024-08-02", "2024-08-01").encode(), 3, "appears twice"),
        (GOOD.replace("2024-08-05", "2024-07-31").encode(), 4, "out of order"),
        (GOOD.replace("2024-08-02", "2024-02-30").encode(), 3, "not a date"),
        (GOOD.replace("2024-08-02", "2024-8-2").encode(), 3, "not a date"),
        (GOOD.replace("2024-08-05", "2024-08-03").encode(), 4, "Saturday"),
        (GOOD + "\n2024-08-06,145.11\n", 5, "0 cells"),
    ],
)
def test_bad_csv_input(content: bytes | str, row: int, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _parse(content)
    error = info.value
    assert (error.source, error.location, error.row) == ("fred", "fred/DEXJPUS.csv", row)
    assert error.expected


def test_requested_series_must_match_the_header() -> None:
    url = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"
    with pytest.raises(ParseError, match="another series") as info:
        _parse(GOOD, "fred/DGS10.csv", url)
    assert info.value.location == url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("observation_date,EXJPUS\n2024-01-01,1\n2024-02-15,2\n", "not dated on its first day"),
        ("observation_date,WALCL\n2024-01-03,7000000\n2024-01-11,7000001\n", "Thursday"),
    ],
)
def test_known_series_invariants(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _parse(text, "fred/x.csv")
    assert info.value.row == 3


# ----------------------------------------------------------------------------------- properties

SAMPLE_CSV = (
    b"observation_date,DEXJPUS\n2024-08-01,150.06\n2024-08-02,146.98\n2024-08-05,143.95\n"
    b"2024-08-06,\n2024-08-07,147.42\n2024-08-08,147.08\n2024-08-09,146.49\n"
)
SAMPLE_JSON = (FIXTURES / "fred" / "DEXJPUS.json").read_bytes()


#: bytes the edits draw from: CSV and JSON punctuation, digits, line ends, NUL, non-ASCII.
ALPHABET = b',.-:0123456789\n\r"{}[] aZ\x00\xff'


def _check_parse_or_parse_error(content: bytes, raw_path: str) -> None:
    dataset = parsed_or_parse_error(_source(), _payload(content, raw_path))
    if dataset is not None:
        assert dataset.frame["period_start"].is_monotonic_increasing


@PROPERTY
@given(content=st.binary(max_size=400), raw_path=st.sampled_from(["fred/A.csv", "fred/A.json"]))
def test_random_bytes_raise_only_parse_error(content: bytes, raw_path: str) -> None:
    _check_parse_or_parse_error(content, raw_path)


@PROPERTY
@given(content=mutated(SAMPLE_CSV, ALPHABET))
def test_mutated_csv_raises_only_parse_error(content: bytes) -> None:
    _check_parse_or_parse_error(content, "fred/DEXJPUS.csv")


@PROPERTY
@given(content=mutated(SAMPLE_JSON, ALPHABET))
def test_mutated_json_raises_only_parse_error(content: bytes) -> None:
    _check_parse_or_parse_error(content, "fred/DEXJPUS.json")


@PROPERTY
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 4))),
        min_size=1,
        max_size=40,
    )
)
def test_round_trip_of_generated_csv(values: list[float | None]) -> None:
    days = pd.bdate_range("2024-01-01", periods=len(values))
    buffer = io.StringIO()
    buffer.write("observation_date,DGS2\n")
    for day, value in zip(days, values, strict=True):
        buffer.write(f"{day:%Y-%m-%d},{'' if value is None else value}\n")
    frame = _parse(buffer.getvalue(), "fred/DGS2.csv").frame
    expected = {f"{d:%Y-%m-%d}": v for d, v in zip(days, values, strict=True) if v is not None}
    assert _values(frame).to_dict() == expected
