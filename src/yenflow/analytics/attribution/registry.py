"""Hypotheses as registered objects that state their fingerprints in advance.

A :class:`Hypothesis` names a mechanism and lists its :class:`Fingerprint` objects: each one
says, before any data is read, what it predicts (a :class:`~.evidence.Prediction` on a
stated quantity and unit), which series it needs, and how to measure it. A fingerprint may
be composite (``parts``: e.g. "foreign bonds *and* equities sold"), and is then ``mixed``
when its parts disagree. A hypothesis that the project's data cannot test at all carries
``untestable`` ("missing ...") and is still listed in every scorecard.

Registering is one line: ``register(Hypothesis(...))``; :data:`HYPOTHESES` holds them in
order. The built-in hypotheses live in :mod:`yenflow.analytics.attribution.hypotheses`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from yenflow.analytics.attribution.episode import Evidence
from yenflow.analytics.attribution.evidence import (
    Measurement,
    Missing,
    Prediction,
    Verdict,
    combine,
    judge,
    weigh,
)
from yenflow.analytics.records import json_value

__all__ = [
    "HYPOTHESES",
    "Fingerprint",
    "FingerprintResult",
    "Hypothesis",
    "HypothesisResult",
    "register",
]


@dataclass(frozen=True)
class Fingerprint:
    """One testable prediction of a hypothesis.

    Attributes:
        key: short id, unique within its hypothesis.
        claim: what the hypothesis predicts, in words.
        quantity: what is measured, with its unit.
        needs: the series (ids or id patterns) it reads.
        prediction: the predicted region for the measured quantity, or a function of the
            evidence for predictions that depend on the episode's side.
        measure: evaluates the quantity; raises Missing when the data are not there.
        parts: sub-fingerprints of a composite (then ``measure`` is unused).
        necessary: a precondition of the mechanism: contradicted, it contradicts the
            hypothesis on its own (see :func:`~.evidence.weigh`).
    """

    key: str
    claim: str
    quantity: str
    needs: tuple[str, ...]
    prediction: Prediction | Callable[[Evidence], Prediction] | None = None
    measure: Callable[[Evidence], Measurement] | None = None
    parts: tuple[Fingerprint, ...] = ()
    necessary: bool = False

    def evaluate(self, ev: Evidence) -> FingerprintResult:
        """Measure and judge (or combine the parts' verdicts)."""
        if self.parts:
            parts = tuple(p.evaluate(ev) for p in self.parts)
            verdict = combine([p.verdict for p in parts])
            reason = "; ".join(f"{p.key}: {p.verdict}" for p in parts)
            return FingerprintResult(
                self.key, self.claim, self.quantity, verdict, reason, None, None, self.needs, parts
            )
        assert self.measure is not None and self.prediction is not None
        prediction = self.prediction(ev) if callable(self.prediction) else self.prediction
        try:
            m = self.measure(ev)
        except Missing as gone:
            label = "data missing" if gone.kind == "missing" else "too few comparable observations"
            return FingerprintResult(
                self.key,
                self.claim,
                self.quantity,
                "inconclusive",
                f"{label}: {gone.reason}",
                None,
                prediction,
                self.needs,
            )
        verdict, reason = judge(m, prediction)
        return FingerprintResult(
            self.key, self.claim, self.quantity, verdict, reason, m, prediction, self.needs
        )


@dataclass(frozen=True)
class FingerprintResult:
    """A fingerprint's outcome: its verdict, the reason and the measurement behind it."""

    key: str
    claim: str
    quantity: str
    verdict: Verdict
    reason: str
    measurement: Measurement | None
    prediction: Prediction | None
    needs: tuple[str, ...]
    parts: tuple[FingerprintResult, ...] = ()

    @property
    def tested(self) -> bool:
        """Whether the data were there (a measurement, or a part with one)."""
        return self.measurement is not None or any(p.tested for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        m, p = self.measurement, self.prediction
        out: dict[str, Any] = {
            "key": self.key,
            "claim": self.claim,
            "quantity": self.quantity,
            "verdict": self.verdict,
            "reason": self.reason,
            "tested": self.tested,
            "needs": list(self.needs),
            "prediction": None if p is None else p.describe(m.unit if m else "").strip(),
        }
        if m is not None:
            out |= {
                "observed": json_value(m.observed),
                "estimate": json_value(m.estimate),
                "interval": [json_value(m.low), json_value(m.high)],
                "level": m.level,
                "unit": m.unit,
                "method": m.method,
                "n": m.n,
                "detail": {k: json_value(v) for k, v in m.detail.items()},
            }
        if self.parts:
            out["parts"] = [p.to_dict() for p in self.parts]
        return out

    def rows(self, hypothesis: str, prefix: str = "") -> list[dict[str, Any]]:
        """Flat table rows: this fingerprint and its parts."""
        m = self.measurement
        row = {
            "hypothesis": hypothesis,
            "fingerprint": prefix + self.key,
            "verdict": self.verdict,
            "observed": None if m is None else m.observed,
            "estimate": None if m is None else m.estimate,
            "low": None if m is None else m.low,
            "high": None if m is None else m.high,
            "unit": None if m is None else m.unit,
            "prediction": None
            if self.prediction is None
            else self.prediction.describe(m.unit if m else ""),
            "n": None if m is None else m.n,
            "reason": self.reason,
        }
        out = [row]
        for part in self.parts:
            out += part.rows(hypothesis, prefix=f"{prefix}{self.key}/")
        return out


@dataclass(frozen=True)
class Hypothesis:
    """A candidate explanation: its mechanism and its fingerprints, stated in advance.

    ``untestable`` (a "missing ..." reason) marks a hypothesis the data cannot test at all;
    ``testable`` may say so for one evaluation (e.g. no rebalancing model installed).
    ``explains``: the side of flow the mechanism produces; an episode on the other side
    contradicts the hypothesis whatever its fingerprints show (they are still reported).
    """

    key: str
    title: str
    mechanism: str
    fingerprints: tuple[Fingerprint, ...] = ()
    untestable: str | None = None
    testable: Callable[[Evidence], str | None] | None = field(default=None, repr=False)
    explains: Literal["sale", "purchase", "either"] = "either"

    def evaluate(self, ev: Evidence) -> HypothesisResult:
        """Every fingerprint's result and the hypothesis' combined verdict."""
        missing = self.untestable or (self.testable(ev) if self.testable else None)
        results = tuple(fp.evaluate(ev) for fp in self.fingerprints)
        if missing and not results:
            return HypothesisResult(
                self.key, self.title, self.mechanism, "untestable", f"untestable: {missing}", ()
            )
        tested = sum(r.tested for r in results)
        necessary_failed = any(
            fp.necessary and r.verdict == "contradicted"
            for fp, r in zip(self.fingerprints, results, strict=True)
        )
        verdict = weigh(
            [r.verdict for r in results], tested=tested, necessary_failed=necessary_failed
        )
        side = ev.side()
        wrong_side = self.explains != "either" and side is not None and side != self.explains
        counts = {
            v: sum(r.verdict == v for r in results)
            for v in ("supported", "contradicted", "mixed", "inconclusive")
        }
        tally = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        note = f"{tally} of {len(results)} fingerprints ({tested} with data)"
        if missing:
            note += f"; untestable part: {missing}"
        failed = None
        if wrong_side:
            verdict = "contradicted"
            failed = f"the episode is a net {side}, this mechanism produces net {self.explains}s"
            note = f"{failed}; {note}"
        return HypothesisResult(
            self.key, self.title, self.mechanism, verdict, note, results, failed
        )


@dataclass(frozen=True)
class HypothesisResult:
    """A hypothesis' verdict, with each fingerprint's result."""

    key: str
    title: str
    mechanism: str
    verdict: Verdict
    note: str
    fingerprints: tuple[FingerprintResult, ...]
    precondition_failed: str | None = None

    def count(self, verdict: Verdict) -> int:
        return sum(f.verdict == verdict for f in self.fingerprints)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "mechanism": self.mechanism,
            "verdict": self.verdict,
            "note": self.note,
            "precondition_failed": self.precondition_failed,
            "fingerprints": [f.to_dict() for f in self.fingerprints],
        }

    def to_frame(self) -> pd.DataFrame:
        rows = [r for f in self.fingerprints for r in f.rows(self.key)]
        if not rows:
            rows = [
                {
                    "hypothesis": self.key,
                    "fingerprint": None,
                    "verdict": self.verdict,
                    "reason": self.note,
                }
            ]
        return pd.DataFrame(rows)


HYPOTHESES: dict[str, Hypothesis] = {}


def register(hypothesis: Hypothesis) -> Hypothesis:
    """Add a hypothesis to :data:`HYPOTHESES` (a key may be registered once)."""
    if hypothesis.key in HYPOTHESES:
        msg = f"hypothesis {hypothesis.key!r} is already registered"
        raise ValueError(msg)
    HYPOTHESES[hypothesis.key] = hypothesis
    return hypothesis
