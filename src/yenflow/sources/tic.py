"""US Treasury TIC: Major Foreign Holders of Treasury Securities (MFH table).

Two files with the same block layout (ASCII, tab-separated, trailing tabs):

``mfhhis01.txt``
    the history, one block per calendar year, newest first (2025 … 2000);
``mfh.txt``
    the current table: one block of about 13 months, newest first, whose
    columns may span two years.

A block is: optional series-break label lines (``Series 11/`` over the new
series' column, ``Series`` over the old, then Roman numerals), a month line
(``Dec Nov … Jan``), a ``Country`` line with the year of every column, a
dashes line, one row per country (names with commas double-quoted, footnote
marks such as ``United Kingdom 2/`` and stray spaces), ``All Other``,
``Grand Total``, then ``Of which:`` and the memo rows ``For. Official``,
``Treasury Bills``, ``T-Bonds & Notes`` (foreign official holdings and their
split). Footnotes and revision dates follow the last block.

Series breaks: in the 2000–2011 blocks a break month appears in two adjacent
columns. The left column is the new series (higher Roman numeral); the
footnotes (6/ to 16/) say the right one, the old series' estimate, "is shown
for comparison only". The parser keeps the left column as the observation,
drops the right one and records the break in :attr:`Dataset.notes`. The 2000
block starts in March 2000 (11 columns, March twice).

Values are USD billions, holdings at the end of the month. ``n.a.`` (not
available) and ``*`` (less than $50 million) cells are dropped.

Checks (ParseError if any fails): month names in calendar order with the
years consistent (each column one month before the previous, or a repeated
break month), the same number of values in every row of a block, numbers
non-negative, the country and group rows summing to ``Grand Total`` within
rounding, ``Treasury Bills`` + ``T-Bonds & Notes`` = ``For. Official``, and no
(series, month) twice in the file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Literal

from yenflow import releases
from yenflow.frame import FRAME_COLUMNS, Dataset, SeriesSpec
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request
from yenflow.sources.base import Source
from yenflow.sources.parsing import (
    ParseContext,
    check_unique_periods,
    csv_records,
    id_column,
    parse_number,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["AGGREGATES", "ALIASES", "TicSource", "clean_name", "slugify"]

DEFAULT_BASE = "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/"
HISTORY_FILE = "mfhhis01.txt"
CURRENT_FILE = "mfh.txt"

MONTHS: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

Kind = Literal["holdings", "aggregate"]

#: rows that are not one country, printed name (footnote marks removed) -> slug.
#: ``Treasury Bills`` and ``T-Bonds & Notes`` are the split of ``For. Official``.
AGGREGATES: dict[str, str] = {
    "Grand Total": "grand_total",
    "All Other": "all_other",
    "For. Official": "foreign_official",
    "Treasury Bills": "foreign_official_bills",
    "T-Bonds & Notes": "foreign_official_bonds_notes",
    "Oil Exporters": "oil_exporters",
    "Carib Bnkng Ctrs": "caribbean_banking_centers",
}

#: printed-name slug -> series slug, for lines Treasury renamed across years.
#: Footnote 5/: "Prior to June 2002, the Belgium line in this table includes
#: holdings for both Belgium and Luxembourg. Historically, the data are shown as
#: Belgium-Luxembourg."
ALIASES: dict[str, str] = {"belgium_luxembourg": "belgium"}

#: display names and notes (from the file's footnotes) of the series in the catalog.
_NAMES: dict[str, str] = {
    "japan": "Japan",
    "china_mainland": "China, Mainland",
    "united_kingdom": "United Kingdom",
    "belgium": "Belgium",
    "luxembourg": "Luxembourg",
    "cayman_islands": "Cayman Islands",
    "canada": "Canada",
    "switzerland": "Switzerland",
    "taiwan": "Taiwan",
    "ireland": "Ireland",
    "france": "France",
    "hong_kong": "Hong Kong",
    "singapore": "Singapore",
    "korea_south": "Korea, South",
    "india": "India",
    "brazil": "Brazil",
    "saudi_arabia": "Saudi Arabia",
    "norway": "Norway",
    "grand_total": "Grand Total",
    "all_other": "All Other",
    "foreign_official": "For. Official",
    "foreign_official_bills": "Treasury Bills",
    "foreign_official_bonds_notes": "T-Bonds & Notes",
    "oil_exporters": "Oil Exporters",
    "caribbean_banking_centers": "Carib Bnkng Ctrs",
}

_NOTES: dict[str, str] = {
    "united_kingdom": " Through December 2011 (the line 'United Kingdom 2/') it includes the "
    "Channel Islands and the Isle of Man (footnote 2/).",
    "belgium": " Before June 2002 it includes Luxembourg; the 2000-2001 line is "
    "'Belgium-Luxembourg' (footnote 5/).",
    "luxembourg": " Not available before June 2002 (included in Belgium, footnote 5/).",
    "grand_total": " Total foreign holdings: every country row plus All Other (and, to 2011, "
    "the Oil Exporters and Caribbean Banking Centers groups).",
    "all_other": " Countries not listed separately that month.",
    "foreign_official": " Holdings of foreign official institutions (all countries).",
    "foreign_official_bills": " Foreign official holdings of Treasury bills.",
    "foreign_official_bonds_notes": " Foreign official holdings of Treasury bonds and notes.",
    "oil_exporters": " Group of countries, listed to 2011: Ecuador, Venezuela, Indonesia, "
    "Bahrain, Iran, Iraq, Kuwait, Oman, Qatar, Saudi Arabia, the United Arab Emirates, Algeria, "
    "Gabon, Libya and Nigeria (footnote 3/).",
    "caribbean_banking_centers": " Group listed to 2011: Bahamas, Bermuda, Cayman Islands, "
    "Netherlands Antilles, Panama, and from June 2006 the British Virgin Islands (footnote 4/).",
}

_COMMON = (
    "End-of-month holdings of US Treasury bills, bonds and notes (marketable and non-marketable), "
    "USD billions, from the TIC Major Foreign Holders table. Holdings are attributed to the "
    "country of the custodian, not always of the owner. Series breaks at the annual surveys "
    "(March 2000 to June 2011; the new series is kept where a month has two columns) and in "
    "December 2011 (SLT-based holdings from then on)."
)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_FOOTNOTE_MARK = re.compile(r"(\s+\d+/)+$")
_SERIES_LABEL = re.compile(r"^Series(?:\s+(\d+)/)?$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_REVISION = re.compile(r"^\((\d{4}) revised ([A-Z][a-z]+ \d{1,2}, \d{4})\)$")
_MISSING = ("n.a.", "*", "n.a")
_NUMBER = re.compile(r"-?[\d,]*\.?\d+")
#: rounding of each printed value (0.1 bn): +-0.05.
_HALF_UNIT = 0.05


def slugify(name: str) -> str:
    """Lower-case, non-alphanumeric runs to ``_``: ``China, Mainland`` -> ``china_mainland``."""
    return _NOT_SLUG.sub("_", name.lower()).strip("_")


def clean_name(cell: str) -> str:
    """A row name without footnote marks and stray spaces (``Belgium  5/`` -> ``Belgium``)."""
    return " ".join(_FOOTNOTE_MARK.sub("", cell.strip()).split())


def _spec(kind: Kind, slug: str, name: str) -> SeriesSpec:
    name = _NAMES.get(slug, name)
    noun = "holders' total" if kind == "aggregate" else "holdings"
    return SeriesSpec(
        id=f"tic.{kind}.{slug}",
        source="tic",
        title=f"Foreign {noun} of US Treasuries: {name} (TIC)",
        unit="USD bn",
        frequency="monthly",
        description=_COMMON + _NOTES.get(slug, ""),
    )


#: the catalog: the largest holders and the totals (parse returns every row it finds).
_CATALOG_SLUGS: tuple[tuple[Kind, str], ...] = tuple(
    ("aggregate" if slug in AGGREGATES.values() else "holdings", slug) for slug in _NAMES
)


@dataclass
class _Header:
    """A month line waiting for its ``Country`` line."""

    line: int
    months: list[str]
    labels: dict[int, tuple[str | None, int | None]]


@dataclass
class _Row:
    """One country or total line of a block, values in USD bn per column."""

    line: int
    kind: Kind
    slug: str
    name: str
    values: np.ndarray  # float64 per column of the block, NaN for n.a. (set at block close)
    memo: bool
    cells: list[str] = field(default_factory=list)  # the raw value cells, until converted


@dataclass
class _Block:
    """One table: its columns (month starts) and rows."""

    line: int
    periods: list[pd.Timestamp]
    keep: np.ndarray  # bool per column: False for a break month's comparison column
    labels: list[str]  # "Mon YYYY" per column, for messages
    rows: list[_Row] = field(default_factory=list)
    memo: bool = False


class TicSource(Source):
    """TIC Major Foreign Holders of Treasury Securities, monthly, USD bn."""

    name: ClassVar[str] = "tic"
    title: ClassVar[str] = "US Treasury TIC: Major Foreign Holders of Treasury Securities"
    homepage: ClassVar[str] = (
        "https://home.treasury.gov/data/treasury-international-capital-tic-system"
    )
    catalog: ClassVar[tuple[SeriesSpec, ...]] = tuple(
        _spec(kind, slug, _NAMES[slug]) for kind, slug in _CATALOG_SLUGS
    )
    raw_patterns: ClassVar[tuple[str, ...]] = (HISTORY_FILE, CURRENT_FILE)

    def requests(self) -> list[Request]:
        """The history and the current table (both needed: the history lags revisions)."""
        base = self.base_url(DEFAULT_BASE).rstrip("/") + "/"
        return [
            Request(url=f"{base}{HISTORY_FILE}", raw_path=f"tic/{HISTORY_FILE}"),
            Request(url=f"{base}{CURRENT_FILE}", raw_path=f"tic/{CURRENT_FILE}"),
        ]

    def parse(self, payload: RawPayload) -> Dataset:
        """Parse ``mfhhis01.txt`` or ``mfh.txt``: ``tic.holdings.<country>`` and
        ``tic.aggregate.<total>`` series, USD bn, end of month."""
        file_name = PurePosixPath(payload.raw_path or payload.url).name
        ctx = ParseContext(payload, what="TIC Major Foreign Holders table (tab-separated text)")
        if file_name not in self.raw_patterns:
            expected = f"one of {list(self.raw_patterns)}"
            raise ctx.error("not a TIC holders file", expected=expected, found=file_name)
        reader = _Reader(ctx)
        reader.read(ctx.text(encoding="utf-8"))
        return reader.dataset()


class _Reader:
    """A line-by-line state machine over the blocks of one file."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.header: _Header | None = None
        self.loose: list[tuple[int, list[str]]] = []  # lines outside tables: titles, notes
        self.recent: list[tuple[int, list[str]]] = []  # loose lines since the last table
        self.notes: list[str] = []

    def read(self, text: str) -> None:
        """Feed every record of the file."""
        try:
            for line, cells in csv_records(text, delimiter="\t"):
                self._record(line, [c.strip() for c in cells])
        except csv.Error as exc:
            raise self.ctx.error(
                "the file is not readable as tab-separated text", expected="TSV", found=exc
            ) from None
        self._close()
        if self.header is not None:
            raise self.ctx.error(
                "the file ends after a month line (truncated?)",
                row=self.header.line,
                expected="a 'Country' line with the years",
                found="end of file",
            )
        if not self.blocks:
            raise self.ctx.error(
                "no holdings table found",
                expected="a month line (Dec Nov …), a 'Country' line with years, country rows",
                found=f"{len(self.loose)} lines of other text",
            )

    def _record(self, line: int, cells: list[str]) -> None:
        """Dispatch one line: month line, Country line, dashes, row, memo marker or text."""
        if not any(cells):
            return
        first, rest = cells[0], cells[1:]
        if not first and rest and rest[0] in MONTHS:
            self._close()
            self._month_line(line, rest)
        elif first == "Country":
            self._country_line(line, rest)
        elif self.header is not None:
            raise self.ctx.error(
                "a month line is not followed by the 'Country' line",
                row=line,
                expected="Country<TAB>year<TAB>year…",
                found="\t".join(cells),
            )
        elif any(_NUMBER.fullmatch(c) for c in rest) and (self.block is None or not first):
            raise self.ctx.error(
                "a row of values outside a table or without a name",
                row=line,
                expected="country rows between a 'Country' line and the end of the table",
                found="\t".join(cells),
            )
        elif self.block is None:
            self._loose(line, cells)
        elif not self.block.rows and not first and set("".join(rest)) <= {"-"}:
            return  # the dashes under the years
        elif first.rstrip(":").strip().lower() == "of which":
            self.block.memo = True
        elif not first or not any(rest):
            self._close()  # text after the table: labels of the next block, footnotes
            self._loose(line, cells)
        else:
            self._row(line, first, rest)

    def _month_line(self, line: int, rest: list[str]) -> None:
        months = _leading(rest)
        if any(rest[len(months) :]) or any(m not in MONTHS for m in months):
            raise self.ctx.error(
                "the month line has an unexpected cell",
                row=line,
                expected="month abbreviations Jan … Dec, newest first",
                found="\t".join(rest),
            )
        self.header = _Header(line, months, _series_labels(self.recent[-2:]))
        self.recent = []

    def _loose(self, line: int, cells: list[str]) -> None:
        self.loose.append((line, cells))
        self.recent.append((line, cells))

    def _country_line(self, line: int, rest: list[str]) -> None:
        header = self.header
        if header is None:
            raise self.ctx.error(
                "a 'Country' line without a month line above it",
                row=line,
                expected="a month line (Dec Nov …) first",
                found="\t".join(["Country", *rest]),
            )
        years = _leading(rest)
        if len(years) != len(header.months) or any(rest[len(years) :]):
            raise self.ctx.error(
                "the 'Country' line does not give one year per month column",
                row=line,
                expected=f"{len(header.months)} years",
                found="\t".join(rest),
            )
        if not all(y.isdigit() and 1900 <= int(y) <= 2200 for y in years):
            raise self.ctx.error(
                "a year is not a year", row=line, expected="years such as 2025", found=years
            )
        periods = [
            pd.Timestamp(year=int(y), month=MONTHS.index(m) + 1, day=1)
            for y, m in zip(years, header.months, strict=True)
        ]
        keep = self._check_order(line, periods, header)
        labels = [f"{m} {y}" for m, y in zip(header.months, years, strict=True)]
        self.block = _Block(line=line, periods=periods, keep=keep, labels=labels)
        self.header = None

    def _check_order(self, line: int, periods: list[pd.Timestamp], header: _Header) -> np.ndarray:
        """Each column one month before the previous, or a break month repeated once.

        Returns the columns to keep: the first of a repeated month (the new series).
        """
        keep = np.ones(len(periods), dtype=bool)
        for j in range(1, len(periods)):
            previous, current = periods[j - 1], periods[j]
            if current == previous and keep[j - 1]:
                keep[j] = False
                self._check_break(line, j, header, current)
            elif current != previous - pd.offsets.MonthBegin(1):
                raise self.ctx.error(
                    "the month and year columns are out of order",
                    row=line,
                    expected=f"{(previous - pd.offsets.MonthBegin(1)):%b %Y} after "
                    f"{previous:%b %Y} (newest first)",
                    found=f"{current:%b %Y}",
                )
        return keep

    def _check_break(self, line: int, j: int, header: _Header, month: pd.Timestamp) -> None:
        """A repeated month: the left column must be the newer series (higher numeral)."""
        footnote, new = header.labels.get(j, (None, None))  # cell j is column j-1
        _, old = header.labels.get(j + 1, (None, None))
        if new is not None and old is not None and new <= old:
            raise self.ctx.error(
                "a series-break month has its series in an unexpected order",
                row=line,
                expected="the new series (higher Roman numeral) left of the old one",
                found=f"{month:%b %Y}: series {new} then {old}",
            )
        note = f" (footnote {footnote}/)" if footnote else ""
        self.notes.append(
            f"Series break in {month:%b %Y}: two columns; kept the first (new series), dropped "
            f"the old series' estimate, shown for comparison only{note}."
        )

    def _row(self, line: int, first: str, rest: list[str]) -> None:
        block = self.block
        assert block is not None
        width = len(block.periods)
        cells = rest[:width]
        if len(cells) < width or not all(cells) or any(rest[width:]):
            raise self.ctx.error(
                "a row does not have one value per month column",
                row=line,
                expected=f"{width} values",
                found="\t".join([first, *rest]),
            )
        name = clean_name(first)
        slug = slugify(name)
        memo = block.memo
        kind: Kind = "aggregate" if memo or name in AGGREGATES else "holdings"
        slug = AGGREGATES.get(name, ALIASES.get(slug, slug))
        if not slug:
            raise self.ctx.error(
                "a row has no name", row=line, expected="a country or total", found=first
            )
        block.rows.append(_Row(line, kind, slug, name, np.empty(0), memo, cells))

    def _convert(self, block: _Block) -> None:
        """Every value cell of the block at once: one numpy conversion of the cleaned cells;
        on any doubt (a cell numpy cannot read, a negative) the cell-by-cell path names it."""
        rows = [r for r in block.rows if r.cells]
        if not rows:
            return
        width = len(block.periods)
        raw = [c for r in rows for c in r.cells]
        missing = np.isin(np.asarray(raw, dtype=object), _MISSING)
        cleaned = ["nan" if m else c.replace(",", "") for c, m in zip(raw, missing, strict=True)]
        try:
            values = np.asarray(cleaned, dtype="float64")
            ok = bool(np.isfinite(values[~missing]).all() and (values[~missing] >= 0).all())
            ok = ok and not any("_" in c for c in cleaned)  # float() reads "1_0" as 10
        except ValueError:
            ok = False
        if not ok:
            values = np.array(
                [
                    self._number(c, r.line, label)
                    for r in rows
                    for c, label in zip(r.cells, block.labels, strict=True)
                ],
                dtype="float64",
            )
        for i, row in enumerate(rows):
            row.values = values[i * width : (i + 1) * width]
            row.cells = []

    def _number(self, cell: str, line: int, column: str) -> float:
        value = parse_number(cell, self.ctx, row=line, column=column, missing=_MISSING)
        if value is None:
            return np.nan
        if value < 0:
            raise self.ctx.error(
                f"column {column!r} is negative",
                row=line,
                expected="holdings >= 0 (USD bn)",
                found=cell,
            )
        return value

    def _close(self) -> None:
        """Finish the open block: check its totals, keep it."""
        block, self.block = self.block, None
        if block is None:
            return
        self.recent = []
        self._convert(block)
        totals = [r for r in block.rows if r.slug == "grand_total"]
        if len(totals) != 1:
            raise self.ctx.error(
                "a table does not have exactly one 'Grand Total' row (truncated?)",
                row=block.rows[-1].line if block.rows else block.line,
                expected=f"one Grand Total row in the table starting at line {block.line}",
                found=f"{len(totals)}",
            )
        _check_sum(self.ctx, block, [r for r in block.rows if not r.memo], totals[0])
        memo = {r.slug: r for r in block.rows if r.memo}
        parts = ("foreign_official_bills", "foreign_official_bonds_notes")
        if "foreign_official" in memo and all(p in memo for p in parts):
            _check_sum(self.ctx, block, [memo[p] for p in parts], memo["foreign_official"])
        self.blocks.append(block)

    def dataset(self) -> Dataset:
        """The canonical frame and a spec for every row found."""
        ids: list[str] = []
        starts: list[np.ndarray] = []
        values: list[np.ndarray] = []
        specs: dict[str, SeriesSpec] = {s.id: s for s in TicSource.catalog}
        for block in self.blocks:
            periods = np.array(block.periods, dtype="datetime64[ns]")[block.keep]
            for row in block.rows:
                series_id = f"tic.{row.kind}.{row.slug}"
                spec = specs.get(series_id) or specs.setdefault(
                    series_id, _spec(row.kind, row.slug, row.name)
                )
                kept = row.values[block.keep]
                present = ~np.isnan(kept)
                ids.extend([spec.id] * int(present.sum()))
                starts.append(periods[present])
                values.append(kept[present])
        frame = _frame(ids, np.concatenate(starts), np.concatenate(values))
        check_unique_periods(frame, self.ctx)
        used = set(frame["series_id"].unique())
        series = tuple(s for s in specs.values() if s.id in used or s in TicSource.catalog)
        return Dataset(frame=frame, series=series, notes=(*self.notes, *self._revisions()))

    def _revisions(self) -> list[str]:
        """The revision dates printed after the tables, as notes."""
        notes = ["published_at follows the first-release schedule; values are this file's vintage"]
        for _, cells in self.loose:
            match = _REVISION.match(cells[0])
            if match:
                notes.append(f"{match[1]} data revised {match[2]}")
        return notes


def _leading(cells: list[str]) -> list[str]:
    """The non-empty cells before the first empty one."""
    out = []
    for cell in cells:
        if not cell:
            break
        out.append(cell)
    return out


def _series_labels(lines: list[tuple[int, list[str]]]) -> dict[int, tuple[str | None, int | None]]:
    """Cell index -> (footnote number, Roman numeral) from the series-break label lines.

    The labels sit in the two lines above a month line: ``Series 11/`` (new series,
    with its footnote) and ``Series`` (old series), then ``VII`` and ``VI``.
    """
    labels: dict[int, tuple[str | None, int | None]] = {}
    for _, cells in lines:
        for j, cell in enumerate(cells):
            match = _SERIES_LABEL.match(cell)
            if match:
                labels[j] = (match[1], labels.get(j, (None, None))[1])
            elif _ROMAN.match(cell):
                labels[j] = (labels.get(j, (None, None))[0], _roman(cell))
    return labels


def _roman(numeral: str) -> int:
    """The value of a Roman numeral (I … C)."""
    digits = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    values = [digits[c] for c in numeral]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


def _check_sum(ctx: ParseContext, block: _Block, parts: list[_Row], total: _Row) -> None:
    """``sum(parts) == total`` in every kept column, within the rounding of the printed values.

    Where a part is ``n.a.`` or ``*`` the sum may only fall short of the total.
    """
    rows = [p.values for p in parts if p is not total]
    if not rows:
        return
    matrix = np.vstack(rows)
    sums = np.nansum(matrix, axis=0)
    present = ~np.isnan(matrix)
    tolerance = _HALF_UNIT * (present.sum(axis=0) + 1) + 1e-6
    gap = np.where(present.all(axis=0), np.abs(sums - total.values), sums - total.values)
    bad = block.keep & ~np.isnan(total.values) & (gap > tolerance)
    if bad.any():
        j = int(np.argmax(bad))
        raise ctx.error(
            f"column {block.labels[j]!r}: the rows do not add up to {total.name!r}",
            row=total.line,
            expected=f"{sums[j]:.1f} ± {tolerance[j]:.2f} (sum of {len(rows)} rows)",
            found=f"{total.values[j]:.1f}",
        )


def _codes(ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    codes, names = pd.factorize(np.asarray(ids, dtype=object))
    return np.asarray(names, dtype=object), codes


def _frame(ids: list[str], starts: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """The canonical frame: month start .. month end, published on the TIC schedule."""
    period_start = pd.DatetimeIndex(starts).as_unit("ns")
    period_end = period_start + pd.offsets.MonthEnd(0)
    published = pd.DatetimeIndex(releases.tic_monthly(pd.Series(period_end)))
    frame = pd.DataFrame(
        {
            "series_id": id_column(*_codes(ids)),
            "period_start": period_start,
            "period_end": period_end,
            "value": values.astype("float64"),
            "published_at": published.as_unit("ns"),
        }
    )
    return frame[list(FRAME_COLUMNS)]
