"""Mechanisms every parser shares: decoding, CSV records, numbers, errors, framing.

Parsers call these instead of writing their own, so every source rejects an
HTML error page, a wrong encoding, an empty file or a bad number the same way,
with a :class:`~yenflow.errors.ParseError` that names the source, the file or
URL, the row and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from yenflow.errors import ParseError
from yenflow.frame import FRAME_COLUMNS
from yenflow.payload import RawPayload

__all__ = [
    "ParseContext",
    "check_unique_periods",
    "csv_records",
    "melt_wide",
    "parse_number",
]

_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<\?xml[^>]*>\s*<html|<head|<body)", re.I)
_SPACES = " \t\u3000\xa0"


class ParseContext:
    """Where a parser is, for error messages: source, file or URL, and what it expects."""

    def __init__(self, payload: RawPayload, *, what: str) -> None:
        self.payload = payload
        self.source = payload.source
        self.location = payload.location
        self.what = what

    def error(
        self,
        message: str,
        *,
        row: int | None = None,
        expected: str | None = None,
        found: object = None,
    ) -> ParseError:
        """Build (not raise) a ParseError; callers write ``raise ctx.error(...)``."""
        return ParseError(
            message,
            source=self.source,
            location=self.location,
            row=row,
            expected=expected,
            found=None if found is None else str(found),
        )

    def text(self, *, encoding: str) -> str:
        """Decode the payload strictly, after rejecting empty files and HTML pages.

        ``encoding`` is the source's documented one (``cp932`` for MoF's
        Shift_JIS files, ``utf-8`` for FRED). A leading UTF-8 BOM is removed.
        """
        content = self.payload.content
        if not content.strip():
            raise self.error(
                "the file is empty", row=1, expected=f"a {self.what}", found="0 bytes of text"
            )
        if _HTML_START.match(content[:512]):
            raise self.error(
                "got an HTML page instead of data (an error or login page?)",
                row=1,
                expected=f"a {self.what}",
                found=content[:60].decode("latin-1"),
            )
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError as exc:
            row = content.count(b"\n", 0, exc.start) + 1
            raise self.error(
                f"the bytes are not valid {encoding}",
                row=row,
                expected=f"{encoding} text ({self.what})",
                found=content[max(0, exc.start - 10) : exc.end + 10].decode("latin-1"),
            ) from None
        return text.removeprefix("\ufeff")


def csv_records(text: str, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """CSV records with the 1-based physical line number on which each starts.

    Quoted cells may hold newlines (MoF's ``"期間\\nPeriod"`` header cell).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_end = 0
    for record in reader:
        yield previous_end + 1, record
        previous_end = reader.line_num


def parse_number(
    cell: str,
    ctx: ParseContext,
    *,
    row: int,
    column: str,
    missing: Iterable[str] = ("",),
) -> float | None:
    """A number from a cell: thousands commas, padding and ideographic spaces allowed.

    Returns None for a published placeholder listed in ``missing`` (after
    stripping), raises ParseError naming the row and column for anything else
    that is not a number.
    """
    stripped = cell.strip(_SPACES)
    if stripped in missing:
        return None
    candidate = stripped.replace(",", "")
    if "_" in candidate:  # float() would read "1_0" as 10
        candidate = "not a number"
    if candidate.startswith(("－", "−", "▲")):  # full-width / typographic minus, Japanese triangle
        candidate = "-" + candidate[1:]
    try:
        value = float(candidate)
    except ValueError:
        raise ctx.error(
            f"column {column!r} is not a number",
            row=row,
            expected="a number such as -1,234 or 0.5",
            found=cell,
        ) from None
    if not np.isfinite(value):
        raise ctx.error(
            f"column {column!r} is not a finite number",
            row=row,
            expected="a finite number",
            found=cell,
        )
    return value


def check_unique_periods(frame: pd.DataFrame, ctx: ParseContext) -> None:
    """Raise if a series has the same period twice in one payload."""
    dup = frame.duplicated(subset=["series_id", "period_start"], keep=False)
    if dup.any():
        first = frame.loc[dup].iloc[0]
        raise ctx.error(
            "a period appears twice",
            expected="one row per series and period",
            found=f"{first['series_id']} {pd.Timestamp(first['period_start']).date()}",
        )


def melt_wide(
    wide: pd.DataFrame,
    *,
    columns: Mapping[str, str],
    period_start: Sequence | pd.Series,
    period_end: Sequence | pd.Series,
    published_at: Sequence | pd.Series,
) -> pd.DataFrame:
    """Turn a wide table (one row per period, one column per series) into the canonical frame.

    ``columns`` maps wide column names to series ids; NaN cells (placeholders)
    are dropped. ``period_start``, ``period_end`` and ``published_at`` align
    with the rows of ``wide``. Fully vectorized: rows are series-major.
    """
    n, k = len(wide), len(columns)
    if n == 0 or k == 0:
        from yenflow.frame import empty_frame

        return empty_frame()
    values = (
        wide[list(columns)]
        .apply(pd.to_numeric, errors="raise")
        .to_numpy(dtype="float64")
        .T.reshape(-1)
    )
    keep = ~np.isnan(values)
    rows = np.tile(np.arange(n), k)[keep]
    starts = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(period_start)))).as_unit("ns")
    ends = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(period_end)))).as_unit("ns")
    published = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(published_at)), utc=True))
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(np.array(list(columns.values()), dtype=object), n)[keep],
            "period_start": starts[rows],
            "period_end": ends[rows],
            "value": values[keep],
            "published_at": published.as_unit("ns")[rows],
        }
    )
    return frame[list(FRAME_COLUMNS)]
