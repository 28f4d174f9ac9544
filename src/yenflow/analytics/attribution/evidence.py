"""What a fingerprint measures, and the one rule that turns a measurement into a verdict.

A fingerprint's evaluation returns a :class:`Measurement`: the observed value, an interval
for the quantity the prediction is about, and how that interval was made. The prediction is
stated in advance as a :class:`Prediction` (``"above"`` / ``"below"`` a threshold, or
``"within"`` a band). :func:`judge` applies the same rule to every fingerprint:

* ``supported``: the whole interval lies where the prediction says;
* ``contradicted``: the whole interval lies on the other side (for ``within``: wholly outside
  the band on one side);
* ``inconclusive``: the interval covers both, or the data are missing, or there are too few
  comparable observations (the reason says which).

A composite fingerprint (several parts, e.g. "selling of foreign bonds *and* equities") is
``mixed`` when some parts are supported and some contradicted. A hypothesis combines its
fingerprints with :func:`weigh`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "VERDICTS",
    "Measurement",
    "Missing",
    "Prediction",
    "Verdict",
    "combine",
    "judge",
    "weigh",
]

Verdict = Literal["supported", "contradicted", "mixed", "inconclusive", "untestable"]
VERDICTS: tuple[Verdict, ...] = ("supported", "contradicted", "mixed", "inconclusive", "untestable")
Method = Literal["block_bootstrap_null", "bootstrap_mean", "hac_regression", "measured", "range"]


class Missing(Exception):
    """Raised inside a fingerprint's evaluation: the data it needs are absent or too few.

    ``kind`` is ``"missing"`` (a series is absent, or not yet published at the cut-off) or
    ``"too_few"`` (fewer comparable observations than the minimum).
    """

    def __init__(self, reason: str, *, kind: Literal["missing", "too_few"] = "missing") -> None:
        self.reason = reason
        self.kind = kind
        super().__init__(reason)


@dataclass(frozen=True)
class Prediction:
    """What a hypothesis predicts for a fingerprint's quantity, stated before looking.

    ``side`` ``"above"``: the quantity > ``threshold``; ``"below"``: < ``threshold``;
    ``"within"``: inside ``[-band, +band]`` around ``threshold``.
    """

    side: Literal["above", "below", "within"]
    threshold: float = 0.0
    band: float = 0.0

    def describe(self, unit: str) -> str:
        """``"> 0 (¥100 million)"`` and the like."""
        if self.side == "within":
            lo, hi = self.threshold - self.band, self.threshold + self.band
            return f"within [{lo:g}, {hi:g}] {unit}".rstrip()
        sign = ">" if self.side == "above" else "<"
        return f"{sign} {self.threshold:g} {unit}".rstrip()


@dataclass(frozen=True)
class Measurement:
    """One fingerprint's measurement.

    Attributes:
        observed: the episode's value of the statistic (in ``unit``).
        estimate: the quantity the prediction is about (e.g. observed minus what normal
            windows show); equals ``observed`` when the prediction is about the value itself.
        low, high: the interval for ``estimate`` at ``level`` (``low == high`` for a
            measured fact without sampling error).
        unit: e.g. ``"JPY 100 million"``, ``"percent"``, ``"contracts"``, ``"basis points"``.
        method: how the interval was made.
        n: comparable observations the interval rests on (history windows, years, months).
        detail: extra figures (percentile, z-score, reference median...), JSON-safe.
    """

    observed: float
    estimate: float
    low: float
    high: float
    unit: str
    method: Method
    n: int
    level: float = 0.90
    detail: dict[str, Any] = field(default_factory=dict)

    def with_detail(self, **extra: Any) -> Measurement:
        """A copy with more ``detail`` entries."""
        return replace(self, detail={**self.detail, **extra})


def _where(low: float, high: float, prediction: Prediction) -> Verdict:
    t = prediction.threshold
    if prediction.side == "within":
        lo, hi = t - prediction.band, t + prediction.band
        if lo <= low and high <= hi:
            return "supported"
        if high < lo or low > hi:
            return "contradicted"
        return "inconclusive"
    above = prediction.side == "above"
    if low > t:
        return "supported" if above else "contradicted"
    if high < t:
        return "contradicted" if above else "supported"
    return "inconclusive"


def judge(measurement: Measurement, prediction: Prediction) -> tuple[Verdict, str]:
    """The verdict of one measurement against its prediction, and the reason in words."""
    low, high = measurement.low, measurement.high
    if any(math.isnan(v) for v in (low, high, measurement.estimate)):
        return "inconclusive", "the statistic could not be computed (missing values)"
    verdict = _where(low, high, prediction)
    pct = f"{measurement.level:.0%}"
    span = f"[{low:,.3g}, {high:,.3g}] {measurement.unit}".rstrip()
    wanted = prediction.describe(measurement.unit)
    if verdict == "supported":
        return verdict, f"the {pct} interval {span} lies wholly {wanted}"
    if verdict == "contradicted":
        return verdict, f"the {pct} interval {span} lies wholly outside {wanted}"
    return verdict, f"the {pct} interval {span} covers both sides of {wanted}"


def combine(verdicts: Sequence[Verdict]) -> Verdict:
    """The verdict of a composite fingerprint from its parts' verdicts (every part counts).

    All parts supported → ``supported``; all contradicted → ``contradicted``; some supported
    and some contradicted (or a part mixed) → ``mixed``; otherwise (a part inconclusive, the
    others one-sided) → ``inconclusive``: "broad selling" needs every market to show it.
    """
    kinds = set(verdicts)
    if not kinds:
        return "inconclusive"
    if kinds == {"supported"}:
        return "supported"
    if kinds == {"contradicted"}:
        return "contradicted"
    if "mixed" in kinds or {"supported", "contradicted"} <= kinds:
        return "mixed"
    if kinds == {"untestable"}:
        return "untestable"
    return "inconclusive"


def weigh(verdicts: Sequence[Verdict], *, tested: int, necessary_failed: bool = False) -> Verdict:
    """A hypothesis' verdict from its fingerprints' verdicts.

    ``tested`` is how many fingerprints had their data; ``necessary_failed`` says a
    fingerprint marked necessary (a precondition such as "there was a short position to
    cover") was contradicted. At a 90 % level one fingerprint in twenty is supported or
    contradicted by chance alone, so one verdict is not enough either way:

    * the case *for* is strong with at least two supported fingerprints and at least half of
      the tested ones; the case *against* with at least two contradicted and half of the
      tested ones, or a necessary fingerprint contradicted;
    * strong for and nothing against → ``supported``; strong against and nothing for →
      ``contradicted``; a strong case with any verdict on the other side (or a mixed
      fingerprint in it) → ``mixed``; no strong case → ``inconclusive``;
    * every fingerprint untestable → ``untestable``.
    """
    if verdicts and all(v == "untestable" for v in verdicts):
        return "untestable"
    s = sum(v == "supported" for v in verdicts)
    c = sum(v == "contradicted" for v in verdicts)
    m = sum(v == "mixed" for v in verdicts)
    strong_for = s >= 2 and 2 * s >= tested
    strong_against = necessary_failed or (c >= 2 and 2 * c >= tested)
    if strong_for and strong_against:
        return "mixed"
    if strong_for:
        return "supported" if c == 0 and m == 0 else "mixed"
    if strong_against:
        return "contradicted" if s == 0 and m == 0 else "mixed"
    return "inconclusive"
