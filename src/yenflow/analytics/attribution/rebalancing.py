"""The bridge to the rebalancing model: what GPIF's policy portfolio implies over an episode.

Market returns come from :func:`yenflow.analytics.returns.asset_returns` (GPIF's four
asset-class proxies: JGB 10-year yields, TOPIX, AGG, ACWI, USD/JPY), cut at the evaluation's
``as_of``; the trades from :func:`yenflow.analytics.rebalance.episode_trades` (GPIF's last
public holdings, drifted to the episode, every rule and partial fraction). Amounts are
¥100 million (MoF's unit), net purchase > 0; the range is over the rules. Whatever is missing
(the model, the market series, GPIF figures public by then) raises
:class:`~.evidence.Missing` naming it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from yenflow.analytics.attribution.episode import Evidence
from yenflow.analytics.attribution.evidence import Measurement, Missing
from yenflow.errors import DataError

__all__ = ["MODEL_CLASS", "implied_trades", "model_measurement"]

#: the model's asset class that an outward MoF flow of this asset falls into.
MODEL_CLASS = {"long_term_debt": "foreign_bonds", "equity": "foreign_equity"}


def _key(name: str) -> str:
    """Singular and plural spellings as one key (``foreign_equity`` ~ ``foreign_equities``)."""
    name = name.lower()
    for plural, singular in (("ies", "y"), ("s", "")):
        if name.endswith(plural):
            return name[: -len(plural)] + singular
    return name


def _model_returns(returns: Any) -> Any:
    """The proxies' returns with their columns named as the model's sleeves (the returns
    module and the policies spell the equity classes differently)."""
    from yenflow.analytics.rebalance import MarketReturns, gpif_plans

    sleeves = {_key(s): s for p in gpif_plans() for s in p.sleeve_names}
    local, fx = returns.component("local"), returns.component("fx")
    rename = {c: sleeves.get(_key(c), c) for c in local.columns}
    return MarketReturns.from_components(local.rename(columns=rename), fx.rename(columns=rename))


def _returns(ev: Evidence) -> Any:
    try:
        from yenflow.analytics.returns import asset_returns
    except ImportError as exc:  # pragma: no cover - shipped together
        raise Missing(f"missing market returns ({exc})") from None
    try:
        returns = asset_returns(ev.obs)
        return returns.as_of(ev.as_of) if ev.as_of is not None else returns
    except DataError as exc:
        raise Missing(f"missing market returns for the rebalancing model: {exc}") from None


def implied_trades(ev: Evidence, *, span: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> Any:
    """The model's :class:`~yenflow.analytics.rebalance.EpisodeTrades` for the episode's days,
    or for the days ``span`` (first, last; e.g. the calendar months of an investor's monthly
    flow)."""
    first, last = (ev.episode.start, ev.episode.end) if span is None else span

    def compute() -> Any:
        try:
            from yenflow.analytics.rebalance import episode_trades
        except ImportError:
            msg = "missing rebalancing model (yenflow.analytics.rebalance.episode_trades)"
            raise Missing(msg) from None
        returns = ev.book.memo("asset_returns", "gpif", lambda: _returns(ev))
        try:
            return episode_trades(_model_returns(returns), start=first, end=last, as_of=ev.as_of)
        except DataError as exc:
            raise Missing(f"rebalancing model: {exc}") from None

    key = "gpif" if span is None else f"gpif:{first:%Y-%m-%d}:{last:%Y-%m-%d}"
    return ev.memo("rebalance", key, compute)


def model_measurement(
    ev: Evidence, *, span: tuple[pd.Timestamp, pd.Timestamp] | None = None
) -> Measurement:
    """The model-implied trades (¥100 million) of the episode's asset class over the episode
    (or the days ``span``, see :func:`implied_trades`): median over the rules, the interval
    their low..high."""
    e = ev.episode
    cls = MODEL_CLASS.get(e.asset)
    if e.direction != "outward" or cls is None:
        msg = (
            f"the rebalancing model covers residents' foreign equity and bonds, not "
            f"{e.direction} {e.asset.replace('_', ' ')}"
        )
        raise Missing(msg)
    first, last = (ev.episode.start, ev.episode.end) if span is None else span
    trades = implied_trades(ev, span=span)
    classes = {_key(c): c for c in trades.table["asset_class"]}
    row = trades.row(classes.get(_key(cls), cls))
    return Measurement(
        observed=row["trade_median_jpy_100m"],
        estimate=row["trade_median_jpy_100m"],
        low=row["trade_low_jpy_100m"],
        high=row["trade_high_jpy_100m"],
        unit="JPY 100 million",
        method="range",
        n=int(row["n_rules"]),
        level=1.0,
        detail={
            "asset_class": cls,
            "deviation_low_pp": row["deviation_low_pp"],
            "deviation_high_pp": row["deviation_high_pp"],
            "holdings_date": trades.holdings_date.isoformat(),
            "policies": list(trades.policies),
            "model": "GPIF policy portfolio (episode_trades), range over rules",
            "days": f"{pd.Timestamp(first):%Y-%m-%d}..{pd.Timestamp(last):%Y-%m-%d}",
        },
    )
