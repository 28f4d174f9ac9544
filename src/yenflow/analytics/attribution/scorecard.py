"""The attribution scorecard: every registered hypothesis tested on one flow episode.

:func:`explain` cuts the observations at ``as_of`` (only what was published by then), tests
every hypothesis of :data:`~.registry.HYPOTHESES` on the episode, decomposes the flow
(:mod:`.decomposition`), reconciles MoF with TIC (:mod:`.treasuries`) and words a
conclusion that declares a single cause only when the evidence separates it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

# registering the built-in hypotheses is a side effect of importing them
from yenflow.analytics.attribution import hypotheses as _builtin  # noqa: F401
from yenflow.analytics.attribution.decomposition import Decomposition, decompose
from yenflow.analytics.attribution.episode import Episode, Evidence, SeriesBook
from yenflow.analytics.attribution.evidence import Missing
from yenflow.analytics.attribution.registry import HYPOTHESES, HypothesisResult
from yenflow.analytics.attribution.treasuries import TreasuryReconciliation, reconcile_treasuries
from yenflow.analytics.records import json_value
from yenflow.errors import DataError
from yenflow.frame import to_cutoff

__all__ = [
    "SERIES_IDS",
    "SERIES_PREFIXES",
    "Scorecard",
    "conclude",
    "explain",
    "explain_many",
    "load_observations",
]

#: The series an explanation reads: MoF weekly and monthly flows, FRED, CFTC yen positions,
#: TIC Japan, and the market proxies and JGB 10-year yield of the rebalancing model; plus
#: every MoF investor-type series (:data:`SERIES_PREFIXES`).
SERIES_IDS: tuple[str, ...] = (
    *(
        f"mof.weekly.{d}.{a}.net"
        for d in ("outward", "inward")
        for a in ("equity", "long_term_debt", "short_term_debt")
    ),
    "mof.monthly.outward.long_term_debt.net",
    "fred.DEXJPUS",
    "fred.DGS10",
    "fred.DGS2",
    "fred.SP500",
    "cftc.jpy.noncommercial.net",
    "cftc.jpy.leveraged_funds.net",
    "tic.holdings.japan",
    "jgb.yield.10y",
    "markets.topix.close",
    "markets.agg.close",
    "markets.acwi.close",
    "markets.usdjpy.close",
)
SERIES_PREFIXES: tuple[str, ...] = ("mof.monthly.investor.",)


def load_observations(store: object, *, as_of: object = None) -> pd.DataFrame:
    """The observations an explanation reads from an open :class:`yenflow.store.Store`
    (:data:`SERIES_IDS` and the :data:`SERIES_PREFIXES` series, as known at ``as_of``)."""
    read = store.observations  # type: ignore[attr-defined]
    parts = [read(list(SERIES_IDS), as_of=as_of)]
    parts += [read(prefix=p, as_of=as_of) for p in SERIES_PREFIXES]
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Scorecard:
    """Competing explanations of one flow episode, with the evidence for and against each.

    Attributes:
        episode: the episode tested.
        as_of: the cut-off (UTC) or None for everything in the frame.
        observed_jpy_100m: the episode's net flow (¥100 million, net purchase > 0): the
            all-investor weekly flow, or the investor type's months.
        flow_detail: how the observed flow was measured (series id, frequency, weeks or
            months, the period in words); the seasonal fingerprints and the decomposition
            read the same series at the same frequency.
        hypotheses: each hypothesis' result, in registry order.
        decomposition: seasonal + rebalancing + rates/hedging + residual (or None).
        treasuries: the MoF–TIC reconciliation (only for foreign bonds; else None).
        conclusion: the wording, saying how sure it is.
        seed, level: the bootstrap seed and interval level.
        notes: what was left out and why.
    """

    episode: Episode
    as_of: pd.Timestamp | None
    observed_jpy_100m: float
    flow_detail: dict[str, Any]
    hypotheses: tuple[HypothesisResult, ...]
    decomposition: Decomposition | None
    treasuries: TreasuryReconciliation | None
    conclusion: str
    seed: int
    level: float
    notes: tuple[str, ...]

    def hypothesis(self, key: str) -> HypothesisResult:
        for h in self.hypotheses:
            if h.key == key:
                return h
        msg = f"no hypothesis {key!r} in this scorecard ({[h.key for h in self.hypotheses]})"
        raise KeyError(msg)

    def verdicts(self) -> dict[str, str]:
        return {h.key: h.verdict for h in self.hypotheses}

    def to_frame(self) -> pd.DataFrame:
        """One row per fingerprint (and composite part) of every hypothesis."""
        return pd.concat([h.to_frame() for h in self.hypotheses], ignore_index=True)

    def summary(self) -> dict[str, Any]:
        """Every figure as a JSON-serializable dict."""
        return {
            "analysis": "attribution_scorecard",
            "episode": {
                "start": self.episode.start.isoformat(),
                "end": self.episode.end.isoformat(),
                "flow": self.episode.flow,
                "investor": self.episode.investor,
                "label": self.episode.label(),
            },
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "unit": "JPY 100 million",
            "sign": "net purchase > 0",
            "observed_jpy_100m": self.observed_jpy_100m,
            "flow_detail": {
                k: json_value(v) if not isinstance(v, list) else v
                for k, v in self.flow_detail.items()
            },
            "conclusion": self.conclusion,
            "verdicts": self.verdicts(),
            "hypotheses": [h.to_dict() for h in self.hypotheses],
            "decomposition": None if self.decomposition is None else self.decomposition.summary(),
            "treasuries": None if self.treasuries is None else self.treasuries.summary(),
            "seed": self.seed,
            "level": self.level,
            "notes": list(self.notes),
        }

    def to_json(self, path: Path | str | None = None) -> str:
        """The summary as JSON text (strict: no NaN); written to ``path`` when given."""
        text = json.dumps(self.summary(), indent=2, ensure_ascii=False, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def __repr__(self) -> str:
        v = ", ".join(f"{k}={v}" for k, v in self.verdicts().items())
        return f"Scorecard({self.episode.label()}: {v})"


def _name(h: HypothesisResult) -> str:
    """The title as it reads inside a sentence (first letter lowered unless an acronym)."""
    t = h.title
    return t if len(t) > 1 and t[1].isupper() else t[0].lower() + t[1:]


def _tally(h: HypothesisResult) -> str:
    if h.precondition_failed:
        return h.precondition_failed
    tested = sum(f.tested for f in h.fingerprints)
    return (
        f"{h.count('supported')} of {tested} tested fingerprints supported, "
        f"{h.count('contradicted')} contradicted"
        + (f", {h.count('mixed')} mixed" if h.count("mixed") else "")
    )


def conclude(
    results: Sequence[HypothesisResult], *, rank: int | None = None, n: int | None = None
) -> str:
    """The scorecard's wording: a single cause only when the evidence separates it.

    One hypothesis supported and no other supported → "clearly favours" when at least three
    of its fingerprints are supported, no other hypothesis is mixed and the flow is among the
    largest tenth of same-length net sales (``rank`` of ``n``), else "leans towards"; an
    ordinary flow is said to be so first; two or more supported → "does not separate"; none →
    "no explanation is supported". Mixed, contradicted, inconclusive and untestable ones are
    listed after.
    """
    by = {
        v: [h for h in results if h.verdict == v]
        for v in ("supported", "mixed", "contradicted", "inconclusive", "untestable")
    }

    def names(hs: Sequence[HypothesisResult]) -> str:
        return "; ".join(f"{_name(h)} ({_tally(h)})" for h in hs)

    supported, mixed = by["supported"], by["mixed"]
    # an ordinary flow (not among the largest tenth of same-length net sales) is said to be so
    ordinary = rank is not None and n is not None and rank > max(1, n // 10)
    if len(supported) == 1:
        h = supported[0]
        strong = h.count("supported") >= 3 and not mixed and not ordinary
        how = "clearly favours" if strong else "leans towards"
        text = f"The evidence {how} {_name(h)} ({_tally(h)}); no other explanation is supported"
    elif supported:
        text = f"The evidence does not separate a single cause: supported are {names(supported)}"
    else:
        text = "No explanation is supported by the data"
    if mixed:
        text += f". Evidence for and against: {names(mixed)}"
    if by["contradicted"]:
        text += f". Contradicted: {names(by['contradicted'])}"
    if by["inconclusive"]:
        listed = ", ".join(_name(h) for h in by["inconclusive"])
        text += f". Inconclusive (intervals too wide or data missing): {listed}"
    if by["untestable"]:
        listed = ", ".join(_name(h) for h in by["untestable"])
        text += f". Untestable with the project's data: {listed}"
    if ordinary:
        text = (
            f"The flow itself is not unusual (rank {rank} of {n} same-length windows as "
            f"a net sale), so what follows says little about its cause. {text}"
        )
    return text + "."


def _observed(ev: Evidence) -> tuple[float, dict[str, Any]]:
    e = ev.episode
    sid = ev.flow_id()
    window, hist = ev.flow_window(sid)
    if ev.frequency == "monthly":
        detail: dict[str, Any] = {
            "series_id": sid,
            "frequency": "monthly",
            "months": [f"{m:%Y-%m}" for m in window.index],
        }
    else:
        detail = {
            "series_id": sid,
            "frequency": "weekly",
            "weeks": [f"{w:%Y-%m-%d}" for w in window.index],
        }
    detail["period"] = ev.flow_period()
    total = float(window.sum())
    sums = hist.rolling(len(window)).sum().dropna()
    detail["rank_sale"] = int((sums < total).sum()) + 1
    detail["n_windows"] = len(sums) + 1
    detail["comparable_period"] = ev.comparable_period()
    if e.investor:
        detail["note"] = (
            f"{sid} is monthly: the episode {e.start}..{e.end} is read as "
            f"{detail['period']}, the calendar month(s) holding at least a quarter of its days"
        )
    return total, detail


def explain(
    obs: pd.DataFrame | SeriesBook,
    *,
    start: dt.date | str,
    end: dt.date | str,
    flow: str = "outward.long_term_debt",
    investor: str | None = None,
    as_of: dt.date | dt.datetime | str | pd.Timestamp | None = None,
    hypotheses: Sequence[str] | None = None,
    seed: int = 0,
    level: float = 0.90,
    n_windows: int = 2000,
    history_years: int = 10,
) -> Scorecard:
    """Test every registered hypothesis on the episode ``start..end`` of ``flow``.

    Args:
        obs: canonical observations (``series_id, period_start, period_end, value,
            published_at``), e.g. ``yenflow.observations()``; or a :class:`SeriesBook` of
            them to share between episodes.
        start, end: the episode's first and last day (MoF weeks run Sunday–Saturday).
        flow: ``<direction>.<asset>``, e.g. ``outward.long_term_debt``.
        investor: an investor type (``banks``, ``trust_accounts``, ``life_insurers``...), or
            None for all investors.
        as_of: only data published by then (a bare date = the end of that day, UTC).
        hypotheses: keys to test (default: all registered).
        seed: bootstrap seed (same seed, same figures).
        level: interval level (0.90 = 5 %–95 %).
        n_windows: bootstrap windows per fingerprint.
        history_years: years of market history behind the normal windows.

    Raises:
        DataError: the episode's own flow is not in the data (or not public at ``as_of``).
        ValueError: malformed dates, flow or options.
    """
    if not 0.5 <= level < 1:
        msg = f"level must be in [0.5, 1), got {level}"
        raise ValueError(msg)
    episode = Episode.of(start, end, flow=flow, investor=investor)
    keys = list(HYPOTHESES) if hypotheses is None else list(hypotheses)
    unknown = [k for k in keys if k not in HYPOTHESES]
    if unknown:
        msg = f"unknown hypotheses {unknown}; registered: {list(HYPOTHESES)}"
        raise ValueError(msg)
    book = _book(obs, as_of)
    ev = Evidence(
        book, episode, seed=seed, level=level, n_windows=n_windows, history_years=history_years
    )
    try:
        observed, detail = _observed(ev)
    except Missing as gone:
        msg = f"cannot explain {episode.label()}: {gone.reason}"
        raise DataError(msg) from None
    results = tuple(HYPOTHESES[k].evaluate(ev) for k in keys)
    notes: list[str] = []
    decomposition = None
    try:
        decomposition = decompose(ev)
    except Missing as gone:
        notes.append(f"decomposition left out: {gone.reason}")
    treasuries = None
    if episode.direction == "outward" and episode.asset == "long_term_debt":
        treasuries = reconcile_treasuries(ev)
    return Scorecard(
        episode,
        book.as_of,
        observed,
        detail,
        results,
        decomposition,
        treasuries,
        conclude(results, rank=detail["rank_sale"], n=detail["n_windows"]),
        seed,
        level,
        tuple(notes),
    )


def _book(obs: pd.DataFrame | SeriesBook, as_of: object) -> SeriesBook:
    cutoff = None if as_of is None else to_cutoff(as_of)  # type: ignore[arg-type]
    if isinstance(obs, SeriesBook):
        if cutoff is None or cutoff == obs.as_of:
            return obs
        return SeriesBook(obs.obs, cutoff)
    return SeriesBook(obs, cutoff)


def explain_many(
    obs: pd.DataFrame,
    episodes: Sequence[tuple[dt.date | str, dt.date | str]],
    *,
    as_of: dt.date | dt.datetime | str | pd.Timestamp | None = None,
    **options: Any,
) -> list[Scorecard]:
    """:func:`explain` for several ``(start, end)`` episodes, reading each series once."""
    book = _book(obs, as_of)
    return [explain(book, start=s, end=e, **options) for s, e in episodes]
