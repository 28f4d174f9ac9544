"""Market proxies: daily closes of the equity, bond and FX proxies a portfolio model needs.

Live (public, no key): **stooq's daily CSV**,
``GET https://stooq.com/q/d/l/?s=<ticker>&i=d`` (``s=spy.us``, ``s=^nkx``,
``s=usdjpy``...), answering ``Date,Open,High,Low,Close,Volume`` with one row per
trading day, oldest first, ISO dates (``No data`` for an unknown ticker). One
request per configured symbol (``YENFLOW_MARKETS_SYMBOLS``, default
:data:`DEFAULT_SYMBOLS`), saved as ``markets/<symbol>.csv``; the base URL is
``YENFLOW_MARKETS_BASE_URL``.

Snapshot files (``markets/*.csv``, third-party re-serializations of Yahoo
Finance data; see the data folder's PROVENANCE): every layout found there is
read, by its header:

- ``date,value`` (a close per row);
- ``Date,Close``;
- ``Date,Open,High,Low,Close[,Adj Close],Volume`` (stooq's and Yahoo's layout);
- yfinance's ``download().to_csv()`` header of three rows
  (``Price,Close,High,Low,Open,Volume`` / ``Ticker,AGG,...`` / ``Date,,,,,``),
  including the damaged variant with the ticker row twice and an extra leading
  ``Price`` (Adj Close) column; dates may carry `` 00:00:00``.

The **Close** column is stored (never Adj Close). Series ids: a file named
``<SYMBOL>.csv``, ``<SYMBOL>_<YYYY>-<YYYY>.csv`` or ``<symbol>_yahoo_daily.csv``
is the symbol's main copy, ``markets.<symbol>.close``; any other name
(``AGG_yfinance_2020-2026.csv``, ``ACWI_close_2008-2026.csv``) is an alternative
copy, ``markets.<symbol>.close.<rest of the name>``, kept apart because third-party
copies differ in their dividend adjustment and would otherwise overwrite each
other. Units and currency are per instrument (:data:`INSTRUMENTS`: USD per share,
index points in JPY, JPY per USD).

Checks: the header, ISO dates strictly increasing, positive finite closes,
a yfinance ticker row naming the file's symbol. Empty / ``null`` closes are
dropped (counted in the notes), and so are weekend rows that repeat the previous
close (a calendar-daily file such as ``ACWI_close``: no trading, no observation).

Publication: a close is public at its market's close: 16:00 New York for US
listings, 15:30 Tokyo for Japanese indexes (the TSE closed at 15:00 before
November 2024: the rule is late then, never early), the end of the UTC day for
FX rates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import urlencode

from yenflow import releases
from yenflow.errors import ConfigError
from yenflow.frame import Dataset, SeriesSpec
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request
from yenflow.sources.base import Source
from yenflow.sources.parsing import (
    ParseContext,
    PlainLines,
    check_increasing,
    csv_table,
    day_cells,
    iso_days,
    number_cells,
    numbers,
    plain_lines,
    series_frame,
    weekday_numbers,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from yenflow.config import Settings
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "DEFAULT_SYMBOLS",
    "INSTRUMENTS",
    "STOOQ_URL",
    "Instrument",
    "MarketsSource",
    "instruments_from_config",
]

STOOQ_URL = "https://stooq.com/q/d/l/"
Close = Literal["us", "tokyo", "utc_day"]


@dataclass(frozen=True)
class Instrument:
    """One market proxy.

    Attributes:
        symbol: our lower-case name, the ``<symbol>`` of ``markets.<symbol>.close``.
        ticker: stooq's ticker (``spy.us``, ``^nkx``, ``usdjpy``).
        title: what it is.
        unit: the unit of a close (``USD per share``, ``index points``, ``JPY per USD``).
        currency: the currency the close is in (ISO code).
        close: when a close becomes public (``us`` 16:00 New York, ``tokyo`` 15:30
            Tokyo, ``utc_day`` the end of the UTC day).
    """

    symbol: str
    ticker: str
    title: str
    unit: str
    currency: str
    close: Close

    @property
    def series_id(self) -> str:
        return f"markets.{self.symbol}.close"

    def spec(self, variant: str = "", origin: str = "") -> SeriesSpec:
        suffix = f".{variant}" if variant else ""
        copy = f" (alternative copy {variant})" if variant else ""
        return SeriesSpec(
            id=self.series_id + suffix,
            source="markets",
            title=f"{self.title}: daily close{copy}",
            unit=self.unit,
            frequency="daily",
            sign="",
            description=(
                f"Daily close of {self.title}, {self.unit} (currency {self.currency}), one "
                f"observation per trading day. {origin or _ORIGIN} ETF closes from these "
                "providers are adjusted for splits and dividends (total-return proxies); "
                "index levels are price indexes (no dividends)."
            ),
        )


_ORIGIN = (
    "Live from stooq's daily CSV (stooq.com/q/d/l/); snapshot copies are third-party "
    "re-serializations of Yahoo Finance data."
)


def _etf(symbol: str, title: str) -> Instrument:
    return Instrument(symbol, f"{symbol}.us", title, "USD per share", "USD", "us")


#: the instruments yenflow knows (add others with YENFLOW_MARKETS_SYMBOLS=name=ticker:CCY).
INSTRUMENTS: dict[str, Instrument] = {
    i.symbol: i
    for i in (
        _etf("acwi", "iShares MSCI ACWI ETF (global equities, includes Japan)"),
        _etf("spy", "SPDR S&P 500 ETF (US equities)"),
        _etf("vti", "Vanguard Total Stock Market ETF (US equities)"),
        _etf("efa", "iShares MSCI EAFE ETF (developed ex-North America equities)"),
        _etf("agg", "iShares Core US Aggregate Bond ETF (US bonds)"),
        _etf("bnd", "Vanguard Total Bond Market ETF (US bonds)"),
        _etf("bwx", "SPDR Bloomberg International Treasury Bond ETF (non-US government bonds)"),
        _etf("ief", "iShares 7-10 Year Treasury Bond ETF"),
        _etf("tlt", "iShares 20+ Year Treasury Bond ETF"),
        Instrument("gspc", "^spx", "S&P 500 index (price)", "index points", "USD", "us"),
        Instrument("n225", "^nkx", "Nikkei 225 index (price)", "index points", "JPY", "tokyo"),
        Instrument("topix", "^tpx", "TOPIX index (price)", "index points", "JPY", "tokyo"),
        Instrument("usdjpy", "usdjpy", "USD/JPY exchange rate", "JPY per USD", "JPY", "utc_day"),
    )
}
#: a GPIF-style four-asset set (domestic and foreign equities and bonds, and the yen).
DEFAULT_SYMBOLS: tuple[str, ...] = ("topix", "n225", "acwi", "agg", "bwx", "spy", "usdjpy")

_CUSTOM = re.compile(r"^(?P<symbol>[a-z0-9_]{1,20})=(?P<ticker>[\w.^\-]{1,24}):(?P<ccy>[A-Z]{3})$")
_MISSING = ("", "null", "nan", "NaN")
_KNOWN_COLUMNS = frozenset({"date", "open", "high", "low", "close", "adj close", "volume"})
#: file-name remainders (after the symbol and a year range) that mark the main copy.
_MAIN_COPY = frozenset({"", "daily", "yahoo_daily"})
_YEARS = re.compile(r"_?\d{4}-\d{4}$")


def instruments_from_config(entries: tuple[str, ...] | None) -> tuple[Instrument, ...]:
    """The instruments to fetch: known symbols, or ``name=ticker:CCY`` for others.

    A custom entry gets unit ``<CCY> per share`` and its close is taken as public at
    the end of the UTC day (conservative for any market).
    """
    out: list[Instrument] = []
    for entry in entries or DEFAULT_SYMBOLS:
        name = entry.strip()
        if name.lower() in INSTRUMENTS:
            out.append(INSTRUMENTS[name.lower()])
            continue
        match = _CUSTOM.match(name)
        if not match:
            msg = (
                f"YENFLOW_MARKETS_SYMBOLS: {name!r} is neither a known symbol "
                f"({', '.join(INSTRUMENTS)}) nor name=stooq_ticker:CCY (e.g. ewj=ewj.us:USD)"
            )
            raise ConfigError(msg)
        ccy = match["ccy"]
        out.append(
            Instrument(
                match["symbol"],
                match["ticker"],
                match["ticker"],
                f"{ccy} per share",
                ccy,
                "utc_day",
            )
        )
    return tuple(out)


class MarketsSource(Source):
    """Daily closes of index and ETF proxies (stooq live; Yahoo/yfinance snapshot copies)."""

    name: ClassVar[str] = "markets"
    title: ClassVar[str] = "Market proxies: daily closes (stooq; Yahoo Finance copies)"
    homepage: ClassVar[str] = "https://stooq.com/db/"
    requires_key: ClassVar[bool] = False
    catalog: ClassVar[tuple[SeriesSpec, ...]] = tuple(i.spec() for i in INSTRUMENTS.values())
    raw_patterns: ClassVar[tuple[str, ...]] = ("*.csv",)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._instruments = {i.symbol: i for i in instruments_from_config(settings.markets_symbols)}

    def requests(self) -> list[Request]:
        """One stooq daily CSV per configured symbol."""
        base = self.base_url(STOOQ_URL)
        return [
            Request(
                url=f"{base}?{urlencode({'s': i.ticker, 'i': 'd'})}",
                raw_path=f"{self.name}/{i.symbol}.csv",
            )
            for i in self._instruments.values()
        ]

    def parse(self, payload: RawPayload) -> Dataset:
        """Parse one daily-close CSV in any of the layouts above."""
        instrument, variant = self._identify(payload)
        ctx = ParseContext(payload, what=f"daily close CSV of {instrument.symbol}")
        if ctx.text(encoding="utf-8").strip() == "No data":
            raise ctx.error(
                "stooq has no data for this ticker (unknown or delisted?)",
                row=1,
                expected=f"daily rows for {instrument.ticker}",
                found="No data",
            )
        days, values, lines = _read_closes(ctx, instrument)
        notes: list[str] = []
        keep = ~np.isnan(values)
        if (~keep).any():
            notes.append(f"{instrument.symbol}: {int((~keep).sum())} rows without a close dropped")
            days, values, lines = days[keep], values[keep], lines[keep]
        check_increasing(days, lines, ctx)
        bad = np.flatnonzero(values <= 0)
        if bad.size:
            raise ctx.error(
                "a close is not positive",
                row=int(lines[int(bad[0])]),
                expected="a price or index level > 0",
                found=values[int(bad[0])],
            )
        repeat = _weekend_repeats(days, values)
        if repeat.any():
            notes.append(
                f"{instrument.symbol}: {int(repeat.sum())} weekend rows repeating the "
                "previous close dropped (no trading)"
            )
            days, values = days[~repeat], values[~repeat]
        spec = instrument.spec(variant)
        frame = series_frame(spec.id, days, days, values, _published(instrument, days))
        return Dataset(frame=frame, series=(spec,), notes=tuple(notes))

    def _identify(self, payload: RawPayload) -> tuple[Instrument, str]:
        """The instrument and copy (variant) a file holds, from its name."""
        stem = PurePosixPath(payload.raw_path or payload.url.split("?")[0]).stem
        symbol, _, rest = stem.partition("_")
        key = symbol.lower().lstrip("^")
        instrument = self._instruments.get(key) or INSTRUMENTS.get(key)
        if instrument is None:
            ctx = ParseContext(payload, what="daily close CSV")
            raise ctx.error(
                f"no instrument is known for the file name {stem!r}",
                row=1,
                expected=(
                    f"a file named <symbol>[_...].csv with symbol one of "
                    f"{', '.join(sorted({*self._instruments, *INSTRUMENTS}))}, or a symbol "
                    "added with YENFLOW_MARKETS_SYMBOLS=name=ticker:CCY"
                ),
                found=stem,
            )
        main = _YEARS.sub("", rest).lower()
        variant = "" if main in _MAIN_COPY else re.sub(r"[^a-z0-9]+", "_", rest.lower()).strip("_")
        return instrument, variant


def _read_closes(
    ctx: ParseContext, instrument: Instrument
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days (``datetime64[D]``), closes (float64, NaN if missing) and their file lines, from
    whichever layout the header shows.

    A plain file (no quotes, every data row as wide as the header, canonical dates and
    numbers) is cut from its bytes at once (:class:`~yenflow.sources.parsing.PlainLines`);
    anything else goes through the csv module, cell by cell, which names the bad row.
    """
    plain = plain_lines(ctx)
    if plain is not None:
        head = [plain.cells(0)]
        if head[0][:1] and head[0][0].strip().lower() == "price":
            # the records _yfinance reads: the Ticker rows and the one after (Date,,,)
            while len(head) < len(plain) and (len(head) == 1 or head[-1][:1] == ["Ticker"]):
                head.append(plain.cells(len(head)))
        skip, close = _layout(ctx, instrument, head, range(1, len(head) + 1))
        fast = _fast_closes(plain, skip, width=len(head[0]), close=close)
        if fast is not None:
            return fast
    header, lines, rows = csv_table(ctx)
    skip, close = _layout(ctx, instrument, [header, *rows], [1, *lines])
    dates, closes, lines = _columns(
        ctx, rows[skip - 1 :], lines[skip - 1 :], width=len(header), close=close
    )
    days = iso_days(dates, lines, ctx, column="Date")
    values = numbers(closes, lines, ctx, column="Close", missing=_MISSING)
    return days, values, np.asarray(lines, dtype=np.int64)


#: what may follow the ISO day in a date cell (yfinance writes ``2003-09-29 00:00:00``).
_DAY_SUFFIXES = ("", " 00:00:00", " 00:00:00+00:00", " 00:00:00Z")


def _fast_closes(
    plain: PlainLines, skip: int, *, width: int, close: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_read_closes` for a plain file, or None on any doubt."""
    cells = plain.columns(skip, width=width, which=(0, close))
    if cells is None:
        return None
    dates, closes = cells
    days = day_cells(dates, suffixes=_DAY_SUFFIXES)
    values = None if days is None else number_cells(closes, missing=_MISSING)
    if values is None:
        return None
    return days, values, np.arange(skip + 1, len(plain) + 1)


def _layout(
    ctx: ParseContext, instrument: Instrument, rows: Sequence[list[str]], lines: Sequence[int]
) -> tuple[int, int]:
    """How many records the header takes and which column is the close (from ``rows``, the
    file's first records, header first, and their ``lines``)."""
    header = rows[0]
    names = [h.strip().lower() for h in header]
    if names and names[0] == "price":
        return _yfinance(ctx, instrument, header, lines[1:], rows[1:])
    if names == ["date", "value"]:
        return 1, 1
    if names and names[0] == "date" and "close" in names and set(names) <= _KNOWN_COLUMNS:
        return 1, names.index("close")
    raise ctx.error(
        "unexpected header",
        row=1,
        expected=(
            "date,value; Date,Close; Date,Open,High,Low,Close[,Adj Close],Volume; "
            "or yfinance's Price/Ticker/Date rows"
        ),
        found=",".join(header),
    )


def _yfinance(
    ctx: ParseContext,
    instrument: Instrument,
    header: list[str],
    lines: Sequence[int],
    rows: Sequence[list[str]],
) -> tuple[int, int]:
    """yfinance's three header rows (Price..., Ticker..., Date,,,); the Ticker row may repeat."""
    labels = [h.strip() for h in header]
    if "Close" not in labels:
        raise ctx.error("no Close column", row=1, expected="Price,...,Close,...", found=labels)
    close = labels.index("Close")
    start = 0
    while start < len(rows) and rows[start][:1] == ["Ticker"]:
        tickers = rows[start]
        got = tickers[close].strip().lower().lstrip("^") if len(tickers) > close else ""
        if got.removesuffix("=x") != instrument.symbol and got != instrument.ticker:
            raise ctx.error(
                "the file holds another ticker than its name says",
                row=lines[start],
                expected=f"Ticker {instrument.symbol.upper()} in the Close column",
                found=",".join(tickers),
            )
        start += 1
    if start == 0 or start >= len(rows) or [c.strip() for c in rows[start]][:1] != ["Date"]:
        raise ctx.error(
            "the yfinance header is incomplete",
            row=lines[start] if start < len(lines) else (lines[-1] if lines else 2),
            expected="a Ticker row, then a row 'Date,,,...'",
            found=",".join(rows[start]) if start < len(rows) else "end of file",
        )
    if any(c.strip() for c in rows[start][1:]):
        raise ctx.error(
            "the Date header row has values",
            row=lines[start],
            expected="'Date' then empty cells",
            found=",".join(rows[start]),
        )
    return start + 2, close


def _columns(
    ctx: ParseContext, rows: list[list[str]], lines: list[int], *, width: int, close: int
) -> tuple[list[str], list[str], list[int]]:
    if not rows:
        raise ctx.error("no data rows", row=2, expected="one row per trading day")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ctx.error(
                f"a row has {len(row)} cells",
                row=lines[i],
                expected=f"{width} cells",
                found=",".join(row),
            )
    dates = [_day(row[0]) for row in rows]
    return dates, [row[close].strip() for row in rows], lines


def _day(cell: str) -> str:
    """``2003-09-29 00:00:00`` (and a UTC offset) to ``2003-09-29``; other cells unchanged."""
    if len(cell) > 10 and cell[10:19] == " 00:00:00" and cell[19:] in ("", "+00:00", "Z"):
        return cell[:10]
    return cell


def _weekend_repeats(days: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Saturday/Sunday rows whose close equals the previous row's (calendar-daily files)."""
    weekend = weekday_numbers(days) >= 5
    same = np.zeros(len(values), dtype=bool)
    same[1:] = values[1:] == values[:-1]
    return weekend & same


def _published(instrument: Instrument, days: np.ndarray) -> pd.Series:
    dates = pd.Series(days.astype("datetime64[ns]"))
    if instrument.close == "us":
        return releases.at_local_time(dates, time="16:00", tz=releases.NEW_YORK)
    if instrument.close == "tokyo":
        return releases.at_local_time(dates, time="15:30", tz=releases.TOKYO)
    return releases.utc_day_close(dates)
