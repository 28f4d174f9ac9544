"""Japan's cross-border securities flows (MoF): rolling windows, ranks, records.

Weekly windows
--------------
:func:`flow_windows` takes MoF's weekly net flows (``mof.weekly.{direction}.{asset}.net``,
¥100 million, Sunday–Saturday weeks, net purchase > 0) and, for every direction,
asset and window length (1, 2, 4, 8, 13 weeks by default), computes every
*rolling window* of consecutive weeks. A window that contains a missing week is
not a window (it is left out, and the notes say how many weeks are missing).

``direction``
    ``outward``: residents' trades in foreign securities (portfolio investment
    assets); a negative net is Japanese investors selling foreign securities.
    ``inward``: non-residents' trades in Japanese securities (liabilities); a
    negative net is foreigners selling Japanese securities.

Columns of :meth:`FlowWindows.to_frame` (one row per window):

``net_jpy_100m``, ``net_jpy_tn``
    the window's net flow in ¥100 million and in ¥ trillion.
``usdjpy_avg``, ``usdjpy_days``, ``net_usd_bn``
    the average of FRED's DEXJPUS (yen per dollar, noon New York) over the
    days from the window's first Sunday to its last Saturday that have a rate,
    how many such days there are, and the net converted at that average.
    NaN when no day of the window has a rate (the notes say so).
``side``
    ``sale`` (net < 0), ``purchase`` (net > 0) or ``flat``.
``rank_sale``, ``rank_purchase``, ``n_windows``, ``n_sale_windows``, ``n_purchase_windows``
    rank among the rolling windows of the same length, direction and asset **known when this
    window was published** (itself and every earlier window: ``n_windows`` of them, of which
    ``n_sale_windows`` net sales and ``n_purchase_windows`` net purchases): ``rank_sale`` 1 =
    most negative net (largest net sale), ``rank_purchase`` 1 = largest net purchase. Ties share
    the best rank. A rank never changes when later weeks arrive, so the frame can feed a signal
    or a backtest; the latest window's rank is its rank among all windows to date. Rolling
    windows overlap, so one huge week puts several windows near the top: use the episode ranks
    of :meth:`FlowWindows.window` / :meth:`FlowWindows.episodes` for "the largest N-week outflow".
``percentile``
    percent of those windows whose net is ≤ this one's (100 = the largest net purchase so far).
``zscore``
    (net − mean) / standard deviation (ddof = 1) over those windows.
``largest_since``, ``largest_since_net_jpy_100m``
    the period end (and net) of the most recent **earlier** window of the
    same length that was at least as large in the same direction (net ≤ this
    net for a sale, ≥ for a purchase), **ignoring earlier windows that share a
    week with this one** (otherwise a rolling 2-week window's own neighbour,
    which contains the same big week, would trivially be "larger"). NaT: no
    earlier window was as large, i.e. the largest since the data begin.
``break_date``, ``comparable``, ``crosses_break``
    MoF's statistical break (:data:`BREAKS`: from January 2014 investment funds moved from
    long-term debt into equity and investment fund shares) for equity and long-term debt:
    ``comparable`` is True for a window that starts on or after the break (or a series without
    one); ``crosses_break`` is True when this window's ranks pool windows from both sides of
    the break (a window after the break ranked among windows that include 2005–2013).
``rank_*_comparable``, ``n_*_windows_comparable``, ``largest_since_comparable*``
    the same ranks (``rank_sale``, ``rank_purchase``, ``n_windows``, ``n_sale_windows``,
    ``n_purchase_windows``) and record (``largest_since``, its net) among comparable windows
    only (from the break on); <NA> / NaT for windows that are not comparable. Without a break
    they equal the plain columns.
``published_at``
    when the last of the window's weeks was published (UTC).
``known_at``
    when everything in the row was public: the later of ``published_at`` and the publication
    of the last DEXJPUS day used for the USD value (UTC).

Monthly investor types
----------------------
:func:`investor_flows` ranks each month's net purchases of foreign securities
(long-term debt by default) for every investor type found as
``mof.monthly.investor.<investor>.<asset>.net`` among all months of that
investor. MoF's investor-type files are not always available; without them it
falls back to the all-investor monthly total ``mof.monthly.outward.<asset>.net``
and says so in its notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from yenflow.analytics.inputs import USDJPY_ID, require_series
from yenflow.analytics.labels import DIRECTION_LABEL
from yenflow.analytics.ranking import (
    deoverlapped_rank,
    deoverlapped_ranks,
    expanding_ranks,
    largest_since,
)
from yenflow.analytics.records import record_from_row, record_to_dict
from yenflow.analytics.results import ResultBase
from yenflow.analytics.units import jpy_100m_to_jpy_tn, jpy_100m_to_usd_bn
from yenflow.errors import DataError
from yenflow.sources.mof_investors import LEAF_INVESTORS

__all__ = [
    "ASSETS",
    "BREAKS",
    "DIRECTIONS",
    "WINDOW_WEEKS",
    "Asset",
    "Direction",
    "FlowWindow",
    "FlowWindows",
    "InvestorFlows",
    "InvestorMonth",
    "Side",
    "flow_windows",
    "investor_flows",
    "weekly_series_id",
]

Direction = Literal["outward", "inward"]
Asset = Literal["equity", "long_term_debt", "short_term_debt", "subtotal", "total"]
Side = Literal["sale", "purchase", "flat"]
GridFreq = Literal["week", "month"]

DIRECTIONS: tuple[Direction, ...] = ("outward", "inward")
ASSETS: tuple[Asset, ...] = ("equity", "long_term_debt", "short_term_debt")
WINDOW_WEEKS: tuple[int, ...] = (1, 2, 4, 8, 13)
UNIT = "JPY 100 million"
SIGN = "net purchase > 0 (negative = net sale)"
#: MoF's statistical breaks by asset class: from January 2014 investment funds (including
#: contractual-type open-end investment trusts) moved from long-term debt securities into
#: equity and investment fund shares (MoF note 1 of week.csv / montha1.csv), in both
#: directions. Windows from before and after the break are not comparable.
BREAKS: dict[str, pd.Timestamp] = {
    "equity": pd.Timestamp("2014-01-01"),
    "long_term_debt": pd.Timestamp("2014-01-01"),
}
BREAK_NOTE = (
    "MoF's January 2014 break: investment funds moved from long-term debt into equity and "
    "investment fund shares"
)

_NAT = np.iinfo(np.int64).min


def weekly_series_id(direction: Direction, asset: Asset) -> str:
    """The MoF weekly net series id, e.g. ``mof.weekly.outward.long_term_debt.net``."""
    return f"mof.weekly.{direction}.{asset}.net"


def _asset_of(series_id: str) -> str:
    """The asset class named in a MoF series id (``...long_term_debt.net`` -> long_term_debt)."""
    parts = series_id.split(".")
    return parts[-2] if len(parts) >= 2 else ""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class FlowWindow:
    """One rolling window of weekly net flows; see the module docstring for every field.

    Amounts: ``net_jpy_100m`` in ¥100 million, ``net_jpy_tn`` in ¥ trillion,
    ``net_usd_bn`` in USD bn at ``usdjpy_avg`` yen per dollar; net purchase > 0. Ranks are as
    known when the window was published; ``episode_rank_*`` rank it among the de-overlapped
    episodes of the windows known then (None if it overlaps a larger one).
    """

    direction: str
    asset: str
    series_id: str
    window_weeks: int
    period_start: dt.date
    period_end: dt.date
    net_jpy_100m: float
    net_jpy_tn: float
    net_usd_bn: float | None
    usdjpy_avg: float | None
    usdjpy_days: int
    side: str
    rank_sale: int
    rank_purchase: int
    n_windows: int
    n_sale_windows: int
    n_purchase_windows: int
    percentile: float
    zscore: float | None
    largest_since: dt.date | None
    largest_since_net_jpy_100m: float | None
    episode_rank_sale: int | None
    episode_rank_purchase: int | None
    n_episodes_sale: int
    n_episodes_purchase: int
    break_date: dt.date | None
    comparable: bool
    crosses_break: bool
    rank_sale_comparable: int | None
    rank_purchase_comparable: int | None
    n_windows_comparable: int | None
    n_sale_windows_comparable: int | None
    n_purchase_windows_comparable: int | None
    largest_since_comparable: dt.date | None
    largest_since_comparable_net_jpy_100m: float | None
    published_at: dt.datetime | None
    known_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable dict of every field."""
        return record_to_dict(self)

    @property
    def n_side_windows(self) -> int:
        """How many windows known then were on this window's side (net sales or purchases)."""
        return self.n_sale_windows if self.side == "sale" else self.n_purchase_windows

    def describe(self) -> str:
        """One English sentence a journalist can check against the table."""
        what = f"{self.direction} {self.asset.replace('_', ' ')}"
        span = f"{self.window_weeks} week(s) {self.period_start}..{self.period_end}"
        if self.side == "flat":
            return f"{what}, {span}: net zero"
        amount = f"¥{abs(self.net_jpy_tn):,.2f} tn ({self.net_jpy_100m:+,.0f} × ¥100m"
        if self.net_usd_bn is not None and self.usdjpy_avg is not None:
            amount += f"; ${abs(self.net_usd_bn):,.1f} bn at ¥{self.usdjpy_avg:.2f}/$"
        rank = self.rank_sale if self.side == "sale" else self.rank_purchase
        episode = self.episode_rank_sale if self.side == "sale" else self.episode_rank_purchase
        since = (
            f"largest since the window ending {self.largest_since}"
            if self.largest_since
            else "largest since the data begin"
        )
        text = (
            f"{what}, {span}: net {self.side} of {amount}); rank {rank} of {self.n_windows} "
            f"rolling {self.window_weeks}-week windows"
        )
        if episode is not None:
            text += f", rank {episode} among non-overlapping episodes"
        text += f"; {since} (not counting overlapping windows)"
        if self.crosses_break:
            text += f" [pools both sides of {BREAK_NOTE}]"
        return text


@dataclass(frozen=True)
class InvestorMonth:
    """One investor type's net purchases in one month (¥100 million, net purchase > 0); ranks
    among that investor's months up to this one."""

    investor: str
    series_id: str
    period_start: dt.date
    period_end: dt.date
    net_jpy_100m: float
    net_jpy_tn: float
    net_usd_bn: float | None
    usdjpy_avg: float | None
    usdjpy_days: int
    side: str
    rank_sale: int
    rank_purchase: int
    n_months: int
    percentile: float
    zscore: float | None
    largest_since: dt.date | None
    largest_since_net_jpy_100m: float | None
    crosses_break: bool
    published_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable dict of every field."""
        return record_to_dict(self)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Grid:
    """One series on a complete regular grid of periods; NaN where a period is missing."""

    series_id: str
    starts: np.ndarray  # datetime64[D]
    ends: np.ndarray  # datetime64[D]
    values: np.ndarray  # float64
    published: np.ndarray  # int64 ns since epoch (UTC); _NAT where missing

    @property
    def n_missing(self) -> int:
        return int(np.isnan(self.values).sum())


def _days(values: pd.Series) -> np.ndarray:
    """A datetime column as datetime64[D] (whatever its resolution)."""
    return pd.DatetimeIndex(values).to_numpy().astype("datetime64[D]")


def _published_ns(values: pd.Series) -> np.ndarray:
    """UTC timestamps as int64 nanoseconds since the epoch (missing → _NAT)."""
    index = pd.DatetimeIndex(values)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    return index.as_unit("ns").asi8


def _unique_periods(rows: pd.DataFrame, series_id: str) -> pd.DataFrame:
    """Rows with one value per period start; DataError if a period has two different values."""
    rows = rows.drop_duplicates(subset=["period_start", "value"])
    dup = rows["period_start"].duplicated(keep=False)
    if dup.any():
        day = pd.Timestamp(rows.loc[dup, "period_start"].iloc[0]).date()
        msg = (
            f"{series_id} has two different values for the period starting {day}; "
            "pass one vintage (e.g. the store's observations as of a date)"
        )
        raise DataError(msg)
    return rows


def _regular_grid(rows: pd.DataFrame, series_id: str, freq: GridFreq) -> _Grid:
    """Place a weekly (Sunday–Saturday) or monthly series on its complete grid of periods."""
    rows = _unique_periods(rows, series_id)
    starts = _days(rows["period_start"])
    ends = _days(rows["period_end"])
    if freq == "week":
        # 1970-01-01 was a Thursday: day number + 4 ≡ 0 (mod 7) on Sundays.
        day_no = starts.astype("int64")
        bad = ((day_no + 4) % 7 != 0) | (ends - starts != np.timedelta64(6, "D"))
        positions = (day_no - day_no.min()) // 7
    else:
        months = starts.astype("datetime64[M]")
        month_end = (months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
        bad = (months.astype("datetime64[D]") != starts) | (ends != month_end)
        month_no = months.astype("int64")
        positions = month_no - month_no.min()
    if bad.any():
        shape = "a Sunday–Saturday week" if freq == "week" else "a calendar month"
        found = f"{starts[bad][0]}..{ends[bad][0]}"
        msg = f"{series_id}: expected every period to be {shape}, found {found}"
        raise DataError(msg)
    size = int(positions.max()) + 1
    values = np.full(size, np.nan)
    values[positions] = rows["value"].to_numpy(dtype="float64")
    published = np.full(size, _NAT, dtype="int64")
    published[positions] = _published_ns(rows["published_at"])
    first = starts.min()
    if freq == "week":
        grid_starts = first + np.arange(size) * np.timedelta64(7, "D")
        grid_ends = grid_starts + np.timedelta64(6, "D")
    else:
        months = first.astype("datetime64[M]") + np.arange(size)
        grid_starts = months.astype("datetime64[D]")
        grid_ends = (months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return _Grid(series_id, grid_starts, grid_ends, values, published)


@dataclass(frozen=True)
class DailyRates:
    """DEXJPUS by day (sorted), to average it over many spans of days at once.

    Prepared once per analysis bundle (:mod:`yenflow.pipeline`) and shared by every flow table.
    """

    days: np.ndarray  # int64 day numbers, sorted
    values: np.ndarray  # float64 yen per dollar, plus one trailing 0 (a sentinel for reduceat)
    published: np.ndarray  # int64 ns UTC of each day's publication, plus a trailing _NAT

    @classmethod
    def from_obs(cls, obs: pd.DataFrame) -> DailyRates | None:
        """The rates in ``obs`` (None if it has no DEXJPUS row)."""
        rows = obs.loc[obs["series_id"] == USDJPY_ID, ["period_start", "value", "published_at"]]
        if rows.empty:
            return None
        rows = _unique_periods(rows, USDJPY_ID)
        if not rows["period_start"].is_monotonic_increasing:
            rows = rows.sort_values("period_start")
        values = rows["value"].to_numpy(dtype="float64")
        days = _days(rows["period_start"]).astype("int64")
        published = _published_ns(rows["published_at"])
        return cls(days, np.append(values, 0.0), np.append(published, _NAT))

    @property
    def span(self) -> str:
        first, last = self.days[[0, -1]].astype("datetime64[D]")
        return f"{first}..{last}"

    def average(
        self, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean rate, number of rate days and latest publication (int64 ns, _NAT if none) over
        each inclusive [start, end] span of days.

        Each span is summed directly (``np.add.reduceat``), not as a difference of
        running sums, so the mean is as exact as a plain ``sum / count``.
        """
        lo = np.searchsorted(self.days, starts.astype("int64"), side="left")
        hi = np.searchsorted(self.days, ends.astype("int64"), side="right")
        count = hi - lo
        bounds = np.empty(2 * len(lo), dtype="int64")
        bounds[0::2], bounds[1::2] = lo, hi
        if len(lo):
            sums = np.add.reduceat(self.values, bounds)[0::2]
            latest = np.maximum.reduceat(self.published, bounds)[0::2]
        else:
            sums, latest = np.zeros(0), np.zeros(0, dtype="int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = sums / count
        return np.where(count > 0, mean, np.nan), count, np.where(count > 0, latest, _NAT)


# --------------------------------------------------------------------------- window statistics


def _as_int(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Positive ints as a nullable Int64 column, 0 meaning "none" (<NA>)."""
    return pd.arrays.IntegerArray(values.astype("int64"), mask=values <= 0)


def _since_columns(
    since: np.ndarray, ends: np.ndarray, net: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    has = since >= 0
    dates = np.where(has, ends[np.maximum(since, 0)], np.datetime64("NaT")).astype("datetime64[ns]")
    return dates, np.where(has, net[np.maximum(since, 0)], np.nan)


def _utc(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC")


def _window_table(grid: _Grid, width: int, rates: DailyRates | None) -> pd.DataFrame:
    """Every complete window of ``width`` consecutive periods of one series, with its stats,
    each as known when the window was published."""
    if len(grid.values) < width:
        return pd.DataFrame()
    sums = sliding_window_view(grid.values, width).sum(axis=1)
    pos = np.flatnonzero(~np.isnan(sums))
    if len(pos) == 0:
        return pd.DataFrame()
    net = sums[pos]
    starts, ends = grid.starts[pos], grid.ends[pos + width - 1]
    if rates is None:
        usdjpy, n_days = np.full(len(pos), np.nan), np.zeros(len(pos), dtype="int64")
        fx_published = np.full(len(pos), _NAT)
    else:
        usdjpy, n_days, fx_published = rates.average(starts, ends)
    published = sliding_window_view(grid.published, width).max(axis=1)[pos]
    brk = BREAKS.get(_asset_of(grid.series_id))
    if brk is None:
        comparable = np.ones(len(pos), dtype=bool)
        crosses = np.zeros(len(pos), dtype=bool)
    else:
        cut = np.datetime64(brk.date(), "D")
        comparable = starts >= cut
        crosses = (ends >= cut) & (starts[0] < cut)
    full = expanding_ranks(net)
    comp = expanding_ranks(net, eligible=comparable) if brk is not None else full
    since, since_net = _since_columns(largest_since(pos, net, width), ends, net)
    comp_since = largest_since(pos, net, width, eligible=comparable) if brk is not None else None
    c_since, c_since_net = (
        (since, since_net) if comp_since is None else _since_columns(comp_since, ends, net)
    )
    c_since = np.where(comparable, c_since, np.datetime64("NaT"))
    c_since_net = np.where(comparable, c_since_net, np.nan)
    return pd.DataFrame(
        {
            "series_id": grid.series_id,
            "window_periods": width,
            "period_start": starts.astype("datetime64[ns]"),
            "period_end": ends.astype("datetime64[ns]"),
            "position": pos,
            "net_jpy_100m": net,
            "net_jpy_tn": jpy_100m_to_jpy_tn(net),
            "net_usd_bn": jpy_100m_to_usd_bn(net, usdjpy),
            "usdjpy_avg": usdjpy,
            "usdjpy_days": n_days.astype("int64"),
            "side": np.select([net < 0, net > 0], ["sale", "purchase"], "flat"),
            "rank_sale": full["rank_sale"],
            "rank_purchase": full["rank_purchase"],
            "n_windows": full["n"],
            "n_sale_windows": full["n_sale"],
            "n_purchase_windows": full["n_purchase"],
            "percentile": full["percentile"],
            "zscore": full["zscore"],
            "largest_since": since,
            "largest_since_net_jpy_100m": since_net,
            "break_date": pd.NaT if brk is None else brk,
            "comparable": comparable,
            "crosses_break": crosses,
            "rank_sale_comparable": _as_int(comp["rank_sale"]),
            "rank_purchase_comparable": _as_int(comp["rank_purchase"]),
            "n_windows_comparable": _as_int(comp["n"]),
            "n_sale_windows_comparable": _as_int(np.where(comparable, comp["n_sale"], 0)),
            "n_purchase_windows_comparable": _as_int(np.where(comparable, comp["n_purchase"], 0)),
            "largest_since_comparable": c_since.astype("datetime64[ns]"),
            "largest_since_comparable_net_jpy_100m": c_since_net,
            "published_at": _utc(published),
            "known_at": _utc(np.maximum(published, fx_published)),
        }
    )


def _grids(
    obs: pd.DataFrame, series_ids: Sequence[str], freq: GridFreq, purpose: str
) -> dict[str, _Grid]:
    """The grid of every requested series (DataError naming those that are missing)."""
    require_series(obs, series_ids, purpose=purpose)
    sub = obs.loc[obs["series_id"].isin(list(series_ids))]
    groups = dict(tuple(sub.groupby("series_id", sort=False)))
    return {sid: _regular_grid(groups[sid], sid, freq) for sid in series_ids}


def _rate_notes(table: pd.DataFrame, rates: DailyRates | None, what: str) -> list[str]:
    """What the notes say about USD conversion."""
    if rates is None:
        return [f"{USDJPY_ID} is not in the observations: USD values are NaN"]
    no_rate = int((table["usdjpy_days"] == 0).sum()) if len(table) else 0
    if no_rate == 0:
        return []
    return [
        f"{no_rate} of {len(table)} {what} have no {USDJPY_ID} day in their span "
        f"(the rate covers {rates.span}): their USD values are NaN"
    ]


# --------------------------------------------------------------------------- weekly windows


_FLOW_COLUMNS = [
    "direction",
    "asset",
    "series_id",
    "window_weeks",
    "period_start",
    "period_end",
    "position",
    "net_jpy_100m",
    "net_jpy_tn",
    "net_usd_bn",
    "usdjpy_avg",
    "usdjpy_days",
    "side",
    "rank_sale",
    "rank_purchase",
    "n_windows",
    "n_sale_windows",
    "n_purchase_windows",
    "percentile",
    "zscore",
    "largest_since",
    "largest_since_net_jpy_100m",
    "break_date",
    "comparable",
    "crosses_break",
    "rank_sale_comparable",
    "rank_purchase_comparable",
    "n_windows_comparable",
    "n_sale_windows_comparable",
    "n_purchase_windows_comparable",
    "largest_since_comparable",
    "largest_since_comparable_net_jpy_100m",
    "published_at",
    "known_at",
]


def _group_bounds(table: pd.DataFrame) -> dict[tuple[str, str, int], tuple[int, int]]:
    """(direction, asset, weeks) -> its contiguous row range in the table (built group by
    group, each in period order)."""
    keys = list(
        zip(
            table["direction"].tolist(),
            table["asset"].tolist(),
            table["window_weeks"].tolist(),
            strict=True,
        )
    )
    bounds: dict[tuple[str, str, int], tuple[int, int]] = {}
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            d, a, w = keys[start]
            bounds[(str(d), str(a), int(w))] = (start, i)
            start = i
    return bounds


def _saturday_of(day: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """The Saturday ending the Sunday–Saturday week that contains ``day``."""
    ts = pd.Timestamp(day).normalize()
    return ts + pd.Timedelta(days=(5 - ts.day_of_week) % 7)


@dataclass(frozen=True, eq=False, repr=False)
class FlowWindows(ResultBase):
    """Every rolling window of MoF weekly net flows, with ranks and records as known then.

    Build it with :func:`flow_windows`. ``table`` has the columns described in
    the module docstring (sorted by direction, asset, length and period); ``notes`` say what
    was missing or could not be converted.
    """

    table: pd.DataFrame
    notes: tuple[str, ...]
    window_weeks: tuple[int, ...]
    groups: dict[tuple[str, str, int], tuple[int, int]] = field(default_factory=dict)
    #: the latest window of each group, kept once built (:func:`flow_windows` builds them
    #: all, so a cached result carries them)
    latest_windows: dict[tuple[str, str, int], FlowWindow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.groups and len(self.table):
            object.__setattr__(self, "groups", _group_bounds(self.table))

    def to_frame(self) -> pd.DataFrame:
        """The tidy table, one row per (direction, asset, window length, window)."""
        return self.table.drop(columns="position").copy()

    def headline(self) -> str:
        t = self.table
        if t.empty:
            return "no windows"
        pairs = t[["direction", "asset"]].drop_duplicates().shape[0]
        last = t["period_end"].max()
        lengths = list(self.window_weeks)
        return f"{len(t):,} windows of {pairs} flow(s), lengths {lengths}, to {last:%Y-%m-%d}"

    def rows(self, direction: Direction, asset: Asset, weeks: int) -> pd.DataFrame:
        """The table's rows of one flow and window length, in period order (a slice of the
        contiguous group: no scan of the table); empty when none was computed."""
        bounds = self.groups.get((direction, asset, weeks))
        return self.table.iloc[slice(*bounds)] if bounds else self.table.iloc[:0]

    def _select(self, direction: Direction, asset: Asset, weeks: int) -> pd.DataFrame:
        rows = self.rows(direction, asset, weeks)
        if rows.empty:
            msg = (
                f"no {weeks}-week windows of {direction} {asset} were computed "
                f"(computed lengths: {list(self.window_weeks)}; check the series is in the store)"
            )
            raise DataError(msg)
        return rows

    def _record(self, rows: pd.DataFrame, at: int) -> FlowWindow:
        """The record of row ``at`` (a position in ``rows``), with its episode ranks as known
        when it was published (the de-overlapped episodes of ``rows[: at + 1]``)."""
        row = rows.iloc[at].to_dict()
        pos = rows["position"].to_numpy()
        net = rows["net_jpy_100m"].to_numpy(dtype="float64")
        width = int(row["window_weeks"])
        for side in ("sale", "purchase"):
            rank, count = deoverlapped_rank(pos, net, width, side, at)
            row[f"episode_rank_{side}"] = rank or None
            row[f"n_episodes_{side}"] = count
        return record_from_row(FlowWindow, row)

    def window(
        self, *, direction: Direction, asset: Asset, weeks: int, end: dt.date | str
    ) -> FlowWindow:
        """The ``weeks``-week window whose last week contains the day ``end``."""
        rows = self._select(direction, asset, weeks)
        saturday = _saturday_of(end)
        hit = np.flatnonzero(rows["period_end"].to_numpy() == saturday.to_datetime64())
        if hit.size == 0:
            last = rows["period_end"].max().date()
            msg = (
                f"no complete {weeks}-week window of {direction} {asset} ends on {saturday.date()} "
                f"(the data end on {last}, or a week inside the window is missing)"
            )
            raise DataError(msg)
        return self._record(rows, int(hit[0]))

    def latest(self, *, direction: Direction, asset: Asset, weeks: int) -> FlowWindow:
        """The most recent complete ``weeks``-week window (built once, then kept)."""
        key = (direction, asset, weeks)
        found = self.latest_windows.get(key)
        if found is None:
            rows = self._select(direction, asset, weeks)
            found = self.latest_windows[key] = self._record(rows, len(rows) - 1)
        return found

    def episodes(
        self,
        *,
        direction: Direction,
        asset: Asset,
        weeks: int,
        side: Literal["sale", "purchase"],
        top: int = 10,
        comparable_only: bool = False,
    ) -> pd.DataFrame:
        """The ``top`` largest non-overlapping ``weeks``-week net sales (or purchases) among
        the windows to date (a ranking as of the latest window, column ``episode_rank``).

        ``comparable_only``: only windows from MoF's statistical break on (:data:`BREAKS`),
        so that the ranking does not pool the two definitions.
        """
        rows = self._select(direction, asset, weeks)
        if comparable_only:
            rows = rows.loc[rows["comparable"].to_numpy(dtype=bool)]
        ranks = deoverlapped_ranks(
            rows["position"].to_numpy(), rows["net_jpy_100m"].to_numpy(), weeks, side
        )
        ranked = np.flatnonzero(ranks > 0)
        best = ranked[np.argsort(ranks[ranked], kind="stable")][:top]
        chosen = rows.iloc[best].drop(columns="position")  # only the rows shown are copied
        return chosen.assign(episode_rank=ranks[best]).reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """JSON-serializable dict: the latest window of every direction, asset and length."""
        records = []
        for (direction, asset, weeks), _ in self.table.groupby(
            ["direction", "asset", "window_weeks"], sort=False
        ):
            records.append(self.latest(direction=direction, asset=asset, weeks=weeks).to_dict())
        last = self.table["period_end"].max() if len(self.table) else None
        return {
            "analysis": "mof_weekly_flow_windows",
            "unit": UNIT,
            "sign": SIGN,
            "directions": {d: DIRECTION_LABEL[d] for d in DIRECTIONS},
            "latest_week_end": None if last is None else last.date().isoformat(),
            "window_weeks": list(self.window_weeks),
            "breaks": {a: b.date().isoformat() for a, b in BREAKS.items()},
            "latest": records,
            "notes": list(self.notes),
        }


def flow_windows(
    obs: pd.DataFrame,
    *,
    directions: Sequence[Direction] = DIRECTIONS,
    assets: Sequence[Asset] = ASSETS,
    window_weeks: Sequence[int] = WINDOW_WEEKS,
    rates: DailyRates | None = None,
) -> FlowWindows:
    """Rolling-window net flows, ranks and records from MoF's weekly data.

    Args:
        obs: canonical observations holding ``mof.weekly.{direction}.{asset}.net``
            (¥100 million, net purchase > 0) and, for USD values, ``fred.DEXJPUS``.
        directions: ``outward`` and/or ``inward``.
        assets: ``equity``, ``long_term_debt``, ``short_term_debt`` (``subtotal``,
            ``total`` also work).
        window_weeks: window lengths in weeks (positive integers).
        rates: DEXJPUS prepared once (:meth:`DailyRates.from_obs`); default: from ``obs``.

    Raises:
        DataError: a weekly series is missing, has conflicting duplicates or
            non-Sunday–Saturday periods.
    """
    if not window_weeks or any(int(w) != w or w < 1 for w in window_weeks):
        msg = f"window_weeks must be positive whole numbers of weeks, got {list(window_weeks)}"
        raise ValueError(msg)
    pairs = [(d, a) for d in directions for a in assets]
    ids = [weekly_series_id(d, a) for d, a in pairs]
    grids = _grids(obs, ids, "week", "weekly flow windows")
    rates = rates if rates is not None else DailyRates.from_obs(obs)
    parts, notes = [], []
    groups: dict[tuple[str, str, int], tuple[int, int]] = {}
    start = 0
    for (direction, asset), sid in zip(pairs, ids, strict=True):
        grid = grids[sid]
        if grid.n_missing:
            notes.append(
                f"{sid}: {grid.n_missing} week(s) missing between {grid.starts[0]} and "
                f"{grid.ends[-1]}; windows containing them are left out"
            )
        for width in window_weeks:
            part = _window_table(grid, int(width), rates)
            if len(part):
                parts.append(part.assign(direction=direction, asset=asset))
                groups[(direction, asset, int(width))] = (start, start + len(part))
                start += len(part)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["x"])
    table = table.rename(columns={"window_periods": "window_weeks"}).reindex(columns=_FLOW_COLUMNS)
    notes += _rate_notes(table, rates, "windows")
    windows = FlowWindows(
        table=table, notes=tuple(notes), window_weeks=tuple(window_weeks), groups=groups
    )
    for direction, asset, weeks in groups:
        windows.latest(direction=direction, asset=asset, weeks=weeks)  # type: ignore[arg-type]
    return windows


# --------------------------------------------------------------------------- investor types


InvestorAsset = Literal["equity", "long_term_debt", "short_term_debt"]
ALL_INVESTORS = "all_investors"

_INVESTOR_COLUMNS = [
    "investor",
    "series_id",
    "period_start",
    "period_end",
    "net_jpy_100m",
    "net_jpy_tn",
    "net_usd_bn",
    "usdjpy_avg",
    "usdjpy_days",
    "side",
    "rank_sale",
    "rank_purchase",
    "n_months",
    "percentile",
    "zscore",
    "largest_since",
    "largest_since_net_jpy_100m",
    "crosses_break",
    "published_at",
    "known_at",
]

INVESTOR_PREFIX = "mof.monthly.investor."


def investor_series_ids(series_ids: Sequence[str], asset: InvestorAsset) -> dict[str, str]:
    """Investor type → series id, for every ``mof.monthly.investor.<investor>.<asset>.net``."""
    pattern = re.compile(rf"^mof\.monthly\.investor\.([a-z0-9_]+)\.{asset}\.net$")
    found = {}
    for sid in sorted(series_ids):
        match = pattern.match(str(sid))
        if match:
            found[match.group(1)] = str(sid)
    return found


def monthly_total_id(asset: InvestorAsset) -> str:
    """The all-investor monthly net series, ``mof.monthly.outward.<asset>.net``."""
    return f"mof.monthly.outward.{asset}.net"


@dataclass(frozen=True, eq=False, repr=False)
class InvestorFlows(ResultBase):
    """Monthly net purchases of foreign securities by investor type, ranked per investor.

    ``by_investor_type`` is False when MoF's investor-type series were absent and
    the all-investor total (investor ``all_investors``) was used instead.
    Ranks, percentiles, z-scores and ``largest_since`` are per investor, over
    its months up to each one (the same definitions as the weekly windows, one month wide).
    """

    table: pd.DataFrame
    notes: tuple[str, ...]
    asset: str
    by_investor_type: bool

    def to_frame(self) -> pd.DataFrame:
        """One row per (investor, month)."""
        return self.table.copy()

    def month(self, month: dt.date | str) -> tuple[InvestorMonth, ...]:
        """Every investor's record for the month containing ``month``, largest buyer first."""
        start = pd.Timestamp(month).to_period("M").to_timestamp()
        rows = self.table.loc[self.table["period_start"] == start]
        if rows.empty:
            first, last = self.table["period_start"].min(), self.table["period_end"].max()
            span = f"{first:%Y-%m}..{last:%Y-%m}"
            msg = f"no investor-type flows for {start:%Y-%m} (the data cover {span})"
            raise DataError(msg)
        rows = rows.sort_values("net_jpy_100m", ascending=False)
        return tuple(record_from_row(InvestorMonth, row) for _, row in rows.iterrows())

    def latest_month(self) -> tuple[InvestorMonth, ...]:
        """The records of the most recent month."""
        return self.month(self.table["period_start"].max())

    def summary(self) -> dict[str, Any]:
        """JSON-serializable dict: who bought and who sold in the latest month."""
        records = [r.to_dict() for r in self.latest_month()]
        return {
            "analysis": "mof_monthly_investor_flows",
            "asset": self.asset,
            "unit": UNIT,
            "sign": SIGN,
            "by_investor_type": self.by_investor_type,
            "month": records[0]["period_start"][:7] if records else None,
            "bought": [r["investor"] for r in records if r["side"] == "purchase"],
            "sold": [r["investor"] for r in records if r["side"] == "sale"],
            "investors": records,
            "notes": list(self.notes),
        }


def investor_flows(
    obs: pd.DataFrame,
    *,
    asset: InvestorAsset = "long_term_debt",
    require_investor_types: bool = False,
    rates: DailyRates | None = None,
) -> InvestorFlows:
    """Which investor types bought or sold foreign securities each month, and their records.

    Args:
        obs: canonical observations with ``mof.monthly.investor.<investor>.<asset>.net``
            (¥100 million, net purchase > 0), or at least ``mof.monthly.outward.<asset>.net``;
            ``fred.DEXJPUS`` for USD values (monthly average of the month's days).
        asset: the asset class (foreign long-term bonds by default).
        require_investor_types: raise instead of falling back to the total.
        rates: DEXJPUS prepared once (:meth:`DailyRates.from_obs`); default: from ``obs``.

    Raises:
        DataError: no investor-type series and ``require_investor_types``, or
            neither they nor the monthly total are in ``obs``.
    """
    present = obs["series_id"].unique() if len(obs) else []
    by_investor = investor_series_ids(list(present), asset)
    notes = []
    # MoF's groups overlap (banks' banking accounts within deposit-taking corporations, the
    # two trust-account sub-columns within trust accounts...): rank the groups that do not
    # overlap and cover the whole history, plus the total, so that no flow is counted twice
    leaves = {k: v for k, v in by_investor.items() if k in (*LEAF_INVESTORS, "total")}
    if len(leaves) > ("total" in leaves):
        omitted = sorted(set(by_investor) - set(leaves))
        if omitted:
            notes.append(
                "aggregate or sub-groups not ranked (they overlap the groups shown): "
                + ", ".join(k.replace("_", " ") for k in omitted)
            )
        by_investor = leaves
    if not by_investor:
        total = monthly_total_id(asset)
        absent = (
            f"no investor-type series mof.monthly.investor.<investor>.{asset}.net in the "
            "observations (MoF's by-investor files were not fetched)"
        )
        if require_investor_types:
            raise DataError(absent)
        notes.append(f"{absent}; using the all-investor total {total} instead")
        by_investor = {ALL_INVESTORS: total}
    grids = _grids(obs, list(by_investor.values()), "month", "investor-type flows")
    rates = rates if rates is not None else DailyRates.from_obs(obs)
    parts = [
        _window_table(grids[sid], 1, rates).assign(investor=investor)
        for investor, sid in by_investor.items()
    ]
    table = pd.concat(parts, ignore_index=True).rename(columns={"n_windows": "n_months"})
    table = table.reindex(columns=_INVESTOR_COLUMNS)
    notes += _rate_notes(table, rates, "months")
    return InvestorFlows(
        table=table,
        notes=tuple(notes),
        asset=asset,
        by_investor_type=ALL_INVESTORS not in by_investor,
    )
