"""Build the report: observation frame in, frozen :class:`Report` of sections out.

:func:`build_report` takes a canonical observation frame (what the store returns, "as of" a
date), runs one analysis per section and collects what each section shows: headline facts,
tables, charts (built lazily by :mod:`yenflow.report.charts`), notes, and the series it used
with their freshness (last period end and when that value was published).

A section never crashes the report: a missing series or a :class:`~yenflow.errors.DataError`
from an analysis becomes a visible note in that section ("missing: fred.DTB3 — not in the
store; run `yenflow fetch fred`") and the other sections still render. Renderers
(:mod:`yenflow.report.html`, :mod:`yenflow.report.terminal`) only format what is here, and
:meth:`Report.summary` returns every figure shown as a JSON-serializable dict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics.carry import (
    CFTC_OPEN_INTEREST_ID,
    CFTC_PREFIX,
    FX_ID,
    JP_3M_ID,
    JP_10Y_IDS,
    US_10Y_ID,
    CarryMonitor,
    Positioning,
    UnwindEpisode,
    UnwindEpisodes,
    carry_monitor,
    detect_unwinds,
    distance_from_low,
    fx_volatility,
    positioning,
)
from yenflow.analytics.flows import (
    Asset,
    Direction,
    FlowWindow,
    FlowWindows,
    flow_windows,
    investor_flows,
    record_from_row,
    weekly_series_id,
)
from yenflow.analytics.holdings import (
    COUNTRY_PREFIX,
    GRAND_TOTAL,
    HOLDERS,
    HolderMonth,
    TreasuryHoldings,
    treasury_holdings,
)
from yenflow.errors import DataError
from yenflow.report import charts
from yenflow.sources.base import FRAME_COLUMNS

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "RISK_SUMMARY",
    "RISK_WARNING",
    "Chart",
    "Column",
    "Fact",
    "Note",
    "Report",
    "Section",
    "SeriesFreshness",
    "Table",
    "build_report",
    "format_cell",
    "format_time",
    "jsonable",
]

NoteKind = Literal["missing", "stale", "error", "info"]
OnError = Literal["note", "raise"]
Cell = str | float | int | None

#: The risk warning closing every report, one paragraph per item.
RISK_WARNING: tuple[str, ...] = (
    "This report is information, not investment advice: nothing in it is a recommendation "
    "to buy or sell any security, currency or derivative.",
    "Official statistics are revised. The figures here are the values in the local store when "
    "the report was built; earlier or later vintages can differ.",
    "The as-of view uses approximate publication schedules (for instance, MoF weekly data on "
    "the Thursday after the week, TIC about the 18th of the second month after, CFTC on the "
    "Friday after the Tuesday report date). Where the real release came later, the as-of "
    "view can show a figure slightly before it was public.",
    "MoF weekly flows come from designated major investors only; TIC assigns holdings to the "
    "country of the custodian, not of the owner; CFTC futures positions are one market among "
    "many. None of them is the whole picture.",
    "Correlation is not causation: flows, rate differentials, positioning and exchange rates "
    "moving together does not show that one drove another. Past episodes (carry unwinds, "
    "record outflows) do not predict the next ones.",
)

#: The same warning in two lines, for the terminal.
RISK_SUMMARY = (
    "Not investment advice. Official data are revised; the as-of view uses approximate release "
    "schedules; MoF, TIC and CFTC figures each show part of the picture; correlation is not "
    "causation, and past episodes do not predict the next ones."
)


# --------------------------------------------------------------------------------------------
# Building blocks of a section
# --------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` with timestamps as ISO strings, NaN as None and numpy scalars as Python ones."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def format_time(value: pd.Timestamp | None, *, with_time: bool = False) -> str:
    """A day as ``2025-04-12``, or with ``with_time`` an instant as ``2025-04-16 23:50 UTC``."""
    if value is None or pd.isna(value):
        return "—"
    if with_time:
        stamp = value.tz_convert("UTC") if value.tzinfo is not None else value
        return stamp.strftime("%Y-%m-%d %H:%M UTC")
    return value.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Column:
    """A table column: key, header label (with unit) and how to format its cells.

    ``fmt`` is a format spec for numbers (``",.0f"``, ``"+,.0f"``, ``".2f"``), ``"date"`` for
    timestamps shown as days, ``"month"`` for months, ``"datetime"`` for instants, or ``""``
    for text. A ``hidden`` column is in :meth:`Table.summary` (JSON) but not displayed;
    ``short`` is a compact label for narrow displays (the terminal).
    """

    key: str
    label: str
    fmt: str = ""
    hidden: bool = False
    align: Literal["left", "right", "auto"] = "auto"
    short: str = ""

    @property
    def right(self) -> bool:
        """Whether cells align right (numbers, dates) rather than left (text)."""
        return self.align == "right" or (self.align == "auto" and bool(self.fmt))


def format_cell(value: Any, fmt: str) -> str:
    """One table cell as text: numbers by ``fmt``, dates as ISO days, missing as an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if fmt in ("date", "datetime"):
        stamp = pd.Timestamp(value)
        return format_time(stamp, with_time=fmt == "datetime")
    if fmt == "month":
        return pd.Timestamp(value).strftime("%Y-%m")
    if fmt and isinstance(value, int | float | np.number):
        return format(float(value) if "d" not in fmt else int(value), fmt)
    return str(value)


@dataclass(frozen=True)
class Table:
    """A small display table; cells hold raw values (numbers, timestamps, text)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        """The columns displayed (not hidden)."""
        return tuple(c for c in self.columns if not c.hidden)

    def formatted(self) -> list[list[str]]:
        """Rows of display strings for the shown columns, formatted column by column."""
        return [
            [format_cell(v, c.fmt) for v, c in zip(row, self.columns, strict=True) if not c.hidden]
            for row in self.rows
        ]

    def summary(self) -> dict[str, Any]:
        """Title, caption, column labels and the rows as records keyed by column key."""
        return {
            "title": self.title,
            "caption": self.caption,
            "columns": {c.key: c.label for c in self.columns},
            "rows": [
                {c.key: jsonable(v) for c, v in zip(self.columns, row, strict=True)}
                for row in self.rows
            ],
        }


@dataclass(frozen=True)
class Fact:
    """One headline figure: a sentence for readers and the value behind it.

    Attributes:
        key: stable machine key (``"usdjpy_vs_last_unwind_low_pct"``).
        text: the sentence shown.
        value: the number (or date/text) the sentence states.
        unit: unit of ``value`` (``"percent"``, ``"JPY 100 million"``...).
        extra: further figures the sentence uses (dates, levels), for ``--json``.
    """

    key: str
    text: str
    value: Any = None
    unit: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The fact as a JSON-serializable dict."""
        return jsonable(
            {"text": self.text, "value": self.value, "unit": self.unit, **dict(self.extra)}
        )


@dataclass(frozen=True)
class Chart:
    """A chart of a section: built on demand by ``make`` (a function of :mod:`.charts`)."""

    key: str
    title: str
    make: Callable[[], go.Figure] = field(repr=False, compare=False)
    caption: str = ""

    def figure(self) -> go.Figure:
        """Build the plotly figure."""
        return self.make()


@dataclass(frozen=True)
class Note:
    """A visible remark in a section: missing or stale data, a failed part, context."""

    kind: NoteKind
    text: str
    series_id: str | None = None

    def summary(self) -> dict[str, Any]:
        """The note as a JSON-serializable dict."""
        return {"kind": self.kind, "text": self.text, "series_id": self.series_id}


@dataclass(frozen=True)
class SeriesFreshness:
    """How fresh one series is in the (as-of filtered) observations.

    Attributes:
        series_id: the catalog id.
        rows: number of observations.
        first_period_end: the oldest period's end.
        last_period_end: the newest period's end.
        last_published_at: when the newest period's value was published (UTC).
        stale: whether that publication is old for the series' frequency, seen from the
            report date (see :data:`STALE_GAPS`).
    """

    series_id: str
    rows: int
    first_period_end: pd.Timestamp
    last_period_end: pd.Timestamp
    last_published_at: pd.Timestamp
    stale: bool = False

    @property
    def source(self) -> str:
        """The source's registry name (the id's first part)."""
        return self.series_id.split(".", 1)[0]

    def text(self) -> str:
        """``fred.DEXJPUS: last 2025-04-18, published 2025-04-21 20:15 UTC``."""
        return (
            f"{self.series_id}: last {format_time(self.last_period_end)}, published "
            f"{format_time(self.last_published_at, with_time=True)}"
        )

    def summary(self) -> dict[str, Any]:
        """The freshness as a JSON-serializable dict."""
        return jsonable(
            {
                "series_id": self.series_id,
                "rows": self.rows,
                "first_period_end": self.first_period_end,
                "last_period_end": self.last_period_end,
                "last_published_at": self.last_published_at,
                "stale": self.stale,
            }
        )


@dataclass(frozen=True)
class Section:
    """One part of the report: what one analysis shows, what it used, and notes.

    ``status`` is ``"ok"`` when nothing is missing, ``"partial"`` when some part is missing
    but something is shown, ``"missing"`` when the section shows no figure at all.
    """

    key: str
    title: str
    intro: str = ""
    paragraphs: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[Note, ...] = ()
    series: tuple[SeriesFreshness, ...] = ()
    results: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def status(self) -> Literal["ok", "partial", "missing"]:
        """Whether the section shows everything, part, or nothing of what it should."""
        shows = bool(self.facts or self.tables or self.charts or self.paragraphs)
        troubled = any(n.kind in ("missing", "error") for n in self.notes)
        if not shows:
            return "missing" if troubled else "ok"
        return "partial" if troubled else "ok"

    def fact(self, key: str) -> Fact:
        """The fact with ``key`` (KeyError if absent)."""
        for f in self.facts:
            if f.key == key:
                return f
        raise KeyError(key)

    def table(self, key: str) -> Table:
        """The table with ``key`` (KeyError if absent)."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def freshness_text(self) -> str:
        """One line naming every series used with its last period and publication time."""
        if not self.series:
            return "No series used."
        return "Data used: " + "; ".join(s.text() for s in self.series) + "."

    def summary(self) -> dict[str, Any]:
        """Every figure the section shows, as a JSON-serializable dict."""
        results: dict[str, Any] = {}
        for name, result in self.results.items():
            summarize = getattr(result, "summary", None)
            results[name] = jsonable(summarize()) if callable(summarize) else None
        return {
            "title": self.title,
            "status": self.status,
            "intro": self.intro,
            "paragraphs": list(self.paragraphs),
            "series": [s.summary() for s in self.series],
            "notes": [n.summary() for n in self.notes],
            "facts": {f.key: f.summary() for f in self.facts},
            "tables": {t.key: t.summary() for t in self.tables},
            "charts": [{"key": c.key, "title": c.title, "caption": c.caption} for c in self.charts],
            "results": results,
        }


@dataclass(frozen=True)
class Report:
    """The whole report: sections in display order, the as-of date and generation time."""

    as_of: pd.Timestamp | None
    generated_at: pd.Timestamp
    sections: tuple[Section, ...]
    risk_warning: tuple[str, ...] = RISK_WARNING
    risk_summary: str = RISK_SUMMARY

    def section(self, key: str) -> Section:
        """The section with ``key`` (KeyError if absent)."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def notes(self) -> tuple[tuple[str, Note], ...]:
        """Every note of every section, as (section key, note)."""
        return tuple((s.key, n) for s in self.sections for n in s.notes)

    def summary(self) -> dict[str, Any]:
        """Every figure shown, as a JSON-serializable dict (for ``yenflow report --json``)."""
        return {
            "as_of": jsonable(self.as_of),
            "generated_at": jsonable(self.generated_at),
            "sections": {s.key: s.summary() for s in self.sections},
            "risk_warning": list(self.risk_warning),
        }


# --------------------------------------------------------------------------------------------
# Inputs: the as-of filtered observations and their freshness
# --------------------------------------------------------------------------------------------

#: A series is flagged stale when its newest value was published more than this many typical
#: period gaps before the report date (and at least :data:`STALE_MIN_DAYS` days before).
STALE_GAPS = 4
STALE_MIN_DAYS = 30


def _utc(value: pd.Timestamp | datetime | str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@dataclass(frozen=True)
class _Segments:
    """Observations sorted by (series, period end), with each series' row range.

    Sorting once and slicing is much cheaper than a groupby that materializes every group:
    a section only slices the few series it reads.
    """

    frame: pd.DataFrame
    bounds: Mapping[str, tuple[int, int]]

    @classmethod
    def of(cls, obs: pd.DataFrame) -> _Segments:
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
                last_published_at=_utc(published[b - 1]),
            )
            for sid, (a, b) in self.bounds.items()
        }

    def slice(self, series_id: str) -> pd.DataFrame | None:
        """The rows of one series, or None if absent."""
        if series_id not in self.bounds:
            return None
        a, b = self.bounds[series_id]
        return self.frame.iloc[a:b]


def _age_days(fresh: SeriesFreshness, reference: pd.Timestamp) -> float:
    """Days from the newest value's publication to ``reference``."""
    return (reference - fresh.last_published_at).total_seconds() / 86_400


def _stale_days(fresh: SeriesFreshness) -> float:
    """Days after its newest publication from which a series counts as stale."""
    span = (fresh.last_period_end - fresh.first_period_end).days
    gap = span / (fresh.rows - 1) if fresh.rows > 1 else 30.0
    return max(STALE_MIN_DAYS, STALE_GAPS * gap)


@dataclass(frozen=True)
class _Inputs:
    """What every section reads: observations published by ``as_of``, and their freshness."""

    obs: pd.DataFrame
    as_of: pd.Timestamp | None
    reference: pd.Timestamp
    fresh: Mapping[str, SeriesFreshness]
    late: Mapping[str, pd.Timestamp]
    sources: pd.DataFrame | None
    on_error: OnError
    segments: _Segments | None = field(default=None, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def make(
        cls,
        obs: pd.DataFrame,
        *,
        as_of: pd.Timestamp | None,
        generated_at: pd.Timestamp,
        sources: pd.DataFrame | None,
        on_error: OnError,
    ) -> _Inputs:
        late: dict[str, pd.Timestamp] = {}
        if as_of is not None and not obs.empty:
            published = pd.to_datetime(obs["published_at"], utc=True)
            keep = (published <= as_of).to_numpy()
            if not keep.all():
                after = obs.loc[~keep, "series_id"]
                late = {
                    str(sid): _utc(t)
                    for sid, t in published[~keep].groupby(after.to_numpy()).min().items()
                }
                obs = obs.loc[keep]
        segments = _Segments.of(obs)
        reference = as_of if as_of is not None else generated_at
        fresh = {
            sid: replace(f, stale=_age_days(f, reference) > _stale_days(f))
            for sid, f in segments.freshness().items()
        }
        late = {sid: t for sid, t in late.items() if sid not in fresh}
        return cls(
            obs=obs,
            as_of=as_of,
            reference=reference,
            fresh=fresh,
            late=late,
            sources=sources,
            on_error=on_error,
            segments=segments,
        )

    def frame(self, *series_ids: str) -> pd.DataFrame:
        """The observations of the given series (those present), one canonical frame."""
        found = (self.segments.slice(sid) for sid in series_ids) if self.segments else ()
        parts = [part for part in found if part is not None]
        if not parts:
            return self.obs.iloc[:0]
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per report: sections share expensive results."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def missing_text(self, series_id: str) -> str:
        """Why ``series_id`` is absent, and what to run."""
        source = series_id.split(".", 1)[0]
        if series_id in self.late and self.as_of is not None:
            by = format_time(self.as_of, with_time=True)
            first = format_time(self.late[series_id], with_time=True)
            return (
                f"missing: {series_id} — nothing published by {by} (first value published {first})"
            )
        return f"missing: {series_id} — not in the store; run `yenflow fetch {source}`"

    def age_days(self, series_id: str) -> float:
        """Days from the newest value's publication to the report date."""
        return _age_days(self.fresh[series_id], self.reference)


class _Draft:
    """A section being built: sections add facts, tables, charts and notes to it."""

    def __init__(self, key: str, title: str, inputs: _Inputs) -> None:
        self.key = key
        self.title = title
        self.inputs = inputs
        self.intro = ""
        self.paragraphs: list[str] = []
        self.facts: list[Fact] = []
        self.tables: list[Table] = []
        self.charts: list[Chart] = []
        self.notes: list[Note] = []
        self.series: dict[str, SeriesFreshness] = {}
        self.results: dict[str, Any] = {}

    def use(self, *series_ids: str) -> list[str]:
        """Record the series this section reads; note the missing ones and return them."""
        missing: list[str] = []
        for sid in series_ids:
            if sid in self.series or any(n.series_id == sid for n in self.notes):
                continue
            if sid in self.inputs.fresh:
                self.series[sid] = self.inputs.fresh[sid]
            else:
                missing.append(sid)
                self.notes.append(Note("missing", self.inputs.missing_text(sid), series_id=sid))
        return missing

    def has(self, *series_ids: str) -> bool:
        """Whether every series is present (recording them, and noting the missing ones)."""
        return not self.use(*series_ids)

    def note(self, kind: NoteKind, text: str) -> None:
        """Add a visible note."""
        self.notes.append(Note(kind, text))

    @contextmanager
    def part(self, label: str) -> Iterator[None]:
        """Run one part of the section; a DataError in it becomes a note and the rest goes on."""
        try:
            yield
        except DataError as exc:
            self.note("missing", f"{label}: {exc}")
        except Exception as exc:
            if self.inputs.on_error == "raise":
                raise
            self.note("error", f"{label} failed: {type(exc).__name__}: {exc} (please report this)")

    def _stale_notes(self) -> list[Note]:
        """One note per source listing its used series that are stale."""
        by_source: dict[str, list[SeriesFreshness]] = {}
        for fresh in self.series.values():
            if fresh.stale:
                by_source.setdefault(fresh.source, []).append(fresh)
        notes = []
        for source, items in by_source.items():
            ages = [self.inputs.age_days(f.series_id) for f in items]
            listed = ", ".join(
                f"{f.series_id} (to {format_time(f.last_period_end)})" for f in items
            )
            low, high = f"{min(ages):,.0f}", f"{max(ages):,.0f}"
            span = low if low == high else f"{low} to {high}"
            text = (
                f"stale: {listed} — newest values published {span} days before the report date; "
                f"run `yenflow fetch {source}` for newer data"
            )
            notes.append(
                Note("stale", text, series_id=items[0].series_id if len(items) == 1 else None)
            )
        return notes

    def freeze(self) -> Section:
        """The finished, frozen section: notes deduplicated, worst first."""
        order = {"missing": 0, "error": 1, "stale": 2, "info": 3}
        unique = list(dict.fromkeys([*self.notes, *self._stale_notes()]))
        notes = sorted(unique, key=lambda n: order[n.kind])
        return Section(
            key=self.key,
            title=self.title,
            intro=self.intro,
            paragraphs=tuple(self.paragraphs),
            facts=tuple(self.facts),
            tables=tuple(self.tables),
            charts=tuple(self.charts),
            notes=tuple(notes),
            series=tuple(self.series.values()),
            results=dict(self.results),
        )


SectionBuilder = Callable[[_Inputs, _Draft], None]


# --------------------------------------------------------------------------------------------
# (f) data sources and freshness, (g) risk warning
# --------------------------------------------------------------------------------------------

_SOURCE_COLUMNS = (
    Column("source", "Source"),
    Column("status", "Status"),
    Column("last_fetch_at", "Last fetch", "datetime"),
    Column("rows", "Observations held", ",d"),
    Column("last_published_at", "Newest publication", "datetime"),
    Column("error", "Error"),
)


def _data_section(inputs: _Inputs, out: _Draft) -> None:
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
    by_source: dict[str, list[SeriesFreshness]] = {}
    for fresh in inputs.fresh.values():
        by_source.setdefault(fresh.source, []).append(fresh)
    out.tables.append(
        Table(
            "by_source",
            "Observations by source",
            (
                Column("source", "Source"),
                Column("series", "Series", ",d"),
                Column("rows", "Observations", ",d"),
                Column("last_period_end", "Newest period end", "date"),
                Column("last_published_at", "Published", "datetime"),
            ),
            tuple(
                (
                    source,
                    len(items),
                    sum(f.rows for f in items),
                    max(f.last_period_end for f in items),
                    max(f.last_published_at for f in items),
                )
                for source, items in sorted(by_source.items())
            ),
        )
    )
    out.tables.append(
        Table(
            "series",
            "Every series",
            (
                Column("series_id", "Series"),
                Column("rows", "Observations", ",d"),
                Column("first_period_end", "First period end", "date"),
                Column("last_period_end", "Newest period end", "date"),
                Column("last_published_at", "Published", "datetime"),
                Column("stale", "Stale"),
            ),
            tuple(
                (
                    f.series_id,
                    f.rows,
                    f.first_period_end,
                    f.last_period_end,
                    f.last_published_at,
                    "stale" if f.stale else "",
                )
                for f in inputs.fresh.values()
            ),
        )
    )


#: fetch statuses that need no note; ``failed``/``error`` (or any error text) is an error note,
#: anything else (``skipped``...) an info note.
_FETCH_OK = frozenset({"ok", "not_modified", "unchanged"})
_FETCH_FAILED = frozenset({"failed", "error"})


def _sources_table(status: pd.DataFrame, out: _Draft) -> None:
    """The store's per-source fetch status as a table, with a note for each failed fetch."""
    cols = tuple(c for c in _SOURCE_COLUMNS if c.key in status.columns)
    records = [{k: _cell(v) for k, v in rec.items()} for rec in status.to_dict(orient="records")]
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


def _cell(value: Any) -> Any:
    """A table cell from a status-table value (NaN and NaT become None)."""
    if value is None or (not isinstance(value, str | Mapping) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _risk_section(inputs: _Inputs, out: _Draft) -> None:
    out.paragraphs.extend(RISK_WARNING)


# --------------------------------------------------------------------------------------------
# (a) latest week, (b) foreign-bond flows and records, (c) investor types
# --------------------------------------------------------------------------------------------

RATE_SERIES = "fred.DEXJPUS"
FLOW_PAIRS: tuple[tuple[Direction, Asset], ...] = (
    ("outward", "long_term_debt"),
    ("outward", "equity"),
    ("inward", "long_term_debt"),
    ("inward", "equity"),
)
#: a latest window gets a sentence when nothing as large happened for at least this many
#: weeks, or when it is among this many largest non-overlapping episodes on its side.
RECORD_MIN_WEEKS = 52
RECORD_TOP_EPISODES = 10
_ASSET_WORDS = {"long_term_debt": "long-term bonds", "equity": "equities and fund shares"}
_WHO = {"outward": ("Japanese investors", "foreign"), "inward": ("Foreign investors", "Japanese")}

_WINDOW_COLUMNS = (
    Column("weeks", "Weeks", "d", short="Wk"),
    Column("period_start", "From", "date"),
    Column("period_end", "To", "date"),
    Column("net_jpy_100m", "Net (¥100 million)", "+,.0f"),
    Column("net_jpy_tn", "Net (¥ tn)", "+,.2f", short="¥ tn"),
    Column("net_usd_bn", "Net (USD bn)", "+,.1f", short="USD bn"),
    Column("side", "Side"),
    Column("rank", "Rank on its side", ",d", short="Rank"),
    Column("n_windows", "of windows", ",d"),
    Column("episode_rank", "Episode rank", ",d", short="Episode"),
    Column("largest_since", "Largest since (window to)", "date", short="Largest since"),
    Column("largest_since_net_jpy_100m", "That window's net (¥100 million)", "+,.0f"),
)


def _flow_object(direction: str, asset: str) -> str:
    return f"{_WHO[direction][1]} {_ASSET_WORDS.get(asset, asset.replace('_', ' '))}"


def _flows(inputs: _Inputs, direction: Direction, asset: Asset) -> FlowWindows:
    """The rolling windows of one weekly MoF series (shared by sections)."""
    sid = weekly_series_id(direction, asset)
    return inputs.cached(
        f"flows:{sid}",
        lambda: flow_windows(
            inputs.frame(sid, RATE_SERIES), directions=(direction,), assets=(asset,)
        ),
    )


def _latest_windows(windows: FlowWindows) -> list[FlowWindow]:
    """The most recent window of every length (one series' windows), shortest first.

    Equivalent to ``windows.latest(...)`` for each length, in one pass over the table.
    """
    table = windows.to_frame()
    if table.empty:
        msg = "no complete window could be computed (too few weeks in the store)"
        raise DataError(msg)
    newest = table.groupby("window_weeks")["period_end"].idxmax().sort_index()
    return [record_from_row(FlowWindow, table.loc[i]) for i in newest.to_numpy()]


def _amount(w: FlowWindow) -> str:
    text = f"¥{abs(w.net_jpy_tn):,.2f} tn ({w.net_jpy_100m:+,.0f} × ¥100 million"
    if w.net_usd_bn is not None and w.usdjpy_avg is not None:
        text += f"; USD {abs(w.net_usd_bn):,.1f} bn at ¥{w.usdjpy_avg:,.2f} per USD"
    return text + ")"


def _week_sentence(w: FlowWindow, first_week_end: pd.Timestamp) -> str:
    """The latest week in one sentence: who did what, its rank and how long since as large."""
    who, _ = _WHO[w.direction]
    what = _flow_object(w.direction, w.asset)
    head = f"Week {w.period_start} to {w.period_end}: {who}"
    if w.side == "flat":
        return f"{head} had zero net trades in {what}."
    sale = w.side == "sale"
    verb = "net sold" if sale else "net bought"
    rank = w.rank_sale if sale else w.rank_purchase
    kind = "net sale" if sale else "net purchase"
    since = (
        f"the largest {kind} since the week to {w.largest_since} "
        f"({_yen_tn(w.largest_since_net_jpy_100m or 0.0)})"
        if w.largest_since
        else f"the largest {kind} since the weekly data begin (week to "
        f"{format_time(first_week_end)})"
    )
    return (
        f"{head} {verb} {_amount(w)} of {what}; rank {rank:,} among {w.n_windows:,} weeks' "
        f"{kind}s, {since}."
    )


def _yen_tn(jpy_100m: float) -> str:
    """A signed amount in ¥ trillion from ¥100 million: ``-¥3.08 tn``."""
    sign = "-" if jpy_100m < 0 else "+"
    return f"{sign}¥{abs(jpy_100m) / 10_000:,.2f} tn"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _record_sentence(w: FlowWindow, first_week_end: pd.Timestamp) -> str:
    what = _flow_object(w.direction, w.asset)
    sale = w.side == "sale"
    kind = "net sale" if sale else "net purchase"
    since = (
        f"the largest since the {w.window_weeks} weeks to {w.largest_since} "
        f"({_yen_tn(w.largest_since_net_jpy_100m or 0.0)})"
        if w.largest_since
        else f"the largest since the weekly data begin (week to {format_time(first_week_end)})"
    )
    rank = w.rank_sale if sale else w.rank_purchase
    episode = w.episode_rank_sale if sale else w.episode_rank_purchase
    text = (
        f"The {w.window_weeks}-week {kind} of {what} ({w.period_start} to {w.period_end}), "
        f"{_amount(w)}, is {since}; rank {rank:,} of {w.n_windows:,} rolling "
        f"{w.window_weeks}-week windows"
    )
    if episode is not None:
        nth = "the" if episode == 1 else f"the {_ordinal(episode)}"
        text += f", {nth} largest among non-overlapping {w.window_weeks}-week {kind}s"
    return text + "."


def _notable(w: FlowWindow) -> bool:
    """A window worth a sentence: a top-10 episode, or nothing as large for a year or more."""
    if w.side == "flat":
        return False
    episode = w.episode_rank_sale if w.side == "sale" else w.episode_rank_purchase
    if w.largest_since is None or (episode is not None and episode <= RECORD_TOP_EPISODES):
        return True
    weeks = (pd.Timestamp(w.period_end) - pd.Timestamp(w.largest_since)).days / 7
    return weeks >= RECORD_MIN_WEEKS


def _most_notable(windows: Sequence[FlowWindow]) -> FlowWindow | None:
    """The notable window whose record reaches furthest back (then the best episode rank)."""
    notable = [w for w in windows if _notable(w)]
    if not notable:
        return None

    def key(w: FlowWindow) -> tuple[pd.Timestamp, int]:
        episode = w.episode_rank_sale if w.side == "sale" else w.episode_rank_purchase
        since = pd.Timestamp(w.largest_since) if w.largest_since else pd.Timestamp.min
        return since, episode if episode is not None else 10**9

    return min(notable, key=key)


def _window_row(w: FlowWindow) -> tuple[Any, ...]:
    sale = w.side == "sale"
    return (
        w.window_weeks,
        w.period_start,
        w.period_end,
        w.net_jpy_100m,
        w.net_jpy_tn,
        w.net_usd_bn,
        {"sale": "net sale", "purchase": "net purchase"}.get(w.side, "flat"),
        w.rank_sale if sale else w.rank_purchase,
        w.n_windows,
        w.episode_rank_sale if sale else w.episode_rank_purchase,
        w.largest_since,
        w.largest_since_net_jpy_100m,
    )


def _latest_week_section(inputs: _Inputs, out: _Draft) -> None:
    out.intro = (
        "MoF weekly International Transactions in Securities (designated major investors, "
        "contract basis), ¥100 million; net purchase > 0, net sale < 0. For each flow, the "
        "latest 1-, 2-, 4-, 8- and 13-week windows, their rank among all rolling windows of the "
        "same length on the same side, their rank among non-overlapping episodes, and the last "
        "earlier non-overlapping window at least as large. USD at the average FRED DEXJPUS rate "
        "of the window's days."
    )
    out.use(RATE_SERIES)
    for direction, asset in FLOW_PAIRS:
        sid = weekly_series_id(direction, asset)
        if not out.has(sid):
            continue
        label = f"{_WHO[direction][0]}' trades in {_flow_object(direction, asset)}"
        with out.part(label):
            windows = _flows(inputs, direction, asset)
            latest = _latest_windows(windows)
            out.results[f"{direction}.{asset}"] = windows
            out.facts.append(
                Fact(
                    f"{direction}.{asset}.latest_week",
                    _week_sentence(latest[0], inputs.fresh[sid].first_period_end),
                    latest[0].net_jpy_100m,
                    "JPY 100 million",
                    {"window": latest[0].to_dict()},
                )
            )
            best = _most_notable([w for w in latest if w.window_weeks > 1])
            if best is not None:
                out.facts.append(
                    Fact(
                        f"{direction}.{asset}.record",
                        _record_sentence(best, inputs.fresh[sid].first_period_end),
                        best.net_jpy_100m,
                        "JPY 100 million",
                        {"window": best.to_dict()},
                    )
                )
            out.tables.append(
                Table(
                    f"{direction}.{asset}",
                    f"{label}: latest windows",
                    _WINDOW_COLUMNS,
                    tuple(_window_row(w) for w in latest),
                    caption=(
                        f"Series {sid}. Rank 1 = the largest on that side among all rolling "
                        "windows; episode rank = rank among non-overlapping windows (— when the "
                        "window overlaps a larger one); largest since = the end of the last "
                        "earlier non-overlapping window at least as large (— = none since the "
                        "data begin)."
                    ),
                )
            )
            out.notes.extend(Note("info", n) for n in windows.notes)


_EPISODE_COLUMNS = (
    Column("rank", "Rank", "d"),
    Column("period_start", "From", "date"),
    Column("period_end", "To", "date"),
    Column("net_jpy_100m", "Net (¥100 million)", "+,.0f"),
    Column("net_jpy_tn", "Net (¥ tn)", "+,.2f", short="¥ tn"),
    Column("net_usd_bn", "Net (USD bn)", "+,.1f", short="USD bn"),
    Column("published_at", "Published", "datetime"),
)


def _episode_table(windows: FlowWindows, side: Literal["sale", "purchase"], top: int) -> Table:
    rows = windows.episodes(
        direction="outward", asset="long_term_debt", weeks=2, side=side, top=top
    )
    cells = tuple(
        (
            int(r[f"episode_rank_{side}"]),
            r["period_start"],
            r["period_end"],
            float(r["net_jpy_100m"]),
            float(r["net_jpy_tn"]),
            _cell(r["net_usd_bn"]),
            r["published_at"],
        )
        for r in rows.to_dict(orient="records")
    )
    return Table(
        f"top_2week_{side}s",
        f"Largest 2-week net {side}s of foreign long-term bonds (non-overlapping)",
        _EPISODE_COLUMNS,
        cells,
    )


def _foreign_bonds_section(inputs: _Inputs, out: _Draft) -> None:
    out.intro = (
        "Japanese investors' weekly net purchases of foreign long-term bonds (MoF, ¥ trillion) "
        "and the rolling 2-week sum; the largest non-overlapping 2-week net sales and purchases "
        "are marked with their rank."
    )
    sid = weekly_series_id("outward", "long_term_debt")
    out.use(RATE_SERIES)
    if not out.has(sid):
        return
    with out.part("foreign-bond flows"):
        windows = _flows(inputs, "outward", "long_term_debt")
        out.results["outward.long_term_debt"] = windows
        out.charts.append(
            Chart(
                "flows",
                "Weekly and 2-week foreign-bond flows",
                partial(charts.flows_chart, windows, direction="outward", asset="long_term_debt"),
                caption=f"Series {sid}; drag the slider below the chart to see the whole history.",
            )
        )
        out.tables.append(_episode_table(windows, "sale", 10))
        out.tables.append(_episode_table(windows, "purchase", 10))


_INVESTOR_COLUMNS = (
    Column("investor", "Investor"),
    Column("month", "Month"),
    Column("net_jpy_100m", "Net (¥100 million)", "+,.0f"),
    Column("net_jpy_tn", "Net (¥ tn)", "+,.2f", short="¥ tn"),
    Column("net_usd_bn", "Net (USD bn)", "+,.1f", short="USD bn"),
    Column("side", "Side"),
    Column("rank", "Rank on its side", ",d", short="Rank"),
    Column("n_months", "of months", ",d", short="of"),
    Column("largest_since", "Largest since (month)", ""),
)


def _investors_section(inputs: _Inputs, out: _Draft) -> None:
    out.intro = (
        "MoF monthly net purchases of foreign long-term bonds by type of investor (banks, "
        "life insurers, trust banks, investment trusts...), ¥100 million, net purchase > 0; "
        "each month ranked among all months of that investor."
    )
    by_type = sorted(
        sid
        for sid in inputs.fresh
        if sid.startswith("mof.monthly.investor.") and sid.endswith(".long_term_debt.net")
    )
    total = "mof.monthly.outward.long_term_debt.net"
    if by_type:
        out.use(*by_type)
    else:
        out.note(
            "info",
            "investor types not available: MoF's by-investor files (monthb1-4.csv) are not in "
            "the store; the monthly all-investor total is shown instead",
        )
        if not out.has(total):
            return
    out.use(RATE_SERIES)
    with out.part("investor-type flows"):
        flows = investor_flows(inputs.frame(*by_type, total, RATE_SERIES))
        out.results["investor_flows"] = flows
        latest = flows.latest_month()
        rows = []
        for m in latest:
            sale = m.side == "sale"
            rows.append(
                (
                    m.investor.replace("_", " "),
                    f"{m.period_start:%Y-%m}",
                    m.net_jpy_100m,
                    m.net_jpy_tn,
                    m.net_usd_bn,
                    {"sale": "net sale", "purchase": "net purchase"}.get(m.side, "flat"),
                    m.rank_sale if sale else m.rank_purchase,
                    m.n_months,
                    f"{m.largest_since:%Y-%m}" if m.largest_since else "the data begin",
                )
            )
        out.tables.append(
            Table("latest_month", "Latest month by investor", _INVESTOR_COLUMNS, tuple(rows))
        )
        out.charts.append(
            Chart("investors", "Monthly net purchases", partial(charts.investor_chart, flows))
        )
        out.notes.extend(
            Note("info", n) for n in flows.notes if not n.startswith("no investor-type series")
        )


# --------------------------------------------------------------------------------------------
# (d) Treasury holdings: Japan vs China and the UK
# --------------------------------------------------------------------------------------------

_HOLDING_COLUMNS = (
    Column("holder", "Holder"),
    Column("month", "Month"),
    Column("holdings_usd_bn", "Holdings (USD bn)", ",.1f", short="USD bn"),
    Column("change_usd_bn", "Change on month (USD bn)", "+,.1f", short="Month chg"),
    Column("change_pct", "Change (%)", "+.1f"),
    Column("change_12m_usd_bn", "Change on year (USD bn)", "+,.1f"),
    Column("rank", "Rank", "d"),
    Column("n_holders", "of holders", "d"),
    Column("share_pct", "Share of foreign holdings (%)", ".1f", short="Share %"),
)


def _year_change(holdings: TreasuryHoldings, m: HolderMonth) -> float | None:
    """Change from twelve months earlier (USD bn), or None if that month is absent."""
    try:
        earlier = holdings.at(
            holder=m.holder, month=pd.Timestamp(m.period_start) - pd.DateOffset(years=1)
        )
    except DataError:
        return None
    return m.holdings_usd_bn - earlier.holdings_usd_bn


def _holdings_section(inputs: _Inputs, out: _Draft) -> None:
    out.intro = (
        "US Treasury TIC 'Major Foreign Holders of Treasury Securities': end-of-month holdings "
        "in USD bn, by country of the custodian (not of the owner). Rank among the countries "
        "TIC lists that month; share of all foreign holdings."
    )
    needed = [f"{COUNTRY_PREFIX}{h}" for h in HOLDERS]
    if not out.has(*needed, GRAND_TOTAL):
        return
    with out.part("Treasury holdings"):
        tic_ids = [sid for sid in inputs.fresh if sid.startswith("tic.")]
        holdings = treasury_holdings(inputs.frame(*tic_ids))
        out.results["treasury_holdings"] = holdings
        rows = []
        for holder in holdings.holders:
            m = holdings.latest(holder=holder)
            year = _year_change(holdings, m)
            rows.append(
                (
                    charts.holder_label(holder),
                    f"{m.period_end:%Y-%m}",
                    m.holdings_usd_bn,
                    m.change_usd_bn,
                    m.change_pct,
                    year,
                    m.rank,
                    m.n_holders,
                    m.share_pct,
                )
            )
            out.facts.append(
                Fact(
                    f"{holder}.latest",
                    _holding_sentence(m, year),
                    m.holdings_usd_bn,
                    "USD bn",
                    {"record": m.to_dict(), "change_12m_usd_bn": year},
                )
            )
        out.tables.append(
            Table(
                "latest",
                "Latest month",
                _HOLDING_COLUMNS,
                tuple(rows),
                caption=f"Series {', '.join(needed)}, {GRAND_TOTAL}.",
            )
        )
        out.charts.append(
            Chart("holdings", "Treasury holdings", partial(charts.holdings_chart, holdings))
        )
        out.notes.extend(Note("info", n) for n in holdings.notes)


def _holding_sentence(m: HolderMonth, year: float | None) -> str:
    text = (
        f"{charts.holder_label(m.holder)} held USD {m.holdings_usd_bn:,.1f} bn of US Treasuries "
        f"at the end of {m.period_end:%B %Y}"
    )
    changes = []
    if m.change_usd_bn is not None:
        changes.append(f"{m.change_usd_bn:+,.1f} bn on the month")
    if year is not None:
        changes.append(f"{year:+,.1f} bn on the year")
    if changes:
        text += f" ({'; '.join(changes)})"
    text += f", rank {m.rank} of {m.n_holders} listed holders"
    if m.share_pct is not None:
        text += f", {m.share_pct:.1f}% of all foreign holdings"
    return text + "."


# --------------------------------------------------------------------------------------------
# (e) carry monitor
# --------------------------------------------------------------------------------------------

CFTC_TRADER = "noncommercial"
_CFTC_IDS = (
    *(f"{CFTC_PREFIX[CFTC_TRADER]}.{leg}" for leg in ("net", "long", "short")),
    CFTC_OPEN_INTEREST_ID,
)

#: (state key, label, unit, format) of the carry state table, in display order.
_STATE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("usdjpy_jpy_per_usd", "USD/JPY", "yen per USD", ".2f"),
    ("vol_1m_pct_ann", "Realized volatility, 1 month", "% a year", ".1f"),
    ("vol_3m_pct_ann", "Realized volatility, 3 months", "% a year", ".1f"),
    ("us_3m_pct", "US 3-month rate", "%", ".2f"),
    ("jp_3m_pct", "Japan 3-month rate", "%", ".2f"),
    ("diff_3m_pct", "3-month differential (US − Japan)", "pp", "+.2f"),
    ("us_10y_pct", "US 10-year yield", "%", ".2f"),
    ("jp_10y_pct", "Japan 10-year yield", "%", ".3f"),
    ("diff_10y_pct", "10-year differential (US − Japan)", "pp", "+.2f"),
    ("carry_to_risk", "Carry-to-risk (3m differential / 3m vol)", "ratio", ".2f"),
    ("carry_index_base100", "Carry index", "base 100", ".1f"),
    ("carry_drawdown_pct", "Carry index below its high", "%", "+.1f"),
    ("net_long_jpy_contracts", "CFTC net long yen (non-commercial)", "contracts", "+,.0f"),
    ("net_long_jpy_usd_bn", "CFTC net long yen, in USD", "USD bn", "+,.2f"),
    ("net_long_jpy_pct_oi", "CFTC net long yen, share of open interest", "%", "+.1f"),
    ("net_long_jpy_z_3y", "CFTC net long yen, 3-year z-score", "z", "+.2f"),
    ("net_change_1w_contracts", "CFTC net long yen, change on the week", "contracts", "+,.0f"),
)

_EPISODE_TABLE_COLUMNS = (
    Column("start", "Peak", "date"),
    Column("start_usdjpy", "Peak (¥/USD)", ".2f", short="¥/USD"),
    Column("trough", "Trough", "date"),
    Column("trough_usdjpy", "Trough (¥/USD)", ".2f", short="¥/USD"),
    Column("depth_pct", "Fall (%)", "+.1f", short="Fall %"),
    Column("end", "End", "date"),
    Column("end_reason", "Ended"),
    Column("vol_1m_max_pct_ann", "Max 1m vol (% a year)", ".1f"),
    Column("positioning_change_contracts", "CFTC net long yen change (contracts)", "+,.0f"),
    Column("carry_index_drawdown_pct", "Carry index fall (%)", "+.1f"),
)
#: episodes shown in the table: those whose peak is on or after this day.
EPISODES_SINCE = "2000-01-01"


def _state_table(state: Mapping[str, Any]) -> Table:
    """Latest value and date of every carry figure (rows have their own number formats)."""
    rows = []
    for key, label, unit, fmt in _STATE_ROWS:
        entry = state.get(key) or {}
        value = entry.get("value")
        rows.append((key, label, format_cell(value, fmt), unit, entry.get("date"), value))
    columns = (
        Column("key", "Key", hidden=True),
        Column("figure", "Figure"),
        Column("shown", "Latest", align="right"),
        Column("unit", "Unit"),
        Column("date", "Date", "date"),
        Column("value", "Value", hidden=True),
    )
    return Table("state", "Carry monitor: latest values", columns, tuple(rows))


def _episode_rows(episodes: UnwindEpisodes) -> tuple[tuple[Any, ...], ...]:
    since = pd.Timestamp(EPISODES_SINCE)
    return tuple(
        tuple(getattr(e, c.key) for c in _EPISODE_TABLE_COLUMNS)
        for e in episodes.episodes
        if e.start >= since
    )


def _last_ended(episodes: UnwindEpisodes) -> UnwindEpisode | None:
    ended = [e for e in episodes.episodes if e.end is not None]
    return ended[-1] if ended else None


def _distance_fact(usdjpy: pd.Series, episodes: UnwindEpisodes) -> Fact | None:
    """ "USD/JPY latest X stands Y% above/below the low of the last unwind episode"."""
    last = _last_ended(episodes)
    rate = usdjpy.dropna()
    if last is None or rate.empty:
        return None
    d = distance_from_low(rate, last, rate.index[-1])
    where = "above" if d.above_low_pct >= 0 else "below"
    text = (
        f"USD/JPY latest {d.usdjpy_jpy_per_usd:.2f} ({format_time(d.date)}) stands "
        f"{abs(d.above_low_pct):.1f}% {where} the low of the last unwind episode "
        f"({d.episode_low_jpy_per_usd:.2f} on {format_time(d.episode_trough)}; that episode fell "
        f"{abs(last.depth_pct):.1f}% from {last.start_usdjpy:.2f} on {format_time(last.start)})."
    )
    return Fact("usdjpy_vs_last_unwind_low", text, d.above_low_pct, "percent", d.to_dict())


def _unwind_fact(episodes: UnwindEpisodes) -> Fact:
    p = episodes.params
    rule = (
        f"rule: USD/JPY at least {p.fall_pct:g}% below its highest close of the last "
        f"{p.peak_window_days} trading days, within {p.max_fall_days} days of that high"
    )
    active = episodes.active
    if active is None:
        return Fact(
            "unwind_active",
            f"No carry-unwind episode is under way ({rule}); {len(episodes)} episodes since "
            f"{format_time(episodes.first_date)}.",
            False,
            "",
            {"episodes": len(episodes)},
        )
    text = (
        f"A carry-unwind episode is under way: USD/JPY fell {abs(active.depth_pct):.1f}% from "
        f"{active.start_usdjpy:.2f} on {format_time(active.start)} to {active.trough_usdjpy:.2f} "
        f"on {format_time(active.trough)} ({rule})."
    )
    return Fact("unwind_active", text, True, "", {"episode": active.to_dict()})


def _value(state: Mapping[str, Any], key: str) -> tuple[float | None, str]:
    entry = state.get(key) or {}
    return entry.get("value"), format_time(pd.Timestamp(entry["date"])) if entry.get(
        "date"
    ) else "—"


def _carry_facts(monitor: CarryMonitor) -> list[Fact]:
    state = monitor.state()
    facts = []
    fx, fx_day = _value(state, "usdjpy_jpy_per_usd")
    vol1, _ = _value(state, "vol_1m_pct_ann")
    vol3, _ = _value(state, "vol_3m_pct_ann")
    if fx is not None:
        text = f"USD/JPY {fx:.2f} yen per dollar on {fx_day} (FRED DEXJPUS, noon New York)"
        if vol1 is not None and vol3 is not None:
            text += f"; realized volatility {vol1:.1f}% (1 month) and {vol3:.1f}% (3 months) a year"
        facts.append(Fact("usdjpy", text + ".", fx, "JPY per USD"))
    d3, d3_day = _value(state, "diff_3m_pct")
    if d3 is not None:
        us3, _ = _value(state, "us_3m_pct")
        jp3, _ = _value(state, "jp_3m_pct")
        text = (
            f"US minus Japan 3-month rate: {d3:+.2f} pp on {d3_day} (US {us3:.2f}%, "
            f"Japan {jp3:.2f}%)"
        )
        d10, d10_day = _value(state, "diff_10y_pct")
        if d10 is not None:
            text += f"; 10-year: {d10:+.2f} pp on {d10_day}"
        facts.append(Fact("diff_3m_pct", text + ".", d3, "percentage points"))
    ctr, ctr_day = _value(state, "carry_to_risk")
    if ctr is not None:
        facts.append(
            Fact(
                "carry_to_risk",
                f"Carry-to-risk (3-month differential / 3-month realized volatility): "
                f"{ctr:.2f} on {ctr_day}.",
                ctr,
                "ratio",
            )
        )
    index, index_day = _value(state, "carry_index_base100")
    dd, _ = _value(state, "carry_drawdown_pct")
    base = monitor.carry.summary()["first_date"]
    if index is not None and dd is not None:
        facts.append(
            Fact(
                "carry_index",
                f"Carry index (long USD / short JPY funded at the Japanese 3-month rate, 100 on "
                f"{base}): {index:.1f} on {index_day}, {abs(dd):.1f}% below its high.",
                index,
                "index, base 100",
                {"drawdown_pct": dd},
            )
        )
    return facts


def _positioning_fact(pos: Positioning) -> Fact | None:
    latest = pos.summary()["latest"]
    net, day = _value(latest, "net_long_jpy_contracts")
    if net is None:
        return None
    side = "net long yen" if net > 0 else "net short yen (the carry-trade side)"
    trader = {"noncommercial": "non-commercial", "leveraged_funds": "leveraged-fund"}.get(
        pos.trader, pos.trader
    )
    text = f"CFTC {trader} traders' net long yen: {net:+,.0f} contracts on {day}, {side}"
    usd, usd_day = _value(latest, "net_long_jpy_usd_bn")
    if usd is not None:
        text += f"; USD {usd:+,.2f} bn" + ("" if usd_day == day else f" on {usd_day}")
    z, _ = _value(latest, "net_long_jpy_z_3y")
    if z is not None:
        text += f"; z-score {z:+.2f} over {pos.z_window_weeks} reports"
    change, _ = _value(latest, "net_change_1w_contracts")
    if change is not None:
        text += f"; {change:+,.0f} contracts on the week"
    return Fact("cftc_net_long_jpy", text + ".", net, "contracts", {"latest": latest})


def _carry_section(inputs: _Inputs, out: _Draft) -> None:
    out.intro = (
        "The yen carry trade: USD/JPY with dated unwind episodes (shaded), US minus Japan rate "
        "differentials (DTB3 converted to a bond-equivalent yield; Japan OECD 3-month "
        "interbank, monthly, used once its month is over; JGB 10-year), carry-to-risk, a carry "
        "index, and CFTC yen futures positioning (> 0 net long yen, < 0 net short yen)."
    )
    us_3m = "fred.DGS3MO" if "fred.DGS3MO" in inputs.fresh else "fred.DTB3"
    has_fx = out.has(FX_ID)
    has_rates = out.has(us_3m, JP_3M_ID)
    out.use(US_10Y_ID)
    jp_10y = next((s for s in JP_10Y_IDS.values() if s in inputs.fresh), JP_10Y_IDS["jgb"])
    out.use(jp_10y)
    has_cftc = out.has(_CFTC_IDS[0])
    out.use(*(s for s in _CFTC_IDS[1:] if s in inputs.fresh))
    ids = (FX_ID, us_3m, JP_3M_ID, US_10Y_ID, jp_10y, *_CFTC_IDS)
    monitor: CarryMonitor | None = None
    pos: Positioning | None = None
    if has_fx and has_rates:
        with out.part("carry monitor"):
            monitor = carry_monitor(inputs.frame(*ids), trader=CFTC_TRADER)
            out.results["carry_monitor"] = monitor
            pos = monitor.positioning
            episodes = monitor.episodes
            usdjpy = monitor.frame["usdjpy_jpy_per_usd"]
            _carry_outputs(out, usdjpy, episodes)
            out.facts[:0] = _carry_facts(monitor)
            out.tables.insert(0, _state_table(monitor.state()))
            out.charts.append(
                Chart(
                    "carry",
                    "Differentials, carry-to-risk, carry index",
                    partial(charts.carry_chart, monitor),
                )
            )
            out.notes.extend(
                Note("info", n) for n in (*monitor.differentials.notes, *monitor.notes)
            )
    elif has_fx:
        with out.part("USD/JPY unwind episodes"):
            usdjpy = fx_volatility(inputs.frame(FX_ID)).frame["usdjpy_jpy_per_usd"]
            episodes = detect_unwinds(usdjpy)
            out.results["unwind_episodes"] = episodes
            _carry_outputs(out, usdjpy, episodes)
    if pos is None and has_cftc:
        with out.part("CFTC positioning"):
            pos = positioning(inputs.frame(*ids), trader=CFTC_TRADER)
    if pos is not None:
        out.results.setdefault("positioning", pos)
        fact = _positioning_fact(pos)
        if fact is not None:
            out.facts.append(fact)
        out.charts.append(
            Chart("positioning", "CFTC yen positioning", partial(charts.positioning_chart, pos))
        )


def _carry_outputs(out: _Draft, usdjpy: pd.Series, episodes: UnwindEpisodes) -> None:
    """Facts, table and chart that need only USD/JPY and its unwind episodes."""
    distance = _distance_fact(usdjpy, episodes)
    if distance is not None:
        out.facts.append(distance)
    out.facts.append(_unwind_fact(episodes))
    out.tables.append(
        Table(
            "episodes",
            f"Carry-unwind episodes since {EPISODES_SINCE[:4]}",
            _EPISODE_TABLE_COLUMNS,
            _episode_rows(episodes),
            caption="Peak = the highest close before the fall; USD/JPY closes (FRED DEXJPUS).",
        )
    )
    out.charts.append(
        Chart(
            "usdjpy", "USD/JPY and unwind episodes", partial(charts.usdjpy_chart, usdjpy, episodes)
        )
    )


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

#: (key, title, builder) of every section, in display order.
SECTIONS: tuple[tuple[str, str, SectionBuilder], ...] = (
    ("latest_week", "Latest week: Japan's cross-border securities flows", _latest_week_section),
    ("foreign_bonds", "Foreign-bond flows: weekly, 2-week and records", _foreign_bonds_section),
    ("investors", "Investor types (monthly)", _investors_section),
    ("treasuries", "US Treasury holdings: Japan, China and the UK", _holdings_section),
    ("carry", "Yen carry monitor", _carry_section),
    ("data", "Data sources and freshness", _data_section),
    ("risk", "Risk warning", _risk_section),
)


def _check_frame(obs: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in FRAME_COLUMNS if c not in obs.columns]
    if missing:
        msg = (
            f"the observation frame lacks columns {missing}; pass the store's observations "
            f"(columns {list(FRAME_COLUMNS)})"
        )
        raise DataError(msg)
    if len(obs) and not isinstance(obs["published_at"].dtype, pd.DatetimeTZDtype):
        obs = obs.assign(published_at=pd.to_datetime(obs["published_at"], utc=True))
    return obs


def build_report(
    obs: pd.DataFrame,
    *,
    as_of: pd.Timestamp | datetime | str | None = None,
    sources: pd.DataFrame | None = None,
    generated_at: pd.Timestamp | datetime | None = None,
    on_error: OnError = "note",
) -> Report:
    """Run every section's analysis on ``obs`` and return the frozen report.

    Args:
        obs: canonical observations (:data:`~yenflow.sources.base.FRAME_COLUMNS`), normally
            the store's, already "as of" ``as_of``; rows published after ``as_of`` are dropped
            here too.
        as_of: the instant the report is "as of" (a naive time is read as UTC); None for
            the latest data.
        sources: the store's per-source status (columns ``source``, ``last_fetch_at``,
            ``status``, ``error``, ``rows``), shown in the data section.
        generated_at: the generation time printed in the header (default: now, UTC).
        on_error: ``"note"`` turns an unexpected error inside a section into a visible note
            (the report still renders); ``"raise"`` re-raises it (tests, debugging). A
            :class:`~yenflow.errors.DataError` is always a note.

    Raises:
        DataError: ``obs`` lacks the canonical columns.
    """
    generated = _utc(generated_at if generated_at is not None else datetime.now(UTC))
    as_of_ts = None if as_of is None else _utc(as_of)
    inputs = _Inputs.make(
        _check_frame(obs),
        as_of=as_of_ts,
        generated_at=generated,
        sources=sources,
        on_error=on_error,
    )
    sections = []
    for key, title, builder in SECTIONS:
        draft = _Draft(key, title, inputs)
        with draft.part(title):
            builder(inputs, draft)
        sections.append(draft.freeze())
    return Report(as_of=as_of_ts, generated_at=generated, sections=tuple(sections))
