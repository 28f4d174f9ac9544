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

from collections.abc import Hashable
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


class _Days:
    """Calendar days (midnight, tz-naive): numpy datetime64 values (the unit pandas would
    keep) with the index and name of the Series pandas would build. The rules compute on
    these in numpy and make one Series at the end; the results equal the Series arithmetic
    they replace (``+ pd.Timedelta``, ``+ pd.offsets.MonthBegin``, ``.dt.tz_localize``)."""

    def __init__(self, values: np.ndarray, index: pd.Index, name: Hashable) -> None:
        self.values, self.index, self.name = values, index, name

    @classmethod
    def of(cls, dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> _Days:
        """The days of ``dates`` (``pd.Series(pd.to_datetime(dates)).dt.normalize()``, tz
        dropped). Naive values are floored in numpy: ``Series.dt.normalize`` would also infer
        a frequency, the larger part of its cost."""
        naive = isinstance(dates, pd.Series) and isinstance(dates.dtype, np.dtype)
        series = dates if naive and dates.dtype.kind == "M" else pd.Series(pd.to_datetime(dates))
        if not (isinstance(series.dtype, np.dtype) and series.dtype.kind == "M"):
            series = series.dt.normalize().dt.tz_localize(None)
        values = series.to_numpy()
        return cls(values.astype("datetime64[D]").astype(values.dtype), series.index, series.name)

    def series(self) -> pd.Series:
        return pd.Series(self.values, index=self.index, name=self.name)

    def plus_days(self, count: int | np.ndarray) -> _Days:
        """``+ pd.Timedelta(days=count)`` (or ``pd.to_timedelta(count, unit="D")``): pandas'
        timedeltas are in microseconds, so the unit becomes at least ``us``."""
        unit = np.result_type(self.values.dtype, np.dtype("timedelta64[us]"))
        shifted = self.values + np.asarray(count).astype("timedelta64[D]")
        return _Days(shifted.astype(unit), self.index, self.name)

    def month_begin(self, months: int) -> _Days:
        """``+ pd.offsets.MonthBegin(months)`` (months >= 1): the first of the month
        ``months`` after (the unit is kept)."""
        firsts = (self.values.astype("datetime64[M]") + months).astype(self.values.dtype)
        return _Days(firsts, self.index, self.name)

    def weekdays(self) -> np.ndarray:
        """Monday = 0 ... Sunday = 6 (-1 for NaT)."""
        days = self.values.astype("datetime64[D]")
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        return np.where(np.isnat(days), -1, weekday)

    def roll_to_weekday(self) -> _Days:
        weekday = self.weekdays()
        return self.plus_days(np.select([weekday == 5, weekday == 6], [2, 1], 0))

    def next_weekday_after(self, weekday: int) -> _Days:
        current = self.weekdays()
        return self.plus_days(np.where(current < 0, 0, (weekday - current - 1) % 7 + 1))

    def at(self, time: str, tz: str) -> pd.Series:
        """The instants (UTC) of wall-clock ``time`` ("HH:MM") in ``tz`` on these days."""
        hours, minutes = (int(x) for x in time.split(":"))
        unit = np.result_type(self.values.dtype, np.dtype("timedelta64[us]"))
        local = (self.values + np.timedelta64(hours * 60 + minutes, "m")).astype(unit)
        instants = pd.DatetimeIndex(local).tz_localize(
            tz, nonexistent="shift_forward", ambiguous="NaT"
        )
        return pd.Series(instants.tz_convert("UTC"), index=self.index, name=self.name)


def at_local_time(dates: pd.Series, *, time: str, tz: str) -> pd.Series:
    """Combine calendar dates with a wall-clock ``time`` ("HH:MM") in ``tz``; return UTC."""
    return _Days.of(dates).at(time, tz)


def roll_to_weekday(dates: pd.Series) -> pd.Series:
    """Move Saturday and Sunday to the following Monday."""
    return _Days.of(dates).roll_to_weekday().series()


def mof_weekly(week_end: pd.Series) -> pd.Series:
    """MoF weekly figures: the Thursday after the Saturday that ends the week, 08:50 JST."""
    return _Days.of(week_end).next_weekday_after(3).at("08:50", TOKYO)


def mof_monthly(month_end: pd.Series) -> pd.Series:
    """MoF monthly figures: about the 8th of the next month, 08:50 JST (approximation)."""
    first_next = _Days.of(month_end).month_begin(1)
    return first_next.plus_days(7).roll_to_weekday().at("08:50", TOKYO)


def jgb_daily(dates: pd.Series) -> pd.Series:
    """MoF JGB yields: published the same business day; 18:00 JST assumed."""
    return at_local_time(dates, time="18:00", tz=TOKYO)


def tic_monthly(month_end: pd.Series) -> pd.Series:
    """TIC holdings: about the 18th of the second month after the month, 16:00 New York."""
    first = _Days.of(month_end).month_begin(2)
    return first.plus_days(17).roll_to_weekday().at("16:00", NEW_YORK)


def cftc_weekly(as_of: pd.Series) -> pd.Series:
    """CFTC Commitments of Traders: the Friday after the Tuesday "as of" date, 15:30 New York."""
    return _Days.of(as_of).next_weekday_after(4).at("15:30", NEW_YORK)


def us_next_business_day(dates: pd.Series) -> pd.Series:
    """H.15 yields and US market closes on FRED: the next weekday, 16:15 New York."""
    return _Days.of(dates).plus_days(1).roll_to_weekday().at("16:15", NEW_YORK)


def fed_h10_weekly(dates: pd.Series) -> pd.Series:
    """H.10 exchange rates: released each Monday for the previous week, 16:15 New York."""
    return _Days.of(dates).next_weekday_after(0).at("16:15", NEW_YORK)


def fed_h41_weekly(dates: pd.Series) -> pd.Series:
    """H.4.1 (Wednesday levels): released the next day, Thursday, 16:30 New York."""
    return _Days.of(dates).plus_days(1).at("16:30", NEW_YORK)


def monthly_with_lag(month_end: pd.Series, *, days: int) -> pd.Series:
    """Monthly data published ``days`` after the month end, 12:00 UTC (approximation)."""
    return _Days.of(month_end).plus_days(days).at("12:00", "UTC")


def utc_day_close(dates: pd.Series) -> pd.Series:
    """A daily candle is final at 00:00 UTC after its UTC day."""
    return _Days.of(dates).plus_days(1).at("00:00", "UTC")
