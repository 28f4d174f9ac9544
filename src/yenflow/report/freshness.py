"""How fresh the report's series are: per-series row ranges, last values and staleness.

A series is stale when its newest value was published long before the report date for its
frequency: more than :data:`STALE_GAPS` typical gaps between its periods, and at least
:data:`STALE_MIN_DAYS` days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yenflow.report.formatting import format_time, utc
from yenflow.report.model import SeriesFreshness

#: A series is flagged stale when its newest value was published more than this many typical
#: period gaps before the report date (and at least :data:`STALE_MIN_DAYS` days before).
STALE_GAPS = 4
STALE_MIN_DAYS = 30


@dataclass(frozen=True)
class Segments:
    """Observations sorted by (series, period end), with each series' row range.

    Sorting once and slicing is much cheaper than a groupby that materializes every group:
    a section only slices the few series it reads.
    """

    frame: pd.DataFrame
    bounds: Mapping[str, tuple[int, int]]

    @classmethod
    def of(cls, obs: pd.DataFrame) -> Segments:
        """Sort ``obs`` once by series and period end, and find each series' rows."""
        if obs.empty:
            return cls(obs, {})
        codes, names = pd.factorize(obs["series_id"], sort=True)
        ends = pd.DatetimeIndex(obs["period_end"]).as_unit("ns").asi8
        order = np.lexsort((ends, codes))
        frame = obs.take(order).reset_index(drop=True)
        sorted_codes = codes[order]
        starts = np.flatnonzero(np.diff(sorted_codes, prepend=-1))
        stops = np.append(starts[1:], len(sorted_codes))
        bounds = {
            str(names[sorted_codes[a]]): (int(a), int(b))
            for a, b in zip(starts, stops, strict=True)
        }
        return cls(frame, bounds)

    def freshness(self) -> dict[str, SeriesFreshness]:
        """Freshness of every series: first and last rows of each segment."""
        ends = self.frame["period_end"].to_numpy()
        published = pd.DatetimeIndex(self.frame["published_at"])
        return {
            sid: SeriesFreshness(
                series_id=sid,
                rows=b - a,
                first_period_end=pd.Timestamp(ends[a]),
                last_period_end=pd.Timestamp(ends[b - 1]),
                last_published_at=utc(published[b - 1]),
            )
            for sid, (a, b) in self.bounds.items()
        }

    def slice(self, series_id: str) -> pd.DataFrame | None:
        """The rows of one series, or None if absent."""
        if series_id not in self.bounds:
            return None
        a, b = self.bounds[series_id]
        return self.frame.iloc[a:b]


def age_days(fresh: SeriesFreshness, reference: pd.Timestamp) -> float:
    """Days from the newest value's publication to ``reference``."""
    return (reference - fresh.last_published_at).total_seconds() / 86_400


def stale_days(fresh: SeriesFreshness) -> float:
    """Days after its newest publication from which a series counts as stale."""
    span = (fresh.last_period_end - fresh.first_period_end).days
    gap = span / (fresh.rows - 1) if fresh.rows > 1 else 30.0
    return max(STALE_MIN_DAYS, STALE_GAPS * gap)


def by_source(series: Iterable[SeriesFreshness]) -> dict[str, list[SeriesFreshness]]:
    """The series grouped by source (the id's first part), sources in order of appearance."""
    groups: dict[str, list[SeriesFreshness]] = {}
    for fresh in series:
        groups.setdefault(fresh.source, []).append(fresh)
    return groups


def listing(series: Iterable[SeriesFreshness]) -> str:
    """The series with their newest period: ``fred.DTB3 (to 2026-01-15), fred.DGS10 (to ...)``."""
    return ", ".join(f"{f.series_id} (to {format_time(f.last_period_end)})" for f in series)
