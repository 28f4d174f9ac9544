"""The built-in hypotheses, each with its fingerprints stated in advance.

Signs: MoF net purchase > 0; CFTC net long yen > 0 (yen futures are quoted in dollars per
yen: a carry trade is *short* yen, covering it raises the net); USD/JPY in yen per dollar
(a fall is a stronger yen). Predictions for the flows are for a net-sale episode; for a
net-purchase episode the seasonal prediction flips (the others are about selling and will
simply not be supported).

* **rebalancing** (pension and fund portfolios): equities fell, so a fixed-weight portfolio
  is underweight equities and overweight bonds; trust accounts (where pension money sits)
  buy foreign equities and sell what is overweight. The "what is overweight" part needs a
  rebalancing model (:mod:`yenflow.analytics.rebalance`); without it that part says so.
* **carry_unwind**: leveraged short-yen positions are covered (CFTC net long yen rises from
  a net short), USD/JPY falls, realised volatility rises, foreign assets are sold broadly.
* **fiscal_year_seasonality**: the same calendar window shows sales in other years and the
  episode sits inside that distribution; read from the episode's own flow: MoF's weekly
  all-investor flow, or for an investor type its monthly flow over the calendar months the
  episode overlaps.
* **rate_risk_cutting** (banks and life insurers cutting interest-rate risk or FX-hedged
  positions): US yields rose, banks and life insurers sold foreign bonds, and historically
  bank selling follows US yield rises (regression with HAC errors).
* **basis_trade_unwind**, **fx_intervention_funding**: untestable with the project's data.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.bootstrap import bootstrap_mean, iid_indices
from yenflow.analytics.attribution.episode import UNIT_FLOW, Evidence
from yenflow.analytics.attribution.evidence import Measurement, Missing, Prediction
from yenflow.analytics.attribution.measures import (
    abnormal_flow,
    abnormal_log_change,
    abnormal_vol_change,
    abnormal_yield_change,
    position_change,
    position_level,
    seed_for,
)
from yenflow.analytics.attribution.rebalancing import model_measurement
from yenflow.analytics.attribution.registry import Fingerprint, Hypothesis, register
from yenflow.analytics.attribution.regression import ols_hac
from yenflow.analytics.attribution.seasonal import SeasonalWindows, seasonal_windows

__all__ = ["bank_yield_sensitivity"]

FX = "fred.DEXJPUS"
US10 = "fred.DGS10"
SPX = "fred.SP500"
CFTC_NET = {
    "noncommercial": "cftc.jpy.noncommercial.net",
    "leveraged_funds": "cftc.jpy.leveraged_funds.net",
}
BELOW = Prediction("below")
ABOVE = Prediction("above")
#: the lead (calendar days before the episode) over which market triggers are measured.
TRIGGER_LEAD_DAYS = 28
#: the fewest other years a seasonal comparison needs (else it is inconclusive: too few).
MIN_SEASONAL_YEARS = 5


def _flow_side(ev: Evidence) -> Prediction:
    """Same side as the episode's own flow (all-investor weekly, or the investor type's
    monthly): below 0 for a net sale, above for a net purchase."""
    try:
        window, _ = ev.flow_window()
    except Missing:
        return BELOW
    return BELOW if window.sum() <= 0 else ABOVE


def _investor_flow(investor: str, asset: str, key: str):
    def measure(ev: Evidence) -> Measurement:
        return abnormal_flow(ev, ev.investor_id(investor, asset), monthly=True, key=key)

    return measure


def _weekly_flow(direction: str, asset: str, key: str):
    def measure(ev: Evidence) -> Measurement:
        return abnormal_flow(ev, f"mof.weekly.{direction}.{asset}.net", monthly=False, key=key)

    return measure


# ------------------------------------------------------------------------------- rebalancing


def _model_overweight(ev: Evidence) -> Measurement:
    return model_measurement(ev)


register(
    Hypothesis(
        key="rebalancing",
        title="Pension and fund rebalancing",
        mechanism=(
            "Equities fell faster than bonds, so fixed-weight portfolios (GPIF 25/25/25/25, "
            "60/40 mixes) drifted underweight equities: trust accounts buy foreign equities "
            "and sell the sleeves that are overweight, the yen's move included."
        ),
        fingerprints=(
            Fingerprint(
                "equity_fall_trigger",
                "equities fell in the four weeks to the episode's end (the drift trigger)",
                "S&P 500 log change, percent, minus normal windows",
                (SPX,),
                BELOW,
                lambda ev: abnormal_log_change(ev, SPX, key="reb.spx", lead_days=TRIGGER_LEAD_DAYS),
            ),
            Fingerprint(
                "trust_accounts_buy_foreign_equity",
                "trust accounts (pension money) net bought foreign equities in the episode's "
                "month(s), more than usual",
                "net purchase, ¥100 million, minus normal months",
                ("mof.monthly.investor.trust_accounts.equity.net",),
                ABOVE,
                _investor_flow("trust_accounts", "equity", "reb.ta_eq"),
            ),
            Fingerprint(
                "trust_accounts_sell_foreign_bonds",
                "trust accounts net sold foreign long-term bonds in the episode's month(s)",
                "net purchase, ¥100 million, minus normal months",
                ("mof.monthly.investor.trust_accounts.long_term_debt.net",),
                BELOW,
                _investor_flow("trust_accounts", "long_term_debt", "reb.ta_ltd"),
            ),
            Fingerprint(
                "model_implied_trades",
                "GPIF's policy portfolio, drifted by markets, implies trades of the episode's "
                "asset class on the episode's side (the sold sleeve was overweight)",
                "model-implied trades, ¥100 million, range over rules",
                ("markets.*.close", "jgb.yield.10y", "yenflow.analytics.rebalance"),
                _flow_side,
                _model_overweight,
            ),
        ),
    )
)


# ------------------------------------------------------------------------------ carry unwind


def _cftc_parts(kind: str) -> tuple[Fingerprint, ...]:
    parts = []
    for trader, sid in CFTC_NET.items():
        who = trader.replace("_", " ")
        if kind == "level":
            parts.append(
                Fingerprint(
                    trader,
                    f"{who} were net short yen before the episode",
                    "net long yen, contracts, at the last report before the episode",
                    (sid,),
                    BELOW,
                    lambda ev, sid=sid: position_level(ev, sid),
                )
            )
        else:
            parts.append(
                Fingerprint(
                    trader,
                    f"{who} covered short-yen positions (net long yen rose)",
                    "change in net long yen, contracts, minus normal changes",
                    (sid,),
                    ABOVE,
                    lambda ev, sid=sid, t=trader: position_change(ev, sid, key=f"carry.cftc.{t}"),
                )
            )
    return tuple(parts)


register(
    Hypothesis(
        key="carry_unwind",
        explains="sale",
        title="A yen carry-trade unwind",
        mechanism=(
            "Leveraged investors short the yen to fund higher-yielding assets; when they cover, "
            "the yen jumps, volatility rises and funded foreign assets are sold broadly."
        ),
        fingerprints=(
            Fingerprint(
                "short_position_to_cover",
                "a leveraged short-yen position existed to be covered",
                "net long yen, contracts",
                tuple(CFTC_NET.values()),
                parts=_cftc_parts("level"),
                necessary=True,
            ),
            Fingerprint(
                "short_covering",
                "short-yen positions were covered during the episode",
                "change in net long yen, contracts",
                tuple(CFTC_NET.values()),
                parts=_cftc_parts("change"),
            ),
            Fingerprint(
                "usdjpy_fall",
                "USD/JPY fell (the yen strengthened) more than usual",
                "USD/JPY log change, percent, minus normal windows",
                (FX,),
                BELOW,
                lambda ev: abnormal_log_change(ev, FX, key="carry.fx"),
            ),
            Fingerprint(
                "volatility_rise",
                "USD/JPY realised volatility rose",
                "realised vol in the episode minus the 63 days before, percent a year, "
                "minus normal windows",
                (FX,),
                ABOVE,
                lambda ev: abnormal_vol_change(ev, FX, key="carry.vol"),
            ),
            Fingerprint(
                "broad_foreign_selling",
                "foreign assets were sold broadly: foreign equities and foreign bonds",
                "weekly net purchases, ¥100 million, minus normal windows",
                ("mof.weekly.outward.equity.net", "mof.weekly.outward.long_term_debt.net"),
                parts=(
                    Fingerprint(
                        "equity",
                        "foreign equities net sold more than usual",
                        "¥100 million",
                        ("mof.weekly.outward.equity.net",),
                        BELOW,
                        _weekly_flow("outward", "equity", "carry.eq"),
                    ),
                    Fingerprint(
                        "long_term_debt",
                        "foreign bonds net sold more than usual",
                        "¥100 million",
                        ("mof.weekly.outward.long_term_debt.net",),
                        BELOW,
                        _weekly_flow("outward", "long_term_debt", "carry.ltd"),
                    ),
                ),
            ),
        ),
    )
)


# ------------------------------------------------------------------- fiscal-year seasonality


def _seasonal_source(ev: Evidence, s) -> dict:
    """Which series, at which frequency and over which period the seasonal figures read."""
    return {
        "series_id": s.series_id,
        "frequency": s.frequency,
        "period": ev.flow_period(),
        s.span: s.length,
    }


def _comparable_years(ev: Evidence) -> SeasonalWindows:
    """The episode's seasonal windows, or ``Missing`` (too few) below
    :data:`MIN_SEASONAL_YEARS` comparable years."""
    s = seasonal_windows(ev)
    if len(s.values) < MIN_SEASONAL_YEARS:
        msg = (
            f"{len(s.values)} comparable years of {s.series_id} ({s.frequency}), "
            f"at least {MIN_SEASONAL_YEARS} needed"
        )
        raise Missing(msg, kind="too_few")
    return s


def _seasonal_tendency(ev: Evidence) -> Measurement:
    s = _comparable_years(ev)
    m = bootstrap_mean(
        s.values - s.all_windows_mean, unit=UNIT_FLOW, seed=seed_for(ev, "season"), level=ev.level
    )
    return m.with_detail(
        **{"years": list(s.years), "all_windows_mean": s.all_windows_mean},
        **_seasonal_source(ev, s),
    )


def _episode_within(ev: Evidence) -> Measurement:
    """z-score of the episode against the same window in other years, with a bootstrap
    interval over the years (IID resampling of years)."""
    s = _comparable_years(ev)
    draws = s.values[iid_indices(len(s.values), 2000, seed=seed_for(ev, "season.z"))]
    sd = draws.std(axis=1, ddof=1)
    z = (s.observed - draws.mean(axis=1)) / np.where(sd > 0, sd, np.nan)
    lo, hi = np.nanquantile(z, [(1 - ev.level) / 2, (1 + ev.level) / 2])
    z0 = s.zscore()
    return Measurement(
        observed=float("nan") if z0 is None else z0,
        estimate=float("nan") if z0 is None else z0,
        low=float(lo),
        high=float(hi),
        unit="standard deviations",
        method="bootstrap_mean",
        n=len(s.values),
        level=ev.level,
        detail={
            "episode_jpy_100m": s.observed,
            "rank_sale": s.rank_sale(),
            "of_years": len(s.values) + 1,
            "years": list(s.years),
            "values": [float(v) for v in s.values],
            "seasonal_mean": float(s.values.mean()),
            **_seasonal_source(ev, s),
        },
    )


register(
    Hypothesis(
        key="fiscal_year_seasonality",
        title="Fiscal-year seasonality",
        mechanism=(
            "Japan's fiscal year starts on 1 April: investors book profits and reset positions "
            "around it, so the same calendar window tends to show the same flow every year."
        ),
        fingerprints=(
            Fingerprint(
                "seasonal_tendency",
                "the same calendar window in other years shows flows on the episode's "
                "side (relative to all windows of that length)",
                "mean same-window flow minus mean of all windows, ¥100 million",
                ("the episode's flow: mof.weekly.<flow>.net or mof.monthly.investor.*",),
                _flow_side,
                _seasonal_tendency,
            ),
            Fingerprint(
                "within_seasonal_range",
                "the episode lies within the same window's distribution in other years",
                "z-score against the other years' same window",
                ("the episode's flow: mof.weekly.<flow>.net or mof.monthly.investor.*",),
                Prediction("within", 0.0, 2.0),
                _episode_within,
            ),
        ),
    )
)


# -------------------------------------------------------------------------- rate-risk cutting


def bank_yield_sensitivity(ev: Evidence, *, investor: str = "banks") -> Measurement:
    """Slope of an investor's monthly net purchases of foreign bonds (¥100 million) on the
    change in the US 10-year yield (basis points) that month and the month before (sum of
    both coefficients), OLS on the months before the episode with Newey–West (HAC) errors."""
    sid = ev.investor_id(investor, "long_term_debt")
    _, hist = ev.monthly_flow(sid)
    us10 = ev.series(US10, index="period_start").dropna()
    month_end = us10.groupby(us10.index.to_period("M")).last()
    dy = month_end.diff() * 100.0
    dy.index = dy.index.to_timestamp()
    frame = pd.DataFrame({"y": hist, "dy": dy, "dy_lag": dy.shift(1)}).dropna()
    if len(frame) < 36:
        raise Missing(f"{len(frame)} months of history, at least 36 needed", kind="too_few")
    x = np.column_stack([np.ones(len(frame)), frame["dy"], frame["dy_lag"]])
    fit = ols_hac(frame["y"].to_numpy(), x, maxlags=3)
    w = np.array([0.0, 1.0, 1.0])
    slope = float(w @ fit.params)
    se = float(np.sqrt(w @ fit.cov @ w))
    zq = NormalDist().inv_cdf((1 + ev.level) / 2)
    return Measurement(
        slope,
        slope,
        slope - zq * se,
        slope + zq * se,
        "JPY 100 million per basis point",
        "hac_regression",
        len(frame),
        ev.level,
        {"series_id": sid, "hac_maxlags": 3, "se": se, "r_squared": float(fit.rsquared)},
    )


register(
    Hypothesis(
        key="rate_risk_cutting",
        explains="sale",
        title="Banks and life insurers cutting rate risk or FX-hedged positions",
        mechanism=(
            "Rising US yields hurt banks' and life insurers' foreign bond books and FX-hedged "
            "positions; they cut duration or hedged holdings, selling foreign bonds."
        ),
        fingerprints=(
            Fingerprint(
                "us_yields_rose",
                "the US 10-year yield rose in the four weeks to the episode's end",
                "DGS10 change, basis points, minus normal windows",
                (US10,),
                ABOVE,
                lambda ev: abnormal_yield_change(
                    ev, US10, key="rate.us10", lead_days=TRIGGER_LEAD_DAYS
                ),
            ),
            Fingerprint(
                "banks_sold",
                "banks (banking accounts) net sold foreign bonds, more than usual",
                "net purchase, ¥100 million, minus normal months",
                ("mof.monthly.investor.banks.long_term_debt.net",),
                BELOW,
                _investor_flow("banks", "long_term_debt", "rate.banks"),
            ),
            Fingerprint(
                "life_insurers_sold",
                "life insurers net sold foreign bonds, more than usual",
                "net purchase, ¥100 million, minus normal months",
                ("mof.monthly.investor.life_insurers.long_term_debt.net",),
                BELOW,
                _investor_flow("life_insurers", "long_term_debt", "rate.life"),
            ),
            Fingerprint(
                "bank_selling_follows_yield_rises",
                "historically banks sell foreign bonds when US yields rise",
                "HAC slope of bank net purchases on US 10y changes",
                ("mof.monthly.investor.banks.long_term_debt.net", US10),
                BELOW,
                bank_yield_sensitivity,
            ),
        ),
    )
)


# ------------------------------------------------------------------------------- untestable

register(
    Hypothesis(
        key="basis_trade_unwind",
        title="A Treasury basis-trade or swap-spread unwind",
        mechanism=(
            "Leveraged funds long cash Treasuries against futures (or paying swaps) unwind, "
            "selling bonds as swap spreads move; Japanese holders would follow prices."
        ),
        untestable=(
            "missing swap-spread data (e.g. 10-year SOFR swap spread), Treasury futures "
            "positioning and repo rates: none is among the project's sources"
        ),
    )
)

register(
    Hypothesis(
        key="fx_intervention_funding",
        title="Selling to fund yen-buying intervention",
        mechanism=(
            "The Ministry of Finance sells foreign-currency reserves (mostly Treasuries) to "
            "buy yen; reserve sales are outside MoF's resident-investor flows."
        ),
        untestable=(
            "missing MoF foreign-exchange intervention records and reserve composition: not "
            "among the project's sources"
        ),
    )
)
