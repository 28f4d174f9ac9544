"""Policy portfolios as data: targets, deviation bands, what counts where, the rebalancing rule.

A :class:`PolicyPortfolio` is a plain frozen value:

- ``targets``: asset class -> target weight, **percent** of the portfolio (they add to 100);
- ``bands``: :class:`Band` limits, each on one asset class or on the **sum** of several
  (GPIF's combined "all bonds" / "all equities" limits), as target ± ``band_pp``
  **percentage points**;
- ``sleeves``: the return sleeves the model holds, each with the asset class it **counts as**
  and whether it is held in foreign currency (GPIF counts FX-hedged foreign bonds as domestic
  bonds: the sleeve ``foreign_bonds_hedged`` counts as ``domestic_bonds``, with no FX
  translation);
- ``effective_from`` / ``effective_to``: the dates (inclusive) the policy is in force;
- ``rule``: the default :class:`Rule`; ``aum_jpy_bn``: assets under management, ¥ billion.

Shipped: GPIF's 4th and 5th medium-term plans (package data ``data/gpif_policy.csv`` and
``data/gpif_counts_as.csv``, compiled from GPIF's plan summaries) and two illustrative mixes,
``mix_60_40_global`` and ``mix_60_40_us``, whose ±5 pp bands are a common convention, not a
published fact. :func:`policy` returns one by name.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Literal

from yenflow.errors import ConfigError

__all__ = [
    "POLICIES",
    "Band",
    "CalendarFrequency",
    "PolicyPortfolio",
    "Rule",
    "RuleTarget",
    "RuleTrigger",
    "Sleeve",
    "gpif_plans",
    "policy",
]

RuleTrigger = Literal["calendar", "threshold"]
RuleTarget = Literal["target", "edge"]
CalendarFrequency = Literal["month", "quarter", "fiscal_year"]

_TOL = 1e-9  # percentage points: a weight this close to a band edge is inside


@dataclass(frozen=True)
class Rule:
    """When and how far a portfolio is rebalanced.

    Attributes:
        trigger: ``"calendar"`` (at the last trading day of every ``frequency`` period) or
            ``"threshold"`` (on any day a band, single or combined, is breached).
        frequency: ``"month"``, ``"quarter"`` or ``"fiscal_year"`` (Japan's, ending 31 March);
            used by calendar rules.
        to: ``"target"``: trade ``fraction`` of the drift back towards the targets;
            ``"edge"``: trade just enough (along the line to the targets) that every band
            holds, the binding one at its edge.
        fraction: the share of the drift traded (``0 < fraction <= 1``) with ``to="target"``;
            a threshold rule trades at least enough to end inside every band.
    """

    trigger: RuleTrigger = "calendar"
    frequency: CalendarFrequency = "quarter"
    to: RuleTarget = "target"
    fraction: float = 1.0

    def __post_init__(self) -> None:
        if self.trigger not in ("calendar", "threshold"):
            msg = f"rule trigger {self.trigger!r}: expected 'calendar' or 'threshold'"
            raise ConfigError(msg)
        if self.frequency not in ("month", "quarter", "fiscal_year"):
            msg = f"rule frequency {self.frequency!r}: expected 'month', 'quarter' or 'fiscal_year'"
            raise ConfigError(msg)
        if self.to not in ("target", "edge"):
            msg = f"rule target {self.to!r}: expected 'target' or 'edge'"
            raise ConfigError(msg)
        if not (0.0 < self.fraction <= 1.0) or math.isnan(self.fraction):
            msg = f"rule fraction {self.fraction!r}: expected a share of the drift in (0, 1]"
            raise ConfigError(msg)

    @classmethod
    def calendar(cls, frequency: CalendarFrequency = "quarter", *, fraction: float = 1.0) -> Rule:
        """Back to target (or ``fraction`` of the way) at every period end."""
        return cls("calendar", frequency, "target", fraction)

    @classmethod
    def threshold(cls, *, to: RuleTarget = "edge", fraction: float = 1.0) -> Rule:
        """On a band breach, back to the band edge or (``fraction`` of the way) to target."""
        return cls("threshold", "quarter", to, fraction)

    @classmethod
    def partial(cls, fraction: float, *, frequency: CalendarFrequency = "month") -> Rule:
        """A fraction of the drift traded at every period end (a calendar rule)."""
        return cls("calendar", frequency, "target", fraction)

    @property
    def label(self) -> str:
        """A short name: ``calendar/quarter/target/1``, ``threshold/edge``..."""
        tail = "edge" if self.to == "edge" else f"target/{self.fraction:g}"
        head = "threshold" if self.trigger == "threshold" else f"calendar/{self.frequency}"
        return f"{head}/{tail}"


@dataclass(frozen=True)
class Band:
    """A permitted range for the weight of one asset class or the sum of several.

    ``members`` are asset classes; the summed weight must stay within
    ``target_pct ± band_pp`` (percent, percentage points).
    """

    members: tuple[str, ...]
    target_pct: float
    band_pp: float
    source: str = ""

    @property
    def name(self) -> str:
        """``domestic_bonds`` or ``domestic_bonds+foreign_bonds``."""
        return "+".join(self.members)

    @property
    def combined(self) -> bool:
        """True for a limit on the sum of several asset classes."""
        return len(self.members) > 1

    @property
    def low_pct(self) -> float:
        return self.target_pct - self.band_pp

    @property
    def high_pct(self) -> float:
        return self.target_pct + self.band_pp


@dataclass(frozen=True)
class Sleeve:
    """A return sleeve: what it counts as, and whether its value is translated from a currency."""

    name: str
    counts_as: str
    foreign_currency: bool


@dataclass(frozen=True)
class PolicyPortfolio:
    """A policy portfolio (see the module docstring). Build your own or take :func:`policy`."""

    name: str
    targets: Mapping[str, float]
    bands: tuple[Band, ...] = ()
    sleeves: tuple[Sleeve, ...] = ()
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    rule: Rule = field(default_factory=Rule)
    aum_jpy_bn: float = 1000.0
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.targets:
            msg = f"policy {self.name!r} has no asset classes"
            raise ConfigError(msg)
        total = sum(self.targets.values())
        if abs(total - 100.0) > 1e-6:
            msg = f"policy {self.name!r}: targets add to {total:g} percent, expected 100"
            raise ConfigError(msg)
        classes = set(self.targets)
        for band in self.bands:
            unknown = set(band.members) - classes
            if unknown:
                msg = f"policy {self.name!r}: band {band.name} names unknown classes {unknown}"
                raise ConfigError(msg)
            implied = sum(self.targets[m] for m in band.members)
            if abs(implied - band.target_pct) > 1e-6:
                msg = (
                    f"policy {self.name!r}: band {band.name} is centred on {band.target_pct:g}% "
                    f"but the targets of its members add to {implied:g}%"
                )
                raise ConfigError(msg)
        if not self.sleeves:
            msg = f"policy {self.name!r} has no sleeves; give one per asset class at least"
            raise ConfigError(msg)
        for sleeve in self.sleeves:
            if sleeve.counts_as not in classes:
                msg = (
                    f"policy {self.name!r}: sleeve {sleeve.name} counts as {sleeve.counts_as!r}, "
                    f"which is not one of its asset classes {sorted(classes)}"
                )
                raise ConfigError(msg)
        missing = classes - {s.counts_as for s in self.sleeves}
        if missing:
            msg = f"policy {self.name!r}: no sleeve counts as {sorted(missing)}"
            raise ConfigError(msg)
        if self.aum_jpy_bn <= 0:
            msg = f"policy {self.name!r}: AUM must be positive (¥ bn), got {self.aum_jpy_bn}"
            raise ConfigError(msg)

    @property
    def asset_classes(self) -> tuple[str, ...]:
        return tuple(self.targets)

    @property
    def sleeve_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sleeves)

    def primary_sleeve(self, asset_class: str) -> str:
        """The sleeve that receives a class's trades when the class holds nothing yet."""
        for s in self.sleeves:
            if s.counts_as == asset_class and s.name == asset_class:
                return s.name
        return next(s.name for s in self.sleeves if s.counts_as == asset_class)

    def in_force(self, day: dt.date) -> bool:
        """True if ``day`` lies in [effective_from, effective_to] (open ends allowed)."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return not (self.effective_to is not None and day > self.effective_to)

    def breaches(self, weights_pct: Mapping[str, float]) -> list[str]:
        """The names of the bands that class weights (percent) breach."""
        out = []
        for band in self.bands:
            w = sum(weights_pct[m] for m in band.members)
            if w > band.high_pct + _TOL or w < band.low_pct - _TOL:
                out.append(band.name)
        return out

    def with_rule(self, rule: Rule) -> PolicyPortfolio:
        return replace(self, rule=rule)

    def with_aum(self, aum_jpy_bn: float) -> PolicyPortfolio:
        return replace(self, aum_jpy_bn=aum_jpy_bn)


def _gpif_rows(filename: str) -> list[dict[str, str]]:
    text = (
        resources.files("yenflow.analytics.rebalance")
        .joinpath("data", filename)
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _aum_at_start(holdings: list[dict[str, str]], start: dt.date | None) -> float:
    """Sum of the four classes' market values (¥ bn) at the quarter end nearest before ``start``."""
    ends = sorted({dt.date.fromisoformat(r["quarter_end"]) for r in holdings})
    before = [d for d in ends if start is None or d < start]
    chosen = before[-1] if before else ends[0]
    total = sum(
        float(r["market_value_jpy_bn"])
        for r in holdings
        if dt.date.fromisoformat(r["quarter_end"]) == chosen
    )
    return round(total, 1)


def gpif_plans() -> tuple[PolicyPortfolio, ...]:
    """GPIF's 4th (1 Apr 2020 – 31 Mar 2025) and 5th (from 1 Apr 2025) medium-term plans.

    Read from the package data ``gpif_policy.csv`` (targets and bands, single and combined)
    and ``gpif_counts_as.csv`` (FX-hedged foreign bonds count as domestic bonds). The rule
    is a threshold rule back to the band edge (GPIF rebalances within its deviation limits;
    it does not publish a calendar). AUM (¥ bn) is the sum of the four classes' market values
    in ``gpif_holdings.csv`` at the last quarter end before the plan starts, else the first
    one in force (4th plan: 2020-06-30, ¥164.2 tn; 5th plan: 2025-03-31, ¥257.4 tn).
    """
    rows = _gpif_rows("gpif_policy.csv")
    counts = _gpif_rows("gpif_counts_as.csv")
    holdings = _gpif_rows("gpif_holdings.csv")
    plans = []
    for plan in dict.fromkeys(r["plan"] for r in rows):
        mine = [r for r in rows if r["plan"] == plan]
        single = [r for r in mine if "+" not in r["members"]]
        targets = {r["members"]: float(r["target_pct"]) for r in single}
        bands = tuple(
            Band(
                tuple(r["members"].split("+")),
                float(r["target_pct"]),
                float(r["band_pp"]),
                r["source"],
            )
            for r in mine
        )
        sleeves = [Sleeve(c, c, c.startswith("foreign")) for c in targets]
        notes = []
        for c in counts:
            if c["plan"] == plan:
                sleeves.append(Sleeve(c["sleeve"], c["counts_as"], False))
                notes.append(f"{c['sleeve']} counts as {c['counts_as']}: {c['source']}")
        plans.append(
            PolicyPortfolio(
                name=plan,
                targets=targets,
                bands=bands,
                sleeves=tuple(sleeves),
                effective_from=_date(mine[0]["effective_from"]),
                effective_to=_date(mine[0]["effective_to"]),
                rule=Rule.threshold(to="edge"),
                aum_jpy_bn=_aum_at_start(holdings, _date(mine[0]["effective_from"])),
                notes=(mine[0]["source"], *notes),
            )
        )
    return tuple(plans)


def _mix(name: str, equities: str, bonds: str, note: str) -> PolicyPortfolio:
    return PolicyPortfolio(
        name=name,
        targets={equities: 60.0, bonds: 40.0},
        bands=(Band((equities,), 60.0, 5.0, "convention"), Band((bonds,), 40.0, 5.0, "convention")),
        sleeves=(Sleeve(equities, equities, True), Sleeve(bonds, bonds, True)),
        rule=Rule.calendar("quarter"),
        aum_jpy_bn=1000.0,
        notes=(note, "±5 pp bands and ¥1 tn AUM are illustrative, not published facts"),
    )


def _builtin() -> dict[str, PolicyPortfolio]:
    out = {p.name: p for p in gpif_plans()}
    out["mix_60_40_global"] = _mix(
        "mix_60_40_global",
        "global_equities",
        "global_bonds",
        "60% global equities (e.g. MSCI ACWI), 40% global bonds, held unhedged by a yen investor",
    )
    out["mix_60_40_us"] = _mix(
        "mix_60_40_us",
        "us_equities",
        "us_bonds",
        "60% US equities (e.g. S&P 500) and 40% US bonds (e.g. US aggregate), unhedged",
    )
    return out


POLICIES: tuple[str, ...] = ("gpif_4th", "gpif_5th", "mix_60_40_global", "mix_60_40_us")


def policy(name: str) -> PolicyPortfolio:
    """A shipped policy portfolio by name (one of :data:`POLICIES`)."""
    table = _builtin()
    if name not in table:
        msg = f"no policy portfolio {name!r}; shipped: {', '.join(POLICIES)}"
        raise ConfigError(msg)
    return table[name]
