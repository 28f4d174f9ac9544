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
    csv_table,
    id_column,
    table_columns,
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
    fast = _plain_columns(text)
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
    assert _plain_columns('a,b\n"1",2\n') is None  # quotes: the csv module
    assert _plain_columns("a,b\n1,2,3\n") is None  # a row too wide: the csv module names it
    assert _plain_columns("a,b\n1\n") is None  # a row too short


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
