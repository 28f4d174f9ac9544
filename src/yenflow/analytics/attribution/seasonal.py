"""The same calendar window in other years (leave the episode's year out).

All-investor episodes use MoF's weekly flow: for an episode of ``L`` weeks starting on
``start``, the window of year ``y`` is the ``L`` consecutive MoF weeks from the first week
whose Wednesday is on or after ``start`` moved to year ``y`` (29 February becomes
28 February). Investor-type episodes use that investor's own monthly flow: the window is
the episode's calendar months (:meth:`~.episode.Episode.months`) moved to year ``y``.

Years whose window is incomplete, and the episode's own year, are left out; only
observations public at the cut-off are used (the evidence frame is already cut). Only years
on the episode's side of MoF's January 2014 break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.episode import Evidence, episode_weeks

__all__ = ["SeasonalWindows", "seasonal_windows"]


@dataclass(frozen=True)
class SeasonalWindows:
    """The episode's flow and the same window's flow in other years (¥100 million).

    ``length`` is the window's number of weeks (``frequency == "weekly"``) or calendar
    months (``"monthly"``); ``all_windows_mean`` is the mean of every ``length``-period
    rolling window in the same years, the baseline against which a seasonal tendency is
    measured.
    """

    observed: float
    length: int
    years: tuple[int, ...]
    values: np.ndarray
    all_windows_mean: float
    frequency: Literal["weekly", "monthly"] = "weekly"
    series_id: str = ""

    @property
    def span(self) -> str:
        """``"weeks"`` or ``"months"``: what :attr:`length` counts."""
        return "weeks" if self.frequency == "weekly" else "months"

    def rank_sale(self) -> int:
        """1 + the number of other years with a larger net sale (smaller net) than the episode."""
        return int((self.values < self.observed).sum()) + 1

    def zscore(self) -> float | None:
        sd = float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0
        return (self.observed - float(self.values.mean())) / sd if sd > 0 else None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"year": self.years, "net_jpy_100m": self.values})


def _shift(day: pd.Timestamp, year: int) -> pd.Timestamp:
    if day.month == 2 and day.day == 29:
        return pd.Timestamp(year, 2, 28)
    return day.replace(year=year)


def seasonal_windows(ev: Evidence, series_id: str | None = None) -> SeasonalWindows:
    """The episode's window and the same calendar window in every other complete year.

    ``series_id`` defaults to the episode's own flow (:meth:`~.episode.Evidence.flow_id`);
    a ``mof.monthly.*`` series is read by calendar month, any other by MoF week.
    """
    sid = ev.flow_id() if series_id is None else series_id
    if sid.startswith("mof.monthly."):
        return ev.memo("seasonal", sid, lambda: _seasonal_months(ev, sid))
    return ev.memo("seasonal", sid, lambda: _seasonal_windows(ev, sid))


def _seasonal_windows(ev: Evidence, series_id: str) -> SeasonalWindows:
    window, _ = ev.weekly_flow(series_id)
    weekly = ev.series(series_id, index="period_end")
    weekly = weekly[ev.comparable_mask(weekly.index - pd.Timedelta(days=6))]
    length = len(window)
    years, values = [], []
    own = ev.start.year
    for year in range(int(weekly.index.min().year), int(weekly.index.max().year) + 1):
        if year == own:
            continue
        chunk = episode_weeks(weekly, _shift(ev.start, year), length)
        if chunk is not None:
            years.append(year)
            values.append(float(chunk.sum()))
    return _windows(weekly, window, years, values, frequency="weekly", series_id=series_id)


def _seasonal_months(ev: Evidence, series_id: str) -> SeasonalWindows:
    """The episode's calendar months and the same months in every other complete year."""
    window, _ = ev.monthly_flow(series_id)
    monthly = ev.series(series_id, index="period_start").dropna()
    monthly = monthly[ev.comparable_mask(monthly.index)]
    # one row per calendar month (gaps as NaN), so a rolling window spans consecutive months
    full = monthly.asfreq("MS") if len(monthly) else monthly
    months = window.index
    own = int(months[0].year)
    years, values = [], []
    if len(full):
        for year in range(int(full.index.min().year), int(full.index.max().year) + 1):
            if year == own:
                continue
            same = full.reindex(months + pd.DateOffset(years=year - own))
            if same.notna().all():
                years.append(year)
                values.append(float(same.sum()))
    return _windows(full, window, years, values, frequency="monthly", series_id=series_id)


def _windows(
    flow: pd.Series,
    window: pd.Series,
    years: list[int],
    values: list[float],
    *,
    frequency: Literal["weekly", "monthly"],
    series_id: str,
) -> SeasonalWindows:
    """The episode's ``window`` against the same calendar window in ``years`` (their sums
    ``values``), with the mean of every rolling window of its length in those years."""
    length = len(window)
    sums = flow.rolling(length).sum()
    in_years = sums[sums.index.year.isin(years)].dropna()
    return SeasonalWindows(
        observed=float(window.sum()),
        length=length,
        years=tuple(years),
        values=np.asarray(values, dtype="float64"),
        all_windows_mean=float(in_years.mean()) if len(in_years) else float("nan"),
        frequency=frequency,
        series_id=series_id,
    )
