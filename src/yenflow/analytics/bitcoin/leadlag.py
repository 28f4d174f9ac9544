"""Lead-lag between the yen and BTC: cross-correlations, weekly Granger tests, rolling correlation.

Returns are taken in market time (``timing="observed"`` in :mod:`.inputs`): the yen's daily
return is ``-ln(F_t / F_{t-1})`` on the days USD/JPY is fixed (noon New York, weekdays;
positive = the yen strengthened), BTC's is its log return between the UTC closes of the same
days (a weekend's BTC moves fall into Monday's return). The noon fix comes about 8 hours before
BTC's UTC close on the same day, so a "lag 0" correlation partly includes BTC's reaction.

* **Cross-correlations** at lags ``-L..L``: ``corr(yen_t, btc_{t+k})``; ``k > 0`` = the yen
  leads. Each comes with a HAC (Newey–West) robust 95 % band from the regression of the
  standardized BTC return on the standardized yen return (the slope is the correlation).
* **Granger tests** both ways on weekly (Friday-to-Friday) log returns, F tests for 1..4 lags
  (statsmodels).
* **Rolling correlation** over ``window`` days. Overlapping windows share most of their days,
  so consecutive values are not independent: a run of high values is one observation, not many.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yenflow.analytics.bitcoin._results import ResultViews
from yenflow.analytics.bitcoin.inputs import BtcInputs, align
from yenflow.errors import DataError

__all__ = ["LeadLag", "lead_lag", "market_returns"]

OVERLAP_CAVEAT = (
    "rolling correlations over overlapping windows are strongly autocorrelated: consecutive "
    "values share all but one day, so they are not independent evidence"
)


def market_returns(inputs: BtcInputs) -> pd.DataFrame:
    """Daily yen (appreciation > 0) and BTC log returns on the days USD/JPY was fixed."""
    f = inputs.frame
    fixed = f["usdjpy_period"].notna() & (f["usdjpy_period"] != f["usdjpy_period"].shift())
    days = f.loc[fixed & (f.index == f["usdjpy_period"])]
    out = pd.DataFrame(
        {
            "yen": -np.log(days["usdjpy"]).diff(),
            "btc": np.log(days["btc"]).diff(),
        },
        index=days.index,
    ).dropna()
    return out


def _hac_corr(x: np.ndarray, y: np.ndarray, maxlags: int) -> tuple[float, float]:
    import statsmodels.api as sm

    zx = (x - x.mean()) / x.std()
    zy = (y - y.mean()) / y.std()
    fit = sm.OLS(zy, sm.add_constant(zx)).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
    return float(np.corrcoef(x, y)[0, 1]), float(fit.bse[1])


@dataclass(frozen=True, eq=False, repr=False)
class LeadLag(ResultViews):
    """``cross``: lag, corr, lower, upper (HAC 95 %), n; ``granger``: direction, lags, F, p;
    ``rolling``: the rolling correlation (Series); ``caveat``: the overlap warning."""

    cross: pd.DataFrame
    granger: pd.DataFrame
    rolling: pd.Series
    window: int
    days: int
    caveat: str = OVERLAP_CAVEAT

    def to_frame(self) -> pd.DataFrame:
        return self.cross

    def _figures(self) -> dict:
        return {
            "cross": self.cross.to_dict(orient="records"),
            "granger": self.granger.to_dict(orient="records"),
            "window": self.window,
            "days": self.days,
            "caveat": self.caveat,
        }

    def describe(self) -> str:
        c0 = self.cross.set_index("lag").loc[0]
        sig = self.cross.loc[(self.cross["lower"] > 0) | (self.cross["upper"] < 0), "lag"]
        leads = [int(k) for k in sig if k != 0]
        g = self.granger.groupby("direction")["p_value"].min()
        return (
            f"Yen appreciation vs BTC, {self.days:,} fixing days: same-day correlation "
            f"{c0['corr']:+.3f} (HAC 95% {c0['lower']:+.3f} to {c0['upper']:+.3f}); lags "
            f"with a band excluding 0: {leads or 'none'}. Weekly Granger, smallest p over 1-4 "
            f"lags: yen→BTC {g.get('yen → btc', np.nan):.2f}, BTC→yen "
            f"{g.get('btc → yen', np.nan):.2f}. Rolling {self.window}-day correlation latest "
            f"{self.rolling.dropna().iloc[-1]:+.2f}; {self.caveat}."
        )


def lead_lag(
    obs_or_inputs: pd.DataFrame | BtcInputs,
    *,
    lags: int = 20,
    window: int = 90,
    granger_lags: int = 4,
    hac_lags: int = 10,
) -> LeadLag:
    """Cross-correlations (lags ``-lags..lags``), weekly Granger tests, rolling correlation."""
    from statsmodels.tsa.stattools import grangercausalitytests

    inputs = (
        obs_or_inputs
        if isinstance(obs_or_inputs, BtcInputs)
        else align(obs_or_inputs, timing="observed")
    )
    r = market_returns(inputs)
    if len(r) < 4 * lags + 50:
        msg = f"lead-lag needs at least {4 * lags + 50} fixing days with BTC, got {len(r)}"
        raise DataError(msg)
    yen, btc = r["yen"].to_numpy(), r["btc"].to_numpy()
    rows = []
    for k in range(-lags, lags + 1):
        x, y = (yen[: len(yen) - k], btc[k:]) if k >= 0 else (yen[-k:], btc[: len(btc) + k])
        corr, se = _hac_corr(x, y, hac_lags)
        rows.append(
            {
                "lag": k,
                "corr": corr,
                "lower": corr - 1.96 * se,
                "upper": corr + 1.96 * se,
                "n": len(x),
            }
        )
    weekly_px = inputs.frame[["usdjpy", "btc"]].resample("W-FRI").last()
    weekly = pd.DataFrame(
        {"yen": -np.log(weekly_px["usdjpy"]).diff(), "btc": np.log(weekly_px["btc"]).diff()}
    ).dropna()
    g_rows = []
    for direction, cols in (("yen → btc", ["btc", "yen"]), ("btc → yen", ["yen", "btc"])):
        res = grangercausalitytests(weekly[cols].to_numpy(), maxlag=granger_lags)
        for lag, (tests, _) in res.items():
            f, p, _, _ = tests["ssr_ftest"]
            g_rows.append(
                {
                    "direction": direction,
                    "lags_weeks": lag,
                    "F": float(f),
                    "p_value": float(p),
                    "weeks": len(weekly),
                }
            )
    rolling = r["yen"].rolling(window).corr(r["btc"])
    rolling.name = f"rolling_{window}d_corr"
    return LeadLag(
        cross=pd.DataFrame(rows),
        granger=pd.DataFrame(g_rows),
        rolling=rolling,
        window=window,
        days=len(r),
    )
