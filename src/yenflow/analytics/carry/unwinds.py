"""Dated carry-unwind episodes in USD/JPY: the generic peak-to-trough detector
(:mod:`yenflow.analytics.episodes`) plus the carry trade's confirmations.

An episode is numbered and labelled from the day it is **confirmed** (``confirmed_at``): the
day the fall rule fired, or with a ``confirm`` filter the first day on which the confirmation
was also public (a volatility spike seen in the closes so far; short covering in a CFTC
report published by then). Its peak, trough and depth describe it; they never label the days
before it was known.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from yenflow.analytics.carry._common import as_timestamp
from yenflow.analytics.carry.fx import volatility_of
from yenflow.analytics.episodes import EpisodeParams, NumberedEpisodes, Span, episode_spans
from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase

__all__ = ["Confirmation", "UnwindEpisode", "UnwindEpisodes", "UnwindParams", "detect_unwinds"]

Confirmation = Literal["none", "vol_spike", "short_covering", "both", "either"]
CONFIRMATIONS = get_args(Confirmation)
#: a CFTC report (Tuesday) is public on the Friday after.
CFTC_RELEASE_LAG_DAYS = 3
_POSITIONING_AGE_DAYS = 10


@dataclass(frozen=True)
class UnwindParams:
    """Parameters of the unwind detector (see :func:`detect_unwinds` for the rule).

    Attributes:
        fall_pct: minimum fall of USD/JPY from the peak, percent (default 8).
        peak_window_days: the peak is the highest close of the last N observations (126 ≈ 6
            months).
        max_fall_days: the fall must happen within M observations of the peak (63 ≈ 3 months).
        recovery_fraction: an episode ends once USD/JPY has retraced this share of its fall
            from the peak to the lowest close so far (0.5 = half), ...
        quiet_days: ... or this many observations (21 ≈ 1 month) after its last trigger day,
            whichever comes first.
        vol_spike_ratio: an episode has a volatility spike if the highest 1-month vol during it
            is at least this multiple of the 3-month vol on the peak day.
        short_covering_contracts: an episode has short covering if the speculative net long yen
            rose by at least this many contracts above its level at the peak (max over the
            reports during the episode).
        confirm: keep only episodes with ``"vol_spike"``, ``"short_covering"``, ``"both"``,
            ``"either"``, or all (``"none"``, default; the flags are reported anyway).
    """

    fall_pct: float = 8.0
    peak_window_days: int = 126
    max_fall_days: int = 63
    recovery_fraction: float = 0.5
    quiet_days: int = 21
    vol_spike_ratio: float = 1.5
    short_covering_contracts: float = 50_000.0
    confirm: Confirmation = "none"

    def __post_init__(self) -> None:
        if not self.vol_spike_ratio > 0:
            raise ValueError("vol_spike_ratio must be positive")
        if self.confirm not in CONFIRMATIONS:
            raise ValueError(f"confirm must be one of {CONFIRMATIONS}")
        self.episode_params()  # validates the rest

    def episode_params(self) -> EpisodeParams:
        """The generic detector's parameters."""
        return EpisodeParams(
            fall_pct=self.fall_pct,
            peak_window=self.peak_window_days,
            max_fall=self.max_fall_days,
            recovery_fraction=self.recovery_fraction,
            quiet=self.quiet_days,
        )


@dataclass(frozen=True)
class UnwindEpisode:
    """One dated unwind: USD/JPY from a peak (``start``) to its ``trough``.

    ``number`` is 1-based in order of confirmation; ``first_signal`` the day the fall rule
    fired and ``confirmed_at`` the day the episode was known (``first_signal``, or later when a
    ``confirm`` filter also needed its confirmation). Prices are DEXJPUS closes (yen per
    dollar); ``depth_pct`` = 100 x (trough / peak - 1) < 0; ``length_days`` = calendar days
    from peak to trough; ``end`` is None while the episode is active (``end_reason``
    "recovered", "quiet" or "active"). Positioning fields are in contracts, net long yen, from
    the last CFTC report dated on or before the date (None without data);
    ``positioning_change_contracts`` = net at trough - net at peak (> 0 = short covering).
    ``carry_index_drawdown_pct`` is the carry index's lowest level during the episode relative
    to its level on the peak day (None before the rates data begin).
    """

    start: pd.Timestamp
    start_usdjpy: float
    first_signal: pd.Timestamp
    trough: pd.Timestamp
    trough_usdjpy: float
    end: pd.Timestamp | None
    end_reason: Literal["recovered", "quiet", "active"]
    depth_pct: float
    length_days: int
    vol_3m_at_start_pct_ann: float | None
    vol_1m_max_pct_ann: float | None
    vol_spike: bool | None
    net_long_jpy_start_contracts: float | None
    net_long_jpy_trough_contracts: float | None
    positioning_change_contracts: float | None
    max_short_covering_contracts: float | None
    short_covering: bool | None
    carry_index_drawdown_pct: float | None
    number: int = 0
    confirmed_at: pd.Timestamp | None = None

    @property
    def active(self) -> bool:
        """Whether the episode had not ended by the last observation."""
        return self.end is None

    def depth_jpy(self) -> float:
        """Trough minus peak, yen per dollar (< 0)."""
        return self.trough_usdjpy - self.start_usdjpy

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields (dates as ISO strings)."""
        return {k: json_value(v) for k, v in asdict(self).items()}


@dataclass(frozen=True, repr=False)
class UnwindEpisodes(NumberedEpisodes, ResultBase):
    """The episodes found, oldest first, with the parameters and data span."""

    episodes: tuple[UnwindEpisode, ...]
    params: UnwindParams
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    notes: tuple[str, ...] = field(default=())

    def headline(self) -> str:
        active = " (one active)" if self.active else ""
        span = f"{json_value(self.first_date)}..{json_value(self.last_date)}"
        return f"{len(self.episodes)} unwind episodes{active}, {span}"

    def between(
        self, start: str | date | None = None, end: str | date | None = None
    ) -> tuple[UnwindEpisode, ...]:
        """Episodes whose peak falls in ``[start, end]`` (either bound optional)."""
        lo = as_timestamp(start) if start is not None else pd.Timestamp.min
        hi = as_timestamp(end) if end is not None else pd.Timestamp.max
        return tuple(e for e in self.episodes if lo <= e.start <= hi)

    def covering(self, when: str | date) -> UnwindEpisode | None:
        """The episode whose span (peak to end, or to now if active) contains ``when``."""
        day = as_timestamp(when)
        for episode in self.episodes:
            last = episode.end if episode.end is not None else self.last_date
            if episode.start <= day <= last:
                return episode
        return None

    def to_frame(self) -> pd.DataFrame:
        """One row per episode."""
        rows = [asdict(e) for e in self.episodes]
        columns = list(UnwindEpisode.__dataclass_fields__)
        return pd.DataFrame(rows, columns=columns)

    def summary(self) -> dict[str, Any]:
        """Count, data span, parameters and every episode."""
        return {
            "count": len(self.episodes),
            "first_date": json_value(self.first_date),
            "last_date": json_value(self.last_date),
            "params": asdict(self.params),
            "episodes": [e.to_dict() for e in self.episodes],
        }


@dataclass(frozen=True)
class _Inputs:
    """The detector's inputs as numpy arrays, indexed by position in the USD/JPY calendar
    (``net`` by report), so that every episode is a few slices."""

    dates: np.ndarray
    usdjpy: np.ndarray
    vol_1m: np.ndarray
    vol_3m: np.ndarray
    carry: np.ndarray
    net_dates: np.ndarray
    net: np.ndarray

    @classmethod
    def build(cls, usdjpy: pd.Series, net: pd.Series | None, carry: pd.Series | None) -> _Inputs:
        fx = volatility_of(usdjpy.dropna().sort_index()).frame
        net = net.dropna().sort_index() if net is not None else pd.Series(dtype="float64")
        carry_on_fx = carry.reindex(fx.index) if carry is not None else None
        return cls(
            dates=fx.index.to_numpy(),
            usdjpy=fx["usdjpy_jpy_per_usd"].to_numpy(),
            vol_1m=fx["vol_1m_pct_ann"].to_numpy(),
            vol_3m=fx["vol_3m_pct_ann"].to_numpy(),
            carry=np.full(len(fx), np.nan) if carry_on_fx is None else carry_on_fx.to_numpy(),
            net_dates=pd.DatetimeIndex(net.index).to_numpy(),
            net=net.to_numpy(dtype="float64"),
        )


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _net_on(a: _Inputs, days: np.ndarray) -> np.ndarray:
    """The last CFTC report dated on or before each day (within 10 days), NaN if none."""
    pos = np.searchsorted(a.net_dates, days, side="right") - 1
    out = np.full(len(days), np.nan)
    ok = pos >= 0
    age = (days[ok] - a.net_dates[pos[ok]]) / np.timedelta64(1, "D")
    out[ok] = np.where(age <= _POSITIONING_AGE_DAYS, a.net[pos[ok]], np.nan)
    return out


def _positioning_fields(a: _Inputs, span: Span, last: int, p: UnwindParams) -> dict[str, Any]:
    """Net long yen at the peak's and the trough's last report, and the covering in between."""
    start_net = trough_net = covering = None
    if a.net.size:
        at = _net_on(a, a.dates[[span.start, span.trough]])
        start_net, trough_net = _none_if_nan(at[0]), _none_if_nan(at[1])
        lo = np.searchsorted(a.net_dates, a.dates[span.start], side="left")
        hi = np.searchsorted(a.net_dates, a.dates[last], side="right")
        if start_net is not None and hi > lo:
            covering = float(a.net[lo:hi].max() - start_net)
    return {
        "net_long_jpy_start_contracts": start_net,
        "net_long_jpy_trough_contracts": trough_net,
        "positioning_change_contracts": (
            None if start_net is None or trough_net is None else trough_net - start_net
        ),
        "max_short_covering_contracts": covering,
        "short_covering": None if covering is None else covering >= p.short_covering_contracts,
    }


def _carry_drawdown(a: _Inputs, span: Span, last: int) -> float | None:
    """Lowest carry index level during the episode relative to the peak day's, percent."""
    at_start = a.carry[span.start]
    window = a.carry[span.start : last + 1]
    if np.isnan(at_start) or np.isnan(window).all():
        return None
    return float((np.nanmin(window) / at_start - 1.0) * 100.0)


def _episode(span: Span, a: _Inputs, p: UnwindParams) -> UnwindEpisode:
    last = len(a.usdjpy) - 1 if span.end is None else span.end
    start, trough = pd.Timestamp(a.dates[span.start]), pd.Timestamp(a.dates[span.trough])
    v = a.usdjpy
    vol3 = a.vol_3m[span.start]
    window = a.vol_1m[span.start : last + 1]
    vol1 = np.nan if np.isnan(window).all() else np.nanmax(window)
    has_vol = not (np.isnan(vol3) or np.isnan(vol1))
    return UnwindEpisode(
        start=start,
        start_usdjpy=float(v[span.start]),
        first_signal=pd.Timestamp(a.dates[span.first_signal]),
        trough=trough,
        trough_usdjpy=float(v[span.trough]),
        end=None if span.end is None else pd.Timestamp(a.dates[span.end]),
        end_reason=span.reason,
        depth_pct=float((v[span.trough] / v[span.start] - 1.0) * 100.0),
        length_days=int((trough - start).days),
        vol_3m_at_start_pct_ann=_none_if_nan(vol3),
        vol_1m_max_pct_ann=_none_if_nan(vol1),
        vol_spike=bool(vol1 >= p.vol_spike_ratio * vol3) if has_vol else None,
        carry_index_drawdown_pct=_carry_drawdown(a, span, last),
        **_positioning_fields(a, span, last, p),
    )


def _vol_day(a: _Inputs, span: Span, last: int, p: UnwindParams) -> int | None:
    """First position (from the first signal on) by which the 1-month vol had spiked."""
    threshold = p.vol_spike_ratio * a.vol_3m[span.start]
    if np.isnan(threshold):
        return None
    hit = np.flatnonzero(a.vol_1m[span.start : last + 1] >= threshold)
    return None if hit.size == 0 else max(span.first_signal, span.start + int(hit[0]))


def _covering_day(a: _Inputs, span: Span, last: int, p: UnwindParams) -> int | None:
    """First position on which a CFTC report showing the covering was public (its Friday)."""
    if not a.net.size:
        return None
    start_net = _net_on(a, a.dates[[span.start]])[0]
    if np.isnan(start_net):
        return None
    lo = np.searchsorted(a.net_dates, a.dates[span.start], side="left")
    hi = np.searchsorted(a.net_dates, a.dates[last], side="right")
    hit = np.flatnonzero(a.net[lo:hi] - start_net >= p.short_covering_contracts)
    if hit.size == 0:
        return None
    public = a.net_dates[lo + int(hit[0])] + np.timedelta64(CFTC_RELEASE_LAG_DAYS, "D")
    day = int(np.searchsorted(a.dates, public, side="left"))
    return max(span.first_signal, day) if day <= last else None


def _confirmed_day(a: _Inputs, span: Span, p: UnwindParams) -> int | None:
    """The position on which the episode was confirmed under ``p.confirm`` (None: never)."""
    if p.confirm == "none":
        return span.first_signal
    last = len(a.usdjpy) - 1 if span.end is None else span.end
    vol = _vol_day(a, span, last, p) if p.confirm != "short_covering" else None
    cover = _covering_day(a, span, last, p) if p.confirm != "vol_spike" else None
    if p.confirm == "vol_spike":
        return vol
    if p.confirm == "short_covering":
        return cover
    if p.confirm == "both":
        return None if vol is None or cover is None else max(vol, cover)
    days = [d for d in (vol, cover) if d is not None]
    return min(days) if days else None


def detect_unwinds(
    usdjpy: pd.Series,
    *,
    params: UnwindParams | None = None,
    net_long_jpy: pd.Series | None = None,
    carry_index: pd.Series | None = None,
) -> UnwindEpisodes:
    """Dated carry-unwind episodes in USD/JPY (yen per dollar, daily closes).

    The rule is the generic peak-to-trough rule of :mod:`yenflow.analytics.episodes` (a fall of
    at least ``fall_pct`` % from the highest close of the last ``peak_window_days`` observations
    within ``max_fall_days`` of it; the episode ends on a ``recovery_fraction`` retracement or
    ``quiet_days`` after its last trigger), plus the carry trade's **confirmations**, reported
    for every episode (a filter only if ``confirm`` says so): a volatility spike (1-month vol
    during the episode ≥ ``vol_spike_ratio`` x 3-month vol on the peak day), and short covering
    (speculative net long yen up ≥ ``short_covering_contracts`` from the peak's report, at its
    highest during the episode).

    With the defaults, DEXJPUS 1971-2026 yields 24 episodes, 9 of them since 2005 (among them
    2008, 2013, 2016, March 2020, late 2022, July-September 2024 with its trough of 140.66 on
    2024-09-13, and January-April 2025).

    Args:
        usdjpy: USD/JPY closes on a sorted DatetimeIndex.
        params: detector parameters.
        net_long_jpy: CFTC speculative net long yen, contracts, by report (as-of) date.
        carry_index: the carry index level on the USD/JPY dates.
    """
    p = params or UnwindParams()
    a = _Inputs.build(usdjpy, net_long_jpy, carry_index)
    spans = episode_spans(a.usdjpy, p.episode_params())
    kept: list[UnwindEpisode] = []
    for span in spans:
        day = _confirmed_day(a, span, p)
        if day is None:
            continue
        episode = _episode(span, a, p)
        kept.append(replace(episode, number=len(kept) + 1, confirmed_at=pd.Timestamp(a.dates[day])))
    n = len(a.dates)
    return UnwindEpisodes(
        episodes=tuple(kept),
        params=p,
        first_date=pd.Timestamp(a.dates[0]) if n else None,
        last_date=pd.Timestamp(a.dates[-1]) if n else None,
    )
