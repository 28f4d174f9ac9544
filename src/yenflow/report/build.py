"""Build the report: observation frame in, frozen :class:`~yenflow.report.model.Report` out.

:func:`build_report` takes a canonical observation frame (the store's point-in-time read "as
of" a date), makes the bundle of analyses (:func:`yenflow.pipeline.analyse`), runs one builder
per section (:data:`SECTIONS`, modules of
:mod:`yenflow.report.sections`) and collects what each section shows: headline facts, tables,
charts (built lazily by :mod:`yenflow.report.charts`), notes, and the series it used with
their freshness (last period end and when that value was published). Sections read results
from the bundle and only format them. :func:`report_from_store` is what the CLI calls: it
reads from the store only the series the analyses declare.

A section never crashes the report: a missing series or a :class:`~yenflow.errors.DataError`
from an analysis becomes a visible note in that section ("missing: fred.DTB3 — not in the
store; run `yenflow fetch fred`") and the other sections still render. Renderers
(:mod:`yenflow.report.html`, :mod:`yenflow.report.terminal`) only format what is here, and
:meth:`Report.summary` returns every figure shown as a JSON-serializable dict.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd

from yenflow.errors import DataError
from yenflow.frame import FRAME_COLUMNS, to_cutoff
from yenflow.pipeline import Analyses, analyse, required_series
from yenflow.report.draft import Draft, Inputs, OnError, SectionBuilder
from yenflow.report.formatting import utc
from yenflow.report.freshness import age_days, freshness_of, freshness_table, stale_days
from yenflow.report.model import Report
from yenflow.report.sections import (
    bitcoin,
    carry,
    data_sources,
    foreign_bonds,
    investors,
    latest_week,
    risk,
    treasuries,
    why,
)

if TYPE_CHECKING:
    from yenflow.analysis_cache import AnalysisCache
    from yenflow.store import Store

__all__ = ["SECTIONS", "build_report", "report_from_store", "report_of"]

#: (key, title, builder) of every section, in display order.
SECTIONS: tuple[tuple[str, str, SectionBuilder], ...] = (
    ("latest_week", "Latest week: Japan's cross-border securities flows", latest_week.build),
    ("foreign_bonds", "Foreign-bond flows: weekly, 2-week and records", foreign_bonds.build),
    ("investors", "Investor types (monthly)", investors.build),
    ("treasuries", "US Treasury holdings: Japan, China and the UK", treasuries.build),
    ("carry", "Yen carry monitor", carry.build),
    ("why", "Why: competing explanations", why.build),
    ("bitcoin", "Bitcoin and the yen", bitcoin.build),
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
    freshness: pd.DataFrame | None = None,
    generated_at: pd.Timestamp | datetime | None = None,
    on_error: OnError = "note",
    cache: AnalysisCache | None = None,
) -> Report:
    """Run every section on the analyses of ``obs`` and return the frozen report.

    Args:
        obs: canonical observations (:data:`~yenflow.frame.FRAME_COLUMNS`): the store's
            point-in-time read as of ``as_of`` (``Store.observations(as_of=...)``), which the
            report trusts (it filters nothing again); it may hold only the series the analyses
            need (:func:`yenflow.pipeline.required_series`).
        as_of: the instant the report is "as of" (:func:`yenflow.frame.to_cutoff`); None for
            the latest data.
        sources: the store's per-source status (columns ``source``, ``last_fetch_at``,
            ``status``, ``error``, ``rows``), shown in the data section.
        freshness: every stored series' freshness as of ``as_of`` (columns
            :data:`~yenflow.report.freshness.FRESHNESS_COLUMNS`), for the data section;
            default: computed from ``obs``.
        generated_at: the generation time printed in the header (default: now, UTC).
        on_error: ``"note"`` turns an unexpected error inside a section into a visible note
            (the report still renders); ``"raise"`` re-raises it (tests, debugging). A
            :class:`~yenflow.errors.DataError` is always a note.
        cache: where the analyses (every entry of the bundle) keep their results
            across runs (:mod:`yenflow.analysis_cache`); None computes everything.

    Raises:
        DataError: ``obs`` lacks the canonical columns.
    """
    obs = _check_frame(obs)
    as_of_ts = None if as_of is None else to_cutoff(as_of)
    return report_of(
        analyse(obs, as_of=as_of_ts, cache=cache),
        freshness=freshness if freshness is not None else freshness_table(obs),
        sources=sources,
        generated_at=generated_at,
        on_error=on_error,
    )


def report_of(
    analyses: Analyses,
    *,
    freshness: pd.DataFrame,
    sources: pd.DataFrame | None = None,
    generated_at: pd.Timestamp | datetime | None = None,
    on_error: OnError = "note",
) -> Report:
    """The report of an analysis bundle (see :func:`build_report` for the arguments)."""
    generated = utc(generated_at if generated_at is not None else datetime.now(UTC))
    reference = analyses.as_of if analyses.as_of is not None else generated
    fresh = {
        sid: replace(f, stale=age_days(f, reference) > stale_days(f))
        for sid, f in freshness_of(freshness).items()
    }
    inputs = Inputs(
        analyses=analyses,
        as_of=analyses.as_of,
        reference=reference,
        fresh=fresh,
        sources=sources,
        on_error=on_error,
    )
    sections = []
    for key, title, builder in SECTIONS:
        draft = Draft(key, title, inputs)
        with draft.part(title):
            builder(inputs, draft)
        sections.append(draft.freeze())
    return Report(as_of=analyses.as_of, generated_at=generated, sections=tuple(sections))


def report_from_store(
    store: Store,
    *,
    as_of: pd.Timestamp | datetime | str | None = None,
    generated_at: pd.Timestamp | datetime | None = None,
    on_error: OnError = "note",
    cache: AnalysisCache | None = None,
) -> Report:
    """The report from a store: reads only the series the analyses declare
    (:func:`yenflow.pipeline.required_series`) through the store's point-in-time read, every
    series' freshness in one query, and the sources' status. ``cache``: see
    :func:`build_report`."""
    cutoff = None if as_of is None else to_cutoff(as_of)
    freshness = store.freshness(as_of=cutoff)
    ids = required_series(freshness["series_id"].astype(str))
    obs = store.observations(series_ids=ids, as_of=cutoff)
    return build_report(
        obs,
        as_of=cutoff,
        sources=store.source_status(as_of=cutoff),
        freshness=freshness,
        generated_at=generated_at,
        on_error=on_error,
        cache=cache,
    )
