"""Peak-to-trough episodes in any price series, dated without look-ahead.

The rule (positions count observations; defaults in :class:`EpisodeParams`):

1. **Peak**: on each day ``t``, ``P_t`` is the highest close of the last ``peak_window``
   observations, reached on day ``p_t``.
2. **Trigger**: day ``t`` triggers if ``S_t ≤ P_t (1 - fall_pct/100)`` and
   ``t - p_t ≤ max_fall``: a fall of at least ``fall_pct`` % from a recent high within
   ``max_fall`` observations of it.
3. **Episode**: starts at the peak ``p_t`` of its first trigger day and is **confirmed** on that
   trigger day (``confirmed_at``). It ends on the first day after its latest trigger on which the
   price has retraced ``recovery_fraction`` of the fall from the peak to the lowest close so
   far, or ``quiet`` observations after its latest trigger, whichever comes first. Trigger days
   before the end extend it. The **trough** is the lowest close from the peak to the end; an
   episode that has not ended on the last day is *active*.
4. A trigger after an episode's end starts a new one; if its peak lies inside the previous
   episode, the peak is the highest close since that episode's end, and the fall from it must
   again reach ``fall_pct``.

Every step reads only the closes up to the day it decides, so an episode is known from its
``confirmed_at`` day: :meth:`Episodes.labels` numbers the days from ``confirmed_at`` to the end,
never from the peak (which is only known to have been a peak once the fall came). The peak,
trough and depth are the episode's description, dated where they happened.

Used by the carry monitor (USD/JPY unwinds, :mod:`yenflow.analytics.carry.unwinds`); works on
any positive price series (an equity index, Bitcoin).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase
from yenflow.analytics.stats import rolling_peak_index

__all__ = ["Episode", "EpisodeParams", "Episodes", "Span", "episode_spans", "find_episodes"]

EndReason = Literal["recovered", "quiet", "active"]


@dataclass(frozen=True)
class EpisodeParams:
    """Parameters of the peak-to-trough detector (the rule is in the module docstring).

    Attributes:
        fall_pct: minimum fall from the peak, percent (default 8).
        peak_window: the peak is the highest close of the last N observations (126 ≈ 6 months
            of trading days).
        max_fall: the fall must happen within M observations of the peak (63 ≈ 3 months).
        recovery_fraction: an episode ends once the price has retraced this share of its fall
            from the peak to the lowest close so far (0.5 = half), ...
        quiet: ... or this many observations (21 ≈ 1 month) after its last trigger day,
            whichever comes first.
    """

    fall_pct: float = 8.0
    peak_window: int = 126
    max_fall: int = 63
    recovery_fraction: float = 0.5
    quiet: int = 21

    def __post_init__(self) -> None:
        checks = (
            (0 < self.fall_pct < 100, "fall_pct must be in (0, 100)"),
            (self.peak_window >= 2, "peak_window must be at least 2"),
            (self.max_fall >= 1, "max_fall must be at least 1"),
            (0 < self.recovery_fraction <= 1, "recovery_fraction must be in (0, 1]"),
            (self.quiet >= 1, "quiet must be at least 1"),
        )
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)


@dataclass(frozen=True)
class Span:
    """Positions (in the price array) of one episode; ``end`` None while active."""

    start: int
    first_signal: int
    trough: int
    end: int | None
    reason: EndReason


def _trigger_days(v: np.ndarray, p: EpisodeParams) -> tuple[np.ndarray, np.ndarray]:
    """(positions of trigger days, position of the rolling peak for every day)."""
    peak = rolling_peak_index(v, p.peak_window)
    pos = np.arange(len(v))
    hit = (v <= v[peak] * (1.0 - p.fall_pct / 100.0)) & (pos - peak <= p.max_fall)
    return np.flatnonzero(hit), peak


def _episode_end(
    v: np.ndarray, start: int, first: int, triggers: np.ndarray, p: EpisodeParams
) -> tuple[int | None, EndReason]:
    """Where an episode starting at ``start`` with first trigger ``first`` ends."""
    n = len(v)
    seg = v[start:]
    low = np.minimum.accumulate(seg)
    recovered = seg >= low + p.recovery_fraction * (seg[0] - low)
    last = first
    while True:
        after = np.flatnonzero(recovered[last - start + 1 :])
        rec_end = last + 1 + int(after[0]) if after.size else n
        quiet_end = last + p.quiet
        end = min(rec_end, quiet_end)
        later = triggers[np.searchsorted(triggers, min(end, n - 1), side="right") - 1]
        if later > last:
            last = int(later)
            continue
        if end >= n:
            return None, "active"
        return end, "recovered" if rec_end <= quiet_end else "quiet"


def episode_spans(values: np.ndarray, params: EpisodeParams) -> list[Span]:
    """The episodes of a price array (no NaN), oldest first, as positions."""
    v = np.asarray(values, dtype="float64")
    if len(v) == 0:
        return []
    triggers, peak = _trigger_days(v, params)
    spans: list[Span] = []
    prev_end = -1
    j = 0
    while j < len(triggers):
        t = int(triggers[j])
        start = int(peak[t])
        if start < prev_end:  # the peak lies inside the previous episode: restart after it
            start = prev_end + int(np.argmax(v[prev_end : t + 1]))
            if v[t] > v[start] * (1.0 - params.fall_pct / 100.0):
                j += 1
                continue
        end, reason = _episode_end(v, start, t, triggers, params)
        last = len(v) - 1 if end is None else end
        trough = start + int(np.argmin(v[start : last + 1]))
        spans.append(Span(start, t, trough, end, reason))
        if end is None:
            break
        prev_end = end
        j = int(np.searchsorted(triggers, end, side="right"))
    return spans


@dataclass(frozen=True)
class Episode:
    """One peak-to-trough episode.

    ``number`` is 1-based in order of confirmation; ``confirmed_at`` the day the rule fired
    (the episode is known from then on); ``depth_pct`` = 100 x (trough / peak - 1) < 0;
    ``length_days`` calendar days from peak to trough; ``end`` None while active.
    """

    number: int
    peak: pd.Timestamp
    peak_value: float
    confirmed_at: pd.Timestamp
    trough: pd.Timestamp
    trough_value: float
    end: pd.Timestamp | None
    end_reason: EndReason
    depth_pct: float
    length_days: int

    @property
    def active(self) -> bool:
        """Whether the episode had not ended by the last observation."""
        return self.end is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields (dates as ISO days)."""
        return {k: json_value(v) for k, v in asdict(self).items()}


def _day(when: str | date | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(when).tz_localize(None).normalize()


def episode_labels(
    starts: list[pd.Timestamp],
    ends: list[pd.Timestamp | None],
    numbers: list[int],
    on: pd.DatetimeIndex,
) -> pd.Series:
    """Episode number on each day of ``on`` from each episode's confirmation (``starts``) to
    its end (inclusive; to the last day if active); NA elsewhere."""
    out = np.zeros(len(on), dtype="int64")
    days = pd.DatetimeIndex(on)
    for number, start, end in zip(numbers, starts, ends, strict=True):
        hi = len(days) if end is None else days.searchsorted(end, side="right")
        out[days.searchsorted(start, side="left") : hi] = number
    return pd.Series(pd.arrays.IntegerArray(out, out == 0), index=on)


class NumberedEpisodes:
    """What every list of numbered episodes offers (the generic :class:`Episodes` and the carry
    monitor's unwind episodes): its length, the active episode and the point-in-time labels.

    The subclass has an ``episodes`` tuple whose items have ``confirmed_at``, ``end``,
    ``number`` and ``active``.
    """

    episodes: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.episodes)

    @property
    def active(self) -> Any | None:
        """The active episode, if the last one has not ended."""
        return self.episodes[-1] if self.episodes and self.episodes[-1].active else None

    def labels(self, on: pd.DatetimeIndex) -> pd.Series:
        """Episode number per day of ``on``, from confirmation to end (never from the peak)."""
        e = self.episodes
        return episode_labels(
            [x.confirmed_at for x in e], [x.end for x in e], [x.number for x in e], on
        )


@dataclass(frozen=True, repr=False)
class Episodes(NumberedEpisodes, ResultBase):
    """The episodes found, oldest first, with the parameters and data span."""

    episodes: tuple[Episode, ...]
    params: EpisodeParams
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None

    def covering(self, when: str | date) -> Episode | None:
        """The episode whose span (peak to end, or to the last day if active) holds ``when``."""
        day = _day(when)
        for episode in self.episodes:
            last = episode.end if episode.end is not None else self.last_date
            if last is not None and episode.peak <= day <= last:
                return episode
        return None

    def headline(self) -> str:
        active = " (one active)" if self.active else ""
        span = f"{json_value(self.first_date)}..{json_value(self.last_date)}"
        return f"{len(self.episodes)} episodes{active}, {span}"

    def to_frame(self) -> pd.DataFrame:
        """One row per episode."""
        return pd.DataFrame(
            [asdict(e) for e in self.episodes], columns=list(Episode.__dataclass_fields__)
        )

    def summary(self) -> dict[str, Any]:
        """Count, data span, parameters and every episode."""
        return {
            "count": len(self.episodes),
            "first_date": json_value(self.first_date),
            "last_date": json_value(self.last_date),
            "params": asdict(self.params),
            "episodes": [e.to_dict() for e in self.episodes],
        }


def find_episodes(prices: pd.Series, *, params: EpisodeParams | None = None) -> Episodes:
    """Peak-to-trough episodes of ``prices`` (positive closes on a DatetimeIndex; NaN dropped)."""
    p = params or EpisodeParams()
    clean = prices.dropna().sort_index()
    v = clean.to_numpy(dtype="float64")
    dates = pd.DatetimeIndex(clean.index)
    found = []
    for number, s in enumerate(episode_spans(v, p), start=1):
        found.append(
            Episode(
                number=number,
                peak=dates[s.start],
                peak_value=float(v[s.start]),
                confirmed_at=dates[s.first_signal],
                trough=dates[s.trough],
                trough_value=float(v[s.trough]),
                end=None if s.end is None else dates[s.end],
                end_reason=s.reason,
                depth_pct=float((v[s.trough] / v[s.start] - 1.0) * 100.0),
                length_days=int((dates[s.trough] - dates[s.start]).days),
            )
        )
    return Episodes(
        episodes=tuple(found),
        params=p,
        first_date=dates[0] if len(dates) else None,
        last_date=dates[-1] if len(dates) else None,
    )
