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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from yenflow.errors import DataError

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
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


def _ts_text(value: pd.Timestamp | None, *, with_time: bool = False) -> str:
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
    timestamps shown as days, ``"datetime"`` for instants, or ``""`` for text.
    """

    key: str
    label: str
    fmt: str = ""


def format_cell(value: Any, fmt: str) -> str:
    """One table cell as text: numbers by ``fmt``, dates as ISO days, missing as an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if fmt in ("date", "datetime"):
        stamp = pd.Timestamp(value)
        return _ts_text(stamp, with_time=fmt == "datetime")
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

    def formatted(self) -> list[list[str]]:
        """Rows of display strings, formatted column by column."""
        return [
            [format_cell(v, c.fmt) for v, c in zip(row, self.columns, strict=True)]
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
    """

    series_id: str
    rows: int
    first_period_end: pd.Timestamp
    last_period_end: pd.Timestamp
    last_published_at: pd.Timestamp

    @property
    def source(self) -> str:
        """The source's registry name (the id's first part)."""
        return self.series_id.split(".", 1)[0]

    def text(self) -> str:
        """``fred.DEXJPUS: last 2025-04-18, published 2025-04-21 20:15 UTC``."""
        return (
            f"{self.series_id}: last {_ts_text(self.last_period_end)}, published "
            f"{_ts_text(self.last_published_at, with_time=True)}"
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


def _freshness(obs: pd.DataFrame) -> dict[str, SeriesFreshness]:
    """Freshness of every series in ``obs`` (one vectorized pass)."""
    if obs.empty:
        return {}
    frame = obs[["series_id", "period_end", "published_at"]].reset_index(drop=True)
    grouped = frame.groupby("series_id", sort=True)["period_end"]
    stats = grouped.agg(["size", "min", "max"])
    last_rows = frame.loc[grouped.idxmax().to_numpy()].set_index("series_id")["published_at"]
    return {
        sid: SeriesFreshness(
            series_id=str(sid),
            rows=int(row["size"]),
            first_period_end=pd.Timestamp(row["min"]),
            last_period_end=pd.Timestamp(row["max"]),
            last_published_at=_utc(last_rows.loc[sid]),
        )
        for sid, row in stats.iterrows()
    }


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
        fresh = _freshness(obs)
        late = {sid: t for sid, t in late.items() if sid not in fresh}
        return cls(
            obs=obs,
            as_of=as_of,
            reference=as_of if as_of is not None else generated_at,
            fresh=fresh,
            late=late,
            sources=sources,
            on_error=on_error,
        )

    def missing_text(self, series_id: str) -> str:
        """Why ``series_id`` is absent, and what to run."""
        source = series_id.split(".", 1)[0]
        if series_id in self.late and self.as_of is not None:
            return (
                f"missing: {series_id} — nothing published by {_ts_text(self.as_of, with_time=True)}"
                f" (first value published {_ts_text(self.late[series_id], with_time=True)})"
            )
        return f"missing: {series_id} — not in the store; run `yenflow fetch {source}`"

    def stale_text(self, series_id: str) -> str | None:
        """A staleness remark if the series' newest value is old for its frequency."""
        fresh = self.fresh[series_id]
        age = (self.reference - fresh.last_published_at).total_seconds() / 86_400
        if age <= _stale_days(fresh):
            return None
        return (
            f"stale: {series_id} — newest value is for {_ts_text(fresh.last_period_end)}, "
            f"published {age:,.0f} days before the report date; run `yenflow fetch "
            f"{fresh.source}` for newer data"
        )


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
                stale = self.inputs.stale_text(sid)
                if stale:
                    self.notes.append(Note("stale", stale, series_id=sid))
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

    def freeze(self) -> Section:
        return Section(
            key=self.key,
            title=self.title,
            intro=self.intro,
            paragraphs=tuple(self.paragraphs),
            facts=tuple(self.facts),
            tables=tuple(self.tables),
            charts=tuple(self.charts),
            notes=tuple(self.notes),
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
    Column("rows", "Rows written", ",d"),
    Column("error", "Error"),
)


def _data_section(inputs: _Inputs, out: _Draft) -> None:
    out.intro = (
        "Where the figures come from: the last fetch of each source, and for every series in "
        "the store its newest period and when that value was published."
    )
    if inputs.as_of is not None:
        out.intro += (
            f" As-of view: only values published by {_ts_text(inputs.as_of, with_time=True)} "
            "(approximate release schedules)."
        )
    status = inputs.sources
    if status is not None and not status.empty:
        cols = [c for c in _SOURCE_COLUMNS if c.key in status.columns]
        rows = tuple(
            tuple(_cell(rec.get(c.key)) for c in cols)
            for rec in status.to_dict(orient="records")
        )
        out.tables.append(Table("sources", "Sources: last fetch", tuple(cols), rows))
        failed = status.loc[status.get("status", pd.Series(dtype=str)).astype(str) != "ok"]
        for rec in failed.to_dict(orient="records") if "status" in status.columns else []:
            error = rec.get("error") or "no detail"
            out.note("error", f"source {rec.get('source')}: last fetch {rec['status']} — {error}")
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
                    "stale" if inputs.stale_text(f.series_id) else "",
                )
                for f in inputs.fresh.values()
            ),
        )
    )


def _cell(value: Any) -> Any:
    """A table cell from a status-table value (NaN and NaT become None)."""
    if value is None or (not isinstance(value, str | Mapping) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _risk_section(inputs: _Inputs, out: _Draft) -> None:
    out.paragraphs.extend(RISK_WARNING)
