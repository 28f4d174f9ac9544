"""Were they US Treasuries? MoF's foreign-bond flows against TIC's holdings of Treasuries.

MoF counts residents' trades in *all* foreign long-term bonds; TIC's Major Foreign Holders
table gives Japan's holdings of US Treasuries (USD bn, end of month, market value). Over the
episode's months (every calendar month it touches), holdings change = transactions +
valuation change (+ custody reclassification, which TIC cannot see). The valuation change is
estimated from Treasury yield moves and a stated modified duration:

    valuation_m ≈ -D × Δy_m / 100 × H_{m-1}          (USD bn; Δy in percentage points)

so implied transactions = ΔH - Σ valuation_m. The uncertainty is a range over durations
``durations`` (years; default 4.5, 6, 7.5 around a 6-year central guess for Japan's book)
and over the yield that stands for the book (``fred.DGS2``, ``fred.DGS10`` or their mean):
the interval is the lowest and highest implied transactions on that grid. Convexity, coupon
accrual and pull-to-par are ignored (small over a few months), and TIC attributes holdings
by custodian country, so Japanese holdings held through custodians elsewhere are missed.

The verdict on "Japan sold Treasuries": ``supported`` if the whole interval is below zero,
``contradicted`` if above, ``inconclusive`` otherwise (or without the data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.episode import Evidence
from yenflow.analytics.attribution.evidence import Measurement, Missing, Prediction, Verdict, judge
from yenflow.analytics.records import json_value

__all__ = ["TreasuryReconciliation", "reconcile_treasuries"]

TIC_JAPAN = "tic.holdings.japan"
YIELDS = ("fred.DGS2", "fred.DGS10")
DURATIONS = (4.5, 6.0, 7.5)
MOF_MONTHLY = "mof.monthly.outward.long_term_debt.net"
FX = "fred.DEXJPUS"


@dataclass(frozen=True)
class TreasuryReconciliation:
    """TIC holdings change, estimated valuation and implied transactions (USD bn)."""

    months: tuple[str, ...]
    holdings_start_usd_bn: float | None
    holdings_end_usd_bn: float | None
    holdings_change_usd_bn: float | None
    valuation_usd_bn: float | None
    implied_usd_bn: float | None
    implied_low_usd_bn: float | None
    implied_high_usd_bn: float | None
    mof_all_foreign_bonds_usd_bn: float | None
    verdict: Verdict
    reading: str
    by_month: pd.DataFrame
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.by_month.copy()

    def summary(self) -> dict[str, Any]:
        keys = (
            "holdings_start_usd_bn",
            "holdings_end_usd_bn",
            "holdings_change_usd_bn",
            "valuation_usd_bn",
            "implied_usd_bn",
            "implied_low_usd_bn",
            "implied_high_usd_bn",
            "mof_all_foreign_bonds_usd_bn",
        )
        return {
            "question": "Did Japan sell US Treasuries over the episode's months?",
            "months": list(self.months),
            "unit": "USD bn",
            **{k: json_value(getattr(self, k)) for k in keys},
            "durations_years": list(DURATIONS),
            "yield_proxies": [*YIELDS, "mean"],
            "verdict": self.verdict,
            "reading": self.reading,
            "by_month": [
                {k: json_value(v) for k, v in r.items()}
                for r in self.by_month.reset_index().to_dict("records")
            ],
            "notes": list(self.notes),
        }


def _month_end_yields(ev: Evidence) -> pd.DataFrame:
    cols = {}
    for sid in YIELDS:
        daily = ev.series(sid, index="period_start").dropna()
        last = daily.groupby(daily.index.to_period("M")).last()
        cols[sid] = last
    frame = pd.DataFrame(cols)
    frame["mean"] = frame[list(YIELDS)].mean(axis=1)
    return frame


def reconcile_treasuries(ev: Evidence) -> TreasuryReconciliation:
    """Reconcile over every calendar month the episode touches; see the module docstring."""
    months = pd.period_range(ev.start, ev.end, freq="M")
    labels = tuple(f"{m:%Y-%m}" for m in months)
    notes: list[str] = []
    empty = pd.DataFrame()

    def undecided(reason: str) -> TreasuryReconciliation:
        return TreasuryReconciliation(
            labels,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "inconclusive",
            f"cannot tell: {reason}",
            empty,
            (reason,),
        )

    try:
        tic = ev.series(TIC_JAPAN, index="period_start").dropna()
        for sid in YIELDS:
            ev.series(sid, index="period_start")
    except Missing as gone:
        return undecided(gone.reason)
    tic = tic.set_axis(tic.index.to_period("M"))
    need = [months[0] - 1, *months]
    gone = [f"{m}" for m in need if m not in tic.index]
    if gone:
        return undecided(f"{TIC_JAPAN} has no public value for {', '.join(gone)}")
    yields = _month_end_yields(ev)
    gone = [f"{m}" for m in need if m not in yields.index]
    if gone:
        return undecided(f"no month-end Treasury yields for {', '.join(gone)}")
    h = tic.reindex(need)
    dy = yields.reindex(need).diff().iloc[1:]  # percentage points, per month
    prev = h.iloc[:-1].to_numpy()
    grid = {}
    for d in DURATIONS:
        for proxy in dy.columns:
            val = -d * dy[proxy].to_numpy() / 100.0 * prev
            grid[(d, proxy)] = float((h.iloc[1:].to_numpy() - prev - val).sum())
    change = float(h.iloc[-1] - h.iloc[0])
    central_val = -DURATIONS[1] * dy["mean"].to_numpy() / 100.0 * prev
    implied = change - float(central_val.sum())
    finite = [v for v in grid.values() if np.isfinite(v)]
    if not finite or not np.isfinite(implied):
        return undecided("no Treasury yield change for the months to value the holdings with")
    lo, hi = min(finite), max(finite)
    by_month = pd.DataFrame(
        {
            "holdings_usd_bn": h.iloc[1:].to_numpy(),
            "change_usd_bn": np.diff(h.to_numpy()),
            "d_yield_mean_pp": dy["mean"].to_numpy(),
            "valuation_usd_bn": central_val,
            "implied_usd_bn": np.diff(h.to_numpy()) - central_val,
        },
        index=pd.Index(labels, name="month"),
    )
    m = Measurement(implied, implied, lo, hi, "USD bn", "range", len(months), 1.0)
    verdict, _ = judge(m, Prediction("below"))
    mof_usd = _mof_usd(ev, months, notes)
    reading = _reading(verdict, change, implied, lo, hi, mof_usd, labels)
    notes.append(
        "TIC attributes holdings by custodian country: Japanese-owned Treasuries held "
        "through custodians abroad (Belgium, Luxembourg, UK...) are not counted"
    )
    return TreasuryReconciliation(
        labels,
        float(h.iloc[0]),
        float(h.iloc[-1]),
        change,
        float(central_val.sum()),
        implied,
        lo,
        hi,
        mof_usd,
        verdict,
        reading,
        by_month,
        tuple(notes),
    )


def _mof_usd(ev: Evidence, months: pd.PeriodIndex, notes: list[str]) -> float | None:
    """MoF's monthly outward long-term debt net over the months, USD bn at monthly mean FX."""
    try:
        flows = ev.series(MOF_MONTHLY, index="period_start")
        fx = ev.series(FX, index="period_start").dropna()
    except Missing as gone:
        notes.append(f"MoF comparison left out: {gone.reason}")
        return None
    flows = flows.set_axis(flows.index.to_period("M"))
    fx_m = fx.groupby(fx.index.to_period("M")).mean()
    if any(m not in flows.index for m in months):
        notes.append(f"MoF comparison left out: {MOF_MONTHLY} not public for every month")
        return None
    # ¥100 million / (yen per USD) / 10 = USD bn
    return float(sum(flows[m] / (10.0 * fx_m[m]) for m in months))


def _reading(
    verdict: Verdict,
    change: float,
    implied: float,
    lo: float,
    hi: float,
    mof_usd: float | None,
    months: tuple[str, ...],
) -> str:
    span = f"{months[0]}..{months[-1]}" if len(months) > 1 else months[0]
    text = (
        f"TIC: Japan's Treasury holdings changed by {change:+,.1f} USD bn over {span}; after "
        f"the estimated valuation change, implied transactions are {implied:+,.1f} USD bn "
        f"(range {lo:+,.1f} to {hi:+,.1f} over durations and yield proxies)"
    )
    if mof_usd is not None:
        text += f"; MoF: net {mof_usd:+,.1f} USD bn of all foreign long-term bonds"
    if verdict == "supported":
        text += ". The data support 'Japan sold Treasuries' over these months"
    elif verdict == "contradicted":
        text += (
            ". The data do not support 'Japan sold Treasuries': the implied transactions "
            "are purchases over the whole range"
        )
        if mof_usd is not None and mof_usd < 0:
            text += (
                "; MoF's sales were of other foreign bonds, or in Treasuries held through "
                "custodians outside Japan"
            )
    else:
        text += ". The data cannot tell whether Japan sold Treasuries (the range covers zero)"
    return text + "."
