"""Section: "Why: competing explanations" — the attribution scorecard of the latest notable
foreign-bond sale and of a chosen episode (April 2025), read from the analysis bundle."""

from __future__ import annotations

from functools import partial

from yenflow.analytics.attribution import Scorecard
from yenflow.report import why_charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.model import Chart, Column, Fact, Table

_HYPOTHESIS_COLUMNS = (
    Column("episode", "Episode"),
    Column("hypothesis", "Explanation"),
    Column("verdict", "Verdict"),
)
_FINGERPRINT_COLUMNS = (
    Column("episode", "Episode"),
    Column("fingerprint", "Hypothesis / fingerprint"),
    Column("verdict", "Verdict"),
    Column("observed", "Observed", "+,.2f"),
    Column("low", "Interval low", "+,.2f"),
    Column("high", "Interval high", "+,.2f"),
    Column("unit", "Unit"),
)


def _rows(label: str, card: Scorecard) -> tuple[tuple, tuple]:
    hyps = tuple((label, h.title, h.verdict) for h in card.hypotheses)
    frame = card.to_frame()
    fps = tuple(
        (
            label,
            f"{r['hypothesis']}/{r['fingerprint']}",
            r["verdict"],
            r["observed"],
            r["low"],
            r["high"],
            r["unit"] or "",
        )
        for _, r in frame.iterrows()
        if r["fingerprint"] is not None
    )
    return hyps, fps


def build(inputs: Inputs, out: Draft) -> None:
    """Scorecards, decompositions and the Treasury question, with three charts per episode."""
    out.intro = (
        "Why did they sell? Every registered explanation states its fingerprints in advance; "
        "each is measured with a 90 % interval (seeded block bootstrap of the series' own "
        "history, or HAC errors) and judged supported, contradicted, mixed or inconclusive. "
        "No single cause is named unless the evidence separates it. The seasonal comparison, "
        "the decomposition and its regression read the episode's own flow: MoF's weekly "
        "all-investor series here; for one investor type (`yenflow explain --investor`) that "
        "type's monthly series over the calendar months the episode overlaps."
    )
    if not out.has("mof.weekly.outward.long_term_debt.net"):
        return
    out.use("fred.DEXJPUS", "fred.DGS10", "cftc.jpy.noncommercial.net", "tic.holdings.japan")
    with out.part("attribution scorecard"):
        notable = inputs.analyses.attribution
        out.results["attribution"] = notable
        hyp_rows, fp_rows = [], []
        for key, card in notable.cards():
            e = card.episode
            label = f"{e.start}..{e.end}"
            out.facts.append(
                Fact(
                    f"why_{key}",
                    f"{label}: {card.conclusion}",
                    card.observed_jpy_100m,
                    "JPY 100 million",
                    {
                        "verdicts": card.verdicts(),
                        "series_id": card.flow_detail["series_id"],
                        "frequency": card.flow_detail.get("frequency", "weekly"),
                        "period": card.flow_detail.get("period", label),
                    },
                )
            )
            if card.treasuries is not None:
                out.facts.append(
                    Fact(
                        f"why_{key}_treasuries",
                        card.treasuries.reading,
                        card.treasuries.implied_usd_bn,
                        "USD bn",
                    )
                )
            h, f = _rows(label, card)
            hyp_rows += h
            fp_rows += f
            out.charts.append(
                Chart(
                    f"why_{key}_seasonal",
                    f"{label}: against other years",
                    partial(why_charts.seasonal_distribution, card),
                )
            )
            if card.decomposition is not None:
                out.charts.append(
                    Chart(
                        f"why_{key}_waterfall",
                        f"{label}: decomposition",
                        partial(why_charts.decomposition_waterfall, card),
                    )
                )
            out.charts.append(
                Chart(
                    f"why_{key}_model",
                    f"{label}: rebalancing model",
                    partial(why_charts.model_vs_observed, card),
                )
            )
        out.tables.append(
            Table("why_hypotheses", "Competing explanations", _HYPOTHESIS_COLUMNS, tuple(hyp_rows))
        )
        out.tables.append(
            Table(
                "why_fingerprints",
                "Fingerprints (observed, 90 % interval)",
                _FINGERPRINT_COLUMNS,
                tuple(fp_rows),
            )
        )
        out.inform(notable.notes)
