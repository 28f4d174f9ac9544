"""FRED (Federal Reserve Bank of St. Louis): USD/JPY, US yields, Japanese rates, risk gauges.

Two transports, chosen by whether ``FRED_API_KEY`` is set:

no key (default)
    ``https://fred.stlouisfed.org/graph/fredgraph.csv?id=<ID>``, saved as
    ``fred/<ID>.csv``. Header ``observation_date,<ID>`` (older downloads and
    pandas re-serializations: ``DATE,<ID>``), then one ``YYYY-MM-DD,value`` row
    per date, LF line ends, final newline. A missing observation is an empty
    cell (current FRED) or ``.`` (older files).
with a key
    the official API ``https://api.stlouisfed.org/fred/series/observations?
    series_id=<ID>&api_key=<KEY>&file_type=json``, saved as ``fred/<ID>.json``
    (the key is in the URL only, never in the raw path). Body
    ``{"units": "lin", "count": n, "offset": 0, "observations": [{"date":
    "YYYY-MM-DD", "value": "1.23" | "."}, ...]}``; errors come as
    ``{"error_code": 400, "error_message": "..."}``.

The series id comes from the CSV header (or, for JSON, the request URL or the
file name), never from a renamed file such as ``DEXJPUS_1971-2026_pandas.csv``.
Each known series has a :class:`FredSeries` entry with its unit, its period
(a day, or a calendar month for FRED's first-of-month monthly dates) and its
publication rule from :mod:`yenflow.releases`; any other configured id still
parses with a generic spec (unit ``"see FRED"``, frequency inferred from the
dates, ``published_at`` = fetch time).

Parsing is vectorized with numpy: DGS10's 16,798 rows take a few milliseconds;
the slow row-by-row path only runs to name the row of an error.

The CSV is read by :func:`yenflow.sources.parsing.csv_columns` (pandas' C reader
for a plain table, the csv module otherwise); dates and numbers by the shared
vectorized helpers of :mod:`yenflow.sources.parsing`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from yenflow import releases
from yenflow.errors import ConfigError
from yenflow.frame import Dataset, Frequency, SeriesSpec
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload, Request
from yenflow.sources.base import Source
from yenflow.sources.parsing import (
    ParseContext,
    check_increasing,
    csv_columns,
    date_number_columns,
    iso_days,
    load_json,
    numbers,
    series_frame,
    weekday_numbers,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "API_URL",
    "CSV_URL",
    "DEFAULT_SERIES",
    "KNOWN_SERIES",
    "FredSeries",
    "FredSource",
]

CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
API_URL = "https://api.stlouisfed.org/fred/series/observations"
#: settings key of the API base URL (``YENFLOW_FRED_API_BASE_URL``).
API_SETTINGS_NAME = "fred_api"

#: a FRED series id: upper-case letters, digits, underscores (``IR3TIB01JPM156N``).
FRED_ID = re.compile(r"[A-Z0-9][A-Z0-9_]{0,44}")
_DATE_HEADERS = ("observation_date", "DATE")
_PLACEHOLDERS = ("", ".")

PeriodKind = Literal["day", "month", "quarter", "year"]
_MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
_WEEKDAYS = frozenset(range(5))
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --------------------------------------------------------------------------------------------
# catalog
# --------------------------------------------------------------------------------------------


def _next_day_utc_close(dates: pd.Series) -> pd.Series:
    """FRED posts a 7-day series' value the day after: 00:00 UTC two days after the day."""
    return releases.utc_day_close(pd.Series(pd.to_datetime(dates)) + pd.Timedelta(days=1))


_OECD_LAG_DAYS = 45


@dataclass(frozen=True)
class FredSeries:
    """What yenflow knows about one FRED series.

    Attributes:
        title, unit, frequency: as in :class:`SeriesSpec`.
        rule: publication rule (period end dates -> UTC instants), from
            :mod:`yenflow.releases`.
        schedule: that rule in words, for the description.
        period: ``day`` (the observation date itself: daily values, weekly
            levels) or ``month`` (FRED dates a month by its first day).
        weekdays: the days of the week observations may fall on (Mon = 0),
            checked on parse; None for 7-day series.
        notes: coverage, basis, caveats.
    """

    title: str
    unit: str
    frequency: Frequency
    rule: Callable[[pd.Series], pd.Series]
    schedule: str
    period: PeriodKind = "day"
    weekdays: frozenset[int] | None = None
    notes: str = ""

    def spec(self, series_id: str) -> SeriesSpec:
        """The catalog entry ``fred.<ID>``."""
        return SeriesSpec(
            id=f"fred.{series_id}",
            source="fred",
            title=self.title,
            unit=self.unit,
            frequency=self.frequency,
            description=(
                f"FRED series {series_id} (https://fred.stlouisfed.org/series/{series_id}). "
                f"{self.notes} Published: {self.schedule}."
            ).replace("  ", " "),
        )


_H10 = (
    "H.10 weekly release, the Monday after the observation's week, 16:15 New York (fed_h10_weekly)"
)
_H15 = "H.15, the next weekday, 16:15 New York (us_next_business_day)"
_CLOSE = "on FRED the next weekday, 16:15 New York (us_next_business_day, an approximation)"
_OECD = (
    f"OECD Main Economic Indicators via FRED, taken as {_OECD_LAG_DAYS} days after the month "
    f"end, 12:00 UTC (monthly_with_lag(days={_OECD_LAG_DAYS}), an approximation)"
)
_OECD_RULE = partial(releases.monthly_with_lag, days=_OECD_LAG_DAYS)


def _treasury(title: str, basis: str) -> FredSeries:
    return FredSeries(
        title=title,
        unit="percent",
        frequency="daily",
        rule=releases.us_next_business_day,
        schedule=_H15,
        weekdays=_WEEKDAYS,
        notes=f"Percent per annum, {basis}. Blank on US market holidays.",
    )


def _close(title: str, unit: str, notes: str) -> FredSeries:
    return FredSeries(
        title=title,
        unit=unit,
        frequency="daily",
        rule=releases.us_next_business_day,
        schedule=_CLOSE,
        weekdays=_WEEKDAYS,
        notes=notes,
    )


def _oecd(title: str, notes: str) -> FredSeries:
    return FredSeries(
        title=title,
        unit="percent",
        frequency="monthly",
        rule=_OECD_RULE,
        schedule=_OECD,
        period="month",
        notes=f"Percent per annum, monthly (FRED dates a month by its first day). {notes}",
    )


#: every FRED series yenflow has metadata for, by FRED id.
KNOWN_SERIES: dict[str, FredSeries] = {
    "DEXJPUS": FredSeries(
        title="Japanese yen per US dollar, noon buying rate in New York (H.10)",
        unit="JPY per USD",
        frequency="daily",
        rule=releases.fed_h10_weekly,
        schedule=_H10,
        weekdays=_WEEKDAYS,
        notes="Daily noon New York rate; higher = weaker yen. Blank on US holidays.",
    ),
    "EXJPUS": FredSeries(
        title="Japanese yen per US dollar, monthly average (G.5)",
        unit="JPY per USD",
        frequency="monthly",
        rule=releases.fed_h10_weekly,
        schedule=(
            "G.5 monthly release, taken as the Monday after the month's last day, "
            "16:15 New York (fed_h10_weekly on the month end, an approximation)"
        ),
        period="month",
        notes="Average of the month's daily noon rates (DEXJPUS); higher = weaker yen.",
    ),
    "DTB3": _treasury(
        "3-month Treasury bill, secondary market rate (H.15)",
        "discount basis (not comparable one-for-one with the investment-basis DGS3MO)",
    ),
    "DGS3MO": _treasury(
        "3-month Treasury constant maturity yield (H.15)", "investment (bond-equivalent) basis"
    ),
    "DGS2": _treasury(
        "2-year Treasury constant maturity yield (H.15)", "investment (bond-equivalent) basis"
    ),
    "DGS10": _treasury(
        "10-year Treasury constant maturity yield (H.15)", "investment (bond-equivalent) basis"
    ),
    "IR3TIB01JPM156N": _oecd(
        "Japan 3-month interbank rate (OECD)", "Monthly average of the 3-month rate."
    ),
    "IRLTLT01JPM156N": _oecd(
        "Japan 10-year government bond yield, monthly (OECD)",
        "Long-term government bond yield; the daily MoF curve is in the jgb source.",
    ),
    "SP500": _close(
        "S&P 500 index, daily close",
        "index points",
        "Price index (dividends not included); FRED distributes only the last 10 years.",
    ),
    "NIKKEI225": _close(
        "Nikkei 225 stock average, daily close",
        "index points (JPY)",
        "Tokyo close, a JPY-denominated index.",
    ),
    "VIXCLS": _close(
        "CBOE Volatility Index (VIX), daily close",
        "index points",
        "30-day implied volatility of the S&P 500, in annualized percentage points.",
    ),
    "WALCL": FredSeries(
        title="Federal Reserve total assets, Wednesday level (H.4.1)",
        unit="USD millions",
        frequency="weekly",
        rule=releases.fed_h41_weekly,
        schedule="H.4.1, the Thursday after the Wednesday, 16:30 New York (fed_h41_weekly)",
        weekdays=frozenset({2}),
        notes="Level of the Fed's balance sheet on each Wednesday (a stock, not a weekly average).",
    ),
    "CBBTCUSD": FredSeries(
        title="Coinbase Bitcoin price (USD per 1 BTC)",
        unit="USD",
        frequency="daily",
        rule=_next_day_utc_close,
        schedule=(
            "the day after, taken as 00:00 UTC two days after the observation day "
            "(utc_day_close of the next day, an approximation)"
        ),
        notes="Price of one bitcoin on Coinbase, 7 days a week.",
    ),
    "BAMLH0A0HYM2": FredSeries(
        title="ICE BofA US High Yield Index option-adjusted spread",
        unit="percent",
        frequency="daily",
        rule=releases.us_next_business_day,
        schedule=_CLOSE,
        notes=(
            "Spread over Treasuries in percentage points; FRED serves only about the last "
            "5 years of ICE BofA data. A few weekend dates occur."
        ),
    ),
}

#: the series fetched unless ``YENFLOW_FRED_SERIES`` says otherwise.
DEFAULT_SERIES: tuple[str, ...] = (
    "DEXJPUS",
    "DTB3",
    "DGS3MO",
    "DGS2",
    "DGS10",
    "IR3TIB01JPM156N",
    "IRLTLT01JPM156N",
    "SP500",
    "NIKKEI225",
    "VIXCLS",
    "WALCL",
    "EXJPUS",
    "CBBTCUSD",
    "BAMLH0A0HYM2",
)


def _generic_spec(series_id: str, frequency: Frequency) -> SeriesSpec:
    return SeriesSpec(
        id=f"fred.{series_id}",
        source="fred",
        title=f"FRED series {series_id}",
        unit="see FRED",
        frequency=frequency,
        description=(
            f"FRED series {series_id} (https://fred.stlouisfed.org/series/{series_id}), not in "
            "yenflow's catalog: the unit is FRED's (see the series page), the frequency is "
            "inferred from the dates and published_at is the fetch time."
        ),
    )


def _infer_frequency(days: np.ndarray) -> tuple[Frequency, PeriodKind]:
    """Frequency and period of an unknown series, from its dates."""
    if len(days) < 2:
        return "daily", "day"
    months = days.astype("datetime64[M]")
    if (months.astype("datetime64[D]") == days).all():
        index = months.astype(np.int64)  # months since 1970-01 (January = 0 mod 12)
        for frequency, kind in (("annual", "year"), ("quarterly", "quarter")):
            step = _MONTHS_PER_PERIOD[kind]
            if (index % step == 0).all():
                return frequency, kind  # type: ignore[return-value]
        return "monthly", "month"
    if (np.diff(days.astype(np.int64)) % 7 == 0).all():
        return "weekly", "day"
    return "daily", "day"


# --------------------------------------------------------------------------------------------
# the source
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Observations:
    series_id: str
    days: np.ndarray  # datetime64[D]
    values: np.ndarray  # float64, NaN = published placeholder
    lines: Sequence[int]  # file line (CSV) or observation number (JSON) of each value


class FredSource(Source):
    """FRED series: yen, US yields, Japanese rates, equity and volatility indices, Fed assets."""

    name: ClassVar[str] = "fred"
    title: ClassVar[str] = "FRED, Federal Reserve Bank of St. Louis"
    homepage: ClassVar[str] = "https://fred.stlouisfed.org/"
    requires_key: ClassVar[bool] = False
    catalog: ClassVar[tuple[SeriesSpec, ...]] = tuple(
        known.spec(series_id) for series_id, known in KNOWN_SERIES.items()
    )
    raw_patterns: ClassVar[tuple[str, ...]] = ("*.csv", "*.json")

    def series_ids(self) -> tuple[str, ...]:
        """The FRED ids to fetch: ``settings.fred_series`` or :data:`DEFAULT_SERIES`."""
        ids: list[str] = []
        for raw in self.settings.fred_series or DEFAULT_SERIES:
            series_id = raw.strip().upper()
            if not FRED_ID.fullmatch(series_id):
                msg = (
                    f"YENFLOW_FRED_SERIES: {raw!r} is not a FRED series id; use ids such as "
                    "DEXJPUS,DGS10 (letters, digits, underscores)"
                )
                raise ConfigError(msg)
            if series_id not in ids:
                ids.append(series_id)
        return tuple(ids)

    def requests(self) -> list[Request]:
        """One request per series: the JSON API with a key, else the no-key CSV endpoint."""
        key = self.settings.fred_api_key
        if key:
            base = self.settings.base_url(API_SETTINGS_NAME, API_URL)
            return [
                Request(url=f"{base}?{_api_query(sid, key)}", raw_path=f"fred/{sid}.json")
                for sid in self.series_ids()
            ]
        base = self.base_url(CSV_URL)
        return [
            Request(url=f"{base}?id={sid}", raw_path=f"fred/{sid}.csv") for sid in self.series_ids()
        ]

    def parse(self, payload: RawPayload) -> Dataset:
        """A FRED CSV or JSON payload to one series (values in the series' unit)."""
        ctx = ParseContext(
            payload, what="FRED series file (CSV 'observation_date,<ID>' or API JSON)"
        )
        observations = _read_json(ctx) if _is_json(payload) else _read_csv(ctx)
        return _dataset(observations, ctx)


def _api_query(series_id: str, key: str) -> str:
    return urlencode({"series_id": series_id, "api_key": key, "file_type": "json"})


def _is_json(payload: RawPayload) -> bool:
    suffix = PurePosixPath(payload.raw_path).suffix.lower()
    if suffix in (".json", ".csv"):
        return suffix == ".json"
    return payload.content.lstrip()[:1] == b"{"


def _requested_id(payload: RawPayload) -> str | None:
    """The series id in the request URL (``id=`` or ``series_id=``), if any."""
    query = parse_qs(urlsplit(payload.url).query)
    values = query.get("id") or query.get("series_id")
    return values[0].strip().upper() if values else None


def _check_requested(series_id: str, ctx: ParseContext) -> None:
    requested = _requested_id(ctx.payload)
    if requested is not None and requested != series_id:
        raise ctx.error(
            "the file is for another series than the one requested",
            row=1,
            expected=f"series {requested}",
            found=series_id,
        )


def _read_csv(ctx: ParseContext) -> _Observations:
    def check_header(header: list[str]) -> None:
        if len(header) != 2 or header[0] not in _DATE_HEADERS or not FRED_ID.fullmatch(header[1]):
            raise ctx.error(
                "unexpected header",
                row=1,
                expected="2 columns 'observation_date,<FRED ID>' (or 'DATE,<FRED ID>')",
                found=",".join(header),
            )
        _check_requested(header[1], ctx)

    fast = date_number_columns(ctx, missing=_PLACEHOLDERS)
    if fast is not None:
        header, days, values = fast
        check_header(header)
        return _Observations(header[1], days, values, range(2, len(days) + 2))
    header, lines, columns = csv_columns(ctx, check_header=check_header)
    series_id = header[1]
    dates, cells = columns
    return _Observations(
        series_id=series_id,
        days=iso_days(dates, lines, ctx, column=header[0]),
        values=numbers(cells, lines, ctx, column=series_id, missing=_PLACEHOLDERS),
        lines=lines,
    )


def _json_series_id(ctx: ParseContext) -> str:
    series_id = _requested_id(ctx.payload) or PurePosixPath(ctx.payload.raw_path).stem.upper()
    if not FRED_ID.fullmatch(series_id):
        raise ctx.error(
            "cannot tell which series this JSON file holds",
            expected="a request URL with series_id=<ID>, or a file named <FRED ID>.json",
            found=ctx.payload.raw_path,
        )
    return series_id


def _json_observations(ctx: ParseContext) -> list[object]:
    """The ``observations`` array, after the API's error, units and paging checks."""
    doc = load_json(ctx)
    if isinstance(doc, dict) and ("error_code" in doc or "error_message" in doc):
        raise ctx.error(
            f"FRED API error {doc.get('error_code')}: {doc.get('error_message')}",
            expected="a series/observations response",
            found=json.dumps(doc)[:80],
        )
    if not isinstance(doc, dict) or not isinstance(doc.get("observations"), list):
        raise ctx.error(
            "no 'observations' array",
            expected='an object {"observations": [{"date": ..., "value": ...}, ...]}',
            found=json.dumps(doc)[:80],
        )
    units = doc.get("units", "lin")
    if units != "lin":
        raise ctx.error(
            "the values are transformed, not levels", expected="units 'lin'", found=units
        )
    observations: list[object] = doc["observations"]
    count, offset = doc.get("count"), doc.get("offset", 0)
    if _is_int(count) and _is_int(offset) and count > offset + len(observations):
        raise ctx.error(
            "the response holds only one page of the series",
            expected=f"all {count} observations (offset {offset})",
            found=f"{len(observations)} observations",
        )
    return observations


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _read_json(ctx: ParseContext) -> _Observations:
    series_id = _json_series_id(ctx)
    observations = _json_observations(ctx)
    dates: list[str] = []
    cells: list[str] = []
    for number, obs in enumerate(observations, start=1):
        date_cell = obs.get("date") if isinstance(obs, dict) else None
        value = obs.get("value") if isinstance(obs, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = repr(value)
        if not isinstance(date_cell, str) or not isinstance(value, str):
            raise ctx.error(
                f"observation {number} lacks a 'date' or 'value' string",
                row=number,
                expected='{"date": "YYYY-MM-DD", "value": "1.23" or "."}',
                found=json.dumps(obs)[:80],
            )
        dates.append(date_cell)
        cells.append(value)
    lines = range(1, len(dates) + 1)
    return _Observations(
        series_id=series_id,
        days=iso_days(dates, lines, ctx, column="date"),
        values=numbers(cells, lines, ctx, column="value", missing=_PLACEHOLDERS),
        lines=lines,
    )


def _periods(
    days: np.ndarray, lines: Sequence[int], ctx: ParseContext, kind: PeriodKind
) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive (start, end) of each observation's period; months must be dated on the 1st."""
    if kind == "day":
        return days, days
    step = _MONTHS_PER_PERIOD[kind]
    months = days.astype("datetime64[M]")
    aligned = (months.astype("datetime64[D]") == days) & (months.astype(np.int64) % step == 0)
    if not aligned.all():
        i = int(np.flatnonzero(~aligned)[0])
        raise ctx.error(
            f"a {kind} is not dated on its first day",
            row=lines[i],
            expected=f"the first day of a {kind} (YYYY-MM-01)",
            found=str(days[i]),
        )
    return days, (months + step).astype("datetime64[D]") - np.timedelta64(1, "D")


def _check_weekdays(obs: _Observations, allowed: frozenset[int] | None, ctx: ParseContext) -> None:
    if allowed is None or not len(obs.days):
        return
    bad = np.flatnonzero(~np.isin(weekday_numbers(obs.days), sorted(allowed)))
    if bad.size:
        i = int(bad[0])
        day_name = _DAY_NAMES[int(weekday_numbers(obs.days[i : i + 1])[0])]
        raise ctx.error(
            f"{obs.series_id} has an observation on a {day_name}",
            row=obs.lines[i],
            expected=" or ".join(_DAY_NAMES[d] for d in sorted(allowed)),
            found=str(obs.days[i]),
        )


def _utc(moment: datetime) -> pd.Timestamp:
    """A fetch time as a UTC timestamp (a naive one is taken as UTC)."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _dataset(obs: _Observations, ctx: ParseContext) -> Dataset:
    check_increasing(obs.days, obs.lines, ctx)
    known = KNOWN_SERIES.get(obs.series_id)
    if known is not None:
        _check_weekdays(obs, known.weekdays, ctx)
        spec, kind = known.spec(obs.series_id), known.period
    else:
        frequency, kind = _infer_frequency(obs.days)
        spec = _generic_spec(obs.series_id, frequency)
    starts, ends = _periods(obs.days, obs.lines, ctx, kind)
    keep = ~np.isnan(obs.values)
    ends_kept = pd.Series(ends[keep].astype("datetime64[ns]"))
    if known is not None:
        published = known.rule(ends_kept)
    else:
        published = pd.Series(_utc(ctx.payload.fetched_at), index=ends_kept.index)
    frame = series_frame(spec.id, starts[keep], ends[keep], obs.values[keep], published)
    dropped = int((~keep).sum())
    notes = (f"{obs.series_id}: {dropped} missing observations (blank or '.') dropped",)
    return Dataset(frame=frame, series=(spec,), notes=notes if dropped else ())
