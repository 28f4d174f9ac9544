"""Release schedules: when an observation became public.

Each function takes the period's end dates (or the "as of" dates) as a
datetime64 Series and returns the publication instants as a UTC Series. They
encode the sources' published schedules; where an official schedule varies
(holidays, occasional delays), the rule below is an approximation and says so.
The store keeps these instants so that any analysis can be run "as of" a date
without look-ahead; the future watch mode reads the same rules to know when
the next figure is due.

- :func:`mof_weekly` (MoF weekly flows): the Thursday after the Sunday-Saturday
  week, 08:50 Tokyo.
- :func:`mof_monthly` (MoF monthly flows): the 8th of the next month (next weekday
  if a weekend), 08:50 Tokyo; approximate.
- :func:`jgb_daily` (MoF JGB yields): the same business day, 18:00 Tokyo; approximate.
- :func:`tic_monthly` (US Treasury TIC): the 18th of the second month after (next
  weekday), 16:00 New York; approximate.
- :func:`cftc_weekly` (CFTC COT): the Friday after the Tuesday "as of" date, 15:30
  New York.
- :func:`us_next_business_day` (H.15 rates, market closes): the next weekday, 16:15
  New York.
- :func:`fed_h10_weekly` (H.10 FX rates, DEXJPUS): the Monday after the
  observation's week, 16:15 New York.
- :func:`fed_h41_weekly` (H.4.1, WALCL Wednesday level): Thursday, 16:30 New York.
- :func:`monthly_with_lag` (OECD and other monthly data): a fixed number of days
  after the month end.
- :func:`utc_day_close` (Bitcoin daily candles): 00:00 UTC after the UTC day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yenflow.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "at_local_time",
    "cftc_weekly",
    "fed_h10_weekly",
    "fed_h41_weekly",
    "jgb_daily",
    "mof_monthly",
    "mof_weekly",
    "monthly_with_lag",
    "roll_to_weekday",
    "tic_monthly",
    "us_next_business_day",
    "utc_day_close",
]

TOKYO = "Asia/Tokyo"
NEW_YORK = "America/New_York"


def _dates(dates: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """Calendar days (midnight, tz-naive) as a Series, keeping the index, name and unit.

    Naive datetime64 values are floored to the day in numpy (``Series.dt.normalize`` would
    also infer a frequency, the larger part of its cost); anything else goes through pandas.
    """
    # a naive datetime Series is taken as it is: pd.to_datetime would return the same values
    naive = isinstance(dates, pd.Series) and isinstance(dates.dtype, np.dtype)
    series = dates if naive and dates.dtype.kind == "M" else pd.Series(pd.to_datetime(dates))
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "M":
        values = series.to_numpy()
        days = values.astype("datetime64[D]").astype(values.dtype)
        return pd.Series(days, index=series.index, name=series.name)
    return series.dt.normalize().dt.tz_localize(None)


def _weekdays(days: pd.Series) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 of :func:`_dates` output (-1 for NaT)."""
    values = days.to_numpy().astype("datetime64[D]")
    weekday = (values.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    return np.where(np.isnat(values), -1, weekday)


def _plus_days(days: pd.Series, count: np.ndarray) -> pd.Series:
    """``days`` plus ``count`` whole days (as ``days + pd.to_timedelta(counts, unit="D")``)."""
    step = pd.to_timedelta(pd.Series(count, index=days.index, name=days.name), unit="D")
    return days + step


def at_local_time(dates: pd.Series, *, time: str, tz: str) -> pd.Series:
    """Combine calendar dates with a wall-clock ``time`` ("HH:MM") in ``tz``; return UTC."""
    hours, minutes = (int(x) for x in time.split(":"))
    local = _dates(dates) + pd.Timedelta(hours=hours, minutes=minutes)
    if isinstance(local.dtype, np.dtype):  # naive: localize the array, not through .dt
        instants = local.array.tz_localize(tz, nonexistent="shift_forward", ambiguous="NaT")
        return pd.Series(instants.tz_convert("UTC"), index=local.index, name=local.name)
    return local.dt.tz_localize(tz, nonexistent="shift_forward", ambiguous="NaT").dt.tz_convert(
        "UTC"
    )


def roll_to_weekday(dates: pd.Series) -> pd.Series:
    """Move Saturday and Sunday to the following Monday."""
    d = _dates(dates)
    weekday = _weekdays(d)
    return _plus_days(d, np.select([weekday == 5, weekday == 6], [2, 1], 0))


def _next_weekday_after(dates: pd.Series, weekday: int) -> pd.Series:
    """The first ``weekday`` (Mon=0) strictly after each date."""
    d = _dates(dates)
    current = _weekdays(d)
    delta = np.where(current < 0, 0, (weekday - current - 1) % 7 + 1)
    return _plus_days(d, delta)


def mof_weekly(week_end: pd.Series) -> pd.Series:
    """MoF weekly figures: the Thursday after the Saturday that ends the week, 08:50 JST."""
    return at_local_time(_next_weekday_after(week_end, 3), time="08:50", tz=TOKYO)


def mof_monthly(month_end: pd.Series) -> pd.Series:
    """MoF monthly figures: about the 8th of the next month, 08:50 JST (approximation)."""
    first_next = _dates(month_end) + pd.offsets.MonthBegin(1)
    return at_local_time(roll_to_weekday(first_next + pd.Timedelta(days=7)), time="08:50", tz=TOKYO)


def jgb_daily(dates: pd.Series) -> pd.Series:
    """MoF JGB yields: published the same business day; 18:00 JST assumed."""
    return at_local_time(dates, time="18:00", tz=TOKYO)


def tic_monthly(month_end: pd.Series) -> pd.Series:
    """TIC holdings: about the 18th of the second month after the month, 16:00 New York."""
    first = _dates(month_end) + pd.offsets.MonthBegin(2)
    return at_local_time(roll_to_weekday(first + pd.Timedelta(days=17)), time="16:00", tz=NEW_YORK)


def cftc_weekly(as_of: pd.Series) -> pd.Series:
    """CFTC Commitments of Traders: the Friday after the Tuesday "as of" date, 15:30 New York."""
    return at_local_time(_next_weekday_after(as_of, 4), time="15:30", tz=NEW_YORK)


def us_next_business_day(dates: pd.Series) -> pd.Series:
    """H.15 yields and US market closes on FRED: the next weekday, 16:15 New York."""
    nxt = _dates(dates) + pd.Timedelta(days=1)
    return at_local_time(roll_to_weekday(nxt), time="16:15", tz=NEW_YORK)


def fed_h10_weekly(dates: pd.Series) -> pd.Series:
    """H.10 exchange rates: released each Monday for the previous week, 16:15 New York."""
    return at_local_time(_next_weekday_after(dates, 0), time="16:15", tz=NEW_YORK)


def fed_h41_weekly(dates: pd.Series) -> pd.Series:
    """H.4.1 (Wednesday levels): released the next day, Thursday, 16:30 New York."""
    return at_local_time(_dates(dates) + pd.Timedelta(days=1), time="16:30", tz=NEW_YORK)


def monthly_with_lag(month_end: pd.Series, *, days: int) -> pd.Series:
    """Monthly data published ``days`` after the month end, 12:00 UTC (approximation)."""
    return at_local_time(_dates(month_end) + pd.Timedelta(days=days), time="12:00", tz="UTC")


def utc_day_close(dates: pd.Series) -> pd.Series:
    """A daily candle is final at 00:00 UTC after its UTC day."""
    return at_local_time(_dates(dates) + pd.Timedelta(days=1), time="00:00", tz="UTC")
