"""Shared parsing mechanics: the vectorized fast paths equal the plain ones they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.sources.helpers import PROPERTY
from yenflow.errors import ParseError
from yenflow.payload import RawPayload
from yenflow.sources.parsing import (
    ParseContext,
    _plain_columns,
    csv_columns,
    csv_records,
    csv_table,
    date_number_columns,
    day_cells,
    id_column,
    integer_cells,
    iso_days,
    number_cells,
    numbers,
    padded_numbers,
    parse_number,
    plain_lines,
    table_columns,
    trimmed_cells,
)

_CELL = st.text(alphabet='ab1.-, \t\r\n\x00"é', max_size=6)


def _ctx(text: str) -> ParseContext:
    payload = RawPayload.from_bytes(text.encode(), source="fred", raw_path="fred/X.csv")
    return ParseContext(payload, what="test CSV")


def _slow(text: str) -> tuple[object, ...]:
    """csv_table then table_columns, or the ParseError message they raise."""
    ctx = _ctx(text)
    try:
        header, lines, rows = csv_table(ctx)
        columns = table_columns(rows, lines, ctx, header=header)
    except ParseError as err:
        return ("error", str(err))
    return header, list(lines), [list(c) for c in columns]


def _fast(text: str) -> tuple[object, ...]:
    try:
        header, lines, columns = csv_columns(_ctx(text))
    except ParseError as err:
        return ("error", str(err))
    return header, list(lines), [list(c) for c in columns]


@PROPERTY
@given(lines=st.lists(st.lists(_CELL, min_size=1, max_size=3), max_size=6), crlf=st.booleans())
def test_csv_columns_equal_the_csv_module_reading(lines: list[list[str]], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(",".join(cells) for cells in lines) + "\n"
    assert _fast(text) == _slow(text)


def test_fast_path_taken_on_a_plain_file_only() -> None:
    text = "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,\n\n"
    fast = _plain_columns(_ctx(text))
    assert fast is not None
    assert (
        _fast(text)
        == _slow(text)
        == (
            ["observation_date", "DGS10"],
            [2, 3],
            [["2024-01-02", "2024-01-03"], ["3.95", ""]],
        )
    )
    assert _plain_columns(_ctx('a,b\n"1",2\n')) is None  # quotes: the csv module
    assert _plain_columns(_ctx("a,b\n1,2,3\n")) is None  # a row too wide: the csv module names it
    assert _plain_columns(_ctx("a,b\n1\n")) is None  # a row too short


def test_id_column_equals_pandas_inference() -> None:
    names = ["jgb.yield.1y", "jgb.yield.10y", "jgb.yield.40y"]
    codes = np.array([2, 0, 0, 1, 2])
    inferred = pd.Series(np.asarray(names, dtype=object)[codes])
    pd.testing.assert_series_equal(pd.Series(id_column(names, codes)), inferred)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1,2,3\n4\n",  # one row too wide, one too short: the comma count alone agrees
        "a,b\n,\n",
        "a\n1\n2\n",
        "a,b\n1,2\n\n3,4\n",
        "a,b\n1,2\r3,4\n",
        "a,b\r\n1,2\r\n3,4\r\n\r\n",
        "a,b\n",
        "a,b\n1,2",
        "\n\n",
        "a,b\n 1 , 2 \n#3,4\n",
    ],
)
def test_tricky_tables_read_the_same(text: str) -> None:
    assert _fast(text) == _slow(text)


_MISSING = ("", ".")


def _general_date_numbers(text: str) -> tuple[object, ...]:
    """csv_columns, iso_days and numbers (the general path), or the ParseError they raise."""
    ctx = _ctx(text)
    try:
        header, lines, (dates, cells) = csv_columns(ctx)
        days = iso_days(dates, lines, ctx, column=header[0])
        values = numbers(cells, lines, ctx, column=header[1], missing=_MISSING)
    except (ParseError, ValueError) as err:
        return ("error", str(err))
    return header, list(lines), days.tolist(), values.tolist()


def _fast_date_numbers(text: str) -> tuple[object, ...] | None:
    fast = date_number_columns(_ctx(text), missing=_MISSING)
    if fast is None:
        return None
    header, days, values = fast
    return header, list(range(2, len(days) + 2)), days.tolist(), values.tolist()


_DAY = st.one_of(
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.text(alphabet="0123456789-", min_size=9, max_size=11),
    st.sampled_from(["2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "1699-12-31"]),
)
_NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(["", ".", " 1.5", "1_0", "nan", "inf", "-0", "+3.", ".5e-3", "1e400", "é"]),
    st.text(alphabet="0123456789.eE+- ", max_size=8),
)


@PROPERTY
@given(rows=st.lists(st.tuples(_DAY, _NUMBER), max_size=6))
def test_date_number_fast_path_equals_the_general_path(rows: list[tuple[str, str]]) -> None:
    text = "observation_date,DGS10\n" + "".join(f"{d},{v}\n" for d, v in rows)
    fast = _fast_date_numbers(text)
    general = _general_date_numbers(text)
    if fast is not None:  # when it answers, it answers what the general path does
        assert np.array_equal(np.array(fast[3]), np.array(general[3]), equal_nan=True)
        assert fast[:3] == general[:3]


def test_date_number_fast_path_takes_plain_files_and_declines_doubt() -> None:
    plain = "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,.\n2024-02-29,-1e-2\n\n"
    header, days, values = date_number_columns(_ctx(plain), missing=_MISSING)
    assert header == ["observation_date", "DGS10"]
    assert days.tolist() == _general_date_numbers(plain)[2]
    assert np.array_equal(values, [3.95, np.nan, -0.01], equal_nan=True)
    for doubtful in (
        'a,b\n"2024-01-02",1\n',  # quotes
        "a,b\r\n2024-01-02,1\r\n",  # carriage returns
        "a,b\n2024-01-02,1\n\n2024-01-03,2\n",  # a blank line inside
        "a,b,c\n2024-01-02,1,2\n",  # three columns
        "a,b\n2023-02-29,1\n",  # no such day
        "a,b\n2024-1-02,1\n",  # not canonical
        "a,b\n2024-01-02, 1\n",  # a space: the general path decides
        "a,b\n2024-01-02,nan\n",  # not finite
        "a,b\n2024-01-02," + "1" * 33 + "\n",  # over 32 characters
        "a,b\n",  # no data row
    ):
        assert date_number_columns(_ctx(doubtful), missing=_MISSING) is None, doubtful


def _plain_records(text: str) -> list[list[str]] | None:
    """What :func:`plain_lines` reads, record by record (None if it declines the text)."""
    try:
        plain = plain_lines(_ctx(text))
    except ParseError:
        return None
    if plain is None:
        return None
    return [plain.cells(i) for i in range(len(plain))]


def _module_records(text: str) -> list[list[str]]:
    records = [cells for _, cells in csv_records(text)]
    while records and not records[-1]:
        records.pop()
    return records


@PROPERTY
@given(lines=st.lists(st.lists(_CELL, min_size=0, max_size=3), max_size=6), crlf=st.booleans())
def test_plain_lines_read_what_the_csv_module_reads(lines: list[list[str]], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(",".join(cells) for cells in lines) + "\n"
    plain = _plain_records(text)
    if plain is not None:
        assert plain == _module_records(text)


@PROPERTY
@given(lines=st.lists(st.lists(_CELL, min_size=1, max_size=4), max_size=6), crlf=st.booleans())
def test_plain_columns_are_the_cells_of_rows_as_wide_as_asked(
    lines: list[list[str]], crlf: bool
) -> None:
    text = ("\r\n" if crlf else "\n").join(",".join(cells) for cells in lines) + "\n"
    try:
        plain = plain_lines(_ctx(text))
    except ParseError:
        return
    if plain is None:
        return
    records = _module_records(text)
    for width in (1, 2, 3):
        which = [j for j in (width - 1, 0) if j < width]
        got = plain.columns(1, width=width, which=which)
        rows = records[1:]
        if not rows or any(len(r) != width for r in rows):
            assert got is None
        else:
            assert [c.to_pylist() for c in got] == [[r[j] for r in rows] for j in which]


def test_plain_lines_decline_what_needs_the_csv_module() -> None:
    assert _plain_records("a,b\r\n1,2\r\n\n\n") == [["a", "b"], ["1", "2"]]
    assert _plain_records("a,b\n\n1,2\n") == [["a", "b"], [], ["1", "2"]]
    for text in ('a,b\n"1",2\n', "a,b\r1,2\n", "a,b\n1\x00,2\n", "\n\n"):
        assert _plain_records(text) is None, text
    assert plain_lines(_ctx("a,b\n1,2\n3\n")).columns(1, width=2, which=(0,)) is None


def test_day_and_number_cells_decline_doubt() -> None:
    import pyarrow as pa

    days = day_cells(pa.array(["2024-02-29", "1999-12-31"]))
    assert (
        days.tolist()
        == iso_days(["2024-02-29", "1999-12-31"], [2, 3], _ctx("x\n"), column="d").tolist()
    )
    for bad in ("2023-02-29", "2024-1-01", "2024-01-01 ", "1699-12-31", "２０２４-01-01"):
        assert day_cells(pa.array(["2024-01-01", bad])) is None, bad
    values = number_cells(pa.array(["1.5", "", "-2e3"]))
    assert np.array_equal(values, [1.5, np.nan, -2000.0], equal_nan=True)
    for bad in (" 1", "1_0", "nan", "inf", "1" * 33, "1,0", "１"):
        assert number_cells(pa.array(["1", bad])) is None, bad


_PADDED = st.text(alphabet="0123456789.,-+eE \t\u3000\xa0_１－a", max_size=8)


@PROPERTY
@given(cells=st.lists(_PADDED, max_size=8))
def test_padded_numbers_read_what_parse_number_reads(cells: list[str]) -> None:
    fast = padded_numbers(cells, marks=("-",))
    if fast is None:
        return
    values, marked = fast
    ctx = _ctx("x\n")
    for cell, value, mark in zip(cells, values, marked, strict=True):
        cleaned = cell.strip(" \t\u3000\xa0").replace(",", "")
        assert mark == (cleaned == "-")
        if mark or not cleaned:  # a mark, or nothing left (padding, commas): no value
            assert np.isnan(value)
        else:
            assert value == parse_number(cell, ctx, row=1, column="c")


def test_padded_numbers_decline_doubt() -> None:
    values, marked = padded_numbers([" 1,234 ", "\u3000-5", "", "-", "0.5"], marks=("-",))
    assert np.array_equal(values, [1234.0, -5.0, np.nan, np.nan, 0.5], equal_nan=True)
    assert marked.tolist() == [False, False, False, True, False]
    for bad in ("－5", "▲5", "1_0", "nan", "inf", "abc", "-"):
        assert padded_numbers(["1", bad]) is None, bad


def test_integer_cells_take_plain_integers_only() -> None:
    values = integer_cells(trimmed_cells([" 12 ", "", "-7", "\t0", "123456789012345"]))
    assert np.array_equal(values, [12.0, np.nan, -7.0, 0.0, 123456789012345.0], equal_nan=True)
    for doubtful in ("-0", "1,234", "1.0", "1234567890123456", "+3", "\xa012", "１２", "1e3"):
        assert integer_cells(trimmed_cells(["1", doubtful])) is None, doubtful
