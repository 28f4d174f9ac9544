"""Section: Bitcoin and the yen — does a rising yen lift Bitcoin? (the Bitcoin lab)."""

from __future__ import annotations

from functools import partial

from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.model import Chart, Column, Fact, Table

_LINK_COLUMNS = (
    Column("link", "Link"),
    Column("unit", "Unit"),
    Column("horizon", "Horizon (days)", "d"),
    Column("effect", "Effect beyond drift", "+,.1f"),
    Column("lower", "Interval low", "+,.1f"),
    Column("upper", "Interval high", "+,.1f"),
    Column("events", "Episodes", "d"),
    Column("verdict", "Verdict"),
)
_CHAIN = ("fred.DEXJPUS", "fred.DGS10", "fred.WALCL")
_BTC = ("btc.coinbase.close", "btc.yahoo.close", "fred.CBBTCUSD")
RISK = (
    "Bitcoin is highly volatile; these are historical associations with wide intervals, not "
    "forecasts, and a rule chosen among 10,000 usually owes its backtest to luck (see the SPA "
    "p-value). Information, not investment advice."
)


def build(inputs: Inputs, out: Draft) -> None:
    """The chain verdicts, the yen-shock event study and the rule sweep, from the bundle."""
    out.intro = (
        "A widely read claim: a fast-strengthening yen forces leveraged traders to sell US "
        "bonds, yields rise, the Fed expands its balance sheet and Bitcoin surges. Tested link "
        "by link with every input aligned by its publication time (a signal known on a day "
        "acts on BTC's returns from the next day): effects beyond the drift with seeded "
        "stationary-bootstrap intervals. Details: `yenflow btc chain|events|sweep`."
    )
    present = [s for s in _BTC if s in inputs.fresh]
    if not present:
        out.note(
            "info",
            f"no BTC daily closes in the store ({', '.join(_BTC)}): run `yenflow fetch btc` "
            "(or fred) to test the yen → Bitcoin claim",
        )
        return
    out.use(present[0])
    a = inputs.analyses
    if out.has(*_CHAIN):
        with out.part("The chain"):
            chain = a.get("btc.chain")
            out.results["btc_chain"] = chain
            out.facts.append(Fact("btc.chain.conclusion", chain.conclusion(), chain.conclusion()))
            for link in chain.links:
                out.facts.append(
                    Fact(
                        f"btc.chain.{link.name}",
                        link.sentence(),
                        link.effect,
                        link.unit,
                        {"verdict": link.verdict},
                    )
                )
            for case in chain.cases:
                out.paragraphs.append(f"Worked case {case.sentence()}")
            rows = tuple(
                (x.name, x.unit, x.horizon, x.effect, x.lower, x.upper, x.events, x.verdict)
                for x in chain.links
            )
            out.tables.append(
                Table(
                    "btc_chain",
                    "The chain, link by link",
                    _LINK_COLUMNS,
                    rows,
                    caption=f"{chain.params.level:.0%} intervals, "
                    f"{chain.params.reps:,} bootstrap resamples, seed "
                    f"{chain.params.seed}.",
                )
            )
            out.charts.append(
                Chart("btc_chain", "Chain verdicts", partial(charts.btc_chain_chart, chain))
            )
    if out.has("fred.DEXJPUS"):
        with out.part("Event study"):
            study = a.get("btc.events")
            out.results["btc_events"] = study
            out.facts.append(Fact("btc.events", study.describe(), len(study.events), "events"))
            if len(study.events):
                out.charts.append(
                    Chart(
                        "btc_events", "BTC after yen shocks", partial(charts.btc_event_chart, study)
                    )
                )
        with out.part("Rule sweep"):
            s = a.get("btc.sweep")
            out.results["btc_sweep"] = s.sweep
            out.facts.append(Fact("btc.sweep", s.sweep.describe(), s.sweep.grid.size, "rules"))
            out.facts.append(
                Fact(
                    "btc.walk_forward",
                    s.walk_forward.describe(),
                    s.walk_forward.out_of_sample["sharpe"],
                    "Sharpe",
                )
            )
            out.facts.append(
                Fact(
                    "btc.spa",
                    s.spa.describe(),
                    s.spa.pvalues["consistent"],
                    "p-value",
                    {"pvalues": s.spa.pvalues},
                )
            )
            out.charts.append(
                Chart("btc_heatmap", "Sweep heatmap", partial(charts.btc_heatmap_chart, s.sweep))
            )
    out.facts.append(Fact("btc.risk", RISK, None))
