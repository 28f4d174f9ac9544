"""Event study: what BTC did after yen-appreciation shocks (and any other dated events).

**Events.** :func:`yen_shocks`: BTC days on which USD/JPY, as known that day
(:mod:`.inputs`), stands more than ``fall_pct`` percent below its value ``days`` days earlier
(the yen bought more dollars: a yen appreciation), de-clustered — a shock within ``min_gap``
days after a kept one is dropped. User dates (e.g. 2025-04-07) and carry-unwind episode dates
are events as given.

**Effect.** For an event on day ``e`` (acted on at its close) and horizon ``h`` days, BTC's
cumulative log return ``CR_h = ln(P_{e+h} / P_e)`` (days ``e+1 .. e+h``), minus the
unconditional drift ``h · μ`` (``μ`` = mean daily log return over the whole sample): the excess
``CR_h - h μ``. The study reports, per horizon 1..H, the mean excess over the events whose
window fits in the data (their number), in percent of log return.

**Inference.** A stationary block bootstrap (mean block ``block_size`` days, seeded) resamples
BTC's daily log returns — keeping their volatility clustering — with the event days fixed,
``reps`` times: the distribution of the mean excess when event days are not special. Its
share at least as far from 0 as the observed mean is the two-sided p-value; the band is the
basic bootstrap interval ``observed - quantiles`` (assuming the spread is the same when the
events matter). Each replication draws one full resampled path and reads every event window
from its cumulative sums: all horizons at once.

**Placebo.** The same study on as many randomly drawn non-event days (seeded, away from every
event by at least ``min_gap`` days): its p-values should not be small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yenflow.analytics.bitcoin._jit import jit
from yenflow.analytics.bitcoin._results import ResultViews
from yenflow.analytics.episodes import EpisodeParams, find_episodes
from yenflow.errors import DataError

__all__ = [
    "EventStudy",
    "event_study",
    "resampled_event_means",
    "unwind_events",
    "yen_shocks",
]


def yen_shocks(
    usdjpy: pd.Series, *, fall_pct: float = 3.0, days: int = 5, min_gap: int = 20
) -> pd.DatetimeIndex:
    """Days where USD/JPY fell more than ``fall_pct`` % over ``days`` days, de-clustered.

    ``usdjpy`` is JPY per USD on BTC's daily calendar as known each day (a fall = a stronger
    yen). The first day of a cluster is kept; candidates within ``min_gap`` days after a kept
    event are dropped.
    """
    if days < 1 or min_gap < 0 or fall_pct <= 0:
        msg = (
            f"yen shocks need days >= 1, min_gap >= 0, fall_pct > 0; "
            f"got {days}, {min_gap}, {fall_pct}"
        )
        raise ValueError(msg)
    v = usdjpy.to_numpy(dtype="float64")
    change = np.full(len(v), np.nan)
    change[days:] = v[days:] / v[:-days] - 1.0
    candidates = np.flatnonzero(change < -fall_pct / 100.0)
    kept: list[int] = []
    for i in candidates:
        if not kept or i - kept[-1] > min_gap:
            kept.append(int(i))
    return pd.DatetimeIndex(usdjpy.index[kept], name="event")


def unwind_events(usdjpy: pd.Series, *, params: EpisodeParams | None = None) -> pd.DatetimeIndex:
    """Carry-unwind episodes of USD/JPY (the generic peak-to-trough detector of
    :mod:`yenflow.analytics.episodes`), dated on the day each was *confirmed* — the day the
    rule fired with the data known then, never the earlier peak."""
    clean = usdjpy.dropna()
    episodes = find_episodes(clean, params=params)
    return pd.DatetimeIndex([e.confirmed_at for e in episodes.episodes], name="event")


@jit()
def _event_null(logret, positions, horizons, block_size, reps, seed, out):
    """out[b, h-1] = mean over events (window in sample) of the resampled excess."""
    np.random.seed(seed)
    n = logret.shape[0]
    mu = logret.mean()
    p = 1.0 / block_size
    path = np.empty(n + 1)
    cum = np.empty(n + 1)
    cum[0] = 0.0
    for t in range(n):
        cum[t + 1] = cum[t] + logret[t]
    n_e = positions.shape[0]
    reach = np.empty(n_e, dtype=np.int64)  # horizons that fit after each event
    count = np.zeros(horizons)
    for e in range(n_e):
        reach[e] = min(horizons, n - positions[e])
        for h in range(reach[e]):
            count[h] += 1.0
    acc = np.empty(horizons)
    for b in range(reps):
        # one stationary-bootstrap path: blocks of geometric length, uniform starts, wrapping
        path[0] = 0.0
        i = 0
        while i < n:
            start = np.random.randint(0, n)
            stop = min(i + np.random.geometric(p), n)
            while i < stop:  # copy up to the end of the data, then wrap to its start
                run = min(stop - i, n - start)
                shift = path[i] - cum[start]  # block = a slice of the cumulative sums
                for j in range(1, run + 1):
                    path[i + j] = shift + cum[start + j]
                i += run
                start = 0
        acc[:] = 0.0
        for e in range(n_e):
            base = path[positions[e]]
            for h in range(reach[e]):
                acc[h] += path[positions[e] + h + 1] - base
        for h in range(horizons):
            out[b, h] = acc[h] / count[h] - (h + 1) * mu if count[h] > 0 else math.nan


def resampled_event_means(
    logret: np.ndarray,
    positions: np.ndarray,
    *,
    horizons: int,
    block_size: float,
    reps: int,
    seed: int,
) -> np.ndarray:
    """``reps × horizons`` bootstrap means of the excess cumulative log return.

    ``logret[t]`` is the log return of day ``t + 1``; an event at day ``e`` reads
    ``logret[e .. e + h - 1]``.
    """
    out = np.empty((reps, horizons))
    _event_null(
        np.ascontiguousarray(logret, dtype="float64"),
        np.asarray(positions, dtype=np.int64),
        int(horizons),
        float(block_size),
        int(reps),
        int(seed),
        out,
    )
    return out


def _observed(logret: np.ndarray, positions: np.ndarray, horizons: int) -> np.ndarray:
    """events × horizons excess cumulative log returns (NaN past the data)."""
    n = len(logret)
    mu = logret.mean()
    cum = np.concatenate([[0.0], np.cumsum(logret)])
    h = np.arange(1, horizons + 1)
    ends = positions[:, None] + h[None, :]
    ok = ends <= n
    car = np.where(ok, cum[np.minimum(ends, n)] - cum[positions][:, None], np.nan)
    return car - h[None, :] * mu


@dataclass(frozen=True, eq=False, repr=False)
class EventStudy(ResultViews):
    """Mean excess BTC log return after events, per horizon, with bootstrap band and p-value.

    Arrays are per horizon 1..H: ``mean_excess_pct`` (mean of ``CR_h - h μ`` in percent of log
    return), ``lower_pct``/``upper_pct`` (the band at ``level``), ``p_value`` (two-sided),
    ``events_used`` (events whose window fits). ``per_event_pct`` is events × horizons.
    ``drift_pct_per_day`` is ``μ``. ``placebo`` is the same study on random non-event days.
    """

    label: str
    events: pd.DatetimeIndex
    horizons: np.ndarray
    mean_excess_pct: np.ndarray
    lower_pct: np.ndarray
    upper_pct: np.ndarray
    p_value: np.ndarray
    events_used: np.ndarray
    per_event_pct: np.ndarray
    drift_pct_per_day: float
    level: float
    reps: int
    block_size: float
    seed: int
    period: tuple[pd.Timestamp, pd.Timestamp]
    placebo: EventStudy | None = None

    def to_frame(self) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                "horizon_days": self.horizons,
                "mean_excess_pct": self.mean_excess_pct,
                "lower_pct": self.lower_pct,
                "upper_pct": self.upper_pct,
                "p_value": self.p_value,
                "events": self.events_used,
                "drift_pct": self.drift_pct_per_day * self.horizons,
            }
        )
        if self.placebo is not None:
            out["placebo_mean_excess_pct"] = self.placebo.mean_excess_pct
            out["placebo_p_value"] = self.placebo.p_value
        return out

    def at(self, horizon: int) -> dict[str, float]:
        i = int(horizon) - 1
        return {
            "horizon_days": int(horizon),
            "mean_excess_pct": float(self.mean_excess_pct[i]),
            "lower_pct": float(self.lower_pct[i]),
            "upper_pct": float(self.upper_pct[i]),
            "p_value": float(self.p_value[i]),
            "events": int(self.events_used[i]),
        }

    def _figures(self) -> dict:
        h = [x for x in (1, 5, 20, 60) if x <= len(self.horizons)]
        out = {
            "label": self.label,
            "events": len(self.events),
            "at": [self.at(x) for x in h],
            "drift_pct_per_day": self.drift_pct_per_day,
            "reps": self.reps,
            "block_size": self.block_size,
            "seed": self.seed,
        }
        if self.placebo is not None:
            out["placebo"] = [self.placebo.at(x) for x in h]
        return out

    def describe(self) -> str:
        if len(self.events) == 0:
            return f"{self.label}: no events in {self.period[0].date()} to {self.period[1].date()}"
        parts = []
        for h in (5, 20, 60):
            if h <= len(self.horizons) and self.events_used[h - 1] > 0:
                a = self.at(h)
                parts.append(
                    f"{h} days {a['mean_excess_pct']:+.1f}% [{a['lower_pct']:+.1f}, "
                    f"{a['upper_pct']:+.1f}] p={a['p_value']:.2f} (n={a['events']})"
                )
        text = (
            f"{self.label}: {len(self.events)} events; BTC mean excess log return over the "
            f"drift ({self.drift_pct_per_day:+.2f}% a day), {self.level:.0%} band: "
            + "; ".join(parts)
        )
        if self.placebo is not None and len(self.placebo.horizons) >= 20:
            pa = self.placebo.at(min(20, len(self.placebo.horizons)))
            text += (
                f". Placebo ({len(self.placebo.events)} random non-event days): 20 days "
                f"{pa['mean_excess_pct']:+.1f}% p={pa['p_value']:.2f}"
            )
        return text


def _positions(index: pd.DatetimeIndex, events: Sequence | pd.DatetimeIndex) -> np.ndarray:
    dates = pd.DatetimeIndex(pd.to_datetime(list(events))).tz_localize(None).normalize()
    pos = index.get_indexer(dates)
    if (pos < 0).any():
        missing = [str(d.date()) for d, p in zip(dates, pos, strict=True) if p < 0]
        msg = (
            f"event dates {', '.join(missing[:5])} are outside the BTC data "
            f"({index[0].date()} to {index[-1].date()})"
        )
        raise DataError(msg)
    return np.unique(pos)


def _study(
    label: str,
    index: pd.DatetimeIndex,
    logret: np.ndarray,
    pos: np.ndarray,
    *,
    horizons: int,
    reps: int,
    block: float,
    seed: int,
    level: float,
) -> EventStudy:
    per_event = _observed(logret, pos, horizons)
    used = np.sum(~np.isnan(per_event), axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.where(used > 0, np.nansum(per_event, axis=0) / np.maximum(used, 1), np.nan)
    if len(pos):
        null = resampled_event_means(
            logret, pos, horizons=horizons, block_size=block, reps=reps, seed=seed
        )
        fits = used > 0
        lower = np.full(horizons, np.nan)
        upper = np.full(horizons, np.nan)
        hi_q, lo_q = np.quantile(null[:, fits], [(1 + level) / 2, (1 - level) / 2], axis=0)
        lower[fits], upper[fits] = mean[fits] - hi_q, mean[fits] - lo_q
        p = np.mean(np.abs(null) >= np.abs(mean)[None, :], axis=0)
        p = np.where(used > 0, p, np.nan)
    else:
        lower = upper = p = np.full(horizons, np.nan)
    return EventStudy(
        label=label,
        events=index[pos],
        horizons=np.arange(1, horizons + 1),
        mean_excess_pct=mean * 100.0,
        lower_pct=lower * 100.0,
        upper_pct=upper * 100.0,
        p_value=p,
        events_used=used,
        per_event_pct=per_event * 100.0,
        drift_pct_per_day=float(logret.mean() * 100.0),
        level=level,
        reps=reps,
        block_size=block,
        seed=seed,
        period=(index[0], index[-1]),
    )


def event_study(
    btc: pd.Series,
    events: Sequence | pd.DatetimeIndex,
    *,
    horizons: int = 60,
    reps: int = 10_000,
    block_size: float | None = None,
    seed: int = 0,
    level: float = 0.9,
    placebo: bool = True,
    min_gap: int = 20,
    label: str = "Yen-appreciation shocks",
) -> EventStudy:
    """Event study of BTC daily closes (USD, one per calendar day) after ``events`` (dates).

    ``block_size`` defaults to ``sqrt(T)`` days; ``level`` is the band's coverage; the placebo
    draws ``len(events)`` days at least ``min_gap`` days from every event (seeded).
    """
    index = pd.DatetimeIndex(btc.index)
    closes = btc.to_numpy(dtype="float64")
    if len(closes) < horizons + 2 or np.isnan(closes).any() or (closes <= 0).any():
        msg = f"the event study needs more than {horizons + 1} positive BTC closes without gaps"
        raise DataError(msg)
    logret = np.diff(np.log(closes))
    block = float(int(math.sqrt(len(logret)))) if block_size is None else float(block_size)
    pos = _positions(index, events)
    pos = pos[pos < len(logret)]  # an event on the last day has no return after it
    result = _study(
        label,
        index,
        logret,
        pos,
        horizons=horizons,
        reps=reps,
        block=block,
        seed=seed,
        level=level,
    )
    if not placebo or not len(pos):
        return result
    rng = np.random.default_rng(seed + 1)
    far = np.ones(len(logret), dtype=bool)
    for e in pos:
        far[max(0, e - min_gap) : e + min_gap + 1] = False
    far[len(logret) - horizons :] = False
    pool = np.flatnonzero(far)
    if len(pool) < len(pos):
        return result
    fake = np.sort(rng.choice(pool, size=len(pos), replace=False))
    shadow = _study(
        "Placebo: random non-event days",
        index,
        logret,
        fake,
        horizons=horizons,
        reps=reps,
        block=block,
        seed=seed + 2,
        level=level,
    )
    return EventStudy(**{**result.__dict__, "placebo": shadow})
