"""Build the report: observation frame in, frozen :class:`~yenflow.report.model.Report` out.

:func:`build_report` takes a canonical observation frame (what the store returns, "as of" a
date), runs one builder per section (:data:`SECTIONS`, modules of
:mod:`yenflow.report.sections`) and collects what each section shows: headline facts, tables,
charts (built lazily by :mod:`yenflow.report.charts`), notes, and the series it used with
their freshness (last period end and when that value was published).

A section never crashes the report: a missing series or a :class:`~yenflow.errors.DataError`
from an analysis becomes a visible note in that section ("missing: fred.DTB3 — not in the
store; run `yenflow fetch fred`") and the other sections still render. Renderers
(:mod:`yenflow.report.html`, :mod:`yenflow.report.terminal`) only format what is here, and
:meth:`Report.summary` returns every figure shown as a JSON-serializable dict.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from yenflow.errors import DataError
from yenflow.frame import FRAME_COLUMNS, to_cutoff
from yenflow.report.draft import Draft, Inputs, OnError, SectionBuilder
from yenflow.report.formatting import utc
from yenflow.report.model import Report
from yenflow.report.sections import (
    carry,
    data_sources,
    foreign_bonds,
    investors,
    latest_week,
    risk,
    treasuries,
)

__all__ = ["SECTIONS", "build_report"]

#: (key, title, builder) of every section, in display order.
SECTIONS: tuple[tuple[str, str, SectionBuilder], ...] = (
    ("latest_week", "Latest week: Japan's cross-border securities flows", latest_week.build),
    ("foreign_bonds", "Foreign-bond flows: weekly, 2-week and records", foreign_bonds.build),
    ("investors", "Investor types (monthly)", investors.build),
    ("treasuries", "US Treasury holdings: Japan, China and the UK", treasuries.build),
    ("carry", "Yen carry monitor", carry.build),
    ("data", "Data sources and freshness", data_sources.build),
    ("risk", "Risk warning", risk.build),
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
    generated = utc(generated_at if generated_at is not None else datetime.now(UTC))
    as_of_ts = None if as_of is None else to_cutoff(as_of)
    inputs = Inputs.make(
        _check_frame(obs),
        as_of=as_of_ts,
        generated_at=generated,
        sources=sources,
        on_error=on_error,
    )
    sections = []
    for key, title, builder in SECTIONS:
        draft = Draft(key, title, inputs)
        with draft.part(title):
            builder(inputs, draft)
        sections.append(draft.freeze())
    return Report(as_of=as_of_ts, generated_at=generated, sections=tuple(sections))
