"""Pure figures of the "Why: competing explanations" section (attribution scorecards).

Each function takes a :class:`~yenflow.analytics.attribution.Scorecard` and returns a plotly
figure in the report's template: the episode against the same calendar window in other
years, the decomposition as a waterfall, and the rebalancing model's implied trades against
the observed flows.
"""

from __future__ import annotations

from yenflow.analytics.attribution import Scorecard
from yenflow.report.charts import TEMPLATE
from yenflow.report.figure import Figure

__all__ = ["decomposition_waterfall", "model_vs_observed", "seasonal_distribution"]


def _fingerprint(card: Scorecard, hypothesis: str, key: str):
    for f in card.hypothesis(hypothesis).fingerprints:
        if f.key == key:
            return f
    return None


def _figure(title: str, traces: list[dict], layout: dict) -> Figure:
    return Figure(traces, {"template": TEMPLATE, "title": {"text": title}, **layout})


def seasonal_distribution(card: Scorecard) -> Figure:
    """The episode's net flow (¥ tn) beside the same calendar window in every other year."""
    f = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    detail = f.measurement.detail if f is not None and f.measurement is not None else {}
    years = [str(y) for y in detail.get("years", [])]
    values = [v / 10_000 for v in detail.get("values", [])]
    e = card.episode
    label = f"{e.start:%Y} (episode)"
    traces = [
        {
            "type": "bar",
            "x": years,
            "y": values,
            "name": "same window, other years",
            "hovertemplate": "%{x}: %{y:+.2f} ¥ tn<extra></extra>",
        },
        {
            "type": "bar",
            "x": [label],
            "y": [card.observed_jpy_100m / 10_000],
            "name": "episode",
            "hovertemplate": "%{x}: %{y:+.2f} ¥ tn<extra></extra>",
        },
    ]
    z = detail.get("rank_sale")
    if detail.get("frequency") == "monthly":
        # an investor type's monthly flow: the episode's calendar month(s) in other years
        title = (
            f"{detail.get('period')}: the same month(s) in other years (rank {z} as a sale)"
            if z
            else "the episode's month(s) against other years"
        )
    else:
        title = (
            f"{e.start:%d %b}–{e.end:%d %b}: the episode against the same window in other "
            f"years (rank {z} as a sale)"
            if z
            else "the episode against other years"
        )
    layout = {
        "yaxis": {"title": {"text": "net purchase (+) / sale (−), ¥ trillion"}},
        "xaxis": {"type": "category", "title": {"text": "year"}},
    }
    return _figure(title, traces, layout)


def decomposition_waterfall(card: Scorecard) -> Figure:
    """observed = seasonal + rebalancing + rates/hedging + residual, ¥ trillion."""
    d = card.decomposition
    parts = d.parts() if d is not None else []
    names = [n.replace("_", "/") for n, _ in parts] + ["observed"]
    values = [v / 10_000 for _, v in parts] + [(d.observed if d else 0.0) / 10_000]
    trace = {
        "type": "waterfall",
        "x": names,
        "y": values,
        "measure": ["relative"] * len(parts) + ["total"],
        "hovertemplate": "%{x}: %{y:+.2f} ¥ tn<extra></extra>",
        "name": "decomposition",
    }
    layout = {
        "yaxis": {"title": {"text": "¥ trillion (net purchase > 0)"}},
        "xaxis": {"title": {"text": "part"}},
    }
    return _figure("Decomposition of the episode's net flow", [trace], layout)


def model_vs_observed(card: Scorecard) -> Figure:
    """GPIF's model-implied trades (median, range over rules) against the observed flows of
    the episode's asset class: all investors (weeks) and trust accounts (months), ¥ tn."""
    model = _fingerprint(card, "rebalancing", "model_implied_trades")
    trust_key = (
        "trust_accounts_sell_foreign_bonds"
        if card.episode.asset == "long_term_debt"
        else "trust_accounts_buy_foreign_equity"
    )
    trust = _fingerprint(card, "rebalancing", trust_key)
    rows = [("all investors (weekly)", card.observed_jpy_100m, None, None)]
    if trust is not None and trust.measurement is not None:
        rows.append(("trust accounts (month)", trust.measurement.observed, None, None))
    if model is not None and model.measurement is not None:
        m = model.measurement
        rows.append(("GPIF model (median, range over rules)", m.estimate, m.low, m.high))
    names = [r[0] for r in rows]
    bars = [r[1] / 10_000 for r in rows]
    lows = [0.0 if r[2] is None else (r[1] - r[2]) / 10_000 for r in rows]
    highs = [0.0 if r[3] is None else (r[3] - r[1]) / 10_000 for r in rows]
    trace = {
        "type": "bar",
        "x": names,
        "y": bars,
        "error_y": {"type": "data", "symmetric": False, "array": highs, "arrayminus": lows},
        "hovertemplate": "%{x}: %{y:+.2f} ¥ tn<extra></extra>",
        "name": "net flow",
    }
    what = card.episode.asset.replace("_", " ")
    layout = {
        "yaxis": {"title": {"text": "¥ trillion (net purchase > 0)"}},
        "xaxis": {"title": {"text": "who (over the episode)"}},
    }
    return _figure(f"Rebalancing model vs observed flows: foreign {what}", [trace], layout)
