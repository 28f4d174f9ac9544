"""The rebalancing model: policy portfolios as data, drift, rules, implied trades, GPIF checks.

- :mod:`.policy`: :class:`PolicyPortfolio`, :class:`Band`, :class:`Sleeve`, :class:`Rule`, and
  the shipped policies (GPIF's 4th and 5th medium-term plans, 60/40 global and US mixes);
- :mod:`.market`: :class:`MarketReturns`, the daily input (local price and FX returns apart);
- :mod:`.model`: :func:`simulate` (daily weights, drift split, trades) and :func:`trade_range`
  (implied trades over rules and partial fractions);
- :mod:`.gpif`: GPIF's published quarterly holdings (package data, or a newer table), the
  trades its disclosures imply, and the validation against MoF's trust-account flows;
- :mod:`.episode`: :func:`episode_trades`, the model-implied trades over one flow episode
  from GPIF's last public holdings (for the attribution scorecard).
"""

from yenflow.analytics.rebalance.episode import EpisodeTrades, episode_trades
from yenflow.analytics.rebalance.market import MarketReturns
from yenflow.analytics.rebalance.model import (
    DEFAULT_FRACTIONS,
    DEFAULT_RULES,
    RebalanceRun,
    TradeRange,
    simulate,
    trade_range,
)
from yenflow.analytics.rebalance.policy import (
    POLICIES,
    Band,
    PolicyPortfolio,
    Rule,
    Sleeve,
    gpif_plans,
    policy,
)

__all__ = [
    "DEFAULT_FRACTIONS",
    "DEFAULT_RULES",
    "POLICIES",
    "Band",
    "EpisodeTrades",
    "MarketReturns",
    "PolicyPortfolio",
    "RebalanceRun",
    "Rule",
    "Sleeve",
    "TradeRange",
    "episode_trades",
    "gpif_plans",
    "policy",
    "simulate",
    "trade_range",
]
