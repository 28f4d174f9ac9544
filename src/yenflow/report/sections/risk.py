"""Section (g): the risk warning closing every report."""

from __future__ import annotations

from yenflow.report.draft import Draft, Inputs
from yenflow.report.model import RISK_WARNING


def build(inputs: Inputs, out: Draft) -> None:
    """The warning's paragraphs (:data:`~yenflow.report.model.RISK_WARNING`)."""
    out.paragraphs.extend(RISK_WARNING)
