"""MoF JGB constant-maturity yields: the real history, the current-month layout, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload
from tests.sources.helpers import PROPERTY, mutated, parse_error, parsed_or_parse_error
from yenflow.config import Settings
from yenflow.errors import ParseError
from yenflow.payload import RawPayload
from yenflow.sources import jgb
from yenflow.sources.eras import era_to_dates
from yenflow.sources.jgb import TENORS, JgbSource
from yenflow.sources.parsing import ParseContext

HISTORY = "jgb/jgbcm_all.csv"
CURRENT_FIXTURE = FIXTURES / "jgb" / "jgbcm.csv"
ERA_BASE = {"S": 1925, "H": 1988, "R": 2018}


@pytest.fixture
def source(settings: Settings) -> JgbSource:
    return JgbSource(settings)


@pytest.fixture(scope="module")
def history(real_data: Path) -> pd.DataFrame:
    """The real full history, parsed once for the module."""
    payload = load_payload(real_data, HISTORY)
    return JgbSource(Settings.from_env({})).parse(payload).frame


def _value(frame: pd.DataFrame, tenor: int, day: str) -> float:
    rows = frame[(frame["series_id"] == f"jgb.yield.{tenor}y") & (frame["period_start"] == day)]
    assert len(rows) == 1, f"{tenor}y on {day}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


def _payload(content: bytes, raw_path: str = "jgb/jgbcm.csv") -> RawPayload:
    return RawPayload.from_bytes(content, source="jgb", raw_path=raw_path)


def _fixture_lines() -> list[str]:
    return CURRENT_FIXTURE.read_bytes().decode("cp932").split("\r\n")


def _from_lines(lines: list[str]) -> RawPayload:
    return _payload("\r\n".join(lines).encode("cp932"))


def _independent_row(real_data: Path, label: str) -> dict[int, float | None]:
    """One day's yields read with plain string operations, not the parser."""
    text = (real_data / HISTORY).read_bytes().decode("cp932")
    line = next(row for row in text.split("\r\n") if row.split(",")[0] == label)
    cells = line.split(",")[1:]
    return {t: None if c == "-" else float(c) for t, c in zip(TENORS, cells, strict=True)}


# --- the real history -----------------------------------------------------------------


@pytest.mark.realdata
def test_known_values(history: pd.DataFrame) -> None:
    assert _value(history, 10, "2024-08-05") == pytest.approx(0.781)
    assert _value(history, 10, "2025-04-07") == pytest.approx(1.129)


@pytest.mark.realdata
def test_range_and_size(history: pd.DataFrame, real_data: Path) -> None:
    assert history["period_start"].min() == pd.Timestamp("1974-09-24")
    assert history["period_start"].max() == pd.Timestamp("2026-06-30")
    assert history["period_start"].nunique() == 13_248
    text = (real_data / HISTORY).read_bytes().decode("cp932")
    cells = [c for row in text.split("\r\n")[2:] if row for c in row.split(",")[1:]]
    assert len(history) == sum(c != "-" for c in cells)  # every quoted cell, no '-' stored


@pytest.mark.realdata
def test_tenor_coverage(history: pd.DataFrame) -> None:
    first = history.groupby("series_id")["period_start"].min()
    assert first["jgb.yield.10y"] == pd.Timestamp("1986-07-05")  # no 10y before 1986
    assert first["jgb.yield.40y"] == pd.Timestamp("2007-11-06")
    assert first["jgb.yield.1y"] == pd.Timestamp("1974-09-24")
    assert set(history["series_id"]) == {f"jgb.yield.{t}y" for t in TENORS}


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("label", "day"),
    [("R6.8.5", "2024-08-05"), ("H31.4.26", "2019-04-26"), ("R1.5.7", "2019-05-07")],
)
def test_whole_rows_match_independent_read(
    history: pd.DataFrame, real_data: Path, label: str, day: str
) -> None:
    expected = _independent_row(real_data, label)
    got = history[history["period_start"] == day].set_index("series_id")["value"]
    for tenor, value in expected.items():
        series_id = f"jgb.yield.{tenor}y"
        if value is None:
            assert series_id not in got.index
        else:
            assert got[series_id] == pytest.approx(value)


@pytest.mark.realdata
def test_frame_contract(history: pd.DataFrame) -> None:
    assert list(history.columns) == [
        "series_id",
        "period_start",
        "period_end",
        "value",
        "published_at",
    ]
    assert (history["period_start"] == history["period_end"]).all()
    assert history["value"].dtype == np.float64
    assert str(history["published_at"].dt.tz) == "UTC"
    day = history[history["period_start"] == "2025-04-07"]
    assert (day["published_at"] == pd.Timestamp("2025-04-07 09:00", tz="UTC")).all()  # 18:00 JST
    assert history.duplicated(["series_id", "period_start"]).sum() == 0


# --- the current-month file (fixture in the same layout) ------------------------------


def test_current_month_fixture(source: JgbSource) -> None:
    dataset = source.parse(_payload(CURRENT_FIXTURE.read_bytes()))
    frame = dataset.frame
    assert len(frame) == 5 * len(TENORS)
    assert frame["period_start"].min() == pd.Timestamp("2026-06-01")
    assert _value(frame, 10, "2026-06-01") == pytest.approx(2.682)
    assert _value(frame, 40, "2026-06-05") == pytest.approx(3.753)
    assert {s.unit for s in dataset.series} == {"percent"}


@pytest.mark.realdata
def test_current_month_fixture_agrees_with_history(
    source: JgbSource, history: pd.DataFrame
) -> None:
    current = source.parse(_payload(CURRENT_FIXTURE.read_bytes())).frame
    keys = ["series_id", "period_start"]
    merged = current.merge(history, on=keys, suffixes=("", "_all"))
    assert len(merged) == len(current)
    assert np.allclose(merged["value"], merged["value_all"])


# --- era dates ------------------------------------------------------------------------


def _ctx() -> ParseContext:
    return ParseContext(_payload(b"x"), what="test")


@pytest.mark.parametrize(
    ("label", "day"),
    [
        ("S49.9.24", "1974-09-24"),
        ("S64.1.7", "1989-01-07"),  # last day of Shōwa
        ("H1.1.8", "1989-01-08"),  # first day of Heisei
        ("H31.4.30", "2019-04-30"),  # last day of Heisei
        ("R1.5.1", "2019-05-01"),  # first day of Reiwa
        ("R6.2.29", "2024-02-29"),  # leap day
        ("R7.4.7", "2025-04-07"),
        ("R8.12.31", "2026-12-31"),
        (" R7.4.7 ", "2025-04-07"),
    ],
)
def test_era_dates(label: str, day: str) -> None:
    assert era_to_dates([label], _ctx())[0] == pd.Timestamp(day)


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("H31.5.1", "within its era"),  # Heisei ended on 2019-04-30
        ("R1.4.30", "within its era"),  # Reiwa began on 2019-05-01
        ("S64.1.8", "within its era"),
        ("H0.12.31", "within its era"),
        ("R7.2.29", "within its era"),  # 2025 is not a leap year
        ("R7.13.1", "within its era"),
        ("T14.1.1", "unknown era"),  # Taishō: not in these files
        ("X7.4.7", "unknown era"),
        ("2025/4/7", "not a Japanese-era"),
        ("R7.4", "not a Japanese-era"),
        ("R７.4.7", "not a Japanese-era"),  # full-width digit
        ("", "not a Japanese-era"),
    ],
)
def test_era_date_errors(label: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as info:
        era_to_dates(["R7.4.4", label], _ctx(), [10, 11])
    assert info.value.row == 11


def test_era_dates_vectorized_matches_rule() -> None:
    labels = [
        f"{era}{year}.{month}.{day}"
        for era, year in (("S", 50), ("H", 10), ("R", 5))
        for month, day in ((1, 31), (6, 15), (12, 1))
    ]
    got = era_to_dates(labels, _ctx())
    expected = [
        pd.Timestamp(
            ERA_BASE[label[0]] + int(label[1:].split(".")[0]), *map(int, label.split(".")[1:])
        )
        for label in labels
    ]
    assert list(got) == expected


# --- requests and dispatch ------------------------------------------------------------


def test_requests(source: JgbSource) -> None:
    history, current = source.requests()
    assert history.url == "https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv"
    assert history.raw_path == "jgb/jgbcm_all.csv"
    assert not history.optional
    assert current.url == "https://www.mof.go.jp/jgbs/reference/interest_rate/jgbcm.csv"
    assert current.raw_path == "jgb/jgbcm.csv"
    assert current.optional
    assert all(source.recognizes(r.raw_path.split("/", 1)[1]) for r in source.requests())
    assert not source.recognizes("week.csv")


def test_base_url_override() -> None:
    settings = Settings.from_env({"YENFLOW_JGB_BASE_URL": "http://127.0.0.1:8000/mof"})
    urls = [r.url for r in JgbSource(settings).requests()]
    assert urls == [
        "http://127.0.0.1:8000/mof/data/jgbcm_all.csv",
        "http://127.0.0.1:8000/mof/jgbcm.csv",
    ]


def test_catalog() -> None:
    ids = [s.id for s in JgbSource.catalog]
    assert ids == [f"jgb.yield.{t}y" for t in TENORS]
    assert all(s.unit == "percent" and s.frequency == "daily" for s in JgbSource.catalog)


def test_unknown_file_name(source: JgbSource) -> None:
    with pytest.raises(ParseError, match="not a JGB yield file"):
        source.parse(_payload(CURRENT_FIXTURE.read_bytes(), raw_path="jgb/other.csv"))


# --- bad input ------------------------------------------------------------------------


def test_empty_file(source: JgbSource) -> None:
    assert "empty" in str(parse_error(source, _payload(b"")))


def test_html_error_page(source: JgbSource) -> None:
    page = b"<!DOCTYPE html><html><body>404 Not Found</body></html>"
    assert "HTML" in str(parse_error(source, _payload(page)))


def test_wrong_encoding(source: JgbSource) -> None:
    content = CURRENT_FIXTURE.read_bytes().decode("cp932").encode("utf-16")
    assert "not valid cp932" in str(parse_error(source, _payload(content)))


def test_truncated_to_header(source: JgbSource) -> None:
    error = parse_error(source, _from_lines(_fixture_lines()[:2]))
    assert "no data rows" in str(error)


def test_truncated_mid_row(source: JgbSource) -> None:
    content = CURRENT_FIXTURE.read_bytes()
    cut = content[: content.rindex(b",") - 10]
    error = parse_error(source, _payload(cut))
    assert "number of columns" in str(error)
    assert error.row == 7


def test_changed_header(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[1] = lines[1].replace("40年", "50年")
    error = parse_error(source, _from_lines(lines))
    assert error.row == 2
    assert "header" in str(error)


def test_changed_unit(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[0] = lines[0].replace("%", "bp")
    assert parse_error(source, _from_lines(lines)).row == 1


def test_extra_column(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[4] += ",1.0"
    error = parse_error(source, _from_lines(lines))
    assert error.row == 5
    assert "16" in (error.expected or "")


def test_non_numeric_cell(source: JgbSource) -> None:
    lines = _fixture_lines()
    cells = lines[3].split(",")
    cells[10] = "abc"
    lines[3] = ",".join(cells)
    error = parse_error(source, _from_lines(lines))
    assert error.row == 4
    assert "10年" in str(error)
    assert error.found == "abc"


def test_implausible_yield(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[2] = lines[2].replace(",2.682,", ",26.82,")
    error = parse_error(source, _from_lines(lines))
    assert error.row == 3
    assert "plausible" in str(error)


def test_duplicated_day(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines.insert(4, lines[3])
    error = parse_error(source, _from_lines(lines))
    assert error.row == 5
    assert "strictly increasing" in str(error)


def test_out_of_order_days(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[3], lines[4] = lines[4], lines[3]
    assert parse_error(source, _from_lines(lines)).row == 5


def test_unknown_era_row(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[2] = "X" + lines[2][1:]
    error = parse_error(source, _from_lines(lines))
    assert error.row == 3
    assert "era" in str(error)


def test_missing_tenor_is_dropped_not_zero(source: JgbSource) -> None:
    lines = _fixture_lines()
    cells = lines[2].split(",")
    cells[15] = "-"
    lines[2] = ",".join(cells)
    frame = source.parse(_from_lines(lines)).frame
    assert len(frame) == 5 * len(TENORS) - 1
    assert (frame["value"] != 0).all()


def test_full_width_minus_is_read(source: JgbSource) -> None:
    lines = _fixture_lines()
    lines[2] = lines[2].replace(",1.123,", ",－0.1,")
    frame = source.parse(_from_lines(lines)).frame
    assert _value(frame, 1, "2026-06-01") == pytest.approx(-0.1)


# --- property tests -------------------------------------------------------------------


#: bytes the edits draw from: CSV punctuation, digits, era letters, NUL, cp932 lead bytes.
ALPHABET = b',.-\r\n"0123456789RHSX \x00\x81\xff'


@PROPERTY
@given(content=st.binary(max_size=400))
def test_random_bytes_only_raise_parse_error(content: bytes) -> None:
    parsed_or_parse_error(JgbSource(Settings.from_env({})), _payload(content))


@settings(max_examples=100, deadline=None)
@given(content=mutated(CURRENT_FIXTURE.read_bytes(), ALPHABET))
def test_mutated_fixture_only_raises_parse_error(content: bytes) -> None:
    dataset = parsed_or_parse_error(JgbSource(Settings.from_env({})), _payload(content))
    if dataset is None:
        return
    frame = dataset.frame
    assert frame["value"].between(-1, 20).all()
    for _, days in frame.groupby("series_id")["period_start"]:
        assert days.is_monotonic_increasing and days.is_unique


def _line_by_line(payload: RawPayload, monkeypatch: pytest.MonkeyPatch) -> object:
    """The parse (frame) or the ParseError message, with the byte-level fast path off."""
    with monkeypatch.context() as patch:
        patch.setattr(jgb, "_plain_rows", lambda ctx: None)
        return _frame_or_error(payload)


def _frame_or_error(payload: RawPayload) -> object:
    try:
        return JgbSource(Settings.from_env({})).parse(payload).frame
    except ParseError as err:
        return str(err)


def _same(fast: object, slow: object) -> None:
    if isinstance(fast, pd.DataFrame) and isinstance(slow, pd.DataFrame):
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    else:
        assert fast == slow


@settings(max_examples=300, deadline=None)
@given(content=mutated(CURRENT_FIXTURE.read_bytes(), ALPHABET + b"\t"))
def test_fast_path_reads_what_the_line_by_line_path_reads(content: bytes) -> None:
    payload = _payload(content)
    with pytest.MonkeyPatch.context() as patch:
        _same(_frame_or_error(payload), _line_by_line(payload, patch))


def test_fast_path_is_taken_on_the_real_layout_only(real_data: Path) -> None:
    real = load_payload(real_data, HISTORY)
    assert jgb._plain_rows(ParseContext(real, what="x")) is not None
    lines = _fixture_lines()
    assert jgb._plain_rows(ParseContext(_from_lines(lines), what="x")) is not None
    for changed in (
        [*lines[:3], ",,,", *lines[3:]],  # a blank line inside: the line-by-line path skips it
        [*lines[:3], lines[3].replace(",", ',"', 1), *lines[4:]],  # a quote
        [*lines[:3], lines[3] + ",1", *lines[4:]],  # a row too wide
    ):
        payload = _from_lines(changed)
        assert jgb._plain_rows(ParseContext(payload, what="x")) is None
