"""Shared parsing mechanics: the vectorized fast paths equal the plain ones they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tests.sources.helpers import PROPERTY
from yenflow.sources.parsing import _plain_records, csv_records, id_column

_CELL = st.text(alphabet='ab1.-, \t\r\n\x00"é', max_size=6)


@PROPERTY
@given(lines=st.lists(st.lists(_CELL, max_size=4), max_size=6), crlf=st.booleans())
def test_split_records_equal_the_csv_module(lines: list[list[str]], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(",".join(cells) for cells in lines) + "\n"
    fast = _plain_records(text)
    if fast is None:  # quotes, NUL or a bare CR: the csv module reads it
        assert any(c in text.replace("\r\n", "\n") for c in ('"', "\x00", "\r"))
        return
    assert fast == list(csv_records(text))


def test_split_records_on_a_fred_file() -> None:
    text = "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,\n\n"
    assert _plain_records(text) == list(csv_records(text))


def test_id_column_equals_pandas_inference() -> None:
    names = ["jgb.yield.1y", "jgb.yield.10y", "jgb.yield.40y"]
    codes = np.array([2, 0, 0, 1, 2])
    inferred = pd.Series(np.asarray(names, dtype=object)[codes])
    pd.testing.assert_series_equal(pd.Series(id_column(names, codes)), inferred)
