"""What rebalancing alone implies over one flow episode: GPIF's portfolio from its last public
holdings, drifted to the episode, and the trades every rule implies inside it.

:func:`episode_trades` starts the model from the latest GPIF quarter end before the episode
whose figures were public by ``as_of`` (default: the episode's end), runs every rule and
partial fraction of :func:`~yenflow.analytics.rebalance.model.trade_range` up to the
episode's last day, and
reports per asset class the deviation from target on the eve of the episode (percentage
points; the range over the rules, since earlier rebalancing depends on the rule) and the
trades inside the episode (¥ bn and ¥100 million, MoF's unit; net purchase > 0), low, median
and high over the rules. Only returns dated on or before ``as_of`` are used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yenflow.analytics.rebalance.gpif import GpifHoldings, gpif_holdings
from yenflow.analytics.rebalance.market import MarketReturns
from yenflow.analytics.rebalance.model import (
    DEFAULT_FRACTIONS,
    DEFAULT_RULES,
    _configs,
    _prepare,
    _run_many,
)
from yenflow.analytics.rebalance.policy import PolicyPortfolio, Rule, gpif_plans
from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase
from yenflow.errors import DataError
from yenflow.frame import AsOfLike, to_cutoff

__all__ = ["EpisodeTrades", "episode_trades"]

_COLUMNS = [
    "asset_class",
    "deviation_low_pp",
    "deviation_high_pp",
    "trade_low_jpy_bn",
    "trade_median_jpy_bn",
    "trade_high_jpy_bn",
    "trade_low_jpy_100m",
    "trade_median_jpy_100m",
    "trade_high_jpy_100m",
    "n_rules",
]


@dataclass(frozen=True, eq=False, repr=False)
class EpisodeTrades(ResultBase):
    """Model-implied rebalancing over one episode (see the module docstring).

    ``table``: one row per asset class with the columns of :data:`_COLUMNS`;
    ``by_rule``: (rule, asset_class, deviation_pp, trade_jpy_bn) for every rule.
    """

    table: pd.DataFrame
    by_rule: pd.DataFrame
    start: dt.date
    end: dt.date
    holdings_date: dt.date
    as_of: pd.Timestamp
    last_return_date: dt.date
    policies: tuple[str, ...]
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def row(self, asset_class: str) -> dict[str, Any]:
        hit = self.table.loc[self.table["asset_class"] == asset_class]
        if hit.empty:
            msg = f"no asset class {asset_class!r}; classes: {list(self.table['asset_class'])}"
            raise DataError(msg)
        return {k: json_value(v) for k, v in hit.iloc[0].items()}

    def summary(self) -> dict[str, Any]:
        return {
            "analysis": "rebalance_episode_trades",
            "unit": "JPY bn and JPY 100 million; net purchase > 0; deviation in pp",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "holdings_date": self.holdings_date.isoformat(),
            "last_return_date": self.last_return_date.isoformat(),
            "policies": list(self.policies),
            "classes": [
                {k: json_value(v) for k, v in r.items()} for r in self.table.to_dict("records")
            ],
            "notes": list(self.notes),
        }

    def headline(self) -> str:
        parts = [
            f"{r.asset_class} {r.trade_low_jpy_bn:+,.0f}..{r.trade_high_jpy_bn:+,.0f}"
            for r in self.table.itertuples(index=False)
        ]
        return f"{self.start}..{self.end}, ¥ bn: " + "; ".join(parts)


def episode_trades(
    returns: MarketReturns,
    *,
    start: dt.date | str,
    end: dt.date | str,
    as_of: AsOfLike | None = None,
    holdings: GpifHoldings | None = None,
    policies: Sequence[PolicyPortfolio] | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> EpisodeTrades:
    """GPIF's model-implied rebalancing trades between ``start`` and ``end`` (inclusive days).

    Args:
        returns: daily returns with sleeves named as GPIF's four classes.
        start, end: the episode's first and last day.
        as_of: use only GPIF figures public and returns dated by then (default: ``end``).
        holdings: GPIF's holdings (default :func:`gpif_holdings`).
        policies: the policy schedule (default GPIF's 4th then 5th plan).
        rules, fractions: as in :func:`~yenflow.analytics.rebalance.model.trade_range`.

    Raises:
        DataError: the returns stop before the episode, or no GPIF figures were public.
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if last < first:
        msg = f"episode end {last:%Y-%m-%d} is before its start {first:%Y-%m-%d}"
        raise DataError(msg)
    cut = to_cutoff(as_of if as_of is not None else last.date())
    holdings = holdings or gpif_holdings()
    day, values = holdings.latest_known(cut, before=first)
    known = returns.between(None, cut.tz_convert(None))
    usable = known.between(day, last)
    if len(usable.dates) == 0 or usable.dates.max() < first:
        msg = (
            f"no market returns inside the episode {first:%Y-%m-%d}..{last:%Y-%m-%d} known by "
            f"{cut:%Y-%m-%d %H:%M} UTC (returns end {returns.dates.max():%Y-%m-%d})"
        )
        raise DataError(msg)
    schedule = list(policies) if policies is not None else list(gpif_plans())
    configs = _configs(rules, fractions)
    # the data are complete through the earlier of the episode's end and the cut-off day
    through = min(last, cut.tz_convert(None).normalize())
    prep = _prepare(schedule, known, holdings=values, start=day, end=through)
    arrays = _run_many(prep, configs)
    dates = prep.dates
    inside = (dates >= first) & (dates <= last)
    before = np.flatnonzero(dates < first)
    trades = arrays["trade_class"][inside].sum(axis=0)  # rules x classes
    if len(before):
        eve = arrays["post"][before[-1]] - arrays["target"][before[-1]]
    else:  # the episode starts right after the holdings date
        held = np.array([values[c] for c in prep.classes])
        eve = np.tile(100 * held / held.sum() - arrays["target"][0][0], (len(configs), 1))
    rows = []
    for j, cls in enumerate(prep.classes):
        col = trades[:, j]
        rows.append(
            (
                cls,
                float(eve[:, j].min()),
                float(eve[:, j].max()),
                float(col.min()),
                float(np.median(col)),
                float(col.max()),
                float(col.min() * 10),
                float(np.median(col) * 10),
                float(col.max() * 10),
                len(configs),
            )
        )
    by_rule = pd.DataFrame(
        [
            (r.label, cls, float(eve[i, j]), float(trades[i, j]))
            for i, r in enumerate(configs)
            for j, cls in enumerate(prep.classes)
        ],
        columns=["rule", "asset_class", "deviation_pp", "trade_jpy_bn"],
    )
    notes = (
        f"started from GPIF's holdings at {day:%Y-%m-%d}, the latest public by {cut:%Y-%m-%d}",
        "GPIF counts FX-hedged foreign bonds as domestic bonds; MoF counts them as foreign",
        "rebalancing trades only: GPIF's cash flows with the pension special account are not "
        "modelled",
    )
    return EpisodeTrades(
        table=pd.DataFrame(rows, columns=_COLUMNS),
        by_rule=by_rule,
        start=first.date(),
        end=last.date(),
        holdings_date=day.date(),
        as_of=cut,
        last_return_date=dates.max().date(),
        policies=prep.policy_names,
        notes=notes,
    )
