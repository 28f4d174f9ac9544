"""No-look-ahead alignment: the one home of "what was known on each date".

Two kinds of inputs meet on a daily or weekly calendar:

* **released figures** (CFTC positions, monthly rates, MoF flows, TIC holdings): a value is
  usable on a date only once it has been *published*. :func:`as_known` gives, for each date,
  the newest period among the rows published by the **end of that day, UTC** (the meaning of a
  bare "as of" date, :func:`yenflow.frame.to_cutoff`), and keeps the period date and the
  publication instant as separate columns. CFTC positions of Tuesday are known from Friday;
  FRED's OECD monthly Japanese rate for March from mid-May.
* **market prices of the day** (USD/JPY's noon fix, daily Treasury and JGB yields):
  :func:`on_or_before` takes the last observation on or before each day, never carried past
  the series' last observation. The row of day ``d`` is the market on ``d``; the vendor's
  delay in publishing it (FRED's H.10 rates come out the following Monday) is recorded per row
  as ``known_at`` (:func:`known_at`), and the store's as-of read hides what was not yet out.

A frame built from these is *release-dated*: nothing published after a row's ``known_at``
can change that row. The truncation tests rebuild every analytics frame from observations cut
at several instants and check exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from yenflow.analytics.inputs import latest_per_period

__all__ = ["as_known", "day_cutoffs", "known_at", "last_before", "on_or_before", "published"]

_DAY = np.timedelta64(1, "D")
_END_OF_DAY = np.timedelta64(86_400_000_000_000 - 1_000, "ns")  # 23:59:59.999999


def _utc_ns(values: pd.Series | pd.DatetimeIndex | Iterable[pd.Timestamp]) -> np.ndarray:
    """UTC instants as naive datetime64[ns] (a naive input is read as UTC)."""
    index = pd.DatetimeIndex(values)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.as_unit("ns").to_numpy()


def day_cutoffs(on: pd.DatetimeIndex) -> np.ndarray:
    """The end of each day of ``on`` (UTC, as naive datetime64[ns]): what a bare date means."""
    return pd.DatetimeIndex(on).normalize().as_unit("ns").to_numpy() + _END_OF_DAY


def last_before(
    on: np.ndarray,
    available: np.ndarray,
    values: np.ndarray,
    *,
    max_age_days: float | None = None,
    dated: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each instant of ``on``, the last of ``values`` whose ``available`` instant (sorted)
    is on or before it: (values, positions; -1 and NaN where none).

    ``max_age_days``: NaN where the value is older than that many days, measured from its
    ``dated`` instant (default: its ``available`` instant) to ``on``.
    """
    on, available = np.asarray(on), np.asarray(available)
    pos = (
        np.searchsorted(available, on, side="right") - 1 if len(available) else np.full(len(on), -1)
    )
    out = np.full(len(on), np.nan)
    ok = pos >= 0
    if ok.any():
        out[ok] = np.asarray(values, dtype="float64")[pos[ok]]
        if max_age_days is not None:
            ref = available if dated is None else np.asarray(dated)
            age = (on[ok] - ref[pos[ok]]) / _DAY
            stale = np.zeros(len(on), dtype=bool)
            stale[np.flatnonzero(ok)] = age > max_age_days
            out[stale] = np.nan
            pos = np.where(stale, -1, pos)
    return out, pos


def on_or_before(series: pd.Series, on: pd.DatetimeIndex, *, max_gap_days: int) -> np.ndarray:
    """A daily market series on ``on``: the last observation on or before each day (holidays),
    ignored once older than ``max_gap_days`` calendar days, and never carried past the series'
    last observation (what comes after is not known yet)."""
    index = pd.DatetimeIndex(series.index).as_unit("ns").to_numpy()
    days = pd.DatetimeIndex(on).as_unit("ns").to_numpy()
    values, _ = last_before(days, index, series.to_numpy(), max_age_days=max_gap_days)
    if len(series):
        values[days > index[-1]] = np.nan
    return values


def published(obs: pd.DataFrame, series_id: str, on: pd.DatetimeIndex) -> np.ndarray:
    """When the observation of ``series_id`` dated on or before each day of ``on`` was published
    (the market-day rule of :func:`on_or_before`; NaT where none): naive UTC datetime64[ns]."""
    rows = obs.loc[obs["series_id"] == series_id]
    out = np.full(len(on), np.datetime64("NaT"), dtype="datetime64[ns]")
    if rows.empty:
        return out
    rows = latest_per_period(rows).sort_values("period_end")
    ends = _utc_ns(rows["period_end"])
    pub = _utc_ns(rows["published_at"])
    pos = np.searchsorted(ends, pd.DatetimeIndex(on).as_unit("ns").to_numpy(), side="right") - 1
    ok = pos >= 0
    out[ok] = pub[pos[ok]]
    return out


def as_known(
    obs: pd.DataFrame,
    series_id: str,
    on: pd.DatetimeIndex,
    *,
    max_age_days: float | None = None,
    index: str = "period_end",
    not_before_days: int | None = None,
) -> pd.DataFrame:
    """The value of ``series_id`` known at the end of each day of ``on`` (UTC).

    Among the rows published by then, the one with the newest period wins (a late backfill of
    an old period never replaces a newer period). ``max_age_days``: NaN once the period
    (``index``: its ``period_end`` or ``period_start``) is older than that many days.
    ``not_before_days``: a value is never used before that many days after its period ends,
    whatever its publication stamp says (a monthly average is unknown until its month is over:
    1 day).

    Returns a frame on ``on`` with columns ``value``, ``period`` (the period date, from
    ``index``) and ``published_at`` (UTC; NaT where nothing was known).
    """
    on = pd.DatetimeIndex(on)
    rows = obs.loc[obs["series_id"] == series_id]
    empty = pd.DataFrame(
        {
            "value": np.full(len(on), np.nan),
            "period": pd.NaT,
            "published_at": pd.NaT,
        },
        index=on,
    )
    empty["period"] = pd.to_datetime(empty["period"])
    empty["published_at"] = pd.to_datetime(empty["published_at"]).dt.tz_localize("UTC")
    if rows.empty or len(on) == 0:
        return empty
    rows = latest_per_period(rows)
    pub = _utc_ns(rows["published_at"])
    if not_before_days is not None:
        floor = _utc_ns(rows["period_end"]) + np.timedelta64(not_before_days, "D")
        pub = np.maximum(pub, floor)
    order = np.argsort(pub, kind="stable")
    pub = pub[order]
    period = _utc_ns(rows[index])[order]
    values = rows["value"].to_numpy(dtype="float64")[order]
    key = period.astype("int64")
    newest = key >= np.maximum.accumulate(key)
    best = np.maximum.accumulate(np.where(newest, np.arange(len(key)), -1))
    cut = np.searchsorted(pub, day_cutoffs(on), side="right") - 1
    pos = np.where(cut >= 0, best[np.maximum(cut, 0)], -1)
    ok = pos >= 0
    if max_age_days is not None:
        days = pd.DatetimeIndex(on).as_unit("ns").to_numpy()
        age = np.full(len(on), np.inf)
        age[ok] = (days[ok] - period[pos[ok]]) / _DAY
        ok &= age <= max_age_days
    out = empty.copy()
    out.loc[ok, "value"] = values[pos[ok]]
    out.loc[ok, "period"] = period[pos[ok]]
    out.loc[ok, "published_at"] = pd.DatetimeIndex(pub[pos[ok]]).tz_localize("UTC")
    return out


def known_at(*instants: np.ndarray | pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Per row, the latest of several publication instants (NaT ignored; NaT if all are):
    when everything a row uses had been published (UTC)."""
    arrays = [_utc_ns(pd.DatetimeIndex(a)) for a in instants]
    stacked = np.vstack(arrays).astype("int64")
    nat = np.iinfo(np.int64).min
    latest = stacked.max(axis=0)
    latest = np.where(latest == nat, nat, latest)
    return pd.DatetimeIndex(latest.view("M8[ns]")).tz_localize("UTC")
