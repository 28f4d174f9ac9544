"""Japan Ministry of Finance: International Transactions in Securities.

対外及び対内証券売買契約等の状況 (指定報告機関ベース), weekly and monthly.

Official CSV files, all Shift_JIS (cp932) with CRLF line ends, values in
**100 million yen (億円)**, contract basis, reported by the "designated major
investors" (banks, securities firms, insurers, investment trust managers...):

``week.csv``
    Sunday–Saturday weeks since 2005 (``2025．3．30～4．5``; the end date has a
    year only when the week crosses into a new year, ``2024．12．29～2025．1．4``).
    23 columns: the period, then 11 for **outward** investment (portfolio
    investment *assets*: residents' acquisition and disposition of foreign
    securities) and 11 for **inward** investment (portfolio investment
    *liabilities*: non-residents' acquisition and disposition of Japanese
    securities). Each block: equity and investment fund shares
    (acquisition, disposition, net), long-term debt securities (acq., disp.,
    net), subtotal net (equity + long-term debt), short-term debt securities
    (acq., disp., net), total net (subtotal + short-term debt).
``montha1.csv``
    Calendar months since January 2005, 27 columns: year label, month (in
    Japanese and English), the same 22 values as the weekly file (subtotals
    labelled Net (A) / Net (C) outward and Net (B) / Net (D) inward) and the
    balances (A−B) and (C−D). Calendar-year (``2005CY``) and fiscal-year
    (``2005FY``, April–March) total rows follow the months; they are checked
    against the sum of their months and not stored. Months not yet published
    are rows of empty cells (placeholders, dropped).

Sign convention (stored as published, for the whole history): **net =
acquisition − disposition, so net > 0 is a net purchase (net acquisition)** —
outward, a net purchase of foreign securities by residents (a capital
outflow); inward, a net purchase of Japanese securities by non-residents (an
inflow). The files' footer says so (③ "ネットのプラス（＋）は取得超" / Note 3
"net acquisition with a plus sign") and the parser requires that note.
MoF's releases before the 2014 revision of the balance-of-payments statistics
showed residents' net purchases with a *minus* sign; these files restate the
whole history in the new convention, and the parser checks
acquisition − disposition = net on every row (±1 for rounding), so a file in
the old convention is rejected rather than silently stored with flipped signs.

Break in January 2014 (footer note ①): investment funds, including
contractual-type open-end investment trusts previously counted in long-term
debt securities, are recorded under "equity and investment fund shares" from
January 2014.

Checks (each failure is a :class:`~yenflow.errors.ParseError` naming the row):
title (weekly/monthly), units line (億円 / 100 million yen), direction
sections, the two group-header and two measure-header rows cell by cell (so a
changed layout or column count fails), 23/27 cells in every header and data
row, week periods (Sunday start, end = start + 6 days, strictly increasing,
no duplicates), month sequence (year on January rows, era labels consistent
with the year), acquisition − disposition = net, equity + long-term = subtotal,
subtotal + short-term = total, (A−B) and (C−D) (all ±1), and CY/FY rows equal
to the sum of their months (±6.5: twelve monthly roundings plus one).

``monthb2.csv``, ``monthb3.csv``, ``monthb4.csv``
    Residents' flows in foreign equity and investment fund shares, long-term
    and short-term debt securities **by type of investor** (17 columns of
    acquisition, disposition, net: the total, public sector, banks, trust
    banks, trust accounts, insurers, investment trusts...; the taxonomy and
    series ids are in :mod:`yenflow.sources.mof_investors`), calendar months
    since 2005 with CY/FY rows, in the montha1 layout's conventions: year on
    January rows, era labels, placeholders for unpublished months, ``-`` for a
    category not reported (no observation). Checked like montha1 (header rows
    cell by cell, month sequence, net = acquisition − disposition, CY/FY rows),
    plus every aggregate column = the sum of its parts; aggregates are allowed
    ±4 (``AGGREGATE_TOLERANCE``: MoF adds rounded components), leaf columns ±1.
    The total equals montha1's outward figures
    (:func:`yenflow.sources.mof_investors.check_investor_totals`, across files).
    ``monthb1.csv`` (all securities) is not read: no copy of it was available.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Literal

from yenflow import releases
from yenflow.frame import Dataset, SeriesSpec
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request
from yenflow.sources import mof_investors
from yenflow.sources.base import Source
from yenflow.sources.eras import era_label_year
from yenflow.sources.parsing import (
    ParseContext,
    check_unique_periods,
    csv_records,
    melt_wide,
    padded_numbers,
    parse_number,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["BASE_URL", "MofSource"]

BASE_URL = (
    "https://www.mof.go.jp/policy/international_policy/reference/itn_transactions_in_securities/"
)
ENCODING = "cp932"
UNIT = "JPY 100 million"
#: rounding tolerance of the published identities, in 100 million yen.
TOLERANCE = 1.0
#: an annual total against the sum of its twelve rounded months: 12 x 0.5 + 0.5.
ANNUAL_TOLERANCE = 6.5

Kind = Literal["weekly", "monthly"]
Record = tuple[int, list[str]]

# --------------------------------------------------------------------------- series

_DIRECTIONS: dict[str, str] = {
    "outward": "residents' transactions in foreign securities (portfolio investment assets)",
    "inward": (
        "non-residents' transactions in Japanese securities (portfolio investment liabilities)"
    ),
}
_ASSETS: dict[str, str] = {
    "equity": (
        "Equity and investment fund shares. From January 2014 investment funds, including "
        "contractual-type open-end investment trusts previously counted in long-term debt "
        "securities, are recorded here (MoF note 1): a break between equity and long-term "
        "debt in January 2014."
    ),
    "long_term_debt": (
        "Long-term debt securities (bonds and notes). Until December 2013 this included "
        "contractual-type open-end investment trusts, which moved to equity and investment "
        "fund shares in January 2014 (MoF note 1)."
    ),
    "short_term_debt": "Short-term debt securities (bills).",
    "subtotal": "Equity and investment fund shares plus long-term debt securities.",
    "total": "Subtotal plus short-term debt securities: all securities.",
}
_ASSET_TITLES = {
    "equity": "equity and investment fund shares",
    "long_term_debt": "long-term debt securities",
    "short_term_debt": "short-term debt securities",
    "subtotal": "equity and long-term debt (subtotal)",
    "total": "all securities (total)",
}
#: the 11 value columns of one direction block, in file order.
_BLOCK: tuple[tuple[str, str], ...] = (
    ("equity", "acquisition"),
    ("equity", "disposition"),
    ("equity", "net"),
    ("long_term_debt", "acquisition"),
    ("long_term_debt", "disposition"),
    ("long_term_debt", "net"),
    ("subtotal", "net"),
    ("short_term_debt", "acquisition"),
    ("short_term_debt", "disposition"),
    ("short_term_debt", "net"),
    ("total", "net"),
)
_BALANCE = "outward_minus_inward"
_DIRECTION_KEYS: tuple[str, ...] = tuple(
    f"{direction}.{asset}.{measure}" for direction in _DIRECTIONS for asset, measure in _BLOCK
)
_BALANCE_KEYS: tuple[str, ...] = (f"{_BALANCE}.subtotal.net", f"{_BALANCE}.total.net")
_NET_SIGN = "net acquisition (net purchase) > 0"
_BALANCE_SIGN = (
    "> 0: residents' net purchases of foreign securities exceed non-residents' net purchases "
    "of Japanese securities (net outflow from Japan)"
)
_FREQUENCY_NOTES: dict[Kind, str] = {
    "weekly": "Sunday-Saturday weeks, published the following Thursday.",
    "monthly": "Calendar months, published early in the following month.",
}


def _direction_spec(kind: Kind, key: str) -> SeriesSpec:
    direction, asset, measure = key.split(".")
    if measure == "net":
        title_measure, sign = "net acquisition", _NET_SIGN
    else:
        title_measure, sign = f"gross {measure}", "gross amount, >= 0"
    who = "residents' foreign" if direction == "outward" else "non-residents' Japanese"
    return SeriesSpec(
        id=f"mof.{kind}.{key}",
        source="mof",
        title=f"MoF {kind}: {who} {_ASSET_TITLES[asset]}, {title_measure} ({direction})",
        unit=UNIT,
        frequency=kind,
        sign=sign,
        description=(
            f"International Transactions in Securities ({direction}: {_DIRECTIONS[direction]}), "
            f"designated major investors, contract basis. {_ASSETS[asset]} "
            f"{_FREQUENCY_NOTES[kind]} Net = acquisition - disposition."
        ),
    )


def _balance_spec(key: str) -> SeriesSpec:
    asset = key.split(".")[1]
    letters = "(A-B)" if asset == "subtotal" else "(C-D)"
    return SeriesSpec(
        id=f"mof.monthly.{key}",
        source="mof",
        title=f"MoF monthly: outward minus inward net acquisition, {_ASSET_TITLES[asset]}",
        unit=UNIT,
        frequency="monthly",
        sign=_BALANCE_SIGN,
        description=(
            f"Column {letters} of montha1.csv: residents' net acquisition of foreign "
            f"{_ASSET_TITLES[asset]} minus non-residents' net acquisition of Japanese "
            f"{_ASSET_TITLES[asset]}. {_ASSETS[asset]}"
        ),
    )


_CATALOG: tuple[SeriesSpec, ...] = (
    *(_direction_spec("weekly", key) for key in _DIRECTION_KEYS),
    *(_direction_spec("monthly", key) for key in _DIRECTION_KEYS),
    *(_balance_spec(key) for key in _BALANCE_KEYS),
    *mof_investors.investor_specs(),
)
_SPECS: dict[str, SeriesSpec] = {spec.id: spec for spec in _CATALOG}

# --------------------------------------------------------------------------- identities

#: (target, plus terms, minus terms, tolerance): target = sum(plus) - sum(minus) within
#: the tolerance (¥100 million). A row where a term is not reported (``-``) is skipped.
Identity = tuple[str, tuple[str, ...], tuple[str, ...], float]


def _identities(directions: Sequence[str]) -> tuple[Identity, ...]:
    out: list[Identity] = []
    for d in directions:
        for asset in ("equity", "long_term_debt", "short_term_debt"):
            out.append(
                (
                    f"{d}.{asset}.net",
                    (f"{d}.{asset}.acquisition",),
                    (f"{d}.{asset}.disposition",),
                    TOLERANCE,
                )
            )
        out.append(
            (f"{d}.subtotal.net", (f"{d}.equity.net", f"{d}.long_term_debt.net"), (), TOLERANCE)
        )
        out.append(
            (f"{d}.total.net", (f"{d}.subtotal.net", f"{d}.short_term_debt.net"), (), TOLERANCE)
        )
    return tuple(out)


_WEEKLY_IDENTITIES = _identities(tuple(_DIRECTIONS))
_MONTHLY_IDENTITIES = (
    *_WEEKLY_IDENTITIES,
    *(
        (f"{_BALANCE}.{a}.net", (f"outward.{a}.net",), (f"inward.{a}.net",), TOLERANCE)
        for a in ("subtotal", "total")
    ),
)

# --------------------------------------------------------------------------- layouts

_GROUP_JP = ("株式・投資ファンド持分", "", "", "中長期債", "", "", "小計", "短期債", "", "", "合計")
_GROUP_EN = (
    "Equity and investment fund shares",
    "",
    "",
    "Long-term debt securities",
    "",
    "",
    "Subtotal",
    "Short-term debt securities",
    "",
    "",
    "Total",
)
_MEASURE_JP = (
    "取得",
    "処分",
    "ネット",
    "取得",
    "処分",
    "ネット",
    "ネット",
    "取得",
    "処分",
    "ネット",
    "ネット",
)
_MEASURE_EN = ("Acquisition", "Disposition", "Net") * 2 + (
    "Net",
    "Acquisition",
    "Disposition",
    "Net",
    "Net",
)


def _with_subtotal_labels(block: tuple[str, ...], sub: str, total: str) -> tuple[str, ...]:
    return (*block[:6], sub, *block[7:10], total)


@dataclass(frozen=True)
class _Layout:
    """What one file looks like. ``header`` are the rows just above the data, the
    last two being the measure rows (取得/処分/ネット, Acquisition/Disposition/Net)."""

    kind: Kind
    file_name: str
    what: str
    title_word: str
    first_value: int
    header: tuple[tuple[str, ...], ...]
    sections: tuple[tuple[str, int], ...]
    keys: tuple[str, ...]
    identities: tuple[Identity, ...]
    title: str = "対外及び対内証券売買契約等の状況"
    #: cells meaning "not reported" (no observation, not an error); every
    #: acquisition/disposition/net triplet is either all reported or all not.
    not_reported: tuple[str, ...] = ()
    #: per value column, the CY/FY-versus-months tolerance (empty: ANNUAL_TOLERANCE).
    annual_tolerances: tuple[float, ...] = ()

    @property
    def n_columns(self) -> int:
        return self.first_value + len(self.keys)


_WEEKLY = _Layout(
    kind="weekly",
    file_name="week.csv",
    what="MoF weekly International Transactions in Securities CSV (week.csv)",
    title_word="週次",
    first_value=1,
    header=(
        ("期間 Period", *_GROUP_JP, *_GROUP_JP),
        ("", *_GROUP_EN, *_GROUP_EN),
        ("", *_MEASURE_JP, *_MEASURE_JP),
        ("", *_MEASURE_EN, *_MEASURE_EN),
    ),
    sections=(("対外証券投資", 1), ("対内証券投資", 12)),
    keys=_DIRECTION_KEYS,
    identities=_WEEKLY_IDENTITIES,
)
_MONTHLY = _Layout(
    kind="monthly",
    file_name="montha1.csv",
    what="MoF monthly International Transactions in Securities CSV (montha1.csv)",
    title_word="月別",
    first_value=3,
    header=(
        ("", "", "", *_GROUP_JP, *_GROUP_JP, "ネット", "ネット"),
        ("", "", "", *_GROUP_EN, *_GROUP_EN, "Net", "Net"),
        ("", "", "", *_MEASURE_JP, *_MEASURE_JP, "(A-B)", "(C-D)"),
        (
            "",
            "",
            "",
            *_with_subtotal_labels(_MEASURE_EN, "Net (A)", "Net (C)"),
            *_with_subtotal_labels(_MEASURE_EN, "Net (B)", "Net (D)"),
            "",
            "",
        ),
    ),
    sections=(("対外証券投資", 0), ("対内証券投資", 14)),
    keys=(*_DIRECTION_KEYS, *_BALANCE_KEYS),
    identities=_MONTHLY_IDENTITIES,
)


def _cells(width: int, filled: dict[int, str]) -> tuple[str, ...]:
    return tuple(filled.get(i, "") for i in range(width))


#: the five investor heading rows of monthb2-4.csv (54 columns), then the measure rows.
_INVESTOR_WIDTH = 3 + 3 * len(mof_investors.INVESTORS)
_INVESTOR_HEADER: tuple[tuple[str, ...], ...] = (
    _cells(_INVESTOR_WIDTH, {3: "各部門計", 6: "公的部門", 15: "預金取扱機関", 24: "その他部門"}),
    _cells(
        _INVESTOR_WIDTH,
        {
            9: "中央銀行",
            12: "一般政府",
            18: "銀行等（銀行勘定）",
            21: "信託銀行（銀行勘定）",
            27: "その他金融機関",
            51: "その他",
        },
    ),
    _cells(
        _INVESTOR_WIDTH,
        {
            30: "銀行等及び信託銀行（信託勘定）",
            39: "金融商品取引業者",
            42: "生命保険会社",
            45: "損害保険会社",
            48: "投資信託委託会社等",
        },
    ),
    _cells(
        _INVESTOR_WIDTH,
        {
            3: "（a+b+c+ｄ)",
            6: "Public Sector",
            15: "Deposit-taking Corporations (b)",
            24: "Other Sectors （d)",
            33: "銀行等（信託勘定）",
            36: "信託銀行（信託勘定）",
        },
    ),
    _cells(
        _INVESTOR_WIDTH,
        {
            9: "Central Bank (a)",
            12: "General Government (ｃ)",
            18: "Banks（Banking Accounts)",
            21: "Trust Banks(Banking Accounts）",
            27: "Other Financial Corporations",
            30: "Banks and Trust banks（Trust Accounts）",
            33: "Banks（Trust Accounts）",
            36: "Trust Banks（Trust Accounts）",
            39: "Financial Instruments Firms",
            42: "Life Insurance Companies",
            45: "Non-Life Insurance Companies",
            48: "Investment Trust Management Companies",
            51: "Others",
        },
    ),
    ("", "", "", *("取得", "処分", "ネット") * len(mof_investors.INVESTORS)),
    ("", "", "", *("Acquisition", "Disposition", "Net") * len(mof_investors.INVESTORS)),
)


def _investor_identities(asset: str) -> tuple[Identity, ...]:
    """Net = acquisition - disposition for every column; every aggregate = sum of its parts."""
    out: list[Identity] = []
    for group in mof_investors.INVESTORS:
        tol = mof_investors.AGGREGATE_TOLERANCE if group.is_aggregate else TOLERANCE
        key = f"investor.{group.key}.{asset}"
        out.append((f"{key}.net", (f"{key}.acquisition",), (f"{key}.disposition",), tol))
    for group in mof_investors.INVESTORS:
        for measure in mof_investors.MEASURES:
            if group.parts:
                out.append(
                    (
                        f"investor.{group.key}.{asset}.{measure}",
                        tuple(f"investor.{p}.{asset}.{measure}" for p in group.parts),
                        (),
                        mof_investors.AGGREGATE_TOLERANCE,
                    )
                )
    return tuple(out)


def _investor_layout(file_name: str) -> _Layout:
    asset, asset_jp = mof_investors.ASSET_FILES[file_name]
    return _Layout(
        kind="monthly",
        file_name=file_name,
        what=f"MoF monthly flows by type of investor CSV ({file_name}, {asset})",
        title_word=f"（{asset_jp}）",
        first_value=3,
        header=_INVESTOR_HEADER,
        sections=(),
        keys=mof_investors.investor_keys(asset),
        identities=_investor_identities(asset),
        title="投資家部門別対外証券投資",
        not_reported=("-",),
        # an aggregate's annual total can carry its composition error once more
        annual_tolerances=tuple(
            ANNUAL_TOLERANCE + (mof_investors.AGGREGATE_TOLERANCE if group.is_aggregate else 0)
            for group in mof_investors.INVESTORS
            for _ in mof_investors.MEASURES
        ),
    )


_LAYOUTS: dict[str, _Layout] = {
    layout.file_name: layout
    for layout in (
        _WEEKLY,
        _MONTHLY,
        *(_investor_layout(name) for name in mof_investors.ASSET_FILES),
    )
}
_SIGN_NOTE_JP = "ネットのプラス(+)は取得超"
_SIGN_NOTE_EN = re.compile(r"netac?quisitionwithaplussign")
_UNIT_JP = "単位:億円"
_UNIT_EN = "unit:100mil"

# --------------------------------------------------------------------------- text helpers

_WHITESPACE = re.compile(r"\s+")
_SPACES = " \t\u3000\xa0"


def _norm(cell: str) -> str:
    """NFKC, no whitespace at all, case-folded: how header and footer text is compared."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", cell)).casefold()


def _is_blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


def _shown(cells: Sequence[str]) -> str:
    return ",".join(c.strip() for c in cells)


# --------------------------------------------------------------------------- the source


class MofSource(Source):
    """MoF weekly and monthly International Transactions in Securities (100 million yen)."""

    name: ClassVar[str] = "mof"
    title: ClassVar[str] = "Japan MoF: International Transactions in Securities"
    homepage: ClassVar[str] = (
        "https://www.mof.go.jp/english/policy/international_policy/reference/"
        "itn_transactions_in_securities/index.htm"
    )
    requires_key: ClassVar[bool] = False
    catalog: ClassVar[tuple[SeriesSpec, ...]] = _CATALOG
    raw_patterns: ClassVar[tuple[str, ...]] = tuple(_LAYOUTS)

    def requests(self) -> list[Request]:
        """week.csv, montha1.csv and monthb2-4.csv (all required) from the MoF folder."""
        base = self.base_url(BASE_URL).rstrip("/") + "/"
        return [
            Request(url=base + file_name, raw_path=f"{self.name}/{file_name}")
            for file_name in _LAYOUTS
        ]

    def parse(self, payload: RawPayload) -> Dataset:
        """Parse one of the files (chosen by file name, else by the title line)."""
        layout = _layout_for(payload)
        ctx = ParseContext(payload, what=layout.what)
        records = _read_records(ctx.text(encoding=ENCODING), ctx)
        body, notes = _check_frame(records, layout, ctx)
        parse_rows = _weekly_rows if layout.kind == "weekly" else _monthly_rows
        periods = parse_rows(body, layout, ctx)
        frame = melt_wide(
            periods.values,
            columns={key: f"mof.{layout.kind}.{key}" for key in layout.keys},
            period_start=periods.start,
            period_end=periods.end,
            published_at=_PUBLISHED[layout.kind](pd.Series(periods.end)),
        )
        check_unique_periods(frame, ctx)
        series = tuple(_SPECS[f"mof.{layout.kind}.{key}"] for key in layout.keys)
        return Dataset(frame=frame, series=series, notes=notes)


_PUBLISHED: dict[Kind, Callable[[pd.Series], pd.Series]] = {
    "weekly": releases.mof_weekly,
    "monthly": releases.mof_monthly,
}


def _layout_for(payload: RawPayload) -> _Layout:
    """The layout by file name (``mof/week.csv``), else by the title line."""
    name = PurePosixPath(payload.raw_path or payload.url.split("?")[0]).name
    if name in _LAYOUTS:
        return _LAYOUTS[name]
    head = payload.content[:400].decode(ENCODING, errors="replace")
    for layout in _LAYOUTS.values():
        if layout.title in head and layout.title_word in head:
            return layout
    ctx = ParseContext(payload, what="MoF International Transactions in Securities CSV")
    raise ctx.error(
        f"cannot tell which MoF file {name!r} is",
        row=1,
        expected=f"one of {', '.join(_LAYOUTS)} or a title with 週次/月別/投資家部門別",
        found=head[:60],
    )


def _read_records(text: str, ctx: ParseContext) -> list[Record]:
    """All CSV records with their line numbers; a malformed CSV is a ParseError."""
    records: list[Record] = []
    try:
        for line, cells in csv_records(text):
            records.append((line, cells))
    except csv.Error as exc:
        last = records[-1][0] + 1 if records else 1
        raise ctx.error(
            f"the CSV is malformed ({exc})", row=last, expected="comma-separated values"
        ) from None
    return records


# --------------------------------------------------------------------------- header/footer


def _check_frame(
    records: list[Record], layout: _Layout, ctx: ParseContext
) -> tuple[list[Record], tuple[str, ...]]:
    """Check title, units, sections, header rows and the sign note; return the data rows."""
    _check_title(records, layout, ctx)
    anchor = _find_measure_row(records, layout, ctx)
    above = len(layout.header) - 2
    top = records[: anchor - above]
    _check_units(top, ctx)
    _check_sections(top, layout, ctx)
    for (line, cells), expected in zip(
        records[anchor - above : anchor + 2], layout.header, strict=True
    ):
        _check_header_row(line, cells, expected, layout, ctx)
    body: list[Record] = []
    rest = records[anchor + 2 :]
    for index, (line, cells) in enumerate(rest):
        if _is_blank(cells):
            footer = rest[index:]
            break
        if len(cells) != layout.n_columns:
            raise ctx.error(
                f"a data row has {len(cells)} columns",
                row=line,
                expected=f"{layout.n_columns} columns",
                found=_shown(cells),
            )
        body.append((line, cells))
    else:
        footer = []
    _check_sign_note(footer, records, ctx)
    if not body:
        raise ctx.error(
            "no data rows under the header",
            row=records[anchor + 1][0] + 1,
            expected="data rows after the Acquisition/Disposition/Net header",
        )
    return body, _final_update(top)


def _check_title(records: list[Record], layout: _Layout, ctx: ParseContext) -> None:
    first = next(((line, cells) for line, cells in records if not _is_blank(cells)), None)
    line, cells = first if first else (1, [""])
    title = cells[0]
    if layout.title not in title or layout.title_word not in title:
        raise ctx.error(
            "unexpected title line",
            row=line,
            expected=f"a title with {layout.title} and {layout.title_word}",
            found=title,
        )


def _find_measure_row(records: list[Record], layout: _Layout, ctx: ParseContext) -> int:
    """Index of the Japanese 取得/処分/ネット row (the third of the four header rows)."""
    col = layout.first_value
    for index, (_, cells) in enumerate(records[:60]):
        if len(cells) > col and _norm(cells[col]) == "取得":
            if index < len(layout.header) - 2 or index + 1 >= len(records):
                break
            return index
    raise ctx.error(
        "the column header with 取得/処分/ネット (acquisition/disposition/net) was not found",
        row=1,
        expected=f"a header row starting with 取得 in column {col + 1} within the first 60 rows",
    )


def _check_header_row(
    line: int, cells: list[str], expected: tuple[str, ...], layout: _Layout, ctx: ParseContext
) -> None:
    if len(cells) != layout.n_columns:
        raise ctx.error(
            f"a header row has {len(cells)} columns",
            row=line,
            expected=f"{layout.n_columns} columns: {' | '.join(expected)}",
            found=_shown(cells),
        )
    for column, (cell, want) in enumerate(zip(cells, expected, strict=True), start=1):
        if _norm(cell) != _norm(want):
            raise ctx.error(
                f"the column header changed in column {column}",
                row=line,
                expected=repr(want),
                found=cell,
            )


def _check_units(top: list[Record], ctx: ParseContext) -> None:
    cells = [_norm(c) for _, row in top for c in row if c.strip()]
    if not any(_UNIT_JP in c for c in cells) or not any(_UNIT_EN in c for c in cells):
        raise ctx.error(
            "the units line is missing or changed",
            row=top[0][0] if top else 1,
            expected="単位： 億円 / Unit: 100 million Yen above the column header",
        )


def _check_sections(top: list[Record], layout: _Layout, ctx: ParseContext) -> None:
    for label, column in layout.sections:
        found = [(line, cells.index(c)) for line, cells in top for c in cells if label in c]
        if not found or found[0][1] != column:
            raise ctx.error(
                f"the section title {label} is missing or moved",
                row=found[0][0] if found else (top[0][0] if top else 1),
                expected=f"{label} in column {column + 1}",
                found=f"column {found[0][1] + 1}" if found else "nothing",
            )


def _check_sign_note(footer: list[Record], records: list[Record], ctx: ParseContext) -> None:
    text = "".join(_norm(c) for _, cells in footer for c in cells)
    if _SIGN_NOTE_JP not in text or not _SIGN_NOTE_EN.search(text):
        last = records[-1][0] if records else 1
        raise ctx.error(
            "the sign-convention note is missing (truncated file, or a changed convention?)",
            row=footer[0][0] if footer else last + 1,
            expected=(
                "footer notes ③ 'ネットのプラス（＋）は取得超' and Note 3 "
                "'net acquisition with a plus sign'"
            ),
        )


def _final_update(top: list[Record]) -> tuple[str, ...]:
    for _, cells in top:
        for cell in cells:
            if "Final Update" in cell:
                return (f"MoF {' '.join(cell.split())}",)
    return ()


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Periods:
    """Parsed rows: the wide value table and its periods, one row per period."""

    values: pd.DataFrame
    start: np.ndarray
    end: np.ndarray


def _column_label(layout: _Layout, index: int) -> str:
    return f"{layout.keys[index]} (column {layout.first_value + index + 1})"


@dataclass(frozen=True)
class _Cells:
    """The value cells of some rows: floats (NaN for empty and not-reported cells)
    and which cells were the layout's not-reported mark (``-``)."""

    values: np.ndarray
    not_reported: np.ndarray

    @property
    def empty(self) -> np.ndarray:
        return np.isnan(self.values) & ~self.not_reported


def _numbers(body: list[Record], layout: _Layout, ctx: ParseContext) -> _Cells:
    """The value cells as floats; a non-number is a ParseError.

    Thousands commas and padding are removed and numpy converts the lot at once;
    cells it cannot read (or reads as inf/nan) go through :func:`parse_number`,
    which accepts its other spellings (full-width minus...) or raises naming
    the row and column. Cells in ``layout.not_reported`` become NaN and are
    flagged.
    """
    width = len(layout.keys)
    raw = [c for _, cells in body for c in cells[layout.first_value :]]
    shape = (len(body), width)
    fast = padded_numbers(raw, marks=layout.not_reported)
    if fast is not None:
        values, dash = fast
    else:
        values, dash = _numbers_one_by_one(raw, body, layout, ctx)
    cells = _Cells(values=values.reshape(shape), not_reported=dash.reshape(shape))
    if layout.not_reported:
        _check_triplets(cells, body, layout, ctx)
    return cells


def _numbers_one_by_one(
    raw: list[str], body: list[Record], layout: _Layout, ctx: ParseContext
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_numbers`' values and not-reported marks, cell by cell (what Arrow declined)."""
    width = len(layout.keys)
    cleaned = [c.strip(_SPACES).replace(",", "") for c in raw]
    marks = set(layout.not_reported)
    dash = np.array([c in marks for c in cleaned], dtype=bool)
    if dash.any():
        cleaned = ["" if d else c for c, d in zip(cleaned, dash, strict=True)]
    empty = np.array([not c for c in cleaned], dtype=bool)
    try:
        values = np.array([c or "nan" for c in cleaned], dtype=np.float64)
    except ValueError:
        values = np.array([_float_or_nan(c) for c in cleaned], dtype=np.float64)
    for position in np.flatnonzero(~empty & ~np.isfinite(values)):
        row, column = divmod(int(position), width)
        number = parse_number(
            raw[position], ctx, row=body[row][0], column=_column_label(layout, column)
        )
        values[position] = np.nan if number is None else number
    return values, dash


def _check_triplets(cells: _Cells, body: list[Record], layout: _Layout, ctx: ParseContext) -> None:
    """An acquisition/disposition/net triplet is all reported or all not reported."""
    dash = cells.not_reported.reshape(len(body), -1, 3)
    mixed = dash.any(axis=2) & ~dash.all(axis=2)
    if mixed.any():
        row, triplet = (int(i) for i in np.argwhere(mixed)[0])
        raise ctx.error(
            f"{layout.keys[3 * triplet].rsplit('.', 1)[0]} is partly not reported",
            row=body[row][0],
            expected=(
                f"acquisition, disposition and net all numbers or all "
                f"'{layout.not_reported[0]}' (not reported)"
            ),
            found=_shown(body[row][1][layout.first_value + 3 * triplet :][:3]),
        )


def _float_or_nan(text: str) -> float:
    try:
        return float(text) if text else np.nan
    except ValueError:
        return np.nan


def _published_rows(cells: _Cells, lines: np.ndarray, ctx: ParseContext) -> np.ndarray:
    """Which rows hold published figures.

    A row with every value empty is a placeholder for a period not yet
    published: dropped, and allowed only after the last published row. A row
    with some values empty is an error (not-reported marks are not empty).
    """
    empty = cells.empty
    placeholder = empty.all(axis=1)
    partial = empty.any(axis=1) & ~placeholder
    if partial.any():
        row = int(np.flatnonzero(partial)[0])
        raise ctx.error(
            "a row has some empty value cells",
            row=int(lines[row]),
            expected="every value filled in (or every value empty for an unpublished period)",
            found=f"{int(empty[row].sum())} empty cells",
        )
    published = np.flatnonzero(~placeholder)
    if published.size and placeholder[: published[-1]].any():
        row = int(np.flatnonzero(placeholder[: published[-1]])[0])
        raise ctx.error(
            "an empty period is followed by published periods",
            row=int(lines[row]),
            expected="empty placeholder rows only after the last published period",
        )
    return ~placeholder


def _check_identities(
    values: np.ndarray, lines: np.ndarray, layout: _Layout, ctx: ParseContext, *, what: str = ""
) -> None:
    """The published identities (net = acq - disp, subtotals, totals) within their
    rounding tolerance; a row where a term is not reported (NaN) is skipped."""
    col = {key: i for i, key in enumerate(layout.keys)}
    for target, plus, minus, tolerance in layout.identities:
        rhs = values[:, [col[k] for k in plus]].sum(axis=1)
        if minus:
            rhs = rhs - values[:, [col[k] for k in minus]].sum(axis=1)
        bad = np.abs(values[:, col[target]] - rhs) > tolerance + 1e-9
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            formula = " + ".join(plus) + "".join(f" - {k}" for k in minus)
            raise ctx.error(
                f"{what}{target} does not add up",
                row=int(lines[row]),
                expected=f"{target} = {formula} within ±{tolerance:g} (rounding)",
                found=f"{values[row, col[target]]:g} vs {rhs[row]:g}",
            )


# --------------------------------------------------------------------------- weekly rows

_WEEK = re.compile(
    r"^\s*((?:19|20|21)\d{2})\s*[．.]\s*(\d{1,2})\s*[．.]\s*(\d{1,2})\s*[～~〜]"
    r"\s*(?:((?:19|20|21)\d{2})\s*[．.])?\s*(\d{1,2})\s*[．.]\s*(\d{1,2})\s*$"
)


def _weekly_rows(body: list[Record], layout: _Layout, ctx: ParseContext) -> _Periods:
    lines = np.array([line for line, _ in body])
    cells = pd.Series([cells[0] for _, cells in body], dtype="object")
    parts = cells.str.extract(_WEEK)
    unmatched = parts[0].isna().to_numpy()
    if unmatched.any():
        row = int(np.flatnonzero(unmatched)[0])
        raise ctx.error(
            "the period cell is not a week",
            row=int(lines[row]),
            expected="a week such as 2025．3．30～4．5 or 2024．12．29～2025．1．4",
            found=cells.iloc[row],
        )
    start = _dates(parts[0], parts[1], parts[2])
    end_year = parts[3].fillna(parts[0]).astype(int)
    wraps = parts[3].isna() & (parts[4].astype(int) < parts[1].astype(int))
    end = _dates(end_year + wraps.astype(int), parts[4], parts[5])
    _check_weeks(start, end, lines, cells, ctx)
    values = _numbers(body, layout, ctx).values
    keep = _published_rows(_Cells(values, np.zeros_like(values, dtype=bool)), lines, ctx)
    _check_identities(values[keep], lines[keep], layout, ctx)
    return _Periods(
        values=pd.DataFrame(values[keep], columns=list(layout.keys)),
        start=start.to_numpy()[keep],
        end=end.to_numpy()[keep],
    )


def _dates(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Vectorized dates; impossible dates (Feb 30) become NaT."""
    frame = pd.DataFrame(
        {"year": pd.to_numeric(year), "month": pd.to_numeric(month), "day": pd.to_numeric(day)}
    )
    return pd.to_datetime(frame, errors="coerce")


def _check_weeks(
    start: pd.Series, end: pd.Series, lines: np.ndarray, cells: pd.Series, ctx: ParseContext
) -> None:
    checks = (
        (start.isna() | end.isna(), "the period is not a valid date", "a real calendar date"),
        (start.dt.day_of_week != 6, "the week does not start on a Sunday", "a Sunday start"),
        (end - start != pd.Timedelta(days=6), "the week is not 7 days", "end = start + 6 days"),
    )
    for bad, message, expected in checks:
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ctx.error(message, row=int(lines[row]), expected=expected, found=cells.iloc[row])
    step = np.diff(start.to_numpy()).astype("timedelta64[D]").astype(int)
    if (step <= 0).any():
        row = int(np.flatnonzero(step <= 0)[0]) + 1
        message = "a week appears twice" if step[row - 1] == 0 else "weeks are out of order"
        raise ctx.error(
            message,
            row=int(lines[row]),
            expected=f"a week after {cells.iloc[row - 1].strip()}",
            found=cells.iloc[row],
        )


# --------------------------------------------------------------------------- monthly rows

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_JP = re.compile(r"^(\d{1,2})月$")
_ANNUAL = re.compile(r"((?:19|20|21)\d{2})\s*(CY|FY)$")


@dataclass
class _MonthScan:
    """State while walking the monthly rows in order."""

    year: int | None = None
    month: int = 0
    months: list[tuple[int, int]] = field(default_factory=list)
    month_rows: list[Record] = field(default_factory=list)
    annual: list[tuple[Record, int, str]] = field(default_factory=list)


def _monthly_rows(body: list[Record], layout: _Layout, ctx: ParseContext) -> _Periods:
    month_rows, months, annual = _scan_months(body, ctx)
    lines = np.array([line for line, _ in month_rows])
    cells = _numbers(month_rows, layout, ctx)
    values = cells.values
    keep = _published_rows(cells, lines, ctx)
    _check_identities(values[keep], lines[keep], layout, ctx)
    _check_annual(annual, cells, months, keep, layout, ctx)
    start = pd.to_datetime(
        pd.DataFrame({"year": [y for y, _ in months], "month": [m for _, m in months], "day": 1})
    )
    end = start + pd.offsets.MonthEnd(0)
    return _Periods(
        values=pd.DataFrame(values[keep], columns=list(layout.keys)),
        start=start.to_numpy()[keep],
        end=end.to_numpy()[keep],
    )


def _scan_months(
    body: list[Record], ctx: ParseContext
) -> tuple[list[Record], list[tuple[int, int]], list[tuple[Record, int, str]]]:
    """Split month rows from CY/FY rows and date each month (year on January rows)."""
    scan = _MonthScan()
    for line, cells in body:
        label = unicodedata.normalize("NFKC", cells[0]).strip(_SPACES)
        month_jp = _MONTH_JP.match(unicodedata.normalize("NFKC", cells[1]).strip(_SPACES))
        month_en = cells[2].strip(_SPACES)
        if month_jp or month_en:
            if scan.annual:
                raise ctx.error(
                    "a month row after the annual totals",
                    row=line,
                    expected="CY/FY rows after all months",
                    found=_shown(cells[:3]),
                )
            month = _month_number(line, cells, month_jp, month_en, ctx)
            scan.months.append(_next_month(scan, line, label, month, ctx))
            scan.month_rows.append((line, cells))
            continue
        annual = _ANNUAL.search(label)
        if not annual:
            raise ctx.error(
                "a row is neither a month nor an annual total",
                row=line,
                expected="a month (１月/Jan ...) or a total such as '2005年(1月～12月） 2005CY'",
                found=_shown(cells[:3]),
            )
        scan.annual.append(((line, cells), int(annual[1]), annual[2]))
    if not scan.month_rows:
        raise ctx.error("no month rows", row=body[0][0], expected="month rows from January")
    return scan.month_rows, scan.months, scan.annual


def _month_number(
    line: int, cells: list[str], jp: re.Match[str] | None, en: str, ctx: ParseContext
) -> int:
    number = int(jp[1]) if jp else 0
    if en not in _MONTHS_EN or number != _MONTHS_EN.index(en) + 1:
        raise ctx.error(
            "the month labels are not a month or disagree",
            row=line,
            expected="matching labels such as ４月,Apr",
            found=_shown(cells[1:3]),
        )
    return number


def _next_month(
    scan: _MonthScan, line: int, label: str, month: int, ctx: ParseContext
) -> tuple[int, int]:
    """Advance the month sequence: January rows carry the year, others may carry its era."""
    if scan.year is None and month != 1:
        raise ctx.error("the first month row is not January", row=line, expected="January")
    if month == 1:
        if not re.fullmatch(r"(?:19|20|21)\d{2}", label):
            raise ctx.error(
                "a January row lacks its year",
                row=line,
                expected="a year such as 2005",
                found=label,
            )
        year = int(label)
    else:
        year = scan.year or 0
        if label and era_label_year(label) != year:
            raise ctx.error(
                "the year label of a month row is not the era of its year",
                row=line,
                expected=f"empty or the era label of {year}, e.g. (令和7年)",
                found=label,
            )
    if scan.year is not None:
        expected = (scan.year, scan.month + 1) if scan.month < 12 else (scan.year + 1, 1)
        if (year, month) != expected:
            raise ctx.error(
                "months are not consecutive",
                row=line,
                expected=f"{expected[0]}-{expected[1]:02d}",
                found=f"{year}-{month:02d}",
            )
    scan.year, scan.month = year, month
    return year, month


def _check_annual(
    annual: list[tuple[Record, int, str]],
    month_cells: _Cells,
    months: list[tuple[int, int]],
    keep: np.ndarray,
    layout: _Layout,
    ctx: ParseContext,
) -> None:
    """CY/FY rows: their own identities hold and they equal the sum of their months.

    A column not reported (``-``) in any of the twelve months is not compared;
    it may be ``-`` in the annual row only then.
    """
    if not annual:
        return
    values = month_cells.values
    index = {ym: i for i, ym in enumerate(months) if keep[i]}
    rows = [record for record, _, _ in annual]
    cells = _numbers(rows, layout, ctx)
    totals = cells.values
    lines = np.array([line for line, _ in rows])
    if cells.empty.any():
        row = int(np.flatnonzero(cells.empty.any(axis=1))[0])
        raise ctx.error(
            "an annual row has empty cells",
            row=int(lines[row]),
            expected=f"{len(layout.keys)} values",
        )
    _check_identities(totals, lines, layout, ctx, what="annual ")
    tolerance = np.array(layout.annual_tolerances or [ANNUAL_TOLERANCE] * len(layout.keys))
    for ((line, _), year, code), total in zip(annual, totals, strict=True):
        span = _annual_span(year, code)
        missing = [f"{y}-{m:02d}" for y, m in span if (y, m) not in index]
        if missing:
            raise ctx.error(
                f"the {year}{code} total covers months that are not in the file",
                row=line,
                expected="all twelve months published",
                found=", ".join(missing[:3]),
            )
        span_rows = [index[ym] for ym in span]
        partly = month_cells.not_reported[span_rows].any(axis=0)
        dash = np.isnan(total) & ~partly
        if dash.any():
            column = int(np.flatnonzero(dash)[0])
            raise ctx.error(
                f"the {year}{code} total is not reported although all its months are",
                row=line,
                expected=f"{_column_label(layout, column)}: the sum of its months",
                found=layout.not_reported[0] if layout.not_reported else "",
            )
        summed = values[span_rows].sum(axis=0)
        gap = np.where(partly | np.isnan(total), 0.0, np.abs(summed - total))
        if (gap > tolerance + 1e-9).any():
            column = int(np.argmax(gap - tolerance))
            raise ctx.error(
                f"the {year}{code} total is not the sum of its months",
                row=line,
                expected=(
                    f"{_column_label(layout, column)} = sum of its months "
                    f"within ±{tolerance[column]:g}"
                ),
                found=f"{total[column]:g} vs a sum of {summed[column]:g}",
            )


def _annual_span(year: int, code: str) -> list[tuple[int, int]]:
    """The twelve (year, month) of a calendar year (CY) or an April-March fiscal year (FY)."""
    first = 1 if code == "CY" else 4
    return [(year + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(first, first + 12)]
