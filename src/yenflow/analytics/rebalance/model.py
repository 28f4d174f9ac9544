"""The rebalancing model: daily drift of a policy portfolio and the trades its rule implies.

:func:`simulate` starts from holdings (¥ bn per sleeve, at the close of ``start``), lets every
sleeve earn its daily return in yen, and on the days the rule fires trades back towards the
targets. Each day, per asset class:

- ``weight_pre_pct``: the weight after the day's market move, before any trade (percent of the
  portfolio: the sum of the policy's sleeves);
- ``drift_local_pp`` / ``drift_fx_pp``: that day's weight change split into what local prices
  alone would have done (currencies unchanged) and the rest, the FX translation (including the
  small cross term); they add up to ``weight_pre_pct`` minus the previous ``weight_pct``;
- ``trade_jpy_bn``: the rebalancing trade, ¥ billion, **net purchase > 0**; the trades of one
  day sum to zero (self-financing: rebalancing moves money between classes, never in or out);
- ``weight_pct``, ``value_jpy_bn``: after the trade.

Trades are ``alpha * (target - weight) * portfolio value`` with ``alpha`` from the rule
(:class:`~yenflow.analytics.rebalance.policy.Rule`): its ``fraction`` for a move to target, or
the smallest alpha that puts every band, single and combined, back inside for a move to the
edge. Bands are linear limits and the targets satisfy them all, so every point on the way to
the targets past that alpha is inside them all too. A class's trade goes to its sleeves in
proportion to their value (to its primary sleeve when it holds nothing).

:func:`trade_range` runs a set of rules and partial fractions and reports, per period and asset
class, the lowest, median and highest implied trade: the model gives a range, not one number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics.rebalance.market import MarketReturns
from yenflow.analytics.rebalance.policy import PolicyPortfolio, Rule
from yenflow.analytics.records import json_value
from yenflow.errors import ConfigError, DataError

__all__ = [
    "DEFAULT_FRACTIONS",
    "DEFAULT_RULES",
    "RebalanceRun",
    "TradeFrequency",
    "TradeRange",
    "period_bounds",
    "simulate",
    "trade_range",
]

TradeFrequency = Literal["day", "week", "month", "quarter"]

#: Base rules of :func:`trade_range`; rules to target are also run at every partial fraction.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule.calendar("month"),
    Rule.calendar("quarter"),
    Rule.calendar("fiscal_year"),
    Rule.threshold(to="edge"),
    Rule.threshold(to="target"),
)
DEFAULT_FRACTIONS: tuple[float, ...] = (0.25, 0.5, 1.0)

_EDGE_EPS = 1e-12
_DRIFT_EPS = 1e-9  # pp: a smaller gap to target is rounding, not drift
_FREQ = {"day": "D", "week": "W-SAT", "month": "M", "quarter": "Q"}


def _period_key(day: pd.Timestamp, frequency: str) -> tuple[int, int]:
    if frequency == "month":
        return (day.year, day.month)
    if frequency == "quarter":
        return (day.year, (day.month - 1) // 3)
    return (day.year if day.month >= 4 else day.year - 1, 0)  # Japan's fiscal year, from April


def _calendar_days(dates: pd.DatetimeIndex, frequency: str) -> np.ndarray:
    """True on the last trading day of each period; the last row only if its period has ended
    (the next business day lies in another period)."""
    out = np.zeros(len(dates), dtype=bool)
    for i, day in enumerate(dates):
        nxt = dates[i + 1] if i + 1 < len(dates) else day + pd.offsets.BDay(1)
        out[i] = _period_key(day, frequency) != _period_key(nxt, frequency)
    return out


def period_bounds(dates: pd.DatetimeIndex, freq: TradeFrequency) -> tuple[pd.Series, pd.Series]:
    """Start and end (inclusive, midnight) of the day/week (Sunday–Saturday)/month/quarter of
    every date."""
    if freq not in _FREQ:
        msg = f"trade frequency {freq!r}: expected one of {sorted(_FREQ)}"
        raise ConfigError(msg)
    periods = pd.DatetimeIndex(dates).to_period(_FREQ[freq])
    start = periods.start_time.normalize()
    end = periods.end_time.normalize()
    return pd.Series(start, index=dates), pd.Series(end, index=dates)


def _alpha_edge(
    w: np.ndarray, t: np.ndarray, bands: list[tuple[np.ndarray, float, float]]
) -> float:
    """Smallest share of the way from weights ``w`` to targets ``t`` inside every band."""
    alpha = 0.0
    for a, lo, hi in bands:
        x, g = float(a @ w), float(a @ t)
        if x > hi and x != g:
            alpha = max(alpha, (x - hi) / (x - g))
        elif x < lo and x != g:
            alpha = max(alpha, (lo - x) / (g - x))
    return min(1.0, alpha + _EDGE_EPS) if alpha > 0 else 0.0


@dataclass(frozen=True)
class _Compiled:
    policy: PolicyPortfolio
    targets: np.ndarray  # percent, per class
    bands: list[tuple[np.ndarray, float, float]]


def _schedule(policies: Sequence[PolicyPortfolio]) -> list[PolicyPortfolio]:
    first = policies[0]
    for p in policies[1:]:
        if p.asset_classes != first.asset_classes or p.sleeve_names != first.sleeve_names:
            msg = (
                f"policies {first.name} and {p.name} hold different asset classes or sleeves; "
                "a schedule must keep the same ones"
            )
            raise ConfigError(msg)
    return list(policies)


@dataclass(frozen=True, eq=False)
class RebalanceRun:
    """One rule run over one stretch of market returns. Build it with :func:`simulate`.

    ``table`` is long: one row per (date, asset class), columns in the module docstring plus
    ``date``, ``asset_class``, ``target_pct``, ``policy``, ``rebalanced``. ``sleeves`` is long
    too: (date, sleeve, counts_as, foreign_currency, value_jpy_bn, trade_jpy_bn).
    """

    table: pd.DataFrame
    sleeves: pd.DataFrame
    rule: Rule
    policy_names: tuple[str, ...]
    start: dt.date | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily table, one row per (date, asset class)."""
        return self.table.copy()

    def weights(self, *, when: Literal["post", "pre"] = "post") -> pd.DataFrame:
        """Daily weights (percent), one column per asset class: after (``post``) or before the
        day's trade."""
        column = "weight_pct" if when == "post" else "weight_pre_pct"
        return self.table.pivot(index="date", columns="asset_class", values=column)

    def trades(
        self,
        freq: TradeFrequency = "month",
        *,
        by: Literal["asset_class", "sleeve"] = "asset_class",
    ) -> pd.DataFrame:
        """Trades (¥ bn, net purchase > 0) summed per period: one row per period with
        ``period_start`` and ``period_end`` (inclusive) and one column per asset class (or
        sleeve). Periods: days, Sunday–Saturday weeks, calendar months or quarters."""
        src = self.table if by == "asset_class" else self.sleeves
        wide = src.pivot_table(index="date", columns=by, values="trade_jpy_bn", aggfunc="sum")
        start, end = period_bounds(pd.DatetimeIndex(wide.index), freq)
        wide = wide.assign(period_start=start.to_numpy(), period_end=end.to_numpy())
        out = wide.groupby(["period_start", "period_end"]).sum()
        out.columns.name = by
        return out.reset_index()

    def summary(self) -> dict[str, Any]:
        """Rebalancing days, turnover (¥ bn, half the sum of absolute trades), net trades per
        class (¥ bn), the largest deviation from target (pp) and the final weights."""
        t = self.table
        last = t.loc[t["date"] == t["date"].max()]
        dev = (t["weight_pre_pct"] - t["target_pct"]).abs()
        worst = t.loc[dev.idxmax()] if len(t) else None
        return {
            "analysis": "rebalance_run",
            "policy": list(self.policy_names),
            "rule": self.rule.label,
            "start": json_value(self.start),
            "end": json_value(t["date"].max()) if len(t) else None,
            "unit": "JPY bn; net purchase > 0",
            "rebalance_days": int(t.loc[t["rebalanced"], "date"].nunique()),
            "turnover_jpy_bn": float(t["trade_jpy_bn"].abs().sum() / 2),
            "net_trades_jpy_bn": {
                k: float(v) for k, v in t.groupby("asset_class")["trade_jpy_bn"].sum().items()
            },
            "max_deviation_pp": None
            if worst is None
            else {
                "asset_class": worst["asset_class"],
                "date": json_value(worst["date"]),
                "deviation_pp": float(worst["weight_pre_pct"] - worst["target_pct"]),
            },
            "final_weights_pct": {
                r.asset_class: float(r.weight_pct) for r in last.itertuples(index=False)
            },
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"RebalanceRun({'/'.join(self.policy_names)}, {self.rule.label}, "
            f"{s['start']}..{s['end']}, "
            f"{s['rebalance_days']} rebalancing days, turnover ¥{s['turnover_jpy_bn']:,.1f} bn)"
        )


def _initial_values(
    pol: PolicyPortfolio, holdings: Mapping[str, float] | None, sleeves: list[str]
) -> np.ndarray:
    values = np.zeros(len(sleeves))
    if holdings is None:
        for c, target in pol.targets.items():
            values[sleeves.index(pol.primary_sleeve(c))] += pol.aum_jpy_bn * target / 100.0
        return values
    for name, amount in holdings.items():
        if name in sleeves:
            values[sleeves.index(name)] += float(amount)
        elif name in pol.targets:
            values[sleeves.index(pol.primary_sleeve(name))] += float(amount)
        else:
            msg = (
                f"holdings name {name!r} is neither a sleeve {sleeves} "
                f"nor an asset class of {pol.name}"
            )
            raise ConfigError(msg)
    if (values < 0).any() or values.sum() <= 0:
        msg = f"holdings must be non-negative ¥ bn with a positive total, got {dict(holdings)}"
        raise ConfigError(msg)
    return values


def simulate(
    policy: PolicyPortfolio | Sequence[PolicyPortfolio],
    returns: MarketReturns,
    *,
    rule: Rule | None = None,
    holdings: Mapping[str, float] | None = None,
    start: dt.date | str | pd.Timestamp | None = None,
    end: dt.date | str | pd.Timestamp | None = None,
) -> RebalanceRun:
    """Daily weights, drift and rebalancing trades of a policy portfolio.

    Args:
        policy: one policy, or a schedule of policies with the same classes and sleeves that
            take over from each other on their effective dates (GPIF's 4th then 5th plan).
        returns: daily market returns per sleeve (:class:`MarketReturns`).
        rule: the rebalancing rule; default the (first) policy's own.
        holdings: ¥ bn per sleeve or asset class at the close of ``start`` (an asset class's
            amount goes to its primary sleeve); default the targets times the policy's AUM.
        start: the date of the holdings; only returns after it are used (default: all rows).
        end: the last day (inclusive) to run.

    Raises:
        DataError: a held sleeve has no returns, FX returns on a yen sleeve, no returns in the
            window, or a day no policy of the schedule covers.
    """
    policies = _schedule([policy] if isinstance(policy, PolicyPortfolio) else list(policy))
    first = policies[0]
    rule = rule or first.rule
    sleeves_all = list(first.sleeve_names)
    values_all = _initial_values(first, holdings, sleeves_all)
    # sleeves with no holdings and no returns are left out (e.g. GPIF's hedged foreign bonds)
    keep = [i for i, s in enumerate(sleeves_all) if values_all[i] > 0 or s in returns.sleeves]
    missing = [sleeves_all[i] for i in keep if sleeves_all[i] not in returns.sleeves]
    if missing:
        msg = (
            f"no market returns for sleeves {missing} of {first.name}, which hold "
            f"{[float(values_all[sleeves_all.index(m)]) for m in missing]} ¥ bn; "
            f"returns have {list(returns.sleeves)}"
        )
        raise DataError(msg)
    sleeves = [sleeves_all[i] for i in keep]
    values = values_all[keep]
    sleeve_obj = {s.name: s for s in first.sleeves}
    start_ts = pd.Timestamp(start) if start is not None else None
    window = returns.between(start_ts, pd.Timestamp(end) if end is not None else None)
    dates = window.dates
    if len(dates) == 0:
        msg = f"no market returns after {start} (up to {end}) to run {first.name} on"
        raise DataError(msg)
    local = np.column_stack([window.component(s, "local") for s in sleeves])
    fx = np.column_stack([window.component(s, "fx") for s in sleeves])
    for j, s in enumerate(sleeves):
        if not sleeve_obj[s].foreign_currency and np.any(fx[:, j] != 0):
            row = int(np.flatnonzero(fx[:, j] != 0)[0])
            msg = (
                f"sleeve {s} of {first.name} is held in yen (counts as "
                f"{sleeve_obj[s].counts_as}) but has an FX return on {dates[row]:%Y-%m-%d}"
            )
            raise DataError(msg)

    classes = list(first.asset_classes)
    member = np.zeros((len(classes), len(sleeves)))  # class x sleeve indicator
    for j, s in enumerate(sleeves):
        member[classes.index(sleeve_obj[s].counts_as), j] = 1.0
    compiled: dict[str, _Compiled] = {}
    for p in policies:
        bands = []
        for b in p.bands:
            a = np.array([1.0 if c in b.members else 0.0 for c in classes])
            bands.append((a, b.low_pct, b.high_pct))
        compiled[p.name] = _Compiled(p, np.array([p.targets[c] for c in classes]), bands)

    def in_force(day: pd.Timestamp) -> _Compiled:
        for p in policies:
            if p.in_force(day.date()):
                return compiled[p.name]
        msg = f"no policy of {[p.name for p in policies]} is in force on {day:%Y-%m-%d}"
        raise DataError(msg)

    calendar = _calendar_days(dates, rule.frequency) if rule.trigger == "calendar" else None
    n, k, m = len(dates), len(classes), len(sleeves)
    pre = np.empty((n, k))
    post = np.empty((n, k))
    d_local = np.empty((n, k))
    d_fx = np.empty((n, k))
    trade_c = np.zeros((n, k))
    trade_s = np.zeros((n, m))
    value_c = np.empty((n, k))
    value_s = np.empty((n, m))
    target = np.empty((n, k))
    fired = np.zeros(n, dtype=bool)
    names = []

    def class_weights(v: np.ndarray) -> np.ndarray:
        return 100.0 * (member @ v) / v.sum()

    w_prev = class_weights(values)
    for i, day in enumerate(dates):
        comp = in_force(day)
        names.append(comp.policy.name)
        v_local = values * (1.0 + local[i])
        v_new = v_local * (1.0 + fx[i])
        w_local = class_weights(v_local)
        w_new = class_weights(v_new)
        d_local[i] = w_local - w_prev
        d_fx[i] = w_new - w_local
        pre[i] = w_new
        t = comp.targets
        breached = any(
            float(a @ w_new) > hi + 1e-9 or float(a @ w_new) < lo - 1e-9 for a, lo, hi in comp.bands
        )
        alpha = 0.0
        if rule.trigger == "calendar":
            if calendar is not None and calendar[i]:
                alpha = rule.fraction if rule.to == "target" else _alpha_edge(w_new, t, comp.bands)
        elif breached:
            edge = _alpha_edge(w_new, t, comp.bands)
            alpha = edge if rule.to == "edge" else max(rule.fraction, edge)
        if alpha > 0 and np.abs(t - w_new).max() > _DRIFT_EPS:
            fired[i] = True
            total = v_new.sum()
            dc = alpha * (t - w_new) / 100.0 * total
            held = member @ v_new
            ds = np.zeros(m)
            for c in range(k):
                if held[c] > 0:
                    ds += member[c] * v_new / held[c] * dc[c]
                else:
                    ds[sleeves.index(comp.policy.primary_sleeve(classes[c]))] += dc[c]
            trade_c[i] = dc
            trade_s[i] = ds
            v_new = v_new + ds
        values = v_new
        w_prev = class_weights(values)
        post[i] = w_prev
        value_c[i] = member @ values
        value_s[i] = values
        target[i] = t

    long_dates = np.repeat(dates.to_numpy(), k)
    table = pd.DataFrame(
        {
            "date": long_dates,
            "asset_class": np.tile(classes, n),
            "policy": np.repeat(names, k),
            "target_pct": target.ravel(),
            "weight_pre_pct": pre.ravel(),
            "drift_local_pp": d_local.ravel(),
            "drift_fx_pp": d_fx.ravel(),
            "trade_jpy_bn": trade_c.ravel(),
            "weight_pct": post.ravel(),
            "value_jpy_bn": value_c.ravel(),
            "rebalanced": np.repeat(fired, k),
        }
    )
    sleeve_table = pd.DataFrame(
        {
            "date": np.repeat(dates.to_numpy(), m),
            "sleeve": np.tile(sleeves, n),
            "counts_as": np.tile([sleeve_obj[s].counts_as for s in sleeves], n),
            "foreign_currency": np.tile([sleeve_obj[s].foreign_currency for s in sleeves], n),
            "value_jpy_bn": value_s.ravel(),
            "trade_jpy_bn": trade_s.ravel(),
        }
    )
    notes = ("weights are percent of the policy's sleeves (GPIF's short-term assets are left out)",)
    return RebalanceRun(
        table=table,
        sleeves=sleeve_table,
        rule=rule,
        policy_names=tuple(dict.fromkeys(names)),
        start=None if start_ts is None else start_ts.date(),
        notes=notes,
    )


def _configs(rules: Sequence[Rule], fractions: Sequence[float]) -> list[Rule]:
    out: list[Rule] = []
    for r in rules:
        variants = [r] if r.to == "edge" else [replace(r, fraction=f) for f in fractions]
        for v in variants:
            if v not in out:
                out.append(v)
    return out


@dataclass(frozen=True, eq=False)
class TradeRange:
    """Implied trades per period and asset class over a set of rules: low, median, high.

    ``table`` columns: ``period_start``, ``period_end`` (inclusive), ``asset_class``,
    ``low_jpy_bn``, ``median_jpy_bn``, ``high_jpy_bn`` (¥ bn, net purchase > 0), ``n_rules``.
    ``by_rule`` is long: (rule, period_start, period_end, asset_class, trade_jpy_bn).
    """

    table: pd.DataFrame
    by_rule: pd.DataFrame
    rules: tuple[Rule, ...]
    freq: TradeFrequency
    policy_names: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> dict[str, Any]:
        """Per asset class: the range (¥ bn) of the whole run's net trades across the rules."""
        totals = self.by_rule.groupby(["rule", "asset_class"])["trade_jpy_bn"].sum().unstack()
        return {
            "analysis": "rebalance_trade_range",
            "policy": list(self.policy_names),
            "freq": self.freq,
            "unit": "JPY bn; net purchase > 0",
            "rules": [r.label for r in self.rules],
            "periods": int(self.table[["period_start"]].drop_duplicates().shape[0]),
            "net_trades_jpy_bn": {
                c: {
                    "low": float(totals[c].min()),
                    "median": float(totals[c].median()),
                    "high": float(totals[c].max()),
                }
                for c in totals.columns
            },
        }

    def __repr__(self) -> str:
        return (
            f"TradeRange({'/'.join(self.policy_names)}, {len(self.rules)} rules, per {self.freq}, "
            f"{self.table['period_start'].nunique()} periods)"
        )


def trade_range(
    policy: PolicyPortfolio | Sequence[PolicyPortfolio],
    returns: MarketReturns,
    *,
    rules: Sequence[Rule] = DEFAULT_RULES,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    freq: TradeFrequency = "month",
    by: Literal["asset_class", "sleeve"] = "asset_class",
    holdings: Mapping[str, float] | None = None,
    start: dt.date | str | pd.Timestamp | None = None,
    end: dt.date | str | pd.Timestamp | None = None,
) -> TradeRange:
    """Implied trades under every rule (rules to target at every partial fraction), per
    ``freq`` period: the range of what rebalancing alone would have traded.

    ``by="sleeve"`` reports per sleeve (e.g. to count hedged foreign bonds as the foreign
    securities they are in MoF's statistics although GPIF counts them as domestic bonds).
    """
    configs = _configs(rules, fractions)
    if not configs:
        msg = "trade_range needs at least one rule"
        raise ConfigError(msg)
    pieces = []
    names: tuple[str, ...] = ()
    for r in configs:
        run = simulate(policy, returns, rule=r, holdings=holdings, start=start, end=end)
        names = run.policy_names
        wide = run.trades(freq, by=by).melt(
            id_vars=["period_start", "period_end"],
            var_name="asset_class",
            value_name="trade_jpy_bn",
        )
        pieces.append(wide.assign(rule=r.label))
    by_rule = pd.concat(pieces, ignore_index=True)
    grouped = by_rule.groupby(["period_start", "period_end", "asset_class"], sort=True)[
        "trade_jpy_bn"
    ]
    table = grouped.agg(
        low_jpy_bn="min", median_jpy_bn="median", high_jpy_bn="max", n_rules="count"
    ).reset_index()
    return TradeRange(
        table=table,
        by_rule=by_rule[["rule", "period_start", "period_end", "asset_class", "trade_jpy_bn"]],
        rules=tuple(configs),
        freq=freq,
        policy_names=names,
    )
