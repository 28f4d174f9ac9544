"""TIC Major Foreign Holders of Treasury Securities: real history, current table, bad input."""

from __future__ import annotations

import re
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
from yenflow.frame import Dataset
from yenflow.payload import RawPayload
from yenflow.sources.tic import TicSource, clean_name, slugify

HISTORY = "tic/mfhhis01.txt"
CURRENT_FIXTURE = FIXTURES / "tic" / "mfh.txt"


@pytest.fixture
def source(settings: Settings) -> TicSource:
    return TicSource(settings)


@pytest.fixture(scope="module")
def history_dataset(real_data: Path) -> Dataset:
    return TicSource(Settings.from_env({})).parse(load_payload(real_data, HISTORY))


@pytest.fixture(scope="module")
def history(history_dataset: Dataset) -> pd.DataFrame:
    return history_dataset.frame


def _series(frame: pd.DataFrame, series_id: str) -> pd.Series:
    rows = frame[frame["series_id"] == series_id]
    return rows.set_index("period_start")["value"].sort_index()


def _at(frame: pd.DataFrame, series_id: str, month: str) -> float:
    series = _series(frame, series_id)
    return float(series[pd.Timestamp(month)])


def _payload(content: bytes, raw_path: str = "tic/mfh.txt") -> RawPayload:
    return RawPayload.from_bytes(content, source="tic", raw_path=raw_path)


def _fixture_lines() -> list[str]:
    return CURRENT_FIXTURE.read_text().split("\n")


def _from_lines(lines: list[str]) -> RawPayload:
    return _payload("\n".join(lines).encode())


def _line_index(lines: list[str], name: str) -> int:
    return next(i for i, line in enumerate(lines) if line.split("\t")[0].strip() == name)


def _set_cell(lines: list[str], name: str, column: int, value: str) -> int:
    """Replace value ``column`` (0 = newest month) of the row ``name``; return its line number."""
    i = _line_index(lines, name)
    cells = lines[i].split("\t")
    cells[column + 1] = value
    lines[i] = "\t".join(cells)
    return i + 1


def _independent_block_row(real_data: Path, year: int, name: str) -> list[float]:
    """A row of one year's block read with plain string operations, not the parser."""
    lines = (real_data / HISTORY).read_text().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"Country\t{year}\t"))
    row = next(line for line in lines[start:] if line.split("\t")[0] == name)
    return [float(c) for c in row.split("\t")[1:] if c]


# --- the real history -----------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("month", "value"),
    [
        ("2025-01-01", 1079.3),
        ("2025-02-01", 1125.9),
        ("2025-03-01", 1130.8),
        ("2025-04-01", 1134.5),
        ("2025-12-01", 1185.5),
    ],
)
def test_japan_known_values(history: pd.DataFrame, month: str, value: float) -> None:
    assert _at(history, "tic.holdings.japan", month) == pytest.approx(value)


@pytest.mark.realdata
def test_china_and_uk(history: pd.DataFrame) -> None:
    assert _at(history, "tic.holdings.china_mainland", "2025-12-01") == pytest.approx(683.5)
    assert _at(history, "tic.holdings.china_mainland", "2025-01-01") == pytest.approx(760.8)
    assert _at(history, "tic.holdings.china_mainland", "2013-11-01") == pytest.approx(1316.7)
    assert _at(history, "tic.holdings.united_kingdom", "2025-12-01") == pytest.approx(866.0)
    assert _at(history, "tic.holdings.united_kingdom", "2025-01-01") == pytest.approx(740.2)


@pytest.mark.realdata
def test_2025_block_matches_independent_read(history: pd.DataFrame, real_data: Path) -> None:
    months = pd.date_range("2025-01-01", "2025-12-01", freq="MS")[::-1]  # Dec … Jan
    for name, series_id in [
        ("Japan", "tic.holdings.japan"),
        ('"China, Mainland"', "tic.holdings.china_mainland"),
        ("Grand Total", "tic.aggregate.grand_total"),
    ]:
        expected = _independent_block_row(real_data, 2025, name)
        got = _series(history, series_id).reindex(months).to_numpy()
        assert np.allclose(got, expected)


@pytest.mark.realdata
def test_monthly_coverage(history: pd.DataFrame) -> None:
    japan = _series(history, "tic.holdings.japan")
    assert japan.index.min() == pd.Timestamp("2000-03-01")  # the 2000 block starts in March
    assert japan.index.max() == pd.Timestamp("2025-12-01")
    assert list(japan.index) == list(pd.date_range("2000-03-01", "2025-12-01", freq="MS"))
    assert history.duplicated(["series_id", "period_start"]).sum() == 0


@pytest.mark.realdata
def test_frame_contract(history: pd.DataFrame) -> None:
    assert (history["period_end"] == history["period_start"] + pd.offsets.MonthEnd(0)).all()
    assert (history["value"] >= 0).all()
    jan = history[
        (history["series_id"] == "tic.holdings.japan") & (history["period_start"] == "2025-01-01")
    ]
    # 18 March 2025 (a Tuesday), 16:00 New York (EDT) = 20:00 UTC.
    assert jan["published_at"].iloc[0] == pd.Timestamp("2025-03-18 20:00", tz="UTC")


@pytest.mark.realdata
def test_thirteen_column_blocks_keep_new_series(
    history: pd.DataFrame, history_dataset: Dataset
) -> None:
    # June 2006: Series VII (kept) 55.5 vs Series VI 200.9 ("for comparison only").
    assert _at(history, "tic.holdings.united_kingdom", "2006-06-01") == pytest.approx(55.5)
    assert _at(history, "tic.holdings.japan", "2006-06-01") == pytest.approx(614.7)
    # June 2011: Series XII 1307.0 kept, Series XI 1165.5 dropped.
    assert _at(history, "tic.holdings.china_mainland", "2011-06-01") == pytest.approx(1307.0)
    assert _at(history, "tic.aggregate.grand_total", "2011-06-01") == pytest.approx(4690.6)
    # June 2002: Series III 349.2 kept, Series II 335.8 dropped.
    assert _at(history, "tic.holdings.japan", "2002-06-01") == pytest.approx(349.2)
    breaks = [n for n in history_dataset.notes if n.startswith("Series break")]
    assert len(breaks) == 11  # June 2002 … June 2011, and March 2000
    assert any("Jun 2011" in n and "16/" in n for n in breaks)


@pytest.mark.realdata
def test_2000_and_2001_blocks(history: pd.DataFrame) -> None:
    # 2000: 11 columns, March twice: Series II (kept) vs Series I.
    assert _at(history, "tic.holdings.japan", "2000-03-01") == pytest.approx(307.6)
    assert _at(history, "tic.aggregate.grand_total", "2000-03-01") == pytest.approx(1085.0)
    assert _at(history, "tic.holdings.japan", "2000-12-01") == pytest.approx(317.7)
    assert pd.Timestamp("2000-02-01") not in _series(history, "tic.holdings.japan").index
    # 2001: the ordinary 12 columns.
    assert _at(history, "tic.holdings.japan", "2001-12-01") == pytest.approx(317.9)
    assert _at(history, "tic.holdings.japan", "2001-01-01") == pytest.approx(312.3)


@pytest.mark.realdata
def test_aggregates_are_separate(history: pd.DataFrame) -> None:
    ids = set(history["series_id"])
    aggregates = {i for i in ids if i.startswith("tic.aggregate.")}
    assert aggregates == {
        "tic.aggregate.grand_total",
        "tic.aggregate.all_other",
        "tic.aggregate.foreign_official",
        "tic.aggregate.foreign_official_bills",
        "tic.aggregate.foreign_official_bonds_notes",
        "tic.aggregate.oil_exporters",
        "tic.aggregate.caribbean_banking_centers",
    }
    holdings = {i.removeprefix("tic.holdings.") for i in ids - aggregates}
    assert not holdings & {"grand_total", "all_other", "for_official", "treasury_bills"}
    assert {"japan", "china_mainland", "united_kingdom", "korea_south"} <= holdings
    assert _at(history, "tic.aggregate.foreign_official", "2025-12-01") == pytest.approx(3887.0)
    assert _at(history, "tic.aggregate.foreign_official_bills", "2025-12-01") == pytest.approx(
        388.5
    )


@pytest.mark.realdata
def test_rows_add_up_to_grand_total(history: pd.DataFrame) -> None:
    month = history[history["period_start"] == "2025-12-01"].set_index("series_id")["value"]
    parts = (
        month[month.index.str.startswith("tic.holdings.")].sum() + month["tic.aggregate.all_other"]
    )
    assert parts == pytest.approx(month["tic.aggregate.grand_total"], abs=0.05 * 42)


@pytest.mark.realdata
def test_renamed_lines_share_a_series(history: pd.DataFrame) -> None:
    ids = set(history["series_id"])
    assert "tic.holdings.belgium_luxembourg" not in ids
    belgium = _series(history, "tic.holdings.belgium")
    assert belgium[pd.Timestamp("2001-12-01")] == pytest.approx(22.4)  # "Belgium-Luxembourg"
    assert belgium[pd.Timestamp("2002-06-01")] == pytest.approx(11.3)  # "Belgium  5/"
    luxembourg = _series(history, "tic.holdings.luxembourg")
    assert luxembourg.index.min() == pd.Timestamp("2002-06-01")  # n.a. before: dropped
    uk = _series(history, "tic.holdings.united_kingdom")  # "United Kingdom 2/" to 2011
    assert uk.index.min() == pd.Timestamp("2000-03-01")
    assert len(uk) == 310
    korea = _series(history, "tic.holdings.korea_south")  # '"Korea, South "' in 2000-2003
    assert korea[pd.Timestamp("2000-12-01")] == pytest.approx(29.6)


@pytest.mark.realdata
def test_specs_and_notes(history_dataset: Dataset) -> None:
    specs = {s.id: s for s in history_dataset.series}
    assert set(history_dataset.frame["series_id"]) <= set(specs)
    assert all(s.unit == "USD bn" and s.frequency == "monthly" for s in specs.values())
    assert "Channel Islands" in specs["tic.holdings.united_kingdom"].description
    assert specs["tic.holdings.china_mainland"].title.endswith("China, Mainland (TIC)")
    assert "2025 data revised March 18, 2026" in history_dataset.notes


# --- the current table (our fixture in its layout) ------------------------------------


def test_current_table_fixture(source: TicSource) -> None:
    dataset = source.parse(_payload(CURRENT_FIXTURE.read_bytes()))
    frame = dataset.frame
    japan = _series(frame, "tic.holdings.japan")
    assert list(japan.index) == list(pd.date_range("2024-12-01", "2025-12-01", freq="MS"))
    assert japan[pd.Timestamp("2024-12-01")] == pytest.approx(1061.5)  # the 2024 column
    assert japan[pd.Timestamp("2025-12-01")] == pytest.approx(1185.5)
    assert _at(frame, "tic.aggregate.grand_total", "2024-12-01") == pytest.approx(8619.3)
    assert {s.id for s in TicSource.catalog} <= {s.id for s in dataset.series}


@pytest.mark.realdata
def test_current_table_agrees_with_history(source: TicSource, history: pd.DataFrame) -> None:
    current = source.parse(_payload(CURRENT_FIXTURE.read_bytes())).frame
    current = current[current["series_id"] != "tic.aggregate.all_other"]  # recomputed there
    merged = current.merge(history, on=["series_id", "period_start"], suffixes=("", "_his"))
    assert len(merged) == len(current)
    assert np.allclose(merged["value"], merged["value_his"])


# --- helpers, requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "slug"),
    [
        ('"China, Mainland"', "china_mainland"),
        ("China, Mainland", "china_mainland"),
        ("Korea, South ", "korea_south"),
        ("United Kingdom 2/", "united_kingdom"),
        ("Belgium  5/", "belgium"),
        ("  For. Official", "for_official"),
        ("T-Bonds & Notes", "t_bonds_notes"),
        ("Carib Bnkng Ctrs 4/", "carib_bnkng_ctrs"),
    ],
)
def test_slugs(cell: str, slug: str) -> None:
    assert slugify(clean_name(cell.strip('"'))) == slug


def test_requests(source: TicSource) -> None:
    history, current = source.requests()
    base = "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/"
    assert (history.url, history.raw_path) == (base + "mfhhis01.txt", "tic/mfhhis01.txt")
    assert (current.url, current.raw_path) == (base + "mfh.txt", "tic/mfh.txt")
    assert source.recognizes("mfh.txt") and source.recognizes("mfhhis01.txt")
    assert not source.recognizes("slt_table5.txt")


def test_base_url_override() -> None:
    settings = Settings.from_env({"YENFLOW_TIC_BASE_URL": "http://127.0.0.1:9/tic/"})
    assert [r.url for r in TicSource(settings).requests()] == [
        "http://127.0.0.1:9/tic/mfhhis01.txt",
        "http://127.0.0.1:9/tic/mfh.txt",
    ]


def test_catalog_has_main_series() -> None:
    ids = {s.id for s in TicSource.catalog}
    assert {
        "tic.holdings.japan",
        "tic.holdings.china_mainland",
        "tic.holdings.united_kingdom",
        "tic.aggregate.grand_total",
        "tic.aggregate.foreign_official",
    } <= ids
    assert all(s.unit == "USD bn" for s in TicSource.catalog)


def test_unknown_file_name(source: TicSource) -> None:
    with pytest.raises(ParseError, match="not a TIC holders file"):
        source.parse(_payload(CURRENT_FIXTURE.read_bytes(), raw_path="tic/slt_table5.txt"))


# --- bad input ------------------------------------------------------------------------


def test_empty_file(source: TicSource) -> None:
    assert "empty" in str(parse_error(source, _payload(b"\n\t\t\n")))


def test_html_error_page(source: TicSource) -> None:
    page = b"<html><head><title>Page Not Found</title></head></html>"
    assert "HTML" in str(parse_error(source, _payload(page)))


def test_wrong_encoding(source: TicSource) -> None:
    content = CURRENT_FIXTURE.read_bytes().replace(b"Japan", "日本".encode("cp932"))
    assert "not valid utf-8" in str(parse_error(source, _payload(content)))


def test_no_table(source: TicSource) -> None:
    assert "no holdings table" in str(parse_error(source, _payload(b"just some text\n")))


@pytest.mark.realdata
def test_truncated_history(source: TicSource, real_data: Path) -> None:
    content = (real_data / HISTORY).read_bytes()
    cut = content[: content.index(b"All Other", len(content) // 2)]
    error = parse_error(source, _payload(cut, raw_path=HISTORY))
    assert "Grand Total" in str(error)


def test_truncated_after_month_line(source: TicSource) -> None:
    lines = _fixture_lines()
    error = parse_error(source, _from_lines(lines[:5]))
    assert "Country" in (error.expected or "")


def test_row_with_missing_value(source: TicSource) -> None:
    lines = _fixture_lines()
    i = _line_index(lines, "Japan")
    lines[i] = lines[i].rsplit("\t", 1)[0]
    error = parse_error(source, _from_lines(lines))
    assert error.row == i + 1
    assert error.expected == "13 values"


def test_row_with_extra_value(source: TicSource) -> None:
    lines = _fixture_lines()
    i = _line_index(lines, "Canada")
    lines[i] += "\t1.0"
    assert parse_error(source, _from_lines(lines)).row == i + 1


def test_non_numeric_cell(source: TicSource) -> None:
    lines = _fixture_lines()
    row = _set_cell(lines, "Japan", 3, "12x")
    error = parse_error(source, _from_lines(lines))
    assert error.row == row
    assert "Sep 2025" in str(error)
    assert error.found == "12x"


def test_negative_holding(source: TicSource) -> None:
    lines = _fixture_lines()
    row = _set_cell(lines, "Peru", 0, "-45.1")
    assert parse_error(source, _from_lines(lines)).row == row


def test_rows_must_add_up(source: TicSource) -> None:
    lines = _fixture_lines()
    _set_cell(lines, "Japan", 1, "1212.7")  # +10 bn in Nov 2025
    error = parse_error(source, _from_lines(lines))
    assert error.row == _line_index(lines, "Grand Total") + 1
    assert "Nov 2025" in str(error)


def test_official_split_must_add_up(source: TicSource) -> None:
    lines = _fixture_lines()
    row = _set_cell(lines, "For. Official", 0, "3987")
    error = parse_error(source, _from_lines(lines))
    assert error.row == row


def test_months_out_of_order(source: TicSource) -> None:
    lines = _fixture_lines()
    i = next(i for i, line in enumerate(lines) if line.startswith("\tDec\tNov"))
    lines[i] = lines[i].replace("\tOct\tSep", "\tSep\tOct")
    error = parse_error(source, _from_lines(lines))
    assert "out of order" in str(error)
    assert error.row == i + 2  # reported on the Country line, where the years are known


def test_inconsistent_years(source: TicSource) -> None:
    lines = _fixture_lines()
    i = _line_index(lines, "Country")
    lines[i] = lines[i].replace("\t2025\t2024", "\t2024\t2024")
    assert "out of order" in str(parse_error(source, _from_lines(lines)))


def test_unknown_month_name(source: TicSource) -> None:
    lines = _fixture_lines()
    i = next(i for i, line in enumerate(lines) if line.startswith("\tDec\tNov"))
    lines[i] = lines[i].replace("\tJul\t", "\tJly\t")
    assert parse_error(source, _from_lines(lines)).row == i + 1


def test_duplicated_row(source: TicSource) -> None:
    lines = _fixture_lines()
    i = _line_index(lines, "Chile")
    lines.insert(i, lines[i].replace("Chile", "Chile "))
    lines[_line_index(lines, "All Other")] = _minus_row(lines, "All Other", "Chile")
    error = parse_error(source, _from_lines(lines))
    assert "twice" in str(error)
    assert "tic.holdings.chile" in str(error)


def _minus_row(lines: list[str], name: str, other: str) -> str:
    """Row ``name`` minus row ``other``, so the totals still add up."""
    a = lines[_line_index(lines, name)].split("\t")
    b = lines[_line_index(lines, other)].split("\t")
    values = [f"{float(x) - float(y):.1f}" for x, y in zip(a[1:], b[1:], strict=True)]
    return "\t".join([a[0], *values])


def test_duplicated_block(source: TicSource) -> None:
    lines = _fixture_lines()
    end = _line_index(lines, "Department of the Treasury/Federal Reserve Board")
    error = parse_error(source, _from_lines(lines[:end] + lines[4:end] + lines[end:]))
    assert "twice" in str(error)


def test_values_outside_a_table(source: TicSource) -> None:
    lines = _fixture_lines()
    lines.append("Japan\t1.0\t2.0")
    assert "outside a table" in str(parse_error(source, _from_lines(lines)))


def test_placeholders_are_dropped(source: TicSource) -> None:
    lines = _fixture_lines()
    _set_cell(lines, "Chile", 0, "n.a.")
    _set_cell(lines, "Peru", 0, "*")
    frame = source.parse(_from_lines(lines)).frame
    assert pd.Timestamp("2025-12-01") not in _series(frame, "tic.holdings.chile").index
    assert pd.Timestamp("2025-12-01") not in _series(frame, "tic.holdings.peru").index
    assert (frame["value"] != 0).all()


def _with_break(numerals: tuple[str, str]) -> list[str]:
    """The fixture relabelled as a 2002-2011-style block: Dec … Jun, Jun, May … Jan 2025."""
    lines = _fixture_lines()
    country = _line_index(lines, "Country")
    lines[country] = lines[country].replace("\t2024", "\t2025")
    month = lines[country - 1].split("\t")
    lines[country - 1] = "\t".join([*month[:8], "Jun", "May", "Apr", "Mar", "Feb", "Jan"])
    new, old = numerals
    lines.insert(country - 1, "\t" * 7 + f"{new}\t{old}" + "\t" * 5)
    lines.insert(country - 1, "\t" * 7 + "Series 11/\tSeries" + "\t" * 5)
    return lines


def test_break_month_keeps_the_new_series(source: TicSource) -> None:
    dataset = source.parse(_from_lines(_with_break(("VII", "VI"))))
    japan = _series(dataset.frame, "tic.holdings.japan")
    assert len(japan) == 12
    assert japan[pd.Timestamp("2025-06-01")] == pytest.approx(1147.9)  # the left Jun column
    assert any("Jun 2025" in n and "11/" in n for n in dataset.notes)


def test_break_columns_in_wrong_order(source: TicSource) -> None:
    error = parse_error(source, _from_lines(_with_break(("VI", "VII"))))
    assert "series" in str(error)


# --- property tests -------------------------------------------------------------------


#: bytes the edits draw from: tabs, line ends, footnote marks, digits, month names, NUL.
ALPHABET = b'\t\n\r".-/*0123456789 JanDecSeriesVI\x00\xff'


@PROPERTY
@given(content=st.binary(max_size=400))
def test_random_bytes_only_raise_parse_error(content: bytes) -> None:
    parsed_or_parse_error(TicSource(Settings.from_env({})), _payload(content))


@settings(max_examples=100, deadline=None)
@given(content=mutated(CURRENT_FIXTURE.read_bytes(), ALPHABET))
def test_mutated_fixture_only_raises_parse_error(content: bytes) -> None:
    dataset = parsed_or_parse_error(TicSource(Settings.from_env({})), _payload(content))
    if dataset is None:
        return
    frame = dataset.frame
    assert (frame["value"] >= 0).all()
    assert all(re.fullmatch(r"tic\.(holdings|aggregate)\.[a-z0-9_]+", i) for i in frame.series_id)
