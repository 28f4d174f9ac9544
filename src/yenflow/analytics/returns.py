"""Daily returns of asset-class proxies: in local currency, in yen, FX translation apart.

For an asset priced in currency *c* with local price return ``r_local`` and a yen
value of one unit of *c* moving by ``r_fx`` (USD/JPY up 1 % -> ``r_fx = +0.01``):

    r_jpy = (1 + r_local) * (1 + r_fx) - 1

and the FX translation part is reported on its own (``fx``), with the cross term
``r_local * r_fx`` inside ``r_jpy`` (``jpy - local - fx``). Yen assets have ``fx = 0``.
All returns are simple returns as **fractions** (0.01 = 1 %), from the previous
row's close to this row's.

Domestic bonds have no price series here: their return comes from the stored JGB
constant-maturity yields (``jgb.yield.<T>y``, percent) by the second-order
approximation for a bond held one period at constant maturity:

    r_t ≈ y_{t-1} · Δt − D · Δy + ½ · C · Δy²

with ``y`` the yield as a fraction, ``Δy = y_t − y_{t-1}``, ``Δt`` the days since the
previous observation / 365 (carry accrued at yesterday's yield), and ``D``, ``C``
the modified duration (years) and convexity (years²) of a **par bond** of maturity
``T`` with semi-annual coupons (JGBs pay twice a year) priced at ``y_{t-1}``:

    D = (1 − (1 + y/2)^(−2T)) / y       (→ T as y → 0)
    C = Σ_k CF_k · k(k+1)/4 · (1 + y/2)^(−k−2),  k = 1..2T,  CF_k = y/2 (+1 at 2T)

It ignores roll-down (the bond is one day shorter each day) and the curve's shape;
for a 10-year par bond and daily moves of a few basis points it agrees with full
repricing to well under a basis point of return (see the tests).

Alignment: the proxies' closes are put on the union of their trading days and
carried forward, so a market holiday is a zero local return (the contract of the
rebalancing model's :class:`~yenflow.analytics.rebalance.market.MarketReturns`);
rows start at the first day every input has a value and end at the last day every
input has reached (never extrapolated). Closes on one calendar day are taken as of
that day whatever the market (Tokyo, New York, FX). Point in time: ``available_at``
gives, per row, when all the row's inputs were final (an observation's
publication; for a carried close, the publication of the input's next
observation); :meth:`AssetReturns.as_of` keeps the rows knowable at a cut-off, and
they do not change when the data are truncated at that cut-off (tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics.inputs import latest_per_period, require_series
from yenflow.errors import DataError

__all__ = [
    "DEFAULT_FX",
    "GPIF_PROXIES",
    "AssetReturns",
    "Proxy",
    "asset_returns",
    "jgb_return_approximation",
    "par_bond_convexity",
    "par_bond_duration",
]

Component = Literal["local", "fx", "jpy"]
COMPONENTS: tuple[Component, ...] = ("local", "fx", "jpy")
#: currency -> series of its yen price (JPY per unit), for the FX translation.
DEFAULT_FX: dict[str, str] = {"USD": "markets.usdjpy.close"}
_COUPONS_PER_YEAR = 2


@dataclass(frozen=True)
class Proxy:
    """What stands for one asset class.

    Attributes:
        series_id: a daily close (``markets.acwi.close``) or, for ``kind="jgb_yield"``,
            a JGB yield in percent (``jgb.yield.10y``).
        currency: the currency of the close (``JPY`` for yen assets and JGBs).
        kind: ``price`` (returns from closes) or ``jgb_yield`` (the approximation above).
        maturity_years: the par bond's maturity for ``jgb_yield`` (default: the tenor
            in the series id).
    """

    series_id: str
    currency: str = "JPY"
    kind: Literal["price", "jgb_yield"] = "price"
    maturity_years: float | None = None

    def maturity(self) -> float:
        if self.maturity_years is not None:
            return float(self.maturity_years)
        tenor = self.series_id.rsplit(".", 1)[-1]
        if not tenor.endswith("y") or not tenor[:-1].isdigit():
            msg = f"cannot tell the maturity of {self.series_id}; pass maturity_years"
            raise DataError(msg)
        return float(tenor[:-1])


#: a GPIF-style four-asset set (see PROVENANCE: TOPIX is a price index, ACWI includes
#: Japan, AGG is US bonds while GPIF's benchmark is FTSE WGBI ex-Japan, unhedged); keyed by
#: the asset classes of the GPIF policies in :mod:`yenflow.analytics.rebalance`.
GPIF_PROXIES: dict[str, Proxy] = {
    "domestic_bonds": Proxy("jgb.yield.10y", "JPY", "jgb_yield"),
    "domestic_equities": Proxy("markets.topix.close", "JPY"),
    "foreign_bonds": Proxy("markets.agg.close", "USD"),
    "foreign_equities": Proxy("markets.acwi.close", "USD"),
}


# --------------------------------------------------------------------------- bond maths


def par_bond_duration(yield_: np.ndarray | float, maturity_years: float) -> np.ndarray:
    """Modified duration (years) of a par bond with semi-annual coupons at ``yield_`` (fraction)."""
    y = np.asarray(yield_, dtype="float64")
    n = _COUPONS_PER_YEAR * maturity_years
    small = np.abs(y) < 1e-10
    safe = np.where(small, 1.0, y)
    duration = (1 - (1 + safe / _COUPONS_PER_YEAR) ** (-n)) / safe
    return np.where(small, maturity_years, duration)


def par_bond_convexity(yield_: np.ndarray | float, maturity_years: float) -> np.ndarray:
    """Convexity (years²) of a par bond with semi-annual coupons at ``yield_`` (fraction)."""
    y = np.asarray(yield_, dtype="float64")[..., None]
    m = _COUPONS_PER_YEAR
    n = round(m * maturity_years)
    k = np.arange(1, n + 1, dtype="float64")
    flows = np.broadcast_to(y / m, (*y.shape[:-1], n)).copy()
    flows[..., -1] += 1.0
    terms = flows * k * (k + 1) / m**2 * (1 + y / m) ** (-k - 2)
    return terms.sum(axis=-1)


def jgb_return_approximation(yields_percent: pd.Series, *, maturity_years: float) -> pd.DataFrame:
    """Daily return of a constant-maturity par JGB from its yields (percent), by parts.

    Returns a frame indexed like ``yields_percent`` minus its first row, with
    ``carry`` (y_{t-1}·Δt), ``duration`` (−D·Δy), ``convexity`` (½·C·Δy²), ``total``
    (their sum; a fraction), and the inputs ``yield_prev``, ``dy`` (fractions),
    ``dt_years``, ``modified_duration``, ``convexity_years2``.
    """
    y = yields_percent.dropna().sort_index().astype("float64") / 100.0
    if len(y) < 2:
        msg = f"a JGB return needs two yields at least, got {len(y)}"
        raise DataError(msg)
    prev = y.shift(1).iloc[1:]
    dy = y.diff().iloc[1:]
    days = np.diff(y.index.to_numpy().astype("datetime64[D]")).astype("float64")
    dt = days / 365.0
    duration = par_bond_duration(prev.to_numpy(), maturity_years)
    convexity = par_bond_convexity(prev.to_numpy(), maturity_years)
    carry = prev.to_numpy() * dt
    dur_part = -duration * dy.to_numpy()
    conv_part = 0.5 * convexity * dy.to_numpy() ** 2
    return pd.DataFrame(
        {
            "carry": carry,
            "duration": dur_part,
            "convexity": conv_part,
            "total": carry + dur_part + conv_part,
            "yield_prev": prev.to_numpy(),
            "dy": dy.to_numpy(),
            "dt_years": dt,
            "modified_duration": duration,
            "convexity_years2": convexity,
        },
        index=y.index[1:],
    )


# --------------------------------------------------------------------------- asset returns


@dataclass(frozen=True, eq=False)
class AssetReturns:
    """Daily returns per asset class: local, FX translation and yen (fractions).

    ``frame`` has a DatetimeIndex ``date`` (tz-naive days) and columns
    ``(asset, component)`` with component ``local``, ``fx``, ``jpy``;
    ``available_at`` (UTC) says when each row's inputs were all public.
    """

    frame: pd.DataFrame
    available_at: pd.Series
    proxies: Mapping[str, Proxy]
    fx_series: Mapping[str, str]
    notes: tuple[str, ...] = field(default=())

    @property
    def assets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.frame.columns.get_level_values(0)))

    def to_frame(self) -> pd.DataFrame:
        """The returns frame, ``(asset, component)`` columns, plus ``available_at``."""
        out = self.frame.copy()
        out[("available_at", "")] = self.available_at
        return out

    def component(self, component: Component) -> pd.DataFrame:
        """One component for every asset (one column per asset)."""
        return self.frame.xs(component, axis=1, level="component")

    def cumulative(self, component: Component = "jpy") -> pd.DataFrame:
        """Growth of 1 from the first row's previous close (compounded)."""
        return (1 + self.component(component)).cumprod()

    def as_of(self, cutoff: pd.Timestamp | str) -> AssetReturns:
        """Only rows whose inputs were all public at ``cutoff`` (UTC)."""
        moment = pd.Timestamp(cutoff)
        moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
        keep = (self.available_at <= moment).to_numpy()
        return AssetReturns(
            self.frame.loc[keep],
            self.available_at.loc[keep],
            self.proxies,
            self.fx_series,
            self.notes,
        )

    def market_returns(self) -> Any:
        """The rebalancing model's input: a
        :class:`~yenflow.analytics.rebalance.market.MarketReturns` (local and FX)."""
        from yenflow.analytics.rebalance.market import MarketReturns

        return MarketReturns.from_components(self.component("local"), self.component("fx"))

    def summary(self) -> dict[str, Any]:
        """JSON-serializable: coverage and the compounded return per asset and component."""
        growth = {c: (1 + self.component(c)).prod() - 1 for c in COMPONENTS}
        return {
            "analysis": "asset_returns",
            "unit": "fraction (0.01 = 1 %), simple returns",
            "first": None if self.frame.empty else f"{self.frame.index[0]:%Y-%m-%d}",
            "last": None if self.frame.empty else f"{self.frame.index[-1]:%Y-%m-%d}",
            "days": len(self.frame),
            "assets": {
                a: {
                    "series_id": self.proxies[a].series_id,
                    "currency": self.proxies[a].currency,
                    "kind": self.proxies[a].kind,
                    **{f"cumulative_{c}": float(growth[c][a]) for c in COMPONENTS},
                }
                for a in self.assets
            },
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        span = (
            "empty"
            if self.frame.empty
            else f"{self.frame.index[0]:%Y-%m-%d}..{self.frame.index[-1]:%Y-%m-%d}"
        )
        return f"AssetReturns({', '.join(self.assets)}; {span}, {len(self.frame)} days)"


def asset_returns(
    obs: pd.DataFrame,
    proxies: Mapping[str, Proxy] | None = None,
    *,
    fx: Mapping[str, str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> AssetReturns:
    """Daily local, FX and yen returns of each asset class from the canonical observations.

    Args:
        obs: canonical observations (``series_id, period_start, period_end, value,
            published_at``) holding every proxy's series and the FX series.
        proxies: asset class -> :class:`Proxy` (default :data:`GPIF_PROXIES`).
        fx: currency -> series of JPY per unit of that currency (default
            :data:`DEFAULT_FX`, ``markets.usdjpy.close``; ``fred.DEXJPUS`` also works).
        start, end: keep rows in this date range (inclusive).

    Raises:
        DataError: a series is missing, a currency has no FX series, or the inputs
            have no day in common.
    """
    proxies = dict(proxies or GPIF_PROXIES)
    fx = dict(fx or DEFAULT_FX)
    foreign = sorted({p.currency for p in proxies.values() if p.currency != "JPY"})
    lacking = [c for c in foreign if c not in fx]
    if lacking:
        msg = (
            f"no FX series for {', '.join(lacking)}: pass "
            f"fx={{'{lacking[0]}': '<series of JPY per {lacking[0]}>'}}"
        )
        raise DataError(msg)
    needed = [p.series_id for p in proxies.values()] + [fx[c] for c in foreign]
    require_series(obs, needed, purpose="asset returns")
    obs = latest_per_period(obs.loc[obs["series_id"].isin(needed)])
    levels = obs.pivot(index="period_end", columns="series_id", values="value").sort_index()
    published = obs.pivot(index="period_end", columns="series_id", values="published_at")
    levels.index = pd.DatetimeIndex(levels.index).normalize()
    published.index = levels.index
    calendar = levels.index
    filled = levels.ffill()
    first = filled.dropna().index.min() if not filled.dropna().empty else None
    if first is None:
        msg = f"the series {', '.join(needed)} have no day in common"
        raise DataError(msg)
    rows = calendar[calendar > first]
    local: dict[str, pd.Series] = {}
    fx_part: dict[str, pd.Series] = {}
    notes: list[str] = []
    for asset, proxy in proxies.items():
        if proxy.kind == "jgb_yield":
            yields = levels[proxy.series_id].dropna()
            approx = jgb_return_approximation(yields, maturity_years=proxy.maturity())
            total = approx["total"].reindex(calendar).fillna(0.0)
            local[asset] = total.loc[rows]
            notes.append(
                f"{asset}: returns of a {proxy.maturity():g}-year par JGB from {proxy.series_id} "
                "(carry - duration x dy + convexity/2 x dy^2)"
            )
        else:
            local[asset] = filled[proxy.series_id].pct_change(fill_method=None).loc[rows]
        if proxy.currency == "JPY":
            fx_part[asset] = pd.Series(0.0, index=rows)
        else:
            fx_part[asset] = filled[fx[proxy.currency]].pct_change(fill_method=None).loc[rows]
    pieces = {}
    for asset in proxies:
        pieces[(asset, "local")] = local[asset]
        pieces[(asset, "fx")] = fx_part[asset]
        pieces[(asset, "jpy")] = (1 + local[asset]) * (1 + fx_part[asset]) - 1
    frame = pd.DataFrame(pieces, index=pd.DatetimeIndex(rows, name="date"))
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["asset", "component"])
    available = _available_at(published, rows)
    settled = available.notna().to_numpy()
    frame, available = frame.loc[settled], available.loc[settled]
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    keep = np.ones(len(frame), dtype=bool)
    if lo is not None:
        keep &= frame.index >= lo
    if hi is not None:
        keep &= frame.index <= hi
    return AssetReturns(frame.loc[keep], available.loc[keep], proxies, fx, tuple(notes))


def _available_at(published: pd.DataFrame, rows: pd.DatetimeIndex) -> pd.Series:
    """Per row: when every input's value for that day was final.

    A series observed on the day is final when that observation is published; one
    not observed (a holiday) carries its previous close, which is final only once
    a later observation shows the day had none: the first observation on or after
    the day (backward fill). Rows after a series' last observation have no time (NaT).
    """
    final = published.apply(lambda c: pd.to_datetime(c, utc=True)).bfill()
    known = final.notna().all(axis=1)
    return final.max(axis=1).where(known).loc[rows].rename("available_at")
