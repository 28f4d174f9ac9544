"""Section (f): where the figures come from: sources' last fetches and series' freshness."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from yenflow.analytics.records import plain
from yenflow.report.draft import Draft, Inputs
from yenflow.report.formatting import format_time
from yenflow.report.freshness import by_source
from yenflow.report.model import Column, NoteKind, SeriesFreshness, Table

_SOURCE_COLUMNS = (
    Column("source", "Source"),
    Column("status", "Status"),
    Column("last_fetch_at", "Last fetch", "datetime"),
    Column("rows", "Observations held", ",d"),
    Column("last_published_at", "Newest publication", "datetime"),
    Column("error", "Error"),
)
_ROWS = Column("rows", "Observations", ",d")
_NEWEST = (
    Column("last_period_end", "Newest period end", "date"),
    Column("last_published_at", "Published", "datetime"),
)
_BY_SOURCE_COLUMNS = (Column("source", "Source"), Column("series", "Series", ",d"), _ROWS, *_NEWEST)
_SERIES_COLUMNS = (
    Column("series_id", "Series"),
    _ROWS,
    Column("first_period_end", "First period end", "date"),
    *_NEWEST,
    Column("stale", "Stale"),
)

#: fetch statuses that need no note; ``failed``/``error`` (or any error text) is an error note,
#: anything else (``skipped``...) an info note.
_FETCH_OK = frozenset({"ok", "not_modified", "unchanged"})
_FETCH_FAILED = frozenset({"failed", "error"})


def build(inputs: Inputs, out: Draft) -> None:
    """Tables of the sources' fetch status, observations by source, and every series."""
    out.intro = (
        "Where the figures come from: the last fetch of each source, and for every series in "
        "the store its newest period and when that value was published."
    )
    if inputs.as_of is not None:
        out.intro += (
            f" As-of view: only values published by {format_time(inputs.as_of, with_time=True)} "
            "(approximate release schedules)."
        )
    if inputs.sources is not None and not inputs.sources.empty:
        _sources_table(inputs.sources, out)
    if not inputs.fresh:
        out.note("missing", "the store has no observations; run `yenflow fetch` first")
        return
    groups = sorted(by_source(inputs.fresh.values()).items())
    out.tables.append(
        Table(
            "by_source",
            "Observations by source",
            _BY_SOURCE_COLUMNS,
            tuple(_source_row(source, items) for source, items in groups),
        )
    )
    out.tables.append(
        Table(
            "series",
            "Every series",
            _SERIES_COLUMNS,
            tuple(_series_row(f) for f in inputs.fresh.values()),
        )
    )


def _source_row(source: str, items: Sequence[SeriesFreshness]) -> tuple[Any, ...]:
    """A row of :data:`_BY_SOURCE_COLUMNS`: one source's series, rows and newest values."""
    return (
        source,
        len(items),
        sum(f.rows for f in items),
        max(f.last_period_end for f in items),
        max(f.last_published_at for f in items),
    )


def _series_row(f: SeriesFreshness) -> tuple[Any, ...]:
    """A row of :data:`_SERIES_COLUMNS`."""
    return (
        f.series_id,
        f.rows,
        f.first_period_end,
        f.last_period_end,
        f.last_published_at,
        "stale" if f.stale else "",
    )


def _sources_table(status: pd.DataFrame, out: Draft) -> None:
    """The store's per-source fetch status as a table, with a note for each failed fetch."""
    cols = tuple(c for c in _SOURCE_COLUMNS if c.key in status.columns)
    records = [{k: plain(v) for k, v in rec.items()} for rec in status.to_dict(orient="records")]
    rows = tuple(tuple(rec.get(c.key) for c in cols) for rec in records)
    out.tables.append(Table("sources", "Sources: last fetch", cols, rows))
    for rec in records:
        state = str(rec.get("status") or "ok").lower()
        error = rec.get("error")
        if state in _FETCH_OK and not error:
            continue
        kind: NoteKind = "error" if error or state in _FETCH_FAILED else "info"
        detail = f" — {error}" if error else ""
        out.note(kind, f"source {rec.get('source')}: last fetch {state}{detail}")
