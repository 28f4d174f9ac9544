"""The thesis, link by link: yen surge → US 10-year yield → Fed balance sheet → BTC.

The claim (April 2025): a fast-strengthening yen forces leveraged traders to sell US bonds, so
(a) the 10-year yield rises; (b) the Fed answers by expanding its balance sheet (total assets,
WALCL); (c) a bigger balance sheet lifts BTC; hence (direct) a yen surge lifts BTC. Each link is
an event study (:mod:`.events`' stationary bootstrap, seeded) on inputs aligned by publication
time (:mod:`.inputs`): the driver's events, the response over the following days against its
unconditional drift, an interval, the number of episodes, and a verdict:

* **supported**: the effect has the predicted sign and its interval excludes 0;
* **contradicted**: the interval excludes 0 on the other side;
* **inconclusive**: otherwise, or fewer than ``min_events`` episodes.

Units: yields in basis points (DGS10 is percent; × 100), Fed assets in USD bn (WALCL is USD
millions; ÷ 1,000), BTC in percent of log return. Worked cases (default 2024-08-05 and
2025-04-07): what each link predicted from that date and what the data did.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from yenflow.analytics.bitcoin._results import ResultViews
from yenflow.analytics.bitcoin.events import _study, yen_shocks
from yenflow.analytics.bitcoin.inputs import BtcInputs, Timing, align
from yenflow.errors import DataError

__all__ = ["ChainParams", "ChainResult", "Link", "Verdict", "WorkedCase", "causal_chain"]

Verdict = Literal["supported", "contradicted", "inconclusive"]
CHAIN_INPUTS = {"usdjpy": "fred.DEXJPUS", "dgs10": "fred.DGS10", "walcl": "fred.WALCL"}
DEFAULT_CASES = ("2024-08-05", "2025-04-07")


@dataclass(frozen=True)
class ChainParams:
    """Event definitions and horizons (days are BTC calendar days).

    yen surge: USD/JPY down > ``yen_fall_pct`` % over ``yen_days``; yield rise: DGS10 up
    > ``yield_rise_bp`` bp over ``yield_days``; balance-sheet expansion: WALCL up >
    ``walcl_rise_bn`` USD bn over ``walcl_days``. Responses over ``yield_horizon``,
    ``walcl_horizon``, ``btc_horizon`` days. Events closer than ``min_gap`` days are merged.
    """

    yen_fall_pct: float = 3.0
    yen_days: int = 5
    yield_rise_bp: float = 25.0
    yield_days: int = 10
    walcl_rise_bn: float = 50.0
    walcl_days: int = 28
    yield_horizon: int = 10
    walcl_horizon: int = 42
    btc_horizon: int = 30
    min_gap: int = 20
    min_events: int = 5
    reps: int = 5000
    level: float = 0.9
    seed: int = 0


@dataclass(frozen=True)
class Link:
    """One link: driver events → response over ``horizon`` days (``unit``), vs its drift."""

    name: str
    driver: str
    response: str
    predicted: Literal["up", "down"]
    unit: str
    horizon: int
    effect: float
    lower: float
    upper: float
    p_value: float
    events: int
    verdict: Verdict
    event_dates: tuple[pd.Timestamp, ...] = field(repr=False)

    def sentence(self) -> str:
        if self.events == 0:
            return f"{self.name}: no {self.driver} episodes — inconclusive."
        return (
            f"{self.name}: after {self.events} {self.driver} episodes, {self.response} moved "
            f"{self.effect:+.1f} {self.unit} over {self.horizon} days beyond its drift "
            f"({self.lower:+.1f} to {self.upper:+.1f}, p = {self.p_value:.2f}); the thesis "
            f"predicts {self.predicted} — {self.verdict}."
        )


@dataclass(frozen=True)
class WorkedCase:
    """One dated episode: per link, the thesis's predicted sign and the observed change."""

    date: pd.Timestamp
    rows: tuple[dict[str, object], ...]

    def sentence(self) -> str:
        known = [r for r in self.rows if pd.notna(r["observed"])]
        held = [r["link"] for r in known if r["as_predicted"]]
        broke = [r["link"] for r in known if r["as_predicted"] is False]
        pending = [r["link"] for r in self.rows if pd.isna(r["observed"])]
        parts = "; ".join(
            f"{r['link']}: {r['observed']:+.1f} {r['unit']} (predicted {r['predicted']})"
            if pd.notna(r["observed"])
            else f"{r['link']}: not yet known (predicted {r['predicted']})"
            for r in self.rows
        )
        text = (
            f"{self.date.date()}: {parts}. As predicted: {', '.join(held) or 'none'}; "
            f"not: {', '.join(broke) or 'none'}."
        )
        if pending:  # the horizon after the date is not over, or not yet published, at the cut
            text += f" Not yet known at the cut-off: {', '.join(pending)}."
        return text


@dataclass(frozen=True, eq=False, repr=False)
class ChainResult(ResultViews):
    links: tuple[Link, ...]
    cases: tuple[WorkedCase, ...]
    params: ChainParams
    timing: Timing
    period: tuple[pd.Timestamp, pd.Timestamp]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "link": x.name,
                "driver": x.driver,
                "response": x.response,
                "unit": x.unit,
                "horizon_days": x.horizon,
                "predicted": x.predicted,
                "effect": x.effect,
                "lower": x.lower,
                "upper": x.upper,
                "p_value": x.p_value,
                "events": x.events,
                "verdict": x.verdict,
            }
            for x in self.links
        ]
        return pd.DataFrame(rows)

    def conclusion(self) -> str:
        holds = [x.name for x in self.links if x.verdict == "supported"]
        breaks = [x.name for x in self.links if x.verdict != "supported"]
        return (
            f"Holds: {', '.join(holds) or 'no link'}. Breaks or unproven: "
            f"{', '.join(breaks) or 'none'}."
        )

    def _figures(self) -> dict:
        return {
            "links": self.to_frame().to_dict(orient="records"),
            "conclusion": self.conclusion(),
            "cases": [{"date": c.date, "rows": list(c.rows)} for c in self.cases],
            "timing": self.timing,
        }

    def describe(self) -> str:
        head = (
            f"The yen → BTC chain, {self.period[0].date()} to {self.period[1].date()} "
            f"(inputs as {self.timing}): {self.conclusion()}"
        )
        lines = [head, *(x.sentence() for x in self.links), *(c.sentence() for c in self.cases)]
        return "\n".join(lines)


def _rise_events(level: pd.Series, *, rise: float, days: int, min_gap: int) -> pd.DatetimeIndex:
    v = level.to_numpy(dtype="float64")
    change = np.full(len(v), np.nan)
    change[days:] = v[days:] - v[:-days]
    kept: list[int] = []
    for i in np.flatnonzero(change > rise):
        if not kept or i - kept[-1] > min_gap:
            kept.append(int(i))
    return pd.DatetimeIndex(level.index[kept])


def _verdict(effect: float, lower: float, upper: float, n: int, predicted: str, p: ChainParams):
    if n < p.min_events or math.isnan(effect):
        return "inconclusive"
    sign = 1.0 if predicted == "up" else -1.0
    if sign * lower > 0 and sign * upper > 0:
        return "supported"
    if sign * lower < 0 and sign * upper < 0:
        return "contradicted"
    return "inconclusive"


def _link(
    name: str,
    *,
    driver: str,
    response: str,
    unit: str,
    predicted: Literal["up", "down"],
    index: pd.DatetimeIndex,
    increments: np.ndarray,
    events: pd.DatetimeIndex,
    horizon: int,
    p: ChainParams,
) -> Link:
    pos = index.get_indexer(events)
    pos = pos[(pos >= 0) & (pos < len(increments))]
    study = _study(
        name,
        index,
        increments,
        np.unique(pos),
        horizons=horizon,
        reps=p.reps,
        block=float(int(math.sqrt(len(increments)))),
        seed=p.seed,
        level=p.level,
    )
    if len(pos) == 0:
        return Link(
            name,
            driver,
            response,
            predicted,
            unit,
            horizon,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            0,
            "inconclusive",
            (),
        )
    a = study.at(horizon)
    verdict = _verdict(
        a["mean_excess_pct"], a["lower_pct"], a["upper_pct"], a["events"], predicted, p
    )
    return Link(
        name,
        driver,
        response,
        predicted,
        unit,
        horizon,
        a["mean_excess_pct"],
        a["lower_pct"],
        a["upper_pct"],
        a["p_value"],
        a["events"],
        verdict,
        tuple(study.events),
    )


def _change(series: pd.Series, start: pd.Timestamp, days: int) -> float:
    i = series.index.get_indexer([start])[0]
    if i < 0 or i + days >= len(series):
        return math.nan
    return float(series.iloc[i + days] - series.iloc[i])


def causal_chain(
    obs_or_inputs: pd.DataFrame | BtcInputs,
    *,
    params: ChainParams | None = None,
    cases: Sequence[str | pd.Timestamp] = DEFAULT_CASES,
    timing: Timing = "published",
) -> ChainResult:
    """Test each link of the yen → yield → Fed assets → BTC chain (see module docstring).

    Takes a canonical observation frame (an as-of read keeps it point in time) or inputs
    already aligned with :func:`.inputs.align` (columns usdjpy, dgs10, walcl).
    """
    p = params or ChainParams()
    a = (
        obs_or_inputs
        if isinstance(obs_or_inputs, BtcInputs)
        else align(obs_or_inputs, CHAIN_INPUTS, timing=timing)
    )
    frame = a.frame.dropna(subset=["usdjpy", "dgs10", "walcl"])
    if len(frame) < 400:
        msg = "the chain needs at least 400 days where BTC, USD/JPY, DGS10 and WALCL are all known"
        raise DataError(msg)
    index = pd.DatetimeIndex(frame.index)
    yld = frame["dgs10"] * 100.0  # bp
    walcl = frame["walcl"] / 1000.0  # USD bn
    log_btc = np.log(frame["btc"])
    # _study reports increments × 100: feed bp / 100, USD bn / 100, log returns as they are
    inc_yield = np.diff(yld.to_numpy()) / 100.0
    inc_walcl = np.diff(walcl.to_numpy()) / 100.0
    inc_btc = np.diff(log_btc.to_numpy())
    yen = yen_shocks(frame["usdjpy"], fall_pct=p.yen_fall_pct, days=p.yen_days, min_gap=p.min_gap)
    rises = _rise_events(yld, rise=p.yield_rise_bp, days=p.yield_days, min_gap=p.min_gap)
    qe = _rise_events(walcl, rise=p.walcl_rise_bn, days=p.walcl_days, min_gap=p.min_gap)
    yen_label = f"yen-surge (USD/JPY -{p.yen_fall_pct:g}% in {p.yen_days} days)"
    links = (
        _link(
            "(a) yen surge → 10y yield",
            driver=yen_label,
            response="the US 10y yield",
            unit="bp",
            predicted="up",
            index=index,
            increments=inc_yield,
            events=yen,
            horizon=p.yield_horizon,
            p=p,
        ),
        _link(
            "(b) yield rise → Fed assets",
            driver=(f"10y-yield-rise (+{p.yield_rise_bp:g} bp in {p.yield_days} days)"),
            response="Fed total assets (WALCL)",
            unit="USD bn",
            predicted="up",
            index=index,
            increments=inc_walcl,
            events=rises,
            horizon=p.walcl_horizon,
            p=p,
        ),
        _link(
            "(c) Fed assets → BTC",
            driver=(
                f"balance-sheet-expansion (+USD {p.walcl_rise_bn:g} bn in {p.walcl_days} days)"
            ),
            response="BTC",
            unit="% (log)",
            predicted="up",
            index=index,
            increments=inc_btc,
            events=qe,
            horizon=p.btc_horizon,
            p=p,
        ),
        _link(
            "direct: yen surge → BTC",
            driver=yen_label,
            response="BTC",
            unit="% (log)",
            predicted="up",
            index=index,
            increments=inc_btc,
            events=yen,
            horizon=p.btc_horizon,
            p=p,
        ),
    )
    worked = []
    for c in cases:
        day = pd.Timestamp(c).normalize()
        if day not in index:
            continue
        rows = []
        for link, series, unit, offset, horizon in (
            ("(a) 10y yield", yld, "bp", 0, p.yield_horizon),
            ("(b) Fed assets", walcl, "USD bn", p.yield_horizon, p.walcl_horizon),
            ("(c)/direct BTC", log_btc * 100.0, "% (log)", 0, p.btc_horizon),
        ):
            start = index[min(index.get_loc(day) + offset, len(index) - 1)]
            observed = _change(series, start, horizon)
            rows.append(
                {
                    "link": link,
                    "unit": unit,
                    "from": start,
                    "days": horizon,
                    "predicted": "up",
                    "observed": observed,
                    "as_predicted": None if math.isnan(observed) else bool(observed > 0),
                }
            )
        worked.append(WorkedCase(date=day, rows=tuple(rows)))
    return ChainResult(
        links=links, cases=tuple(worked), params=p, timing=a.timing, period=(index[0], index[-1])
    )
