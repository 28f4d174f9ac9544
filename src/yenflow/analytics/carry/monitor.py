"""The whole carry monitor on the USD/JPY calendar, and distances from an episode's low.

Each row of :meth:`CarryMonitor.to_frame` is a USD/JPY day and says what was knowable then:
that day's market prices (USD/JPY, daily rates), the monthly Japanese rate and the CFTC
positions *as published by the end of that day* (with the month and the report date they are
about), the unwind episode number from its confirmation, and ``known_at``, the instant all of
the row was public.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics import align
from yenflow.analytics.carry._common import Latest, as_timestamp, dedupe, has, latest, latest_of
from yenflow.analytics.carry.fx import FxVolatility, usdjpy, volatility_of
from yenflow.analytics.carry.index import CarryIndex, build_carry_index
from yenflow.analytics.carry.positioning import Positioning, Trader, positioning
from yenflow.analytics.carry.rates import (
    Jp10y,
    RateDifferentials,
    TbillBasis,
    Us3m,
    rate_differentials,
)
from yenflow.analytics.carry.series import (
    CFTC_PREFIX,
    FX_ID,
    FX_STALE_DAYS,
    POSITIONING_STALE_DAYS,
    carry_series,
)
from yenflow.analytics.carry.unwinds import (
    UnwindEpisode,
    UnwindEpisodes,
    UnwindParams,
    detect_unwinds,
)
from yenflow.analytics.inputs import require_series
from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase
from yenflow.errors import DataError

__all__ = ["CarryMonitor", "LowDistance", "LowPeriod", "carry_monitor", "distance_from_low"]

LowPeriod = Literal["day", "month", "year"]


@dataclass(frozen=True)
class LowDistance:
    """How far USD/JPY stood above an episode's low.

    ``above_low_jpy`` = rate - low (yen per dollar), ``above_low_pct`` = 100 x (rate / low - 1);
    negative values mean below the episode's low (the yen stronger than at that trough).
    """

    date: pd.Timestamp
    usdjpy_jpy_per_usd: float
    period: LowPeriod
    episode_trough: pd.Timestamp
    episode_low_jpy_per_usd: float
    above_low_jpy: float
    above_low_pct: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return {k: json_value(v) for k, v in asdict(self).items()}


def distance_from_low(
    usdjpy: pd.Series,
    episode: UnwindEpisode,
    when: str | date | pd.Timestamp,
    *,
    period: LowPeriod = "day",
) -> LowDistance:
    """USD/JPY on ``when`` compared with ``episode``'s trough.

    ``period="day"`` takes the close on ``when`` (or the last one within 7 days before);
    ``"month"`` / ``"year"`` take the lowest close of the calendar month / year containing
    ``when`` (e.g. ``("2025-04", period="month")`` -> 140.81 on 2025-04-21).

    Raises:
        DataError: no USD/JPY close in the requested day or period.
    """
    day = as_timestamp(when)
    series = usdjpy.dropna().sort_index()
    if period == "day":
        window = series.loc[day - pd.Timedelta(days=FX_STALE_DAYS) : day].tail(1)
    else:
        freq = "M" if period == "month" else "Y"
        span = day.to_period(freq)
        window = series.loc[span.start_time : span.end_time]
    if window.empty:
        msg = f"no USD/JPY (fred.DEXJPUS) close for the {period} of {day.date()}"
        raise DataError(msg)
    at = window.idxmin()
    rate = float(window.loc[at])
    low = episode.trough_usdjpy
    return LowDistance(
        date=at,
        usdjpy_jpy_per_usd=rate,
        period=period,
        episode_trough=episode.trough,
        episode_low_jpy_per_usd=low,
        above_low_jpy=rate - low,
        above_low_pct=(rate / low - 1.0) * 100.0,
    )


DAILY_STATE_COLUMNS = (
    "usdjpy_jpy_per_usd",
    "us_3m_pct",
    "jp_3m_pct",
    "diff_3m_pct",
    "us_10y_pct",
    "jp_10y_pct",
    "diff_10y_pct",
    "vol_1m_pct_ann",
    "vol_3m_pct_ann",
    "carry_to_risk",
    "carry_index_base100",
    "carry_drawdown_pct",
)
POSITIONING_STATE_COLUMNS = (
    "net_long_jpy_contracts",
    "net_long_jpy_usd_bn",
    "net_long_jpy_z_3y",
    "net_change_1w_contracts",
    "net_long_jpy_pct_oi",
)
_DAILY_POSITIONING = ("net_long_jpy_contracts", "net_long_jpy_usd_bn", "net_long_jpy_z_3y")


@dataclass(frozen=True, repr=False)
class CarryMonitor(ResultBase):
    """Everything about the yen carry trade, on the USD/JPY calendar.

    :meth:`to_frame` columns (daily, index ``date``): ``usdjpy_jpy_per_usd``, the rate legs and
    ``diff_3m_pct`` / ``diff_10y_pct`` (with ``jp_3m_period_end`` / ``jp_10y_period_end``, the
    month a monthly leg is about), ``vol_1m_pct_ann``, ``vol_3m_pct_ann``, ``carry_to_risk``
    (``diff_3m_pct / vol_3m_pct_ann``: annual carry per unit of annual volatility,
    dimensionless), ``carry_return_pct``, ``carry_index_base100``, ``carry_drawdown_pct``, the
    last CFTC report **published** by the end of the day: ``net_long_jpy_contracts``,
    ``net_long_jpy_usd_bn``, ``net_long_jpy_z_3y`` and its Tuesday ``cftc_report_date`` (for up
    to 14 days after that date), ``unwind_episode_no`` (1-based number in :attr:`episodes`, from
    the day the episode was confirmed to its end; NA elsewhere) and ``known_at`` (UTC: when the
    row's values had all been published).
    """

    frame: pd.DataFrame
    differentials: RateDifferentials
    volatility: FxVolatility
    carry: CarryIndex
    positioning: Positioning | None
    episodes: UnwindEpisodes
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def latest(self, column: str) -> Latest:
        """The last value of a daily column (or of the weekly positioning frame's) and its
        date, e.g. ``monitor.latest("diff_3m_pct")``."""
        if column in POSITIONING_STATE_COLUMNS:
            if self.positioning is None:
                return Latest(None, None)
            return latest_of(self.positioning.frame, column)
        return latest_of(self.frame, column)

    def state(self) -> dict[str, Any]:
        """Latest value (with its date) of every headline figure, and the episode status."""
        daily = latest(self.frame, DAILY_STATE_COLUMNS)
        weekly = (
            latest(self.positioning.frame, POSITIONING_STATE_COLUMNS)
            if self.positioning is not None
            else {c: {"value": None, "date": None} for c in POSITIONING_STATE_COLUMNS}
        )
        active = self.episodes.active
        last = self.episodes.episodes[-1] if self.episodes.episodes else None
        return {
            "as_of": json_value(self.frame.index[-1]) if len(self.frame) else None,
            **daily,
            **weekly,
            "unwind_active": active is not None,
            "active_episode": active.to_dict() if active else None,
            "last_episode": last.to_dict() if last else None,
        }

    def summary(self) -> dict[str, Any]:
        """The state, the episodes, the carry index's drawdowns and the sources and notes."""
        return {
            "state": self.state(),
            "episodes": self.episodes.summary(),
            "carry_index": self.carry.summary(),
            "differentials": {
                "sources": dict(self.differentials.sources),
                "us_3m_basis": self.differentials.us_3m_basis,
            },
            "positioning": self.positioning.summary() if self.positioning else None,
            "notes": [*self.differentials.notes, *self.notes],
        }

    def distance_from_low(
        self, episode: UnwindEpisode, when: str | date, *, period: LowPeriod = "day"
    ) -> LowDistance:
        """:func:`distance_from_low` on this monitor's USD/JPY."""
        return distance_from_low(self.frame["usdjpy_jpy_per_usd"], episode, when, period=period)


def _daily_positioning(
    sub: pd.DataFrame, pos: Positioning | None, trader: Trader, on: pd.DatetimeIndex
) -> dict[str, Any]:
    """The last CFTC report published by the end of each day (by its net series' stamps)."""
    if pos is None:
        out: dict[str, Any] = {c: np.full(len(on), np.nan) for c in _DAILY_POSITIONING}
        out["cftc_report_date"] = pd.DatetimeIndex([pd.NaT] * len(on))
        out["cftc_known_at"] = pd.DatetimeIndex([pd.NaT] * len(on), tz="UTC")
        return out
    known = align.as_known(
        sub, f"{CFTC_PREFIX[trader]}.net", on, max_age_days=POSITIONING_STALE_DAYS
    )
    report = pd.DatetimeIndex(known["period"])
    f = pos.frame
    rows = f.index.get_indexer(report)
    ok = rows >= 0
    out = {}
    for column in _DAILY_POSITIONING:
        values = np.full(len(on), np.nan)
        values[ok] = f[column].to_numpy(dtype="float64")[rows[ok]]
        out[column] = values
    out["cftc_report_date"] = report
    known_rows = np.full(len(on), np.datetime64("NaT"), dtype="datetime64[ns]")
    known_rows[ok] = pd.DatetimeIndex(f["known_at"]).tz_localize(None).to_numpy()[rows[ok]]
    out["cftc_known_at"] = pd.DatetimeIndex(known_rows).tz_localize("UTC")
    return out


def carry_monitor(
    obs: pd.DataFrame,
    *,
    us_3m: Us3m = "auto",
    tbill_basis: TbillBasis = "bond_equivalent",
    jp_10y: Jp10y = "auto",
    trader: Trader = "noncommercial",
    params: UnwindParams | None = None,
) -> CarryMonitor:
    """The whole carry-trade monitor from canonical observations.

    Needs ``fred.DEXJPUS``, a US 3-month series and ``fred.IR3TIB01JPM156N``; the 10-year legs
    and the CFTC series are optional (empty columns and a note if absent). Options as in
    :func:`rate_differentials`, :func:`positioning` and :class:`UnwindParams`.

    Raises:
        DataError: a required series is missing.
    """
    require_series(obs, [FX_ID], purpose="the carry monitor (USD/JPY)")
    sub = dedupe(obs, carry_series(trader))  # once: the rest reads this small frame
    fx = volatility_of(usdjpy(sub))
    on = fx.frame.index
    diffs = rate_differentials(sub, on=on, us_3m=us_3m, tbill_basis=tbill_basis, jp_10y=jp_10y)
    carry = build_carry_index(fx.frame["usdjpy_jpy_per_usd"], diffs.frame["diff_3m_pct"])
    notes: list[str] = []
    pos = None
    if has(sub, f"{CFTC_PREFIX[trader]}.net"):
        pos = positioning(sub, trader=trader)
    else:
        notes.append(f"no CFTC {trader} yen positioning in the store: positioning columns empty")
    net = pos.frame["net_long_jpy_contracts"] if pos is not None else None
    episodes = detect_unwinds(
        fx.frame["usdjpy_jpy_per_usd"],
        params=params,
        net_long_jpy=net,
        carry_index=carry.frame["carry_index_base100"],
    )
    frame = pd.concat(
        [
            fx.frame[["usdjpy_jpy_per_usd", "log_return_pct", "vol_1m_pct_ann", "vol_3m_pct_ann"]],
            diffs.frame.drop(columns="known_at"),
            carry.frame[["carry_return_pct", "carry_index_base100", "carry_drawdown_pct"]],
        ],
        axis=1,
    )
    frame["carry_to_risk"] = frame["diff_3m_pct"] / frame["vol_3m_pct_ann"]
    daily = _daily_positioning(sub, pos, trader, on)
    cftc_known = daily.pop("cftc_known_at")
    for column, values in daily.items():
        frame[column] = values
    frame["unwind_episode_no"] = episodes.labels(on).to_numpy()
    frame["unwind_episode_no"] = frame["unwind_episode_no"].astype("Int64")
    frame["known_at"] = align.known_at(
        align.published(sub, FX_ID, on), diffs.frame["known_at"], cftc_known
    )
    return CarryMonitor(
        frame=frame,
        differentials=diffs,
        volatility=fx,
        carry=carry,
        positioning=pos,
        episodes=episodes,
        notes=tuple(notes),
    )
