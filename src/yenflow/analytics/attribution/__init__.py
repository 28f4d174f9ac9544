"""Why did they sell? An attribution scorecard for any flow episode.

Every hypothesis is a registered object stating its testable fingerprints in advance
(:mod:`.registry`, :mod:`.hypotheses`); :func:`explain` tests them all on an episode, point
in time, and returns a frozen :class:`Scorecard` (``to_frame()``, ``summary()``,
``to_json()``)::

    from yenflow.analytics.attribution import explain
    card = explain(obs, start="2025-03-30", end="2025-04-12", flow="outward.long_term_debt")
    card.conclusion, card.verdicts(), card.decomposition.summary(), card.treasuries.reading
"""

from yenflow.analytics.attribution.decomposition import Decomposition, decompose
from yenflow.analytics.attribution.episode import Episode, Evidence, SeriesBook
from yenflow.analytics.attribution.evidence import (
    VERDICTS,
    Measurement,
    Missing,
    Prediction,
    Verdict,
    combine,
    judge,
    weigh,
)
from yenflow.analytics.attribution.registry import (
    HYPOTHESES,
    Fingerprint,
    FingerprintResult,
    Hypothesis,
    HypothesisResult,
    register,
)
from yenflow.analytics.attribution.scorecard import (
    SERIES_IDS,
    SERIES_PREFIXES,
    Scorecard,
    conclude,
    explain,
    explain_many,
    load_observations,
)
from yenflow.analytics.attribution.treasuries import TreasuryReconciliation, reconcile_treasuries

__all__ = [
    "HYPOTHESES",
    "SERIES_IDS",
    "SERIES_PREFIXES",
    "VERDICTS",
    "Decomposition",
    "Episode",
    "Evidence",
    "Fingerprint",
    "FingerprintResult",
    "Hypothesis",
    "HypothesisResult",
    "Measurement",
    "Missing",
    "Prediction",
    "Scorecard",
    "SeriesBook",
    "TreasuryReconciliation",
    "Verdict",
    "combine",
    "conclude",
    "decompose",
    "explain",
    "explain_many",
    "judge",
    "load_observations",
    "reconcile_treasuries",
    "register",
    "weigh",
]
