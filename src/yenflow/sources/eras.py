"""Japanese-era dates: the one home of Shōwa, Heisei and Reiwa to Gregorian.

MoF files write years in the Japanese calendar: the JGB yields as short forms
(``R7.4.7`` = 2025-04-07; ``S`` Shōwa = year + 1925, ``H`` Heisei = + 1988,
``R`` Reiwa = + 2018) and the monthly flow files as labels (``(平成17年)`` = 2005,
``(令和元年)`` = 2019, 元 being an era's first year). An era ends the day before
the next begins: Heisei ended on 2019-04-30 (``H31.5.1`` is no date).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from yenflow.lazy import lazy_module
from yenflow.sources.parsing import ParseContext

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
else:
    np = lazy_module("numpy")
    pa = lazy_module("pyarrow")
    pc = lazy_module("pyarrow.compute")
    pd = lazy_module("pandas")

__all__ = ["ERAS", "Era", "era_label_year", "era_to_dates", "gregorian_year"]


@dataclass(frozen=True)
class Era:
    """One era: its letter and name, the Gregorian year of its year 0, first and last day."""

    letter: str
    name: str
    name_jp: str
    offset: int
    first: datetime
    last: datetime


#: the last whole day a ``datetime64[ns]`` holds (``pd.Timestamp.max.normalize()``): Reiwa's end
_LAST_NS_DAY = datetime(2262, 4, 11)


ERAS: dict[str, Era] = {
    era.letter: era
    for era in (
        Era("S", "Shōwa", "昭和", 1925, datetime(1926, 12, 25), datetime(1989, 1, 7)),
        Era("H", "Heisei", "平成", 1988, datetime(1989, 1, 8), datetime(2019, 4, 30)),
        Era("R", "Reiwa", "令和", 2018, datetime(2019, 5, 1), _LAST_NS_DAY),
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
    cells = [str(label).strip() for label in labels]
    era, era_year, month, day = _split_short_dates(cells, labels, numbers, ctx)
    offsets = np.full(len(era), -1, dtype=np.int64)
    starts = np.full(len(era), np.datetime64("NaT"), dtype="datetime64[ns]")
    ends = starts.copy()
    for letter, info in ERAS.items():
        mask = era == letter
        offsets[mask], starts[mask], ends[mask] = (
            info.offset,
            np.datetime64(info.first, "ns"),
            np.datetime64(info.last, "ns"),
        )
    for i in np.nonzero(offsets < 0)[0][:1]:
        raise ctx.error(
            "unknown era letter",
            row=numbers[i],
            expected="S (Shōwa), H (Heisei) or R (Reiwa)",
            found=labels[i],
        )
    values, real = _calendar_dates(offsets + era_year, month, day)
    with np.errstate(invalid="ignore"):
        invalid = ~real | (era_year < 1) | (values < starts) | (values > ends)
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


def _split_short_dates(
    cells: list[str], labels: Sequence[str], numbers: list[int], ctx: ParseContext
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Era letters and the three numbers of ``R7.4.7``-style cells, vectorized.

    Every cell is checked against the pattern (a ParseError names the first that
    fails); the numbers are then read by pandas' C reader splitting on the dots. When
    every cell matches (Arrow's RE2 checks them all at once: the pattern is ASCII-only, so
    RE2 and ``re`` agree), Arrow also splits them.
    """
    if cells:
        text = pa.array(cells, type=pa.string())
        whole = f"^{_SHORT_DATE.pattern}$"
        if pc.all(pc.match_substring_regex(text, whole)).as_py():
            parts = pc.extract_regex(text, whole)
            letters = parts.field("era").to_numpy(zero_copy_only=False).astype("U1")
            numbers_ = [
                pc.cast(parts.field(f), pa.int64()).to_numpy() for f in ("year", "month", "day")
            ]
            return letters, *numbers_
    for i, cell in enumerate(cells):
        if _SHORT_DATE.fullmatch(cell) is None:
            raise ctx.error(
                "the date is not a Japanese-era short date",
                row=numbers[i],
                expected="S/H/R + era year . month . day, e.g. R7.4.7",
                found=labels[i],
            )
    if not cells:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype="U1"), empty, empty, empty
    letters = np.asarray(cells, dtype="U1")
    parts = pd.read_csv(
        io.StringIO("\n".join(cell[1:] for cell in cells)),
        sep=".",
        header=None,
        dtype="int64",
        engine="c",
    ).to_numpy()
    return letters, parts[:, 0], parts[:, 1], parts[:, 2]


def _calendar_dates(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[ns]`` dates and whether each (year, month, day) is a real date."""
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year > 0) & (year < 3000)
    safe_month = np.where(ok, month, 1)
    months = ((np.where(ok, year, 1970) - 1970) * 12 + safe_month - 1).astype("datetime64[M]")
    dates = months.astype("datetime64[D]") + (np.where(ok, day, 1) - 1).astype("timedelta64[D]")
    real = ok & (dates.astype("datetime64[M]") == months)
    return dates.astype("datetime64[ns]"), real
