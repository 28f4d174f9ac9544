"""The report: analytics results rendered as one HTML file, a terminal summary, or JSON.

:func:`build_report` runs every section's analysis on an observation frame and returns a
frozen :class:`Report`; :func:`render_html` and :func:`render_terminal` only format it, and
:meth:`Report.summary` returns every figure shown as a JSON-serializable dict.
"""

from __future__ import annotations

from yenflow.report.build import build_report
from yenflow.report.html import render_html
from yenflow.report.model import (
    RISK_SUMMARY,
    RISK_WARNING,
    Chart,
    Column,
    Fact,
    Note,
    Report,
    Section,
    SeriesFreshness,
    Table,
)
from yenflow.report.terminal import render_terminal

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
    "render_html",
    "render_terminal",
]
