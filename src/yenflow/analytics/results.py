"""The result protocol every analysis returns, and the reprs they share.

A result is a frozen object with

* ``to_frame()``: its table (a copy; daily and weekly frames are release-dated, see
  :mod:`yenflow.analytics.align`),
* ``summary()``: a JSON-serializable dict of its headline figures (through
  :mod:`yenflow.analytics.records`),
* a short ``repr`` (class, size, span) and ``_repr_html_`` for notebooks: the headline, the
  last rows of the table and the summary folded away.

:class:`ResultBase` gives the reprs to any dataclass that defines the two methods (declare the
dataclass with ``repr=False`` so that these are used).
"""

from __future__ import annotations

import html
import json
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from yenflow.analytics.records import jsonable

__all__ = ["Result", "ResultBase"]

#: rows of the table shown by ``_repr_html_``.
HTML_ROWS = 8


@runtime_checkable
class Result(Protocol):
    """What every analysis returns."""

    def to_frame(self) -> pd.DataFrame:
        """The result's table."""
        ...

    def summary(self) -> dict[str, Any]:
        """Its headline figures as a JSON-serializable dict."""
        ...


def _span(frame: pd.DataFrame) -> str:
    """``2005-01-08..2025-04-12`` from a date index or a ``period_end`` column, else ``""``."""
    if len(frame) == 0:
        return ""
    if isinstance(frame.index, pd.DatetimeIndex):
        dates = frame.index
    elif "period_end" in frame.columns:
        dates = pd.DatetimeIndex(frame["period_end"])
    else:
        return ""
    first, last = dates.min(), dates.max()
    if pd.isna(first):
        return ""
    return f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"


class ResultBase:
    """Short ``repr`` and notebook HTML for a result with ``to_frame()`` and ``summary()``."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def headline(self) -> str:
        """One line: rows and span of the table (results may say more)."""
        frame = self.to_frame()
        span = _span(frame)
        return f"{len(frame):,} rows" + (f", {span}" if span else "")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.headline()}>"

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        summary = json.dumps(jsonable(self.summary()), indent=1, default=str)
        return (
            f"<div><p><b>{html.escape(type(self).__name__)}</b>: "
            f"{html.escape(self.headline())}</p>"
            f"{frame.tail(HTML_ROWS).to_html(max_cols=12)}"
            f"<details><summary>summary()</summary><pre>{html.escape(summary)}</pre>"
            "</details></div>"
        )
