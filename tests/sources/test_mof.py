"""MoF International Transactions in Securities: week.csv and montha1.csv.

Real-file tests read the official files from the shared data folder (skipped if
absent) and compare with values read independently here with the csv module.
The fixtures in tests/fixtures/mof/ are small synthetic files in the official
layout (invented values) for the edge cases.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload, real_data_dir
from tests.sources.helpers import parse_error, parsed_or_parse_error
from yenflow.config import Settings
from yenflow.errors import ParseError
from yenflow.frame import Dataset
from yenflow.payload import RawPayload
from yenflow.sources.mof import BASE_URL, MofSource

WEEK = "mof/week.csv"
MONTH = "mof/montha1.csv"
WEEK_FIXTURE = FIXTURES / "mof" / "week_small.csv"
MONTH_FIXTURE = FIXTURES / "mof" / "montha1_small.csv"
#: physical line numbers in week.csv (the "期間\nPeriod" header cell spans two lines).
WEEK_JP_MEASURE_LINE = 14
WEEK_FIRST_DATA_LINE = 16
#: one direction block of 11 value columns, in file order.
BLOCK = (
    "equity.acquisition",
    "equity.disposition",
    "equity.net",
    "long_term_debt.acquisition",
    "long_term_debt.disposition",
    "long_term_debt.net",
    "subtotal.net",
    "short_term_debt.acquisition",
    "short_term_debt.disposition",
    "short_term_debt.net",
    "total.net",
)


@pytest.fixture
def source(settings: Settings) -> MofSource:
    return MofSource(settings)


def payload(content: bytes, raw_path: str = WEEK) -> RawPayload:
    return RawPayload.from_bytes(content, source="mof", raw_path=raw_path)


def text_payload(text: str, raw_path: str = WEEK) -> RawPayload:
    return payload(text.encode("cp932"), raw_path)


def fixture_text(path: Path) -> str:
    return path.read_bytes().decode("cp932")


def value(ds: Dataset, series_id: str, start: str) -> float:
    frame = ds.frame
    hit = frame[(frame.series_id == series_id) & (frame.period_start == pd.Timestamp(start))]
    assert len(hit) == 1, f"{series_id} {start}: {len(hit)} rows"
    return float(hit["value"].iloc[0])


def wide(ds: Dataset) -> pd.DataFrame:
    return ds.frame.pivot(index="period_start", columns="series_id", values="value")


def raw_rows(real_data: Path, relative: str) -> list[list[str]]:
    """The file's records, decoded independently of the parser."""
    text = (real_data / relative).read_bytes().decode("cp932")
    return list(csv.reader(io.StringIO(text, newline="")))


def cell_number(cell: str) -> float:
    return float(cell.strip().replace(",", ""))


def join_cells(cells: list[str]) -> str:
    return ",".join(f'"{c}"' for c in cells)


# --------------------------------------------------------------------------- requests


def test_requests_default_and_override(settings: Settings) -> None:
    reqs = MofSource(settings).requests()
    files = ("week.csv", "montha1.csv", "monthb2.csv", "monthb3.csv", "monthb4.csv")
    assert [(r.url, r.raw_path, r.optional) for r in reqs] == [
        (BASE_URL + name, f"mof/{name}", False) for name in files
    ]
    mirror = Settings.from_env({"YENFLOW_MOF_BASE_URL": "http://127.0.0.1:8000/mof"})
    assert [r.url for r in MofSource(mirror).requests()] == [
        f"http://127.0.0.1:8000/mof/{name}" for name in files
    ]


def test_recognizes_only_its_files(source: MofSource) -> None:
    assert source.recognizes("week.csv")
    assert source.recognizes("montha1.csv")
    assert all(source.recognizes(f"monthb{i}.csv") for i in (2, 3, 4))
    assert not source.recognizes("monthb1.csv")
    assert not source.recognizes("week.csv.bak")


def test_catalog_units_and_signs(source: MofSource) -> None:
    ids = {s.id for s in source.catalog}
    # weekly 22, monthly 24, by investor: 3 files x 17 investors x 3 measures
    assert len(ids) == len(source.catalog) == 22 + 24 + 3 * 17 * 3
    assert all(s.unit == "JPY 100 million" and s.source == "mof" for s in source.catalog)
    for spec in source.catalog:
        if spec.id.endswith(".net") and "outward_minus_inward" not in spec.id:
            assert spec.sign == "net acquisition (net purchase) > 0"
    balance = next(
        s for s in source.catalog if s.id == "mof.monthly.outward_minus_inward.subtotal.net"
    )
    assert "net outflow" in balance.sign
    equity = next(s for s in source.catalog if s.id == "mof.weekly.outward.equity.net")
    assert "January 2014" in equity.description
    assert equity.frequency == "weekly"


# --------------------------------------------------------------------------- real week.csv


@pytest.fixture(scope="module")
def real_week() -> Dataset:
    data = real_data_dir()
    if data is None:
        pytest.skip("real data folder not found (YENFLOW_TEST_DATA)")
    return MofSource(Settings.from_env({})).parse(load_payload(data, WEEK))


@pytest.fixture(scope="module")
def real_month() -> Dataset:
    data = real_data_dir()
    if data is None:
        pytest.skip("real data folder not found (YENFLOW_TEST_DATA)")
    return MofSource(Settings.from_env({})).parse(load_payload(data, MONTH))


@pytest.mark.realdata
def test_week_checks_from_provenance(real_week: Dataset) -> None:
    lt = "mof.weekly.outward.long_term_debt."
    assert value(real_week, lt + "acquisition", "2025-03-30") == 149_006
    assert value(real_week, lt + "disposition", "2025-03-30") == 174_732
    assert value(real_week, lt + "net", "2025-03-30") == -25_726
    assert value(real_week, lt + "net", "2025-04-06") == -5_119
    assert value(real_week, "mof.weekly.inward.long_term_debt.net", "2025-03-30") == 27_988
    assert value(real_week, "mof.weekly.inward.long_term_debt.net", "2025-04-06") == 23_107


@pytest.mark.realdata
def test_week_shape_and_periods(real_week: Dataset) -> None:
    table = wide(real_week)
    assert table.shape == (1132, 22)
    assert not table.isna().any().any()
    starts = table.index
    assert starts[0] == pd.Timestamp("2005-01-02")
    assert starts[-1] == pd.Timestamp("2026-09-06")
    assert (starts.day_of_week == 6).all()
    assert (np.diff(starts.to_numpy()) == np.timedelta64(7, "D")).all()
    ends = real_week.frame.drop_duplicates("period_start").set_index("period_start")["period_end"]
    assert ((ends - ends.index) == pd.Timedelta(days=6)).all()
    assert ends.iloc[-1] == pd.Timestamp("2026-09-12")


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("prefix", "start", "end"),
    [
        ("2005．1．2～", "2005-01-02", "2005-01-08"),
        ("2026．9．6～", "2026-09-06", "2026-09-12"),
        ("2024．12．29～", "2024-12-29", "2025-01-04"),
        ("2006．12．31～", "2006-12-31", "2007-01-06"),
        ("2017．8．13～", "2017-08-13", "2017-08-19"),
    ],
)
def test_week_rows_match_the_file(
    real_week: Dataset, real_data: Path, prefix: str, start: str, end: str
) -> None:
    row = next(r for r in raw_rows(real_data, WEEK) if r[0].startswith(prefix))
    rows = real_week.frame[real_week.frame.period_start == pd.Timestamp(start)]
    assert (rows.period_end == pd.Timestamp(end)).all()
    got = rows.set_index("series_id")["value"]
    keys = [f"mof.weekly.{d}.{k}" for d in ("outward", "inward") for k in BLOCK]
    assert [got[k] for k in keys] == [cell_number(c) for c in row[1:]]


@pytest.mark.realdata
def test_week_golden_week_zeros_are_kept(real_week: Dataset) -> None:
    """2019．4．28～5．4: inward equity is 0 / 0 / 0 (stored as zeros, not dropped).

    PROVENANCE.md says the whole inward block is zero; the file shows zeros only for
    inward equity (long-term debt 25 / 53 / -28, short-term debt 400 / 0 / 400).
    """
    week = real_week.frame[real_week.frame.period_start == pd.Timestamp("2019-04-28")]
    got = week.set_index("series_id")["value"]
    p = "mof.weekly.inward."
    assert [got[p + "equity." + m] for m in ("acquisition", "disposition", "net")] == [0, 0, 0]
    assert [got[p + "long_term_debt." + m] for m in ("acquisition", "disposition", "net")] == [
        25,
        53,
        -28,
    ]
    assert got[p + "total.net"] == 372
    assert (week.period_end == pd.Timestamp("2019-05-04")).all()


@pytest.mark.realdata
def test_week_identities_hold_independently(real_week: Dataset) -> None:
    t = wide(real_week)
    for d in ("outward", "inward"):
        p = f"mof.weekly.{d}."
        for a in ("equity", "long_term_debt", "short_term_debt"):
            gap = t[p + a + ".acquisition"] - t[p + a + ".disposition"] - t[p + a + ".net"]
            assert gap.abs().max() <= 1
        sub = t[p + "equity.net"] + t[p + "long_term_debt.net"] - t[p + "subtotal.net"]
        tot = t[p + "subtotal.net"] + t[p + "short_term_debt.net"] - t[p + "total.net"]
        assert sub.abs().max() <= 1
        assert tot.abs().max() <= 1


@pytest.mark.realdata
def test_week_published_on_thursday_0850_tokyo(real_week: Dataset) -> None:
    row = real_week.frame[real_week.frame.period_start == pd.Timestamp("2025-03-30")].iloc[0]
    assert row.published_at == pd.Timestamp("2025-04-10 08:50", tz="Asia/Tokyo")
    assert str(real_week.frame.published_at.dt.tz) == "UTC"
    assert real_week.notes == ("MoF Final Update September 17 , 2026",)


# --------------------------------------------------------------------------- real montha1.csv


@pytest.mark.realdata
def test_month_april_2025_and_shape(real_month: Dataset) -> None:
    assert value(real_month, "mof.monthly.outward.long_term_debt.net", "2025-04-01") == -19_858
    table = wide(real_month)
    assert table.shape == (260, 24)
    assert table.index[0] == pd.Timestamp("2005-01-01")
    assert table.index[-1] == pd.Timestamp("2026-08-01")  # Sep-Dec 2026 are placeholders
    april = real_month.frame[real_month.frame.period_start == pd.Timestamp("2025-04-01")]
    assert (april.period_end == pd.Timestamp("2025-04-30")).all()
    assert april.published_at.iloc[0] == pd.Timestamp("2025-05-08 08:50", tz="Asia/Tokyo")


@pytest.mark.realdata
def test_month_balances_and_rows_match_the_file(real_month: Dataset, real_data: Path) -> None:
    rows = raw_rows(real_data, MONTH)
    jan_2005 = next(r for r in rows if r[0] == "2005" and r[2] == "Jan")
    assert value(real_month, "mof.monthly.outward_minus_inward.subtotal.net", "2005-01-01") == (
        cell_number(jan_2005[25])
    )
    assert value(real_month, "mof.monthly.outward_minus_inward.total.net", "2005-01-01") == (
        cell_number(jan_2005[26])
    )
    assert value(real_month, "mof.monthly.inward.total.net", "2005-01-01") == 35_847
    # May 2019 carries the era label (令和元年); its neighbours must be dated right.
    assert value(real_month, "mof.monthly.outward.equity.net", "2026-08-01") == 12_983


@pytest.mark.realdata
def test_month_calendar_years_equal_the_files_cy_rows(real_month: Dataset, real_data: Path) -> None:
    t = wide(real_month)
    rows = {r[0].split()[-1]: r for r in raw_rows(real_data, MONTH) if r[0].endswith(("CY", "FY"))}
    assert len(rows) == 42
    col = "mof.monthly.outward.long_term_debt.net"
    for year in (2005, 2014, 2024, 2025):
        months = t.loc[f"{year}-01-01" : f"{year}-12-01", col]
        assert len(months) == 12
        assert abs(months.sum() - cell_number(rows[f"{year}CY"][8])) <= 6.5
    fy = t.loc["2024-04-01":"2025-03-01", col]
    assert abs(fy.sum() - cell_number(rows["2024FY"][8])) <= 6.5


# --------------------------------------------------------------------------- fixtures


def test_fixture_week_edge_cases(source: MofSource) -> None:
    ds = source.parse(payload(WEEK_FIXTURE.read_bytes()))
    periods = ds.frame.drop_duplicates("period_start")[["period_start", "period_end"]]
    assert [
        (s.date().isoformat(), e.date().isoformat()) for s, e in periods.itertuples(index=False)
    ] == [
        ("2012-12-23", "2012-12-29"),
        ("2012-12-30", "2013-01-05"),  # "2012．12．30～ 2013．1．5"
        ("2013-01-06", "2013-01-12"),  # right-aligned month "～ 1．12"
        ("2017-08-13", "2017-08-19"),  # trailing space; a gap in the weeks is allowed
        ("2019-04-28", "2019-05-04"),
        ("2024-12-29", "2025-01-04"),
        ("2025-01-05", "2025-01-11"),
    ]
    zero_week = ds.frame[
        (ds.frame.period_start == pd.Timestamp("2019-04-28"))
        & ds.frame.series_id.str.startswith("mof.weekly.inward.")
    ]
    assert len(zero_week) == 11 and (zero_week.value == 0).all()
    assert len(ds.series) == 22
    assert list(ds.frame.columns) == [
        "series_id",
        "period_start",
        "period_end",
        "value",
        "published_at",
    ]


def test_fixture_week_rounding_difference_of_one_is_accepted(source: MofSource) -> None:
    t = wide(source.parse(payload(WEEK_FIXTURE.read_bytes())))
    p = "mof.weekly.outward.long_term_debt."
    gap = t[p + "acquisition"] - t[p + "disposition"] - t[p + "net"]
    assert gap.loc["2013-01-06"] == -1


def test_fixture_month_placeholders_and_annual_rows(source: MofSource) -> None:
    ds = source.parse(payload(MONTH_FIXTURE.read_bytes(), MONTH))
    t = wide(ds)
    assert t.shape == (15, 24)
    assert t.index[-1] == pd.Timestamp("2025-03-01")
    feb = ds.frame[ds.frame.period_start == pd.Timestamp("2024-02-01")]
    assert (feb.period_end == pd.Timestamp("2024-02-29")).all()


def test_unknown_file_name_is_sniffed_from_the_title(source: MofSource) -> None:
    ds = source.parse(payload(MONTH_FIXTURE.read_bytes(), "mof/renamed.csv"))
    assert ds.frame.series_id.str.startswith("mof.monthly.").all()
    err = parse_error(source, payload(b"a,b\r\n1,2\r\n", "mof/other.csv"))
    assert err.row == 1 and "week.csv" in (err.expected or "")


# --------------------------------------------------------------------------- bad input: weekly


def test_html_page(source: MofSource) -> None:
    err = parse_error(source, payload(b"<!DOCTYPE html><html><body>404</body></html>"))
    assert err.row == 1 and err.expected


def test_empty_file(source: MofSource) -> None:
    err = parse_error(source, payload(b""))
    assert err.row == 1 and err.expected


def test_utf8_instead_of_cp932(source: MofSource) -> None:
    err = parse_error(source, payload(fixture_text(WEEK_FIXTURE).encode("utf-8")))
    assert err.row == 1 and "cp932" in (err.expected or "")


def test_truncated_in_the_middle_of_a_row(source: MofSource) -> None:
    text = fixture_text(WEEK_FIXTURE)
    cut = text.index("2017．8．13") + 40
    err = parse_error(source, text_payload(text[:cut]))
    assert err.row == WEEK_FIRST_DATA_LINE + 3
    assert err.expected == "23 columns"


def test_truncated_at_a_row_boundary(source: MofSource) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    kept = lines[: WEEK_FIRST_DATA_LINE - 2 + 6]  # header and six of the seven weeks
    err = parse_error(source, text_payload("\r\n".join(kept) + "\r\n"))
    assert "sign-convention" in str(err)
    assert err.row == WEEK_FIRST_DATA_LINE + 6 and "取得超" in (err.expected or "")


def test_truncated_real_file_in_a_quoted_cell(source: MofSource, real_data: Path) -> None:
    content = (real_data / WEEK).read_bytes()
    err = parse_error(source, payload(content[: len(content) // 2 + 3]))
    assert err.row is not None and err.expected


def test_changed_measure_header(source: MofSource) -> None:
    text = fixture_text(WEEK_FIXTURE).replace(",取得,処分,ネット,", ",取得,処分,ネット額,", 1)
    err = parse_error(source, text_payload(text))
    assert err.row == WEEK_JP_MEASURE_LINE
    assert err.expected == "'ネット'" and "column 4" in str(err)


def test_changed_group_header(source: MofSource) -> None:
    text = fixture_text(WEEK_FIXTURE).replace("Subtotal", "Sub-total", 1)
    err = parse_error(source, text_payload(text))
    assert err.row == WEEK_JP_MEASURE_LINE - 1 and err.expected == "'Subtotal'"


def test_extra_column_everywhere(source: MofSource) -> None:
    text = "\r\n".join(line + "," for line in fixture_text(WEEK_FIXTURE).split("\r\n"))
    err = parse_error(source, text_payload(text))
    assert err.row == WEEK_JP_MEASURE_LINE - 3  # the first header row checked ("期間 Period")
    assert "23 columns" in (err.expected or "")


@pytest.mark.parametrize("n_cells", [24, 22])
def test_extra_or_missing_cell_in_a_data_row(source: MofSource, n_cells: int) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    i = WEEK_FIRST_DATA_LINE - 2 + 1  # the second week, physical line 17
    cells = next(csv.reader([lines[i]]))
    cells = [*cells, "1,000 "] if n_cells > 23 else cells[:-1]
    lines[i] = join_cells(cells)
    err = parse_error(source, text_payload("\r\n".join(lines)))
    assert err.row == WEEK_FIRST_DATA_LINE + 1
    assert err.expected == "23 columns" and f"has {n_cells} columns" in str(err)


def test_non_numeric_cell(source: MofSource) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    i = WEEK_FIRST_DATA_LINE - 2
    cells = next(csv.reader([lines[i]]))
    cells[7] = "n.a."
    lines[i] = join_cells(cells)
    err = parse_error(source, text_payload("\r\n".join(lines)))
    assert err.row == WEEK_FIRST_DATA_LINE
    assert "outward.subtotal.net (column 8)" in str(err) and err.found == "n.a."


def test_duplicated_week(source: MofSource) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    i = WEEK_FIRST_DATA_LINE - 2 + 2
    lines.insert(i + 1, lines[i])
    err = parse_error(source, text_payload("\r\n".join(lines)))
    assert "twice" in str(err) and err.row == WEEK_FIRST_DATA_LINE + 3


def test_weeks_out_of_order(source: MofSource) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    i = WEEK_FIRST_DATA_LINE - 2
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    err = parse_error(source, text_payload("\r\n".join(lines)))
    assert "out of order" in str(err) and err.row == WEEK_FIRST_DATA_LINE + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("2012．12．23～12．29", "2012．12．24～12．30", "Sunday"),
        ("2012．12．23～12．29", "2012．12．23～12．28", "7 days"),
        ("2012．12．23～12．29", "2012．12．23-12．29", "not a week"),
        ("2012．12．23～12．29", "2012．2．30～3．7", "not a valid date"),
    ],
)
def test_bad_period_cells(source: MofSource, old: str, new: str, message: str) -> None:
    err = parse_error(source, text_payload(fixture_text(WEEK_FIXTURE).replace(old, new)))
    assert message in str(err) and err.row == WEEK_FIRST_DATA_LINE and err.expected


def test_acquisition_minus_disposition_not_net(source: MofSource, real_data: Path) -> None:
    text = (real_data / WEEK).read_bytes().decode("cp932")
    text = text.replace('"-25,726 "', '"-25,700 "', 1)
    err = parse_error(source, text_payload(text))
    assert "outward.long_term_debt.net does not add up" in str(err)
    assert err.expected is not None and "±1" in err.expected
    line = text[: text.index('"-25,700 "')].count("\n") + 1
    assert err.row == line


def test_old_sign_convention_is_rejected(source: MofSource) -> None:
    """Net shown as disposition - acquisition (MoF's pre-2014 convention for residents)."""
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    i = WEEK_FIRST_DATA_LINE - 2
    cells = next(csv.reader([lines[i]]))
    for net in (3, 6, 10):  # flip the outward nets and keep the subtotals consistent
        cells[net] = str(-cell_number(cells[net]))
    cells[7], cells[11] = str(-cell_number(cells[7])), str(-cell_number(cells[11]))
    lines[i] = join_cells(cells)
    err = parse_error(source, text_payload("\r\n".join(lines)))
    assert err.row == WEEK_FIRST_DATA_LINE and "does not add up" in str(err)


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("単位： 億円", "単位： 百万円", "units line"),
        ("Unit: 100 million Yen", "Unit: million Yen", "units line"),
        ("取得超、マイナス", "処分超、マイナス", "sign-convention"),
        ("net acquisition with a plus sign", "net disposition with a plus sign", "sign-convention"),
        ("１．対外証券投資", "１．対内証券投資", "section title"),
        (
            "対外及び対内証券売買契約等の状況\u3000(週次",
            "対外及び対内証券売買契約等の状況\u3000(月別",
            "title",
        ),
    ],
)
def test_changed_title_units_sections_or_sign_note(
    source: MofSource, old: str, new: str, what: str
) -> None:
    text = fixture_text(WEEK_FIXTURE)
    assert old in text
    err = parse_error(source, text_payload(text.replace(old, new, 1)))
    assert what in str(err) and err.row is not None and err.expected


def test_placeholder_week_is_dropped_and_partial_row_rejected(source: MofSource) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    i = WEEK_FIRST_DATA_LINE - 2 + 6  # the last week
    period = lines[i].split(",", 1)[0]
    lines[i] = period + "," * 22
    ds = source.parse(text_payload("\r\n".join(lines)))
    assert wide(ds).index[-1] == pd.Timestamp("2024-12-29")
    lines[i] = period + ",1 " + "," * 21
    err = parse_error(source, text_payload("\r\n".join(lines)))
    assert "some empty value cells" in str(err) and err.row == WEEK_FIRST_DATA_LINE + 6


def test_header_only(source: MofSource) -> None:
    lines = fixture_text(WEEK_FIXTURE).split("\r\n")
    text = "\r\n".join(lines[: WEEK_FIRST_DATA_LINE - 2] + lines[WEEK_FIRST_DATA_LINE - 2 + 7 :])
    err = parse_error(source, text_payload(text))
    assert "no data rows" in str(err) and err.row == WEEK_FIRST_DATA_LINE


def test_nul_bytes_are_a_parse_error(source: MofSource) -> None:
    err = parse_error(source, payload(WEEK_FIXTURE.read_bytes().replace(b"2012", b"20\x0012", 1)))
    assert err.row is not None


# --------------------------------------------------------------------------- bad input: monthly

MONTH_FIRST_DATA_LINE = 12


def month_lines() -> list[str]:
    return fixture_text(MONTH_FIXTURE).split("\r\n")


def month_error(source: MofSource, lines: list[str]) -> ParseError:
    return parse_error(source, text_payload("\r\n".join(lines), MONTH))


def test_month_annual_total_not_sum_of_months(source: MofSource) -> None:
    lines = month_lines()
    i = next(k for k, line in enumerate(lines) if "2024CY" in line)
    cells = next(csv.reader([lines[i]]))
    for col in (3, 5):  # keep acq - disp = net, but break the sum over months
        cells[col] = str(cell_number(cells[col]) + 10)
    cells[9] = str(cell_number(cells[9]) + 10)
    cells[13] = str(cell_number(cells[13]) + 10)
    cells[25] = str(cell_number(cells[25]) + 10)
    cells[26] = str(cell_number(cells[26]) + 10)
    lines[i] = join_cells(cells)
    err = month_error(source, lines)
    assert "2024CY total is not the sum of its months" in str(err) and err.row == i + 1


def test_month_gap_in_sequence(source: MofSource) -> None:
    lines = month_lines()
    del lines[MONTH_FIRST_DATA_LINE - 1 + 4]  # drop May 2024
    err = month_error(source, lines)
    assert "not consecutive" in str(err) and err.expected == "2024-05"


def test_month_wrong_era_label(source: MofSource) -> None:
    lines = month_lines()
    i = MONTH_FIRST_DATA_LINE  # February 2024
    lines[i] = lines[i].replace("(令和6年)", "(令和5年)")
    err = month_error(source, lines)
    assert "era" in str(err) and err.row == MONTH_FIRST_DATA_LINE + 1


def test_month_january_without_year(source: MofSource) -> None:
    lines = month_lines()
    lines[MONTH_FIRST_DATA_LINE - 1] = lines[MONTH_FIRST_DATA_LINE - 1].replace("2024,", ",", 1)
    err = month_error(source, lines)
    assert "lacks its year" in str(err) and err.row == MONTH_FIRST_DATA_LINE


def test_month_placeholder_before_published_months(source: MofSource) -> None:
    lines = month_lines()
    i = MONTH_FIRST_DATA_LINE - 1 + 5  # June 2024
    lines[i] = ",６月,Jun" + "," * 24
    err = month_error(source, lines)
    assert "empty period is followed" in str(err) and err.row == i + 1


def test_month_non_numeric_and_balance_mismatch(source: MofSource) -> None:
    lines = month_lines()
    i = MONTH_FIRST_DATA_LINE - 1
    cells = next(csv.reader([lines[i]]))
    cells[25] = str(cell_number(cells[25]) + 5)
    lines[i] = join_cells(cells)
    err = month_error(source, lines)
    assert "outward_minus_inward.subtotal.net does not add up" in str(err)
    cells[25] = "x"
    lines[i] = join_cells(cells)
    err = month_error(source, lines)
    assert "column 26" in str(err) and err.row == MONTH_FIRST_DATA_LINE


def test_month_changed_balance_header(source: MofSource) -> None:
    lines = month_lines()
    lines[9] = lines[9].replace("（A-B)", "（A+B)")
    err = month_error(source, lines)
    assert err.row == 10 and err.expected == "'(A-B)'"


def test_month_missing_annual_month(source: MofSource) -> None:
    lines = month_lines()
    i = next(k for k, line in enumerate(lines) if "2024CY" in line)
    lines[i] = lines[i].replace("2024CY", "2025CY")
    err = month_error(source, lines)
    assert "2025CY total covers months that are not in the file" in str(err)


def test_month_unknown_row(source: MofSource) -> None:
    lines = month_lines()
    i = next(k for k, line in enumerate(lines) if "2024CY" in line)
    lines[i] = lines[i].replace("2024CY", "2024XY")
    err = month_error(source, lines)
    assert "neither a month nor an annual total" in str(err) and err.row == i + 1


# --------------------------------------------------------------------------- properties

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(content=st.binary(max_size=2000), name=st.sampled_from([WEEK, MONTH, "mof/x.csv"]))
def test_random_bytes_give_a_dataset_or_parse_error(content: bytes, name: str) -> None:
    parsed_or_parse_error(MofSource(Settings.from_env({})), payload(content, name))


def _real_lines(relative: str) -> list[str] | None:
    data = real_data_dir()
    path = data / relative if data else None
    if path is None or not path.is_file():
        return None
    return path.read_bytes().decode("cp932").split("\r\n")


_MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["drop", "duplicate", "swap", "cell"]),
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(["", "x", "-", "1,000", '"', "0 ", "９", "－5", "\u3000", "1e400", ",,"]),
    ),
    min_size=1,
    max_size=4,
)


def _mutate(lines: list[str], ops: list[tuple[str, int, str]]) -> str:
    out = list(lines)
    for op, where, text in ops:
        i = where % len(out)
        if op == "drop":
            del out[i]
        elif op == "duplicate":
            out.insert(i, out[i])
        elif op == "swap" and i + 1 < len(out):
            out[i], out[i + 1] = out[i + 1], out[i]
        elif op == "cell":
            cells = out[i].split(",")
            cells[where % len(cells)] = text
            out[i] = ",".join(cells)
        if not out:
            out = [""]
    return "\r\n".join(out)


@FAST
@given(ops=_MUTATIONS, relative=st.sampled_from([WEEK, MONTH]))
def test_mutated_real_files_give_a_dataset_or_parse_error(
    ops: list[tuple[str, int, str]], relative: str
) -> None:
    lines = _real_lines(relative)
    if lines is None:
        fixture = WEEK_FIXTURE if relative == WEEK else MONTH_FIXTURE
        lines = fixture_text(fixture).split("\r\n")
    source = MofSource(Settings.from_env({}))
    try:
        ds = source.parse(text_payload(_mutate(lines, ops), relative))
    except ParseError as err:
        assert err.row is not None or err.expected is not None
    else:
        assert not ds.frame.duplicated(["series_id", "period_start"]).any()
        assert ds.frame["value"].notna().all()


@FAST
@given(ops=_MUTATIONS, fixture=st.sampled_from([WEEK_FIXTURE, MONTH_FIXTURE]))
def test_mutated_fixtures_give_a_dataset_or_parse_error(
    ops: list[tuple[str, int, str]], fixture: Path
) -> None:
    name = WEEK if fixture == WEEK_FIXTURE else MONTH
    text = _mutate(fixture_text(fixture).split("\r\n"), ops)
    parsed_or_parse_error(MofSource(Settings.from_env({})), text_payload(text, name))
