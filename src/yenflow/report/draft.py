"""What a section reads and writes: the report's inputs and the draft of one section.

:class:`Inputs` holds the bundle of analyses (:class:`yenflow.pipeline.Analyses`, built from
the store's point-in-time read), every series' freshness and the report's dates; a section
builder (:data:`SectionBuilder`) reads results from the bundle and adds facts, tables, charts
and notes to a :class:`Draft`, which :meth:`Draft.freeze` turns into a frozen
:class:`~yenflow.report.model.Section`. A missing series, or a
:class:`~yenflow.errors.DataError` inside :meth:`Draft.part`, becomes a visible note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from yenflow.errors import DataError
from yenflow.pipeline import Analyses
from yenflow.report.formatting import format_time
from yenflow.report.freshness import age_days, by_source, listing
from yenflow.report.model import Chart, Fact, Note, NoteKind, Section, SeriesFreshness, Table

OnError = Literal["note", "raise"]


@dataclass(frozen=True)
class Inputs:
    """What every section reads: the analyses, the freshness of every series and the dates.

    ``fresh`` covers every series of the store as of the cut-off (the data section lists them
    all), not only those the analyses read.
    """

    analyses: Analyses
    as_of: pd.Timestamp | None
    reference: pd.Timestamp
    fresh: Mapping[str, SeriesFreshness]
    sources: pd.DataFrame | None
    on_error: OnError

    def missing_text(self, series_id: str) -> str:
        """Why ``series_id`` is absent, and what to run."""
        source = series_id.split(".", 1)[0]
        if self.as_of is not None:
            by = format_time(self.as_of, with_time=True)
            return (
                f"missing: {series_id} — nothing published by {by} in the store (if it was "
                f"never fetched: run `yenflow fetch {source}`)"
            )
        return f"missing: {series_id} — not in the store; run `yenflow fetch {source}`"


class Draft:
    """A section being built: sections add facts, tables, charts and notes to it."""

    def __init__(self, key: str, title: str, inputs: Inputs) -> None:
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

    def inform(self, texts: Iterable[str]) -> None:
        """Add an ``info`` note for each text (an analysis' remarks on its inputs)."""
        self.notes.extend(Note("info", text) for text in texts)

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
        notes = []
        for source, items in by_source(f for f in self.series.values() if f.stale).items():
            ages = [age_days(f, self.inputs.reference) for f in items]
            low, high = f"{min(ages):,.0f}", f"{max(ages):,.0f}"
            span = low if low == high else f"{low} to {high}"
            text = (
                f"stale: {listing(items)} — newest values published {span} days before the "
                f"report date; run `yenflow fetch {source}` for newer data"
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


SectionBuilder = Callable[[Inputs, Draft], None]
