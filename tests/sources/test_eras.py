"""Japanese-era dates: one home for MoF's JGB short dates and its monthly era labels."""

from __future__ import annotations

import pandas as pd
import pytest

from yenflow.errors import ParseError
from yenflow.payload import RawPayload
from yenflow.sources.eras import ERAS, era_label_year, era_to_dates, gregorian_year
from yenflow.sources.parsing import ParseContext


def ctx() -> ParseContext:
    payload = RawPayload.from_bytes(b"x", source="jgb", raw_path="jgb/jgbcm.csv")
    return ParseContext(payload, what="test")


@pytest.mark.parametrize(
    ("era", "year", "gregorian"),
    [("S", 49, 1974), ("H", 1, 1989), ("H", 31, 2019), ("R", 1, 2019), ("令和", 7, 2025)],
)
def test_gregorian_year(era: str, year: int, gregorian: int) -> None:
    assert gregorian_year(era, year) == gregorian


def test_unknown_era() -> None:
    with pytest.raises(ValueError, match="unknown Japanese era 'T'"):
        gregorian_year("T", 1)


@pytest.mark.parametrize(
    ("label", "year"),
    [("(平成17年)", 2005), ("（平成31年）", 2019), ("(令和元年)", 2019), ("(令和8年)", 2026)],
)
def test_era_labels(label: str, year: int) -> None:
    assert era_label_year(label) == year


@pytest.mark.parametrize("label", ["平成17年", "(明治3年)", "(令和)", "2005", ""])
def test_not_era_labels(label: str) -> None:
    assert era_label_year(label) is None


def test_short_dates_and_era_boundaries() -> None:
    dates = era_to_dates(["S49.9.24", "H31.4.30", "R1.5.1", "R7.4.7"], ctx())
    assert list(dates) == [
        pd.Timestamp("1974-09-24"),
        pd.Timestamp("2019-04-30"),
        pd.Timestamp("2019-05-01"),
        pd.Timestamp("2025-04-07"),
    ]
    assert ERAS["H"].last == pd.Timestamp("2019-04-30")


def test_date_outside_its_era_is_an_error() -> None:
    with pytest.raises(ParseError, match="within its era") as info:
        era_to_dates(["R7.4.7", "H31.5.1"], ctx(), [3, 4])
    assert info.value.row == 4
