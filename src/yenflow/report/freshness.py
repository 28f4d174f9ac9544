"""How fresh the store's series are: rows, first and last periods, publication, staleness.

A series is stale when its newest value was published long before the report date for its
frequency: more than :data:`STALE_GAPS` typical gaps between its periods, and at least
:data:`STALE_MIN_DAYS` days.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from yenflow.report.formatting import format_time, utc
from yenflow.report.model import SeriesFreshness

#: A series is flagged stale when its newest value was published more than this many typical
#: period gaps before the report date (and at least :data:`STALE_MIN_DAYS` days before).
STALE_GAPS = 4
STALE_MIN_DAYS = 30


#: the columns of a freshness table (one row per series), as :func:`freshness_table` computes
#: it from observations and as a store may compute it in one query.
FRESHNESS_COLUMNS = (
    "series_id",
    "rows",
    "first_period_end",
    "last_period_end",
    "last_published_at",
)


def freshness_table(obs: pd.DataFrame) -> pd.DataFrame:
    """Per series of ``obs``: rows, first and last period end, and when the newest period's
    value was published (columns :data:`FRESHNESS_COLUMNS`, sorted by series)."""
    if obs.empty:
        return pd.DataFrame({c: [] for c in FRESHNESS_COLUMNS})
    grouped = obs.groupby("series_id", sort=True)
    ends = grouped["period_end"]
    newest = obs.loc[ends.idxmax().to_numpy(), ["series_id", "published_at"]].set_index("series_id")
    out = pd.DataFrame(
        {
            "rows": grouped.size(),
            "first_period_end": ends.min(),
            "last_period_end": ends.max(),
            "last_published_at": newest["published_at"],
        }
    )
    return out.rename_axis("series_id").reset_index()[list(FRESHNESS_COLUMNS)]


def freshness_of(table: pd.DataFrame) -> dict[str, SeriesFreshness]:
    """:class:`SeriesFreshness` by series id from a freshness table."""
    published = pd.DatetimeIndex(table["last_published_at"])
    published = published.tz_localize("UTC") if published.tz is None else published
    return {
        str(sid): SeriesFreshness(
            series_id=str(sid),
            rows=int(rows),
            first_period_end=pd.Timestamp(first),
            last_period_end=pd.Timestamp(last),
            last_published_at=utc(pub),
        )
        for sid, rows, first, last, pub in zip(
            table["series_id"],
            table["rows"],
            table["first_period_end"],
            table["last_period_end"],
            published,
            strict=True,
        )
    }


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
