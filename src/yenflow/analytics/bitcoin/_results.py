"""The Bitcoin lab's results on the project's result protocol (:mod:`yenflow.analytics.results`).

Each result is a frozen dataclass with ``to_frame()`` (its table), ``summary()`` (headline
figures, a JSON-serializable dict) and ``describe()`` (the findings in plain sentences, with
units); this mixin derives ``summary()`` from ``_figures()`` plus the description, and the short
``repr`` / notebook HTML from :class:`~yenflow.analytics.results.ResultBase`.
"""

from __future__ import annotations

from typing import Any

from yenflow.analytics.records import jsonable
from yenflow.analytics.results import ResultBase

__all__ = ["ResultViews"]


class ResultViews(ResultBase):
    """``summary()`` = ``_figures()`` + ``{"description": describe()}``; short headline."""

    def describe(self) -> str:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def _figures(self) -> dict[str, Any]:
        return {}

    def summary(self) -> dict[str, Any]:
        return jsonable({**self._figures(), "description": self.describe()})

    def headline(self) -> str:
        first = self.describe().split("\n")[0]
        return first if len(first) <= 120 else first[:117] + "..."
