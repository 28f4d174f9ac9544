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
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics.rebalance.market import MarketReturns
from yenflow.analytics.rebalance.policy import PolicyPortfolio, Rule, Sleeve
from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase
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
_NOTES = ("weights are percent of the policy's sleeves (GPIF's short-term assets are left out)",)
_FREQ = {"day": "D", "week": "W-SAT", "month": "M", "quarter": "Q"}


def _calendar_days(
    dates: pd.DatetimeIndex, frequency: str, *, after: pd.Timestamp | None = None
) -> np.ndarray:
    """True on the last trading day of each period. The last row counts if ``after`` (the next
    day the market data know of, or the day after the run's end) lies in another period;
    without it, if the next business day does."""
    if len(dates) == 0:
        return np.zeros(0, dtype=bool)
    nxt_last = after if after is not None else dates[-1] + pd.offsets.BDay(1)
    nxt = dates[1:].append(pd.DatetimeIndex([nxt_last]))
    return _period_codes(dates, frequency) != _period_codes(nxt, frequency)


def _period_codes(dates: pd.DatetimeIndex, frequency: str) -> np.ndarray:
    year, month = dates.year.to_numpy(), dates.month.to_numpy()
    if frequency == "month":
        return year * 12 + month
    if frequency == "quarter":
        return year * 4 + (month - 1) // 3
    return np.where(month >= 4, year, year - 1)  # Japan's fiscal year, from April


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


def _period_sums(
    dates: pd.DatetimeIndex, daily: np.ndarray, freq: TradeFrequency
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily values (days first) summed per period: (period starts, period ends, sums)."""
    start, end = period_bounds(dates, freq)
    starts = start.to_numpy()
    cut = np.flatnonzero(np.r_[True, starts[1:] != starts[:-1]])
    return starts[cut], end.to_numpy()[cut], np.add.reduceat(daily, cut, axis=0)


def _alpha_edge(w: np.ndarray, t: np.ndarray, bands: _Bands) -> float:
    """Smallest share of the way from weights ``w`` to targets ``t`` inside every band."""
    x, g = bands.a @ w, bands.a @ t
    need = np.zeros_like(x)
    over, under = (x > bands.hi) & (x != g), (x < bands.lo) & (x != g)
    need[over] = (x[over] - bands.hi[over]) / (x[over] - g[over])
    need[under] = (bands.lo[under] - x[under]) / (g[under] - x[under])
    alpha = float(need.max()) if len(need) else 0.0
    return min(1.0, alpha + _EDGE_EPS) if alpha > 0 else 0.0


@dataclass(frozen=True)
class _Bands:
    a: np.ndarray  # band x class indicator
    lo: np.ndarray  # percent
    hi: np.ndarray

    def breached(self, w: np.ndarray) -> bool:
        x = self.a @ w
        return bool(np.any((x > self.hi + 1e-9) | (x < self.lo - 1e-9)))


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


@dataclass(frozen=True, eq=False, repr=False)
class RebalanceRun(ResultBase):
    """One rule run over one stretch of market returns. Build it with :func:`simulate`.

    :meth:`to_frame` is long: one row per (date, asset class), columns in the module docstring
    plus ``date``, ``asset_class``, ``target_pct``, ``policy``, ``rebalanced``. :attr:`sleeves`
    is long too: (date, sleeve, counts_as, foreign_currency, value_jpy_bn, trade_jpy_bn).
    The arrays behind them (days x classes, days x sleeves) are kept as they are computed.
    """

    dates: pd.DatetimeIndex
    classes: tuple[str, ...]
    sleeve_info: tuple[Sleeve, ...]
    arrays: Mapping[str, np.ndarray]
    policy_per_day: np.ndarray
    rule: Rule
    policy_names: tuple[str, ...]
    start: dt.date | None
    notes: tuple[str, ...] = ()

    @cached_property
    def table(self) -> pd.DataFrame:
        n, k = len(self.dates), len(self.classes)
        a = self.arrays
        return pd.DataFrame(
            {
                "date": np.repeat(self.dates.to_numpy(), k),
                "asset_class": np.tile(np.array(self.classes, dtype=object), n),
                "policy": np.repeat(self.policy_per_day, k),
                "target_pct": a["target"].ravel(),
                "weight_pre_pct": a["pre"].ravel(),
                "drift_local_pp": a["drift_local"].ravel(),
                "drift_fx_pp": a["drift_fx"].ravel(),
                "trade_jpy_bn": a["trade_class"].ravel(),
                "weight_pct": a["post"].ravel(),
                "value_jpy_bn": a["value_class"].ravel(),
                "rebalanced": np.repeat(a["fired"], k),
            }
        )

    @cached_property
    def sleeves(self) -> pd.DataFrame:
        n, m = len(self.dates), len(self.sleeve_info)
        return pd.DataFrame(
            {
                "date": np.repeat(self.dates.to_numpy(), m),
                "sleeve": np.tile(np.array([s.name for s in self.sleeve_info], dtype=object), n),
                "counts_as": np.tile(
                    np.array([s.counts_as for s in self.sleeve_info], dtype=object), n
                ),
                "foreign_currency": np.tile([s.foreign_currency for s in self.sleeve_info], n),
                "value_jpy_bn": self.arrays["value_sleeve"].ravel(),
                "trade_jpy_bn": self.arrays["trade_sleeve"].ravel(),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """The daily table, one row per (date, asset class)."""
        return self.table.copy()

    def weights(self, *, when: Literal["post", "pre"] = "post") -> pd.DataFrame:
        """Daily weights (percent), one column per asset class: after (``post``) or before the
        day's trade."""
        values = self.arrays["post" if when == "post" else "pre"]
        return pd.DataFrame(values, index=self.dates, columns=list(self.classes))

    def trades(
        self,
        freq: TradeFrequency = "month",
        *,
        by: Literal["asset_class", "sleeve"] = "asset_class",
    ) -> pd.DataFrame:
        """Trades (¥ bn, net purchase > 0) summed per period: one row per period with
        ``period_start`` and ``period_end`` (inclusive) and one column per asset class (or
        sleeve). Periods: days, Sunday–Saturday weeks, calendar months or quarters; only
        periods with at least one day of returns appear."""
        if by == "asset_class":
            values, names = self.arrays["trade_class"], list(self.classes)
        else:
            values, names = self.arrays["trade_sleeve"], [s.name for s in self.sleeve_info]
        p_start, p_end, sums = _period_sums(self.dates, values, freq)
        out = pd.DataFrame(sums, columns=pd.Index(names, name=by))
        out.insert(0, "period_end", p_end)
        out.insert(0, "period_start", p_start)
        return out

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

    def headline(self) -> str:
        s = self.summary()
        return (
            f"{'/'.join(self.policy_names)}, {self.rule.label}, {s['start']}..{s['end']}, "
            f"{s['rebalance_days']} rebalancing days, turnover ¥{s['turnover_jpy_bn']:,.1f} bn"
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
        end: the last day (inclusive) to run, and a statement that the returns are complete
            through it: a calendar rule trades on the last row when its period is over, that
            is when the next date of ``returns`` is in another period or, at the end of the
            data, the day after ``end`` is (without ``end``: the next business day).

    Raises:
        DataError: a held sleeve has no returns, FX returns on a yen sleeve, no returns in the
            window, or a day no policy of the schedule covers.
    """
    prep = _prepare(policy, returns, holdings=holdings, start=start, end=end)
    chosen = rule or prep.policies[0].rule
    return _as_run(prep, _run_many(prep, [chosen]), 0, chosen)


@dataclass(frozen=True, eq=False)
class _Prepared:
    """Everything a run needs that does not depend on the rule (shared by :func:`trade_range`)."""

    policies: list[PolicyPortfolio]
    dates: pd.DatetimeIndex
    classes: list[str]
    sleeves: list[Sleeve]
    values: np.ndarray
    grow_local: np.ndarray
    grow_fx: np.ndarray
    member: np.ndarray
    primary: list[int]
    targets: list[np.ndarray]
    bands: list[_Bands]
    which: np.ndarray
    after: pd.Timestamp | None
    start: pd.Timestamp | None

    @property
    def policy_names(self) -> tuple[str, ...]:
        """The policies in force on at least one day, in schedule order."""
        return tuple(p.name for i, p in enumerate(self.policies) if (self.which == i).any())


def _prepare(
    policy: PolicyPortfolio | Sequence[PolicyPortfolio],
    returns: MarketReturns,
    *,
    holdings: Mapping[str, float] | None,
    start: dt.date | str | pd.Timestamp | None,
    end: dt.date | str | pd.Timestamp | None,
) -> _Prepared:
    policies = _schedule([policy] if isinstance(policy, PolicyPortfolio) else list(policy))
    first = policies[0]
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
    sleeve_obj = {s.name: s for s in first.sleeves}
    sleeves = [sleeve_obj[sleeves_all[i]] for i in keep]
    values = values_all[keep]
    start_ts = pd.Timestamp(start) if start is not None else None
    window = returns.between(start_ts, pd.Timestamp(end) if end is not None else None)
    dates = window.dates
    if len(dates) == 0:
        msg = f"no market returns after {start} (up to {end}) to run {first.name} on"
        raise DataError(msg)
    local = np.column_stack([window.component(s.name, "local") for s in sleeves])
    fx = np.column_stack([window.component(s.name, "fx") for s in sleeves])
    for j, s in enumerate(sleeves):
        if not s.foreign_currency and np.any(fx[:, j] != 0):
            row = int(np.flatnonzero(fx[:, j] != 0)[0])
            msg = (
                f"sleeve {s.name} of {first.name} is held in yen (counts as "
                f"{s.counts_as}) but has an FX return on {dates[row]:%Y-%m-%d}"
            )
            raise DataError(msg)

    classes = list(first.asset_classes)
    member = np.zeros((len(classes), len(sleeves)))  # class x sleeve indicator
    for j, s in enumerate(sleeves):
        member[classes.index(s.counts_as), j] = 1.0
    primary = []
    for c in classes:
        mine = [j for j, s in enumerate(sleeves) if s.counts_as == c]
        if not mine:
            msg = (
                f"asset class {c} of {first.name} has no sleeve with returns or holdings; "
                f"returns have {list(returns.sleeves)}"
            )
            raise DataError(msg)
        named = [j for j in mine if sleeves[j].name == first.primary_sleeve(c)]
        primary.append(named[0] if named else mine[0])
    targets = [np.array([p.targets[c] for c in classes]) for p in policies]
    bands = [
        _Bands(
            np.array([[1.0 if c in b.members else 0.0 for c in classes] for b in p.bands]).reshape(
                len(p.bands), len(classes)
            ),
            np.array([b.low_pct for b in p.bands]),
            np.array([b.high_pct for b in p.bands]),
        )
        for p in policies
    ]
    which = np.full(len(dates), -1)
    days = dates.date
    for pi in range(len(policies) - 1, -1, -1):
        mask = np.fromiter((policies[pi].in_force(d) for d in days), dtype=bool, count=len(days))
        which[mask] = pi
    if (which < 0).any():
        day = dates[int(np.flatnonzero(which < 0)[0])]
        msg = f"no policy of {[p.name for p in policies]} is in force on {day:%Y-%m-%d}"
        raise DataError(msg)

    later = returns.dates[returns.dates > dates[-1]]
    if len(later):
        after = later[0]
    elif end is not None and pd.Timestamp(end) >= dates[-1]:
        after = pd.Timestamp(end) + pd.Timedelta(days=1)
    else:
        after = None
    return _Prepared(
        policies=policies,
        dates=pd.DatetimeIndex(dates, name="date"),
        classes=classes,
        sleeves=sleeves,
        values=values,
        grow_local=1.0 + local,
        grow_fx=1.0 + fx,
        member=member,
        primary=primary,
        targets=targets,
        bands=bands,
        which=which,
        after=after,
        start=start_ts,
    )


def _run(prep: _Prepared, rule: Rule) -> RebalanceRun:
    """The daily loop for one rule, written plainly: the reference :func:`_run_many` (which
    :func:`simulate` and :func:`trade_range` use) is tested against."""
    dates, classes, sleeves, member = prep.dates, prep.classes, prep.sleeves, prep.member
    targets, bands, which, primary = prep.targets, prep.bands, prep.which, prep.primary
    grow_local, grow_fx, values = prep.grow_local, prep.grow_fx, prep.values
    calendar = (
        _calendar_days(dates, rule.frequency, after=prep.after)
        if rule.trigger == "calendar"
        else None
    )
    n, k, m = len(dates), len(classes), len(sleeves)
    out = {
        name: np.empty((n, k))
        for name in ("pre", "post", "drift_local", "drift_fx", "value_class", "target")
    }
    out["trade_class"] = np.zeros((n, k))
    out["trade_sleeve"] = np.zeros((n, m))
    out["value_sleeve"] = np.empty((n, m))
    fired = np.zeros(n, dtype=bool)

    held = member @ values
    w_prev = 100.0 * held / held.sum()
    for i in range(n):
        pi = which[i]
        t, bd = targets[pi], bands[pi]
        v_local = values * grow_local[i]
        v_new = v_local * grow_fx[i]
        held_local = member @ v_local
        held = member @ v_new
        total = held.sum()
        w_local = 100.0 * held_local / held_local.sum()
        w_new = 100.0 * held / total
        out["drift_local"][i] = w_local - w_prev
        out["drift_fx"][i] = w_new - w_local
        out["pre"][i] = w_new
        alpha = 0.0
        if calendar is not None:
            if calendar[i]:
                alpha = rule.fraction if rule.to == "target" else _alpha_edge(w_new, t, bd)
        elif bd.breached(w_new):
            edge = _alpha_edge(w_new, t, bd)
            alpha = edge if rule.to == "edge" else max(rule.fraction, edge)
        if alpha > 0 and np.abs(t - w_new).max() > _DRIFT_EPS:
            fired[i] = True
            dc = alpha * (t - w_new) / 100.0 * total
            # each class's trade to its sleeves in proportion to their value
            share = np.divide(v_new, member.T @ held, out=np.zeros(m), where=member.T @ held > 0)
            ds = share * (member.T @ dc)
            for c in np.flatnonzero(held <= 0):
                ds[primary[c]] += dc[c]
            out["trade_class"][i] = dc
            out["trade_sleeve"][i] = ds
            v_new = v_new + ds
            held = member @ v_new
        values = v_new
        w_prev = 100.0 * held / held.sum()
        out["post"][i] = w_prev
        out["value_class"][i] = held
        out["value_sleeve"][i] = values
        out["target"][i] = t
    out["fired"] = fired
    policies = prep.policies
    per_day = np.array([policies[pi].name for pi in which], dtype=object)
    return RebalanceRun(
        dates=dates,
        classes=tuple(classes),
        sleeve_info=tuple(sleeves),
        arrays=out,
        policy_per_day=per_day,
        rule=rule,
        policy_names=prep.policy_names,
        start=None if prep.start is None else prep.start.date(),
        notes=_NOTES,
    )


def _run_many(prep: _Prepared, rules: Sequence[Rule]) -> dict[str, np.ndarray]:
    """The daily loop for several rules at once: one pass over the days, the rules side by side.

    Arrays are days x rules x classes (``trade_sleeve``, ``value_sleeve``: x sleeves;
    ``fired``: days x rules). :func:`_run` is the plain one-rule reference it is tested against.
    """
    dates, member, primary = prep.dates, prep.member, prep.primary
    n, k, m, c_n = len(dates), len(prep.classes), len(prep.sleeves), len(rules)
    is_cal = np.array([r.trigger == "calendar" for r in rules])
    to_edge = np.array([r.to == "edge" for r in rules])
    frac = np.array([r.fraction for r in rules])
    cal_days = {
        f: _calendar_days(dates, f, after=prep.after)
        for f in {r.frequency for r in rules if r.trigger == "calendar"}
    }
    cal = np.zeros((n, c_n), dtype=bool)
    for j, r in enumerate(rules):
        if r.trigger == "calendar":
            cal[:, j] = cal_days[r.frequency]
    out = {
        name: np.empty((n, c_n, k))
        for name in ("pre", "post", "drift_local", "drift_fx", "value_class", "target")
    }
    out["trade_class"] = np.zeros((n, c_n, k))
    out["trade_sleeve"] = np.zeros((n, c_n, m))
    out["value_sleeve"] = np.empty((n, c_n, m))
    fired = np.zeros((n, c_n), dtype=bool)
    pre, post, d_local, d_fx = out["pre"], out["post"], out["drift_local"], out["drift_fx"]
    value_class, target, trade_class = out["value_class"], out["target"], out["trade_class"]
    trade_sleeve, value_sleeve = out["trade_sleeve"], out["value_sleeve"]
    mt = member.T
    band_a = [b.a for b in prep.bands]
    band_g = [b.a @ t for b, t in zip(prep.bands, prep.targets, strict=True)]

    values = np.tile(prep.values, (c_n, 1))
    held = values @ mt
    w_prev = 100.0 * held / held.sum(axis=1, keepdims=True)
    for i in range(n):
        pi = prep.which[i]
        t, bd, a, g = prep.targets[pi], prep.bands[pi], band_a[pi], band_g[pi]
        v_local = values * prep.grow_local[i]
        v_new = v_local * prep.grow_fx[i]
        held_local = v_local @ mt
        held = v_new @ mt
        total = held.sum(axis=1, keepdims=True)
        w_local = 100.0 * held_local / held_local.sum(axis=1, keepdims=True)
        w_new = 100.0 * held / total
        d_local[i] = w_local - w_prev
        d_fx[i] = w_new - w_local
        pre[i] = w_new
        x = w_new @ a.T  # rules x bands
        over = (x > bd.hi) & (x != g)
        under = (x < bd.lo) & (x != g)
        need = np.where(over, (x - bd.hi) / np.where(over, x - g, 1.0), 0.0)
        need = np.maximum(need, np.where(under, (bd.lo - x) / np.where(under, g - x, 1.0), 0.0))
        edge = need.max(axis=1) if need.shape[1] else np.zeros(c_n)
        edge = np.where(edge > 0, np.minimum(1.0, edge + _EDGE_EPS), 0.0)
        breached = ((x > bd.hi + 1e-9) | (x < bd.lo - 1e-9)).any(axis=1)
        alpha = np.where(
            is_cal,
            np.where(cal[i], np.where(to_edge, edge, frac), 0.0),
            np.where(breached, np.where(to_edge, edge, np.maximum(frac, edge)), 0.0),
        )
        fire = (alpha > 0) & (np.abs(t - w_new).max(axis=1) > _DRIFT_EPS)
        if fire.any():
            alpha = np.where(fire, alpha, 0.0)
            fired[i] = fire
            dc = alpha[:, None] * (t - w_new) / 100.0 * total
            per_sleeve = held @ member  # each sleeve's class total
            share = np.divide(v_new, per_sleeve, out=np.zeros_like(v_new), where=per_sleeve > 0)
            ds = share * (dc @ member)
            empty = held <= 0
            if empty.any():
                for row, cls in zip(*np.nonzero(empty), strict=True):
                    ds[row, primary[cls]] += dc[row, cls]
            trade_class[i] = dc
            trade_sleeve[i] = ds
            v_new = v_new + ds
            held = v_new @ mt
        values = v_new
        w_prev = 100.0 * held / held.sum(axis=1, keepdims=True)
        post[i] = w_prev
        value_class[i] = held
        value_sleeve[i] = values
        target[i] = t
    out["fired"] = fired
    return out


def _as_run(prep: _Prepared, arrays: Mapping[str, np.ndarray], j: int, rule: Rule) -> RebalanceRun:
    """Rule ``j`` of :func:`_run_many`'s arrays as a :class:`RebalanceRun`."""
    policies, which = prep.policies, prep.which
    return RebalanceRun(
        dates=prep.dates,
        classes=tuple(prep.classes),
        sleeve_info=tuple(prep.sleeves),
        arrays={name: np.ascontiguousarray(arr[:, j]) for name, arr in arrays.items()},
        policy_per_day=np.array([policies[pi].name for pi in which], dtype=object),
        rule=rule,
        policy_names=prep.policy_names,
        start=None if prep.start is None else prep.start.date(),
        notes=_NOTES,
    )


def _configs(rules: Sequence[Rule], fractions: Sequence[float]) -> list[Rule]:
    out: list[Rule] = []
    for r in rules:
        variants = [r] if r.to == "edge" else [replace(r, fraction=f) for f in fractions]
        for v in variants:
            if v not in out:
                out.append(v)
    return out


@dataclass(frozen=True, eq=False, repr=False)
class TradeRange(ResultBase):
    """Implied trades per period and asset class over a set of rules: low, median, high.

    ``table`` columns: ``period_start``, ``period_end`` (inclusive), ``asset_class``,
    ``low_jpy_bn``, ``median_jpy_bn``, ``high_jpy_bn`` (¥ bn, net purchase > 0), ``n_rules``.
    ``by_rule`` is long: (rule, period_start, period_end, asset_class, trade_jpy_bn); ``cube``
    holds the same trades as an array (rule x period x column, columns in ``columns``).
    """

    table: pd.DataFrame
    by_rule: pd.DataFrame
    rules: tuple[Rule, ...]
    freq: TradeFrequency
    policy_names: tuple[str, ...]
    cube: np.ndarray
    columns: tuple[str, ...]

    def totals(self) -> pd.DataFrame:
        """Each rule's trades (¥ bn) summed over the whole run: one row per rule."""
        return pd.DataFrame(
            self.cube.sum(axis=1), index=[r.label for r in self.rules], columns=list(self.columns)
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> dict[str, Any]:
        """Per asset class: the range (¥ bn) of the whole run's net trades across the rules."""
        totals = self.totals()
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

    def headline(self) -> str:
        return (
            f"{'/'.join(self.policy_names)}, {len(self.rules)} rules, per {self.freq}, "
            f"{self.table['period_start'].nunique()} periods"
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
    prep = _prepare(policy, returns, holdings=holdings, start=start, end=end)
    arrays = _run_many(prep, configs)
    names = prep.policy_names
    if by == "asset_class":
        daily, columns = arrays["trade_class"], list(prep.classes)
    else:
        daily, columns = arrays["trade_sleeve"], [s.name for s in prep.sleeves]
    p_start, p_end, sums = _period_sums(prep.dates, daily, freq)
    cube = sums.transpose(1, 0, 2)  # rule x period x column
    n_rules, n_periods, n_cols = cube.shape
    starts = np.repeat(p_start, n_cols)
    ends = np.repeat(p_end, n_cols)
    labels = np.tile(np.array(columns, dtype=object), n_periods)
    table = pd.DataFrame(
        {
            "period_start": starts,
            "period_end": ends,
            "asset_class": labels,
            "low_jpy_bn": cube.min(axis=0).ravel(),
            "median_jpy_bn": np.median(cube, axis=0).ravel(),
            "high_jpy_bn": cube.max(axis=0).ravel(),
            "n_rules": n_rules,
        }
    )
    by_rule = pd.DataFrame(
        {
            "rule": np.repeat(
                np.array([r.label for r in configs], dtype=object), n_periods * n_cols
            ),
            "period_start": np.tile(starts, n_rules),
            "period_end": np.tile(ends, n_rules),
            "asset_class": np.tile(labels, n_rules),
            "trade_jpy_bn": cube.ravel(),
        }
    )
    return TradeRange(
        table=table,
        by_rule=by_rule,
        rules=tuple(configs),
        freq=freq,
        policy_names=names,
        cube=cube,
        columns=tuple(columns),
    )
