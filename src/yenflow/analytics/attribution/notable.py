"""Which episodes the report explains: the latest notable one and a chosen one.

The latest notable episode is, among the ``top`` largest non-overlapping two-week net sales
of foreign long-term bonds (:meth:`yenflow.analytics.flows.FlowWindows.episodes`), the one
that ended last. The chosen one defaults to the April 2025 episode (30 March – 12 April
2025, the third-largest two-week sale then on record) and is left out when the data do not
reach it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from yenflow.analytics.attribution.scorecard import Scorecard, _book, explain
from yenflow.errors import DataError

__all__ = ["CHOSEN_EPISODE", "NotableExplanations", "explain_notable", "latest_notable"]

CHOSEN_EPISODE = ("2025-03-30", "2025-04-12")
TOP = 20


@dataclass(frozen=True)
class NotableExplanations:
    """Scorecards of the latest notable episode and of the chosen one (either may be None)."""

    latest: Scorecard | None
    chosen: Scorecard | None
    notes: tuple[str, ...]

    def cards(self) -> list[tuple[str, Scorecard]]:
        out = [("latest", self.latest), ("chosen", self.chosen)]
        return [(k, c) for k, c in out if c is not None]

    def to_frame(self) -> pd.DataFrame:
        parts = [c.to_frame().assign(episode=k) for k, c in self.cards()]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def summary(self) -> dict[str, Any]:
        return {
            "analysis": "attribution_notable",
            "latest": None if self.latest is None else self.latest.summary(),
            "chosen": None if self.chosen is None else self.chosen.summary(),
            "notes": list(self.notes),
        }


def latest_notable(flows: Any, *, top: int = TOP) -> tuple[dt.date, dt.date]:
    """(start, end) of the latest of the ``top`` largest two-week net sales of foreign bonds."""
    episodes = flows.episodes(
        direction="outward", asset="long_term_debt", weeks=2, side="sale", top=top
    )
    if episodes.empty:
        msg = "no two-week net sale of foreign long-term bonds in the data"
        raise DataError(msg)
    last = episodes.loc[episodes["period_end"].idxmax()]
    return pd.Timestamp(last["period_start"]).date(), pd.Timestamp(last["period_end"]).date()


def explain_notable(
    obs: pd.DataFrame,
    flows: Any,
    *,
    as_of: Any = None,
    chosen: tuple[str, str] | None = CHOSEN_EPISODE,
    top: int = TOP,
    seed: int = 0,
) -> NotableExplanations:
    """Scorecards of the latest notable episode and of ``chosen`` (same series book)."""
    book = _book(obs, as_of)
    notes: list[str] = []
    latest = chosen_card = None
    start, end = latest_notable(flows, top=top)
    latest = explain(book, start=start, end=end, seed=seed)
    notes.append(
        f"latest notable episode: the latest of the {top} largest two-week net sales "
        f"of foreign long-term bonds ({start}..{end})"
    )
    if chosen is not None and (chosen[0], chosen[1]) != (str(start), str(end)):
        try:
            chosen_card = explain(book, start=chosen[0], end=chosen[1], seed=seed)
        except DataError as exc:
            notes.append(f"chosen episode {chosen[0]}..{chosen[1]} left out: {exc}")
    return NotableExplanations(latest, chosen_card, tuple(notes))
