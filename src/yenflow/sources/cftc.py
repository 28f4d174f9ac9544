"""CFTC Commitments of Traders (COT): Japanese yen futures on the CME.

The contract is ``JAPANESE YEN - CHICAGO MERCANTILE EXCHANGE``, CFTC contract
market code ``097741`` (12,500,000 yen per contract). Rows are selected by that
code, never by name. Every value is a number of futures contracts, as of the
close of the report's "as of" day (a Tuesday; Monday or Wednesday in holiday
weeks). One contract long = long yen against the US dollar.

Four layouts are parsed (dispatch on the snapshot file name, else on the header):

``deacotYYYY.zip`` / ``annual*.txt``
    Legacy report, futures only, all markets, one year
    (https://www.cftc.gov/files/dea/history/deacotYYYY.zip holding ``annual.txt``):
    129 columns with quoted long names ("Noncommercial Positions-Long (All)"),
    right-aligned numbers, padded codes.
``fut_fin_txt_YYYY.zip`` / ``FinFut*.txt``
    Traders in Financial Futures (TFF), futures only, one year
    (https://www.cftc.gov/files/dea/history/fut_fin_txt_YYYY.zip holding
    ``FinFutYY.txt``): 87 underscore columns ("Lev_Money_Positions_Long_All").
``legacy_fut_jpy_api.csv``
    The CFTC public reporting API (Socrata dataset ``6dca-aqww``, legacy futures
    only) as CSV, filtered to the yen: lower-case columns
    (``report_date_as_yyyy_mm_dd`` = ``2025-03-18T00:00:00.000``,
    ``noncomm_positions_long_all``; the API spells the spreading column
    ``noncomm_postions_spread_all``). This is the network path for the long
    history, since the CFTC's own files come one year per zip.
``cot_jpy_legacy*.csv``
    A **third-party** extract built from that API by another project
    (columns ``report_date,spec_long,spec_short,open_interest,net,release_date``):
    not a CFTC layout; only the non-commercial positions and open interest.

The legacy layouts (annual file, API, extract) give the same series ids, so
overlapping weeks from several payloads must agree (they do: the 11 yen weeks
of the 2025 annual file equal the extract). Open interest is the same number in
the legacy and the TFF futures-only reports (checked on all 11 weeks the real
files share), so both write ``cftc.jpy.open_interest``.

Checks (a failure is a :class:`~yenflow.errors.ParseError`): required columns
present by name; every yen row has the header's column count; positions are
non-negative integers no larger than open interest; the report's own
identities hold (open interest = sum of the long side = sum of the short side,
spreading counted on both sides; the extract's ``net`` = long − short); as-of
dates are weekdays (Tuesday, or the CFTC's holiday shifts: 14 Mondays and
Wednesdays between 2005 and 2026, e.g. 2025-11-10) with the YYMMDD column
agreeing; no date twice in one payload.

Publication time: :func:`yenflow.releases.cftc_weekly` (Friday after the as-of
date, 15:30 New York), except the reports delayed by the October-November
2025 US government shutdown, which carry the CFTC's announced catch-up dates.

Base URLs: ``YENFLOW_CFTC_BASE_URL`` replaces ``https://www.cftc.gov/files/dea/history``
(annual zips) and ``YENFLOW_CFTC_API_BASE_URL`` replaces
``https://publicreporting.cftc.gov`` (the API).
"""

from __future__ import annotations

import fnmatch
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import urlencode

from yenflow.frame import Dataset, SeriesSpec
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request
from yenflow.releases import NEW_YORK, at_local_time, cftc_weekly
from yenflow.sources.base import Source
from yenflow.sources.parsing import (
    ParseContext,
    check_unique_periods,
    csv_records,
    day_cells,
    integer_cells,
    melt_wide,
    parse_number,
    trimmed_cells,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["JPY_CONTRACT_CODE", "CftcSource", "release_times"]

#: CFTC contract market code of the CME Japanese yen future.
JPY_CONTRACT_CODE = "097741"

_NAME = "cftc"
_PREFIX = "cftc.jpy."
_FILES_BASE = "https://www.cftc.gov/files/dea/history"
_API_BASE = "https://publicreporting.cftc.gov"
_API_DATASET = "6dca-aqww"
_API_RAW_PATH = f"{_NAME}/legacy_fut_jpy_api.csv"
_MAX_MEMBER_BYTES = 256 * 1024 * 1024
_UNIT = "contracts"

Kind = Literal["legacy", "tff", "api", "extract"]
#: (total, plus, minus): total = sum(plus) - sum(minus), field keys
_Identity = tuple[str, tuple[str, ...], tuple[str, ...]]

# --------------------------------------------------------------------------- catalog

#: trader group -> (who, for titles; sign convention of its net series)
_GROUPS: dict[str, tuple[str, str]] = {
    "noncommercial": (
        "non-commercial traders (speculators)",
        "net long > 0 (speculators long JPY futures = long yen vs USD)",
    ),
    "commercial": (
        "commercial traders (hedgers)",
        "net long > 0 (commercials long JPY futures = long yen vs USD)",
    ),
    "nonreportable": (
        "non-reportable (small) traders",
        "net long > 0 (small traders long JPY futures = long yen vs USD)",
    ),
    "leveraged_funds": (
        "leveraged funds (hedge funds, CTAs; TFF)",
        "net long > 0 (leveraged funds long JPY futures = long yen vs USD)",
    ),
    "asset_manager": (
        "asset managers and institutional investors (TFF)",
        "net long > 0 (asset managers long JPY futures = long yen vs USD)",
    ),
    "dealer": (
        "dealers and intermediaries (TFF)",
        "net long > 0 (dealers long JPY futures = long yen vs USD)",
    ),
}

_REPORT = {
    "noncommercial": "legacy",
    "commercial": "legacy",
    "nonreportable": "legacy",
    "leveraged_funds": "tff",
    "asset_manager": "tff",
    "dealer": "tff",
}

_REPORT_NOTE = {
    "legacy": (
        "CFTC legacy Commitments of Traders, futures only, CME Japanese yen (code 097741, "
        "JPY 12.5 million per contract), as of the Tuesday close (Monday or Wednesday in "
        "holiday weeks). Sources: the public reporting API (dataset 6dca-aqww) and the "
        "deacotYYYY.zip annual files; a third-party extract of the API may fill "
        "non-commercial history."
    ),
    "tff": (
        "CFTC Traders in Financial Futures, futures only, CME Japanese yen (code 097741), "
        "as of the Tuesday close; from fut_fin_txt_YYYY.zip annual files."
    ),
}


def _spec(key: str, title: str, sign: str, report: str, extra: str = "") -> SeriesSpec:
    return SeriesSpec(
        id=_PREFIX + key,
        source=_NAME,
        title=title,
        unit=_UNIT,
        frequency="weekly",
        sign=sign,
        description=(_REPORT_NOTE[report] + " " + extra).strip(),
    )


def _group_specs(group: str) -> tuple[SeriesSpec, ...]:
    who, sign = _GROUPS[group]
    report = _REPORT[group]
    specs = [
        _spec(f"{group}.long", f"JPY futures: {who}, long positions", "", report),
        _spec(f"{group}.short", f"JPY futures: {who}, short positions", "", report),
        _spec(
            f"{group}.net",
            f"JPY futures: {who}, net position (long - short)",
            sign,
            report,
            "Derived: long minus short.",
        ),
    ]
    if group == "noncommercial":
        specs.append(
            _spec(
                "noncommercial.spreading",
                f"JPY futures: {who}, spreading (equal long and short)",
                "",
                report,
                "Counted on both the long and the short side of open interest.",
            )
        )
    return tuple(specs)


_CATALOG: tuple[SeriesSpec, ...] = (
    _spec(
        "open_interest",
        "JPY futures: open interest",
        "",
        "legacy",
        "Identical in the TFF report for the same week (checked), which also writes it.",
    ),
    *(spec for group in _GROUPS for spec in _group_specs(group)),
)
_SPECS: dict[str, SeriesSpec] = {spec.id: spec for spec in _CATALOG}

# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class _Layout:
    """One file layout: which header names hold which fields, and its invariants.

    ``fields`` maps a field key (``noncommercial.long``) to the accepted header
    names. ``emit`` lists the keys written as series, ``nets`` the groups whose
    long − short is written. ``identities`` are ``(total, plus, minus)``: the
    total must equal sum(plus) − sum(minus) in every row where all are present.
    """

    kind: Kind
    what: str
    date: str
    fields: Mapping[str, tuple[str, ...]]
    emit: tuple[str, ...]
    nets: tuple[str, ...]
    identities: tuple[_Identity, ...]
    code: str | None = None
    yymmdd: str | None = None
    futonly: str | None = None
    release_date: str | None = None
    signed: frozenset[str] = field(default_factory=frozenset)
    note: str = ""


def _sides(groups: Sequence[str], spreads: Sequence[str], extra: str) -> tuple[_Identity, ...]:
    """The two open-interest identities: OI = longs + spreads + extra long, same for shorts."""
    spreading = tuple(f"{g}.spreading" for g in spreads)
    return tuple(
        (
            "open_interest",
            (*(f"{g}.{side}" for g in groups), *spreading, f"{extra}.{side}"),
            (),
        )
        for side in ("long", "short")
    )


_LEGACY = _Layout(
    kind="legacy",
    what="CFTC legacy COT annual file (annual.txt, futures only)",
    date="As of Date in Form YYYY-MM-DD",
    yymmdd="As of Date in Form YYMMDD",
    code="CFTC Contract Market Code",
    fields={
        "open_interest": ("Open Interest (All)",),
        "noncommercial.long": ("Noncommercial Positions-Long (All)",),
        "noncommercial.short": ("Noncommercial Positions-Short (All)",),
        "noncommercial.spreading": ("Noncommercial Positions-Spreading (All)",),
        "commercial.long": ("Commercial Positions-Long (All)",),
        "commercial.short": ("Commercial Positions-Short (All)",),
        "nonreportable.long": ("Nonreportable Positions-Long (All)",),
        "nonreportable.short": ("Nonreportable Positions-Short (All)",),
    },
    emit=(
        "open_interest",
        "noncommercial.long",
        "noncommercial.short",
        "noncommercial.spreading",
        "commercial.long",
        "commercial.short",
        "nonreportable.long",
        "nonreportable.short",
    ),
    nets=("noncommercial", "commercial", "nonreportable"),
    identities=_sides(("noncommercial", "commercial"), ("noncommercial",), "nonreportable"),
    note="CFTC legacy Commitments of Traders annual file, futures only.",
)

_TFF_GROUPS = {
    "dealer": "Dealer",
    "asset_manager": "Asset_Mgr",
    "leveraged_funds": "Lev_Money",
    "other_reportable": "Other_Rept",
}
_TFF = _Layout(
    kind="tff",
    what="CFTC Traders in Financial Futures annual file (FinFutYY.txt, futures only)",
    date="Report_Date_as_YYYY-MM-DD",
    yymmdd="As_of_Date_In_Form_YYMMDD",
    code="CFTC_Contract_Market_Code",
    futonly="FutOnly_or_Combined",
    fields={
        "open_interest": ("Open_Interest_All",),
        **{
            f"{group}.{side}": (f"{stem}_Positions_{column}_All",)
            for group, stem in _TFF_GROUPS.items()
            for side, column in (("long", "Long"), ("short", "Short"), ("spreading", "Spread"))
        },
        "nonreportable.long": ("NonRept_Positions_Long_All",),
        "nonreportable.short": ("NonRept_Positions_Short_All",),
    },
    emit=(
        "open_interest",
        *(
            f"{g}.{s}"
            for g in ("leveraged_funds", "asset_manager", "dealer")
            for s in ("long", "short")
        ),
    ),
    nets=("leveraged_funds", "asset_manager", "dealer"),
    identities=_sides(tuple(_TFF_GROUPS), tuple(_TFF_GROUPS), "nonreportable"),
    note="CFTC Traders in Financial Futures annual file, futures only.",
)

_API_COLUMNS: dict[str, tuple[str, ...]] = {
    "open_interest": ("open_interest_all",),
    "noncommercial.long": ("noncomm_positions_long_all",),
    "noncommercial.short": ("noncomm_positions_short_all",),
    # The API's own spelling is "postions"; accept the corrected one too.
    "noncommercial.spreading": ("noncomm_postions_spread_all", "noncomm_positions_spread_all"),
    "commercial.long": ("comm_positions_long_all",),
    "commercial.short": ("comm_positions_short_all",),
    "nonreportable.long": ("nonrept_positions_long_all",),
    "nonreportable.short": ("nonrept_positions_short_all",),
}
_API = replace(
    _LEGACY,
    kind="api",
    what="CFTC public reporting API CSV (dataset 6dca-aqww, legacy futures only)",
    date="report_date_as_yyyy_mm_dd",
    yymmdd=None,
    code="cftc_contract_market_code",
    fields=_API_COLUMNS,
    note="CFTC public reporting API, dataset 6dca-aqww (legacy, futures only).",
)

_EXTRACT = _Layout(
    kind="extract",
    what="third-party yen COT extract (report_date,spec_long,spec_short,open_interest,net)",
    date="report_date",
    release_date="release_date",
    fields={
        "noncommercial.long": ("spec_long",),
        "noncommercial.short": ("spec_short",),
        "open_interest": ("open_interest",),
        "noncommercial.net": ("net",),
    },
    emit=("open_interest", "noncommercial.long", "noncommercial.short"),
    nets=("noncommercial",),
    identities=(("noncommercial.net", ("noncommercial.long",), ("noncommercial.short",)),),
    signed=frozenset({"noncommercial.net"}),
    note=(
        "Third-party extract (not a CFTC layout): yen legacy futures-only non-commercial "
        "positions built by another project from the CFTC public reporting API; values "
        "match the CFTC's annual file on every shared week."
    ),
)

_LAYOUTS: dict[Kind, _Layout] = {layout.kind: layout for layout in (_LEGACY, _TFF, _API, _EXTRACT)}

#: snapshot file-name patterns -> layout; the first match wins.
_NAME_PATTERNS: tuple[tuple[str, Kind], ...] = (
    ("legacy_fut_jpy_api.csv", "api"),
    ("deacot*.zip", "legacy"),
    ("annual*.txt", "legacy"),
    ("fut_fin_txt_*.zip", "tff"),
    ("FinFut*.txt", "tff"),
    ("cot_jpy_legacy*.csv", "extract"),
)

#: a header name that only one layout has -> that layout (used when the name says nothing).
_SNIFF: tuple[tuple[str, Kind], ...] = (
    ("Noncommercial Positions-Long (All)", "legacy"),
    ("Lev_Money_Positions_Long_All", "tff"),
    ("report_date_as_yyyy_mm_dd", "api"),
    ("spec_long", "extract"),
)

#: Reports delayed by the 2025 US government shutdown: as-of date -> publication day
#: (15:30 New York), from the CFTC's catch-up schedule announced 2025-11-18.
_DELAYED_RELEASES: dict[str, str] = {
    "2025-09-30": "2025-11-19",
    "2025-10-07": "2025-11-21",
    "2025-10-14": "2025-11-25",
    "2025-10-21": "2025-12-02",
    "2025-10-28": "2025-12-05",
    "2025-11-04": "2025-12-09",
    "2025-11-10": "2025-12-12",
    "2025-11-18": "2025-12-16",
    "2025-11-25": "2025-12-19",
    "2025-12-02": "2025-12-23",
    "2025-12-09": "2025-12-30",
    "2025-12-16": "2026-01-06",
    "2025-12-23": "2026-01-09",
    "2025-12-30": "2026-01-13",
    "2026-01-06": "2026-01-16",
    "2026-01-13": "2026-01-20",
}

# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Rows:
    """The yen rows of one file: physical line numbers and the cells per field."""

    lines: list[int]
    cells: dict[str, list[str]]


def _unzip(payload: RawPayload) -> tuple[RawPayload, str]:
    """The single text member of a zip payload, and its name (for error messages)."""
    ctx = ParseContext(payload, what="CFTC zip archive holding one .txt file")
    try:
        with zipfile.ZipFile(io.BytesIO(payload.content)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            texts = [m for m in members if m.filename.lower().endswith(".txt")]
            if len(texts) != 1:
                raise ctx.error(
                    "the zip archive does not hold exactly one .txt file",
                    expected="one .txt member (annual.txt or FinFutYY.txt)",
                    found=[m.filename for m in members][:5],
                )
            member = texts[0]
            if member.file_size > _MAX_MEMBER_BYTES:
                raise ctx.error(
                    "the zip member is implausibly large",
                    expected=f"at most {_MAX_MEMBER_BYTES} bytes",
                    found=f"{member.file_size} bytes",
                )
            content = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ctx.error(
            "the zip archive is damaged or truncated",
            expected="a readable zip archive",
            found=f"{type(exc).__name__}: {exc}",
        ) from None
    except (NotImplementedError, RuntimeError) as exc:  # unsupported compression, encryption
        raise ctx.error(
            "the zip archive cannot be read",
            expected="a plain deflated zip archive",
            found=f"{type(exc).__name__}: {exc}",
        ) from None
    return replace(payload, content=content), member.filename


def _layout_for_name(raw_path: str) -> _Layout | None:
    name = posixpath.basename(raw_path.replace("\\", "/"))
    for pattern, kind in _NAME_PATTERNS:
        if fnmatch.fnmatchcase(name, pattern):
            return _LAYOUTS[kind]
    return None


def _sniff(header: Sequence[str]) -> _Layout | None:
    names = set(header)
    for marker, kind in _SNIFF:
        if marker in names:
            return _LAYOUTS[kind]
    return None


def _candidate_records(text: str, needle: str | None) -> Iterator[tuple[int, list[str]]]:
    """CSV records of the header, the lines containing ``needle`` and the last line.

    The CFTC annual files hold every market (thousands of rows); only lines
    containing the yen's code can be yen rows, so the others are not split into
    cells. The last line is always read so that a truncated file is noticed.
    With ``needle=None`` every record is returned.
    """
    if needle is None:
        yield from csv_records(text)
        return
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:  # only (Unicode) white space: the caller reports "no header"
        return
    picked = [0, *(i for i in range(1, len(lines)) if needle in lines[i])]
    if len(lines) > 1 and picked[-1] != len(lines) - 1:
        picked.append(len(lines) - 1)
    for index in picked:
        for _, cells in csv_records(lines[index].rstrip("\r")):
            yield index + 1, cells


_ROLES = ("code", "yymmdd", "futonly", "release_date")


def _column_index(header: Sequence[str], layout: _Layout, ctx: ParseContext) -> dict[str, int]:
    """Field key (and date/code/... roles) -> column index; missing names => ParseError."""
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    wanted: dict[str, tuple[str, ...]] = {
        "@date": (layout.date,),
        **{f"@{role}": (getattr(layout, role),) for role in _ROLES if getattr(layout, role)},
        **layout.fields,
    }
    index: dict[str, int] = {}
    missing: list[str] = []
    for key, names in wanted.items():
        found = next((position[n] for n in names if n in position), None)
        if found is None:
            missing.append(names[0])
        else:
            index[key] = found
    if missing:
        raise ctx.error(
            f"required column(s) missing: {', '.join(repr(m) for m in missing)}",
            row=1,
            expected=f"a header naming {', '.join(repr(m) for m in missing)}",
            found=",".join(header)[:200],
        )
    return index


def _read_rows(text: str, layout: _Layout, ctx: ParseContext) -> _Rows:
    """Header check, column counts, and the yen rows' cells by field key."""
    records = _candidate_records(
        text, JPY_CONTRACT_CODE if layout.kind in ("legacy", "tff") else None
    )
    first = next(records, None)
    if first is None:
        raise ctx.error("the file has no header", row=1, expected=f"a {layout.what} header")
    header = [cell.strip() for cell in first[1]]
    index = _column_index(header, layout, ctx)
    code_at = index.get("@code")
    lines: list[int] = []
    cells: dict[str, list[str]] = {key: [] for key in index}
    for line, record in records:
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) != len(header):
            raise ctx.error(
                "a row has the wrong number of columns (truncated or changed file?)",
                row=line,
                expected=f"{len(header)} columns as in the header",
                found=f"{len(record)} columns",
            )
        if code_at is not None and record[code_at].strip() != JPY_CONTRACT_CODE:
            continue
        lines.append(line)
        for key, at in index.items():
            cells[key].append(record[at])
    if not lines:
        raise ctx.error(
            "no Japanese yen rows",
            expected=f"rows with contract market code {JPY_CONTRACT_CODE}",
            found="none",
        )
    return _Rows(lines=lines, cells=cells)


# --------------------------------------------------------------------------- cells


def _numbers(
    cells: list[str], lines: list[int], *, column: str, signed: bool, ctx: ParseContext
) -> np.ndarray:
    """Integers (as float64) from padded cells; blank cells are NaN (placeholders).

    Vectorized; any cell pandas cannot read goes through :func:`parse_number`,
    which accepts thousands separators or raises a ParseError naming the row.
    """
    fast = integer_cells(trimmed_cells(cells))
    if fast is not None:
        values = fast
    else:
        stripped = pd.Series(cells, dtype=object).str.strip()
        blank = (stripped == "").to_numpy()
        values = pd.to_numeric(stripped.where(~blank, None), errors="coerce").to_numpy(
            dtype="float64", copy=True
        )
        for i in np.flatnonzero(np.isnan(values) & ~blank):
            number = parse_number(cells[i], ctx, row=lines[i], column=column)
            values[i] = np.nan if number is None else number
    present = ~np.isnan(values)
    bad = present & (~np.isfinite(values) | (values != np.round(values)))
    if not signed:
        bad |= present & (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "an integer" if signed else "a non-negative integer"
        raise ctx.error(
            f"column {column!r} is not a number of contracts",
            row=lines[i],
            expected=f"{kind} (contracts)",
            found=cells[i],
        )
    return values


_ISO_DAY = r"(?:19|20)\d{2}-\d{2}-\d{2}(?:T00:00:00(?:\.0{1,3})?)?"
#: what _ISO_DAY allows after the day, and its year range, for the Arrow fast path.
_DAY_SUFFIXES = ("", "T00:00:00", "T00:00:00.0", "T00:00:00.00", "T00:00:00.000")
_FIRST_DAY, _LAST_DAY = "1900-01-01", "2099-12-31"


def _days(cells: list[str], lines: list[int], *, column: str, ctx: ParseContext) -> pd.Series:
    """Dates from ``YYYY-MM-DD`` cells (the API adds ``T00:00:00.000``), years 1900-2099."""
    fast = day_cells(trimmed_cells(cells), suffixes=_DAY_SUFFIXES)
    first, last = np.datetime64(_FIRST_DAY), np.datetime64(_LAST_DAY)
    if fast is not None and ((fast >= first) & (fast <= last)).all():
        return pd.Series(fast.astype("datetime64[ns]"))
    stripped = pd.Series(cells, dtype=object).str.strip()
    ok = stripped.str.fullmatch(_ISO_DAY).fillna(False).astype(bool)
    days = pd.to_datetime(
        stripped.str.slice(0, 10).where(ok, None), format="%Y-%m-%d", errors="coerce"
    )
    bad = days.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ctx.error(
            f"column {column!r} is not a date",
            row=lines[i],
            expected="a date YYYY-MM-DD between 1900 and 2099",
            found=cells[i],
        )
    return days.astype("datetime64[ns]")


def _fail_at(mask: np.ndarray, lines: list[int], cells: list[str], ctx: ParseContext, **kw):
    """Raise ``ctx.error(**kw)`` at the first row where ``mask`` is true, if any."""
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        raise ctx.error(row=lines[i], found=cells[i], **kw)


def _check_dates(rows: _Rows, days: pd.Series, layout: _Layout, ctx: ParseContext) -> None:
    """Weekdays only, YYMMDD agrees, release after report, no date twice."""
    shown = rows.cells["@date"]
    weekday = days.dt.day_of_week.to_numpy()
    _fail_at(
        weekday >= 5,
        rows.lines,
        shown,
        ctx,
        message="an as-of date falls on a weekend",
        expected="a weekday (Tuesday; Monday or Wednesday in holiday weeks)",
    )
    if layout.yymmdd:
        short = pd.Series(rows.cells["@yymmdd"], dtype=object).str.strip().to_numpy()
        _fail_at(
            short != days.dt.strftime("%y%m%d").to_numpy(),
            rows.lines,
            rows.cells["@yymmdd"],
            ctx,
            message=f"column {layout.yymmdd!r} disagrees with {layout.date!r}",
            expected="the same date as YYMMDD",
        )
    if layout.release_date:
        released = _days(
            rows.cells["@release_date"], rows.lines, column=layout.release_date, ctx=ctx
        )
        _fail_at(
            (released <= days).to_numpy(),
            rows.lines,
            rows.cells["@release_date"],
            ctx,
            message="a release date is not after its report date",
            expected="a release date after the report date",
        )
    _fail_at(
        days.duplicated().to_numpy(),
        rows.lines,
        shown,
        ctx,
        message="a report date appears twice",
        expected="one row per report date",
    )


def _check_futures_only(rows: _Rows, layout: _Layout, ctx: ParseContext) -> None:
    if layout.futonly:
        cells = rows.cells["@futonly"]
        flags = pd.Series(cells, dtype=object).str.strip().to_numpy()
        _fail_at(
            flags != "FutOnly",
            rows.lines,
            cells,
            ctx,
            message="a row is not from the futures-only report",
            expected=f"{layout.futonly} = FutOnly",
        )


def _check_values(
    values: dict[str, np.ndarray], rows: _Rows, layout: _Layout, ctx: ParseContext
) -> None:
    """No position above open interest; the report's identities hold exactly."""
    oi = values.get("open_interest")
    if oi is not None:
        for key, column in values.items():
            if key in layout.signed or key == "open_interest":
                continue
            _fail_at(
                column > oi,
                rows.lines,
                rows.cells[key],
                ctx,
                message=f"{layout.fields[key][0]!r} exceeds open interest",
                expected="positions no larger than open interest",
            )
    for total, plus, minus in layout.identities:
        computed = sum((values[k] for k in plus), np.zeros(len(rows.lines)))
        computed = computed - sum((values[k] for k in minus), np.zeros(len(rows.lines)))
        mismatch = ~np.isnan(computed) & ~np.isnan(values[total]) & (computed != values[total])
        if mismatch.any():
            i = int(np.flatnonzero(mismatch)[0])
            terms = " + ".join(layout.fields[k][0] for k in plus)
            terms += "".join(f" - {layout.fields[k][0]}" for k in minus)
            raise ctx.error(
                f"{layout.fields[total][0]!r} is not {terms}",
                row=rows.lines[i],
                expected=f"{values[total][i]:.0f}",
                found=f"{computed[i]:.0f}",
            )


# --------------------------------------------------------------------------- framing


def release_times(as_of: pd.Series) -> pd.Series:
    """Publication instants (UTC) of reports as of ``as_of``.

    :func:`yenflow.releases.cftc_weekly` (Friday 15:30 New York), replaced by the
    CFTC's catch-up dates for the reports delayed by the 2025 shutdown.
    """
    days = pd.Series(pd.to_datetime(as_of)).reset_index(drop=True)
    result = cftc_weekly(days)
    late = pd.Series(np.datetime_as_string(days.to_numpy(), unit="D")).map(_DELAYED_RELEASES)
    delayed = late.notna().to_numpy()
    if delayed.any():
        moved = at_local_time(pd.to_datetime(late[delayed]), time="15:30", tz=NEW_YORK)
        result = result.copy()
        result.loc[delayed] = moved.to_numpy()
    return result


def _frame(values: dict[str, np.ndarray], days: pd.Series, layout: _Layout) -> pd.DataFrame:
    """The canonical long frame, oldest week first."""
    wide = pd.DataFrame({key: values[key] for key in layout.emit})
    for group in layout.nets:
        wide[f"{group}.net"] = values[f"{group}.long"] - values[f"{group}.short"]
    order = np.argsort(days.to_numpy(), kind="stable")
    wide = wide.iloc[order].reset_index(drop=True)
    sorted_days = days.iloc[order].reset_index(drop=True)
    return melt_wide(
        wide,
        columns={column: _PREFIX + column for column in wide.columns},
        period_start=sorted_days,
        period_end=sorted_days,
        published_at=release_times(sorted_days),
    )


def _notes(days: pd.Series, layout: _Layout) -> tuple[str, ...]:
    notes = [layout.note]
    shifted = days[days.dt.day_of_week != 1]
    if len(shifted):
        listed = ", ".join(d.strftime("%Y-%m-%d") for d in shifted.sort_values())
        notes.append(f"as-of dates moved off Tuesday for holidays: {listed}")
    return tuple(notes)


# --------------------------------------------------------------------------- source


class CftcSource(Source):
    """CFTC Commitments of Traders for CME Japanese yen futures (code 097741).

    Series are numbers of contracts (JPY 12.5 million each) per trader category,
    weekly as of the Tuesday close; net series are long − short, > 0 when the
    category is net long yen against the dollar.
    """

    name: ClassVar[str] = _NAME
    title: ClassVar[str] = "CFTC Commitments of Traders: Japanese yen futures (CME)"
    homepage: ClassVar[str] = "https://www.cftc.gov/MarketReports/CommitmentsofTraders/index.htm"
    requires_key: ClassVar[bool] = False
    catalog: ClassVar[tuple[SeriesSpec, ...]] = _CATALOG
    raw_patterns: ClassVar[tuple[str, ...]] = tuple(pattern for pattern, _ in _NAME_PATTERNS)

    def requests(self, *, today: date | None = None) -> list[Request]:
        """The API CSV (full yen legacy history) and the TFF zips of this and last year.

        ``today`` fixes the year (default: the current UTC date). This year's
        TFF zip is optional: it does not exist before the year's first report.
        """
        year = (today or datetime.now(UTC).date()).year
        api_base = self.settings.base_url("cftc_api", _API_BASE).rstrip("/")
        query = urlencode(
            {
                "cftc_contract_market_code": JPY_CONTRACT_CODE,
                "$select": ",".join(
                    (
                        "report_date_as_yyyy_mm_dd",
                        "cftc_contract_market_code",
                        "market_and_exchange_names",
                        *(n[0] for n in _API_COLUMNS.values()),
                    )
                ),
                "$order": "report_date_as_yyyy_mm_dd",
                "$limit": "5000",
            },
            safe="$,",
        )
        files_base = self.base_url(_FILES_BASE).rstrip("/")
        return [
            Request(url=f"{api_base}/resource/{_API_DATASET}.csv?{query}", raw_path=_API_RAW_PATH),
            *(
                Request(
                    url=f"{files_base}/fut_fin_txt_{y}.zip",
                    raw_path=f"{_NAME}/fut_fin_txt_{y}.zip",
                    optional=(y == year),
                )
                for y in (year - 1, year)
            ),
        ]

    def parse(self, payload: RawPayload) -> Dataset:
        """One payload (any of the four layouts, zipped or not) to the yen series."""
        layout = _layout_for_name(payload.raw_path)
        member = ""
        if payload.content[:2] == b"PK":
            payload, member = _unzip(payload)
        elif payload.raw_path.lower().endswith(".zip"):
            ParseContext(payload, what="CFTC zip archive").text(encoding="utf-8")
            raise ParseContext(payload, what="zip").error(
                "the file is not a zip archive",
                row=1,
                expected="zip bytes starting with PK",
                found=payload.content[:20].decode("latin-1"),
            )
        ctx = ParseContext(payload, what=layout.what if layout else "CFTC COT file")
        if member:
            ctx.location = f"{ctx.location} (member {member})"
        text = ctx.text(encoding="utf-8")
        if layout is None:
            first = next(csv_records(text), (1, []))[1]
            layout = _sniff([cell.strip() for cell in first])
            if layout is None:
                raise ctx.error(
                    "not a CFTC COT layout this source knows",
                    row=1,
                    expected="a legacy, TFF, public-API or yen-extract header",
                    found=",".join(first)[:120],
                )
            ctx.what = layout.what
        return self._parse_text(text, layout, ctx)

    def _parse_text(self, text: str, layout: _Layout, ctx: ParseContext) -> Dataset:
        rows = _read_rows(text, layout, ctx)
        days = _days(rows.cells["@date"], rows.lines, column=layout.date, ctx=ctx)
        _check_dates(rows, days, layout, ctx)
        _check_futures_only(rows, layout, ctx)
        values = {
            key: _numbers(
                rows.cells[key],
                rows.lines,
                column=names[0],
                signed=key in layout.signed,
                ctx=ctx,
            )
            for key, names in layout.fields.items()
        }
        _check_values(values, rows, layout, ctx)
        frame = _frame(values, days, layout)
        check_unique_periods(frame, ctx)
        series = tuple(spec for spec in _CATALOG if spec.id in set(frame["series_id"].unique()))
        return Dataset(frame=frame, series=series, notes=_notes(days, layout))
