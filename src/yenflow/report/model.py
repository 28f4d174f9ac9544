"""The report's data model: frozen sections of facts, tables, charts and notes.

A :class:`Report` holds :class:`Section` s in display order; each section holds headline
:class:`Fact` s, :class:`Table` s of :class:`Column` s, lazily built :class:`Chart` s, visible
:class:`Note` s and the :class:`SeriesFreshness` of every series it used. The renderers only
format these, and every ``summary()`` returns what is shown as a JSON-serializable dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from yenflow.analytics.records import jsonable
from yenflow.report.formatting import format_cell, format_time

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from yenflow.report.figure import Figure

NoteKind = Literal["missing", "stale", "error", "info"]

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
    make: Callable[[], Figure] = field(repr=False, compare=False)
    caption: str = ""

    def spec(self) -> Figure:
        """Build the chart as plain data (what the HTML writes; no plotly import)."""
        return self.make()

    def figure(self) -> go.Figure:
        """Build the validated plotly figure (imports plotly)."""
        return self.make().to_plotly()


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
            report date (see :data:`yenflow.report.freshness.STALE_GAPS`).
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
