"""Bitcoin: daily BTC-USD candles from Coinbase Exchange, and a Yahoo Finance snapshot.

Coinbase Exchange (public, no key)
    ``GET https://api.exchange.coinbase.com/products/BTC-USD/candles?granularity=86400
    &start=<ISO>&end=<ISO>`` returns at most 300 candles, newest first, as a JSON
    array of ``[time, low, high, open, close, volume]``: ``time`` is the UTC
    start of the day in Unix seconds, prices in USD, volume in BTC. Errors come
    as ``{"message": "..."}``. Per the API reference, days without trades have
    no candle and "some of those candles may precede your declared start value":
    such candles are dropped (the window before them is another request).
    :meth:`BitcoinSource.requests` pages from 2015-07-20 (Coinbase's first
    BTC-USD day) to yesterday (the last complete UTC day) in 300-day windows,
    each saved as ``btc/coinbase_BTC-USD_1d_<first day>_<last day>.json``.

Yahoo Finance snapshot (third-party re-serialization)
    ``btc/BTC-USD_yahoo_daily.csv``: ``Date,Open,High,Low,Close,Volume``, one row
    per UTC day, written by yfinance (not an exchange's own file); Volume is in
    USD. Parsed as ``btc.yahoo.*`` so it is never mistaken for exchange data.

Both are checked on parse: one candle per day, high >= max(open, close),
low <= min(open, close), positive prices, non-negative volume. A daily candle
is final at 00:00 UTC after its day (:func:`yenflow.releases.utc_day_close`);
one that was still open when fetched is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from fnmatch import fnmatch
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar

from yenflow import releases
from yenflow.frame import Dataset, SeriesSpec
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request
from yenflow.sources.base import Source
from yenflow.sources.parsing import (
    ParseContext,
    check_increasing,
    csv_columns,
    dated_numbers,
    iso_days,
    load_json,
    melt_wide,
    numbers,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from yenflow.config import Settings
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["COINBASE_FIRST_DAY", "WINDOW_DAYS", "BitcoinSource", "coinbase_windows"]

COINBASE_URL = "https://api.exchange.coinbase.com"
PRODUCT = "BTC-USD"
#: Coinbase's first BTC-USD trading day.
COINBASE_FIRST_DAY = date(2015, 7, 20)
#: the API's maximum number of candles per request.
WINDOW_DAYS = 300
GRANULARITY_S = 86_400
FIELDS = ("open", "high", "low", "close", "volume")
_COINBASE_FILE = re.compile(
    r"coinbase_BTC-USD_1d_(?P<first>\d{4}-\d{2}-\d{2})_(?P<last>\d{4}-\d{2}-\d{2})\.json"
)
_COINBASE_PATTERN = "coinbase_BTC-USD_1d_*.json"
_YAHOO_PATTERN = "BTC-USD_yahoo*.csv"
_YAHOO_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume")
#: column order of a Coinbase candle after ``time``.
_CANDLE = ("low", "high", "open", "close", "volume")


def _spec(venue: str, field: str) -> SeriesSpec:
    """``btc.<venue>.<field>``: prices in USD; volume in BTC (Coinbase) or USD (Yahoo)."""
    is_volume = field == "volume"
    if venue == "coinbase":
        origin = (
            "Coinbase Exchange public candles API (products/BTC-USD/candles, granularity "
            "86400): UTC-day candles from 2015-07-20, open = first trade, close = last trade"
        )
        unit = "BTC" if is_volume else "USD"
        volume = "bitcoins traded on Coinbase during the UTC day"
    else:
        origin = (
            "Yahoo Finance BTC-USD daily history as re-serialized by yfinance (a third-party "
            "file, not an exchange's own data; Yahoo aggregates several venues), UTC days"
        )
        unit = "USD"
        volume = "US dollars traded during the UTC day (Yahoo's volume is in USD)"
    what = volume if is_volume else f"{field} price of 1 BTC in US dollars"
    label = "Coinbase Exchange" if venue == "coinbase" else "Yahoo Finance, third-party"
    return SeriesSpec(
        id=f"btc.{venue}.{field}",
        source="btc",
        title=f"Bitcoin BTC-USD daily {field} ({label})",
        unit=unit,
        frequency="daily",
        description=(
            f"{what[0].upper()}{what[1:]}. {origin}. Published (final) at 00:00 UTC after "
            "the day (releases.utc_day_close)."
        ),
    )


_SPECS: dict[str, dict[str, SeriesSpec]] = {
    venue: {field: _spec(venue, field) for field in FIELDS} for venue in ("coinbase", "yahoo")
}


def coinbase_windows(first: date, last: date) -> list[tuple[date, date]]:
    """Consecutive inclusive windows of at most :data:`WINDOW_DAYS` days covering first..last."""
    windows: list[tuple[date, date]] = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=WINDOW_DAYS - 1), last)
        windows.append((start, end))
        start = end + timedelta(days=1)
    return windows


class BitcoinSource(Source):
    """Daily BTC-USD candles: Coinbase Exchange (fetched), Yahoo Finance (snapshot file)."""

    name: ClassVar[str] = "btc"
    title: ClassVar[str] = "Bitcoin BTC-USD daily candles (Coinbase Exchange)"
    homepage: ClassVar[str] = (
        "https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/"
        "get-product-candles"
    )
    requires_key: ClassVar[bool] = False
    catalog: ClassVar[tuple[SeriesSpec, ...]] = tuple(
        spec for specs in _SPECS.values() for spec in specs.values()
    )
    raw_patterns: ClassVar[tuple[str, ...]] = (_COINBASE_PATTERN, _YAHOO_PATTERN)

    def __init__(
        self, settings: Settings, *, start: date | None = None, today: date | None = None
    ) -> None:
        """``start`` defaults to :data:`COINBASE_FIRST_DAY`, ``today`` to the UTC date."""
        super().__init__(settings)
        self.start = start or COINBASE_FIRST_DAY
        self.today = today

    def requests(self) -> list[Request]:
        """One request per 300-day window, from ``start`` to the last complete UTC day."""
        today = self.today or datetime.now(UTC).date()
        base = self.base_url(COINBASE_URL).rstrip("/")
        return [
            Request(
                url=(
                    f"{base}/products/{PRODUCT}/candles?granularity={GRANULARITY_S}"
                    f"&start={first.isoformat()}T00:00:00Z&end={last.isoformat()}T23:59:59Z"
                ),
                raw_path=f"btc/coinbase_{PRODUCT}_1d_{first.isoformat()}_{last.isoformat()}.json",
            )
            for first, last in coinbase_windows(self.start, today - timedelta(days=1))
        ]

    def parse(self, payload: RawPayload) -> Dataset:
        """A Coinbase candles page or the Yahoo CSV to ``btc.<venue>.<field>`` series."""
        name = PurePosixPath(payload.raw_path).name
        if fnmatch(name, _YAHOO_PATTERN):
            return _parse_yahoo(ParseContext(payload, what="Yahoo BTC-USD daily CSV"))
        ctx = ParseContext(payload, what="Coinbase Exchange candles JSON array")
        match = _COINBASE_FILE.fullmatch(name)
        if match is None:
            raise ctx.error(
                "unknown file for the btc source",
                expected=(
                    "coinbase_BTC-USD_1d_<YYYY-MM-DD>_<YYYY-MM-DD>.json or BTC-USD_yahoo_daily.csv"
                ),
                found=payload.raw_path,
            )
        first, last = iso_days([match["first"], match["last"]], [1, 1], ctx, column="file name")
        if last < first:
            raise ctx.error(
                "the window in the file name ends before it starts",
                expected="coinbase_BTC-USD_1d_<first day>_<last day>.json",
                found=name,
            )
        return _parse_coinbase(ctx, first, last)


# --------------------------------------------------------------------------------------------
# shared checks and framing
# --------------------------------------------------------------------------------------------


def _check_candles(
    days: np.ndarray, columns: dict[str, np.ndarray], lines: Sequence[int], ctx: ParseContext
) -> None:
    """Positive prices, non-negative volume, low <= open/close <= high (NaN cells skipped)."""
    o, h, lo, c, v = (columns[f] for f in FIELDS)
    prices = np.stack([o, h, lo, c])
    checks = (
        ((prices <= 0).any(axis=0), "a price is not positive", "prices > 0"),
        (v < 0, "the volume is negative", "volume >= 0"),
        ((h < o) | (h < c), "high is below open or close", "high >= max(open, close)"),
        ((lo > o) | (lo > c), "low is above open or close", "low <= min(open, close)"),
    )
    for failed, message, expected in checks:
        if failed.any():
            i = int(np.flatnonzero(failed)[0])
            raise ctx.error(
                f"{message} on {days[i]}",
                row=lines[i],
                expected=expected,
                found=", ".join(f"{f}={columns[f][i]:g}" for f in FIELDS),
            )


def _frame(venue: str, days: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    specs = _SPECS[venue]
    stamps = days.astype("datetime64[ns]")
    published = releases.utc_day_close(pd.Series(stamps)).dt.tz_convert(None).to_numpy()
    return melt_wide(
        pd.DataFrame(columns),
        columns={field: specs[field].id for field in FIELDS},
        period_start=stamps,
        period_end=stamps,
        published_at=published,
    )


def _drop_open_days(
    days: np.ndarray, columns: dict[str, np.ndarray], fetched_at: datetime
) -> tuple[np.ndarray, dict[str, np.ndarray], tuple[str, ...]]:
    """Drop candles whose UTC day had not ended when the payload was fetched."""
    fetched = pd.Timestamp(fetched_at)
    fetched = fetched.tz_localize("UTC") if fetched.tzinfo is None else fetched.tz_convert("UTC")
    last_final = np.datetime64(fetched.tz_convert(None).floor("D"), "D") - np.timedelta64(1, "D")
    final = days <= last_final
    if final.all():
        return days, columns, ()
    note = f"{int((~final).sum())} candle(s) for a UTC day not yet over at fetch time dropped"
    return days[final], {f: col[final] for f, col in columns.items()}, (note,)


# --------------------------------------------------------------------------------------------
# Coinbase Exchange JSON
# --------------------------------------------------------------------------------------------


def _candle_table(doc: object, ctx: ParseContext) -> np.ndarray:
    """The candles as an (n, 6) float array: time, low, high, open, close, volume."""
    if isinstance(doc, dict) and "message" in doc:
        raise ctx.error(
            f"Coinbase error: {doc['message']}",
            expected="a JSON array of candles",
            found=json.dumps(doc)[:80],
        )
    if not isinstance(doc, list):
        raise ctx.error(
            "not a JSON array",
            expected="[[time, low, high, open, close, volume], ...]",
            found=json.dumps(doc)[:80],
        )
    if len(doc) > WINDOW_DAYS:
        raise ctx.error(
            "more candles than the API returns per request",
            row=WINDOW_DAYS + 1,
            expected=f"at most {WINDOW_DAYS} candles",
            found=f"{len(doc)} candles",
        )
    table = np.empty((len(doc), 6))
    for i, candle in enumerate(doc):
        table[i] = _candle_row(candle, i + 1, ctx)
    return table


def _candle_row(candle: object, number: int, ctx: ParseContext) -> list[float]:
    ok = (
        isinstance(candle, list)
        and len(candle) == 6
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in candle)
    )
    if ok:
        try:
            row = [float(x) for x in candle]  # type: ignore[union-attr]
        except OverflowError:
            ok = False
        else:
            ok = bool(np.isfinite(row).all())
    if not ok:
        raise ctx.error(
            f"candle {number} is not six finite numbers",
            row=number,
            expected="[time, low, high, open, close, volume]",
            found=json.dumps(candle)[:80],
        )
    return row


def _candle_days(
    times: np.ndarray, first: np.datetime64, last: np.datetime64, ctx: ParseContext
) -> np.ndarray:
    """Check candle times (UTC day starts, inside or before the window) and return keep mask."""
    first_s = float(first.astype("datetime64[s]").astype(np.int64))
    last_s = float(last.astype("datetime64[s]").astype(np.int64))
    problems = (
        (times > last_s, "a candle is after the requested window", f"a day up to {last}"),
        (times % GRANULARITY_S != 0, "a candle does not start a UTC day", "a multiple of 86400"),
    )
    for failed, message, expected in problems:
        if failed.any():
            i = int(np.flatnonzero(failed)[0])
            raise ctx.error(message, row=i + 1, expected=expected, found=f"time {times[i]:.0f}")
    unique, counts = np.unique(times, return_counts=True)
    if (counts > 1).any():
        twice = unique[counts > 1][0]
        rows = [int(i) + 1 for i in np.flatnonzero(times == twice)]
        raise ctx.error(
            f"the day {np.datetime64(int(twice), 's').astype('datetime64[D]')} appears twice",
            row=rows[1],
            expected="one candle per day",
            found=f"candles {rows}",
        )
    return times >= first_s


def _parse_coinbase(ctx: ParseContext, first: np.datetime64, last: np.datetime64) -> Dataset:
    table = _candle_table(load_json(ctx), ctx)
    inside = _candle_days(table[:, 0], first, last, ctx)
    notes: tuple[str, ...] = ()
    if not inside.all():
        notes = (f"{int((~inside).sum())} candle(s) before the window start {first} dropped",)
    numbers_1 = np.flatnonzero(inside) + 1
    table = table[inside]
    order = np.argsort(table[:, 0], kind="stable")
    table, numbers_1 = table[order], numbers_1[order]
    days = (table[:, 0] // GRANULARITY_S).astype(np.int64).astype("datetime64[D]")
    columns = {field: table[:, k + 1] for k, field in enumerate(_CANDLE)}
    _check_candles(days, columns, [int(n) for n in numbers_1], ctx)
    days, columns, open_notes = _drop_open_days(days, columns, ctx.payload.fetched_at)
    frame = _frame("coinbase", days, {f: columns[f] for f in FIELDS})
    return Dataset(frame=frame, series=tuple(_SPECS["coinbase"].values()), notes=notes + open_notes)


# --------------------------------------------------------------------------------------------
# Yahoo Finance CSV (third-party)
# --------------------------------------------------------------------------------------------


def _parse_yahoo(ctx: ParseContext) -> Dataset:
    def check_header(header: list[str]) -> None:
        if tuple(header) != _YAHOO_HEADER:
            raise ctx.error(
                "unexpected header",
                row=1,
                expected=",".join(_YAHOO_HEADER),
                found=",".join(header),
            )

    fast = dated_numbers(ctx, width=len(_YAHOO_HEADER))
    if fast is not None:
        header, days, values = fast
        check_header(header)
        lines: Sequence[int] = range(2, len(days) + 2)
        check_increasing(days, lines, ctx)
        columns = dict(zip(FIELDS, values, strict=True))
    else:
        _, lines, cells = csv_columns(ctx, check_header=check_header)
        days = iso_days(cells[0], lines, ctx, column="Date")
        check_increasing(days, lines, ctx)
        columns = {
            field: numbers(column, lines, ctx, column=name)
            for field, name, column in zip(FIELDS, _YAHOO_HEADER[1:], cells[1:], strict=True)
        }
    _check_candles(days, columns, lines, ctx)
    days, columns, notes = _drop_open_days(days, columns, ctx.payload.fetched_at)
    return Dataset(
        frame=_frame("yahoo", days, columns), series=tuple(_SPECS["yahoo"].values()), notes=notes
    )
