"""Japanese-era dates: the one home of Shōwa, Heisei and Reiwa to Gregorian.

MoF files write years in the Japanese calendar: the JGB yields as short forms
(``R7.4.7`` = 2025-04-07; ``S`` Shōwa = year + 1925, ``H`` Heisei = + 1988,
``R`` Reiwa = + 2018) and the monthly flow files as labels (``(平成17年)`` = 2005,
``(令和元年)`` = 2019, 元 being an era's first year). An era ends the day before
the next begins: Heisei ended on 2019-04-30 (``H31.5.1`` is no date).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yenflow.sources.parsing import ParseContext

__all__ = ["ERAS", "Era", "era_label_year", "era_to_dates", "gregorian_year"]


@dataclass(frozen=True)
class Era:
    """One era: its letter and name, the Gregorian year of its year 0, first and last day."""

    letter: str
    name: str
    name_jp: str
    offset: int
    first: pd.Timestamp
    last: pd.Timestamp


ERAS: dict[str, Era] = {
    era.letter: era
    for era in (
        Era("S", "Shōwa", "昭和", 1925, pd.Timestamp("1926-12-25"), pd.Timestamp("1989-01-07")),
        Era("H", "Heisei", "平成", 1988, pd.Timestamp("1989-01-08"), pd.Timestamp("2019-04-30")),
        Era("R", "Reiwa", "令和", 2018, pd.Timestamp("2019-05-01"), pd.Timestamp.max.normalize()),
    )
}
_BY_NAME_JP = {era.name_jp: era for era in ERAS.values()}
_SHORT_DATE = re.compile(
    r"(?P<era>[A-Za-z])(?P<year>\d{1,2})\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})", re.ASCII
)
_LABEL = re.compile(r"^[(（](?P<era>" + "|".join(_BY_NAME_JP) + r")(?P<year>元|\d{1,2})年[)）]$")


def gregorian_year(era: str, year: int) -> int:
    """The Gregorian year of ``year`` of an era given by letter (``"R"``) or name (``"令和"``)."""
    found = ERAS.get(era) or _BY_NAME_JP.get(era)
    if found is None:
        msg = f"unknown Japanese era {era!r}; known: {', '.join(ERAS)} / {', '.join(_BY_NAME_JP)}"
        raise ValueError(msg)
    return found.offset + year


def era_label_year(label: str) -> int | None:
    """The Gregorian year of a label such as ``(平成17年)`` or ``(令和元年)``; None if not one."""
    match = _LABEL.match(label)
    if not match:
        return None
    year = 1 if match["year"] == "元" else int(match["year"])
    return gregorian_year(match["era"], year)


def era_to_dates(
    labels: Sequence[str], ctx: ParseContext, lines: Sequence[int] | None = None
) -> pd.DatetimeIndex:
    """Japanese-era short dates (``R7.4.7``) to Gregorian dates.

    ``lines`` are the physical line numbers of the labels, for error messages.
    Raises ParseError for a malformed label, an unknown era letter, an
    impossible calendar date (``R7.2.30``) or a date outside its era
    (``H31.5.1``: Heisei ended on 2019-04-30).
    """
    numbers = list(range(1, len(labels) + 1)) if lines is None else [int(n) for n in lines]
    matches = [_SHORT_DATE.fullmatch(str(label).strip()) for label in labels]
    for i in (i for i, match in enumerate(matches) if match is None):
        raise ctx.error(
            "the date is not a Japanese-era short date",
            row=numbers[i],
            expected="S/H/R + era year . month . day, e.g. R7.4.7",
            found=labels[i],
        )
    groups = np.array([match.groups() for match in matches], dtype=object).reshape(-1, 4)
    era = groups[:, 0].astype(str)
    era_year, month, day = groups[:, 1:].astype(np.int64).T
    offsets = np.full(len(era), -1, dtype=np.int64)
    starts = np.full(len(era), np.datetime64("NaT"), dtype="datetime64[ns]")
    ends = starts.copy()
    for letter, info in ERAS.items():
        mask = era == letter
        offsets[mask], starts[mask], ends[mask] = (
            info.offset,
            info.first.to_datetime64(),
            info.last.to_datetime64(),
        )
    for i in np.nonzero(offsets < 0)[0][:1]:
        raise ctx.error(
            "unknown era letter",
            row=numbers[i],
            expected="S (Shōwa), H (Heisei) or R (Reiwa)",
            found=labels[i],
        )
    values = pd.to_datetime(
        pd.DataFrame({"year": offsets + era_year, "month": month, "day": day}), errors="coerce"
    ).to_numpy("datetime64[ns]")
    with np.errstate(invalid="ignore"):
        invalid = np.isnat(values) | (era_year < 1) | (values < starts) | (values > ends)
    if invalid.any():
        i = int(np.argmax(invalid))
        raise ctx.error(
            "the date is not a calendar date within its era",
            row=numbers[i],
            expected="a real date (Shōwa to 1989-01-07, Heisei 1989-01-08 to 2019-04-30, "
            "Reiwa from 2019-05-01)",
            found=labels[i],
        )
    return pd.DatetimeIndex(values)
