"""The episode's flow split into a seasonal, a rebalancing, a rates/hedging part and a residual.

All parts in ¥100 million (net purchase > 0), for the episode's all-investor weekly flow:

* **seasonal**: the mean of the same calendar window in other years (leave-the-episode-out,
  :mod:`.seasonal`), the flow the calendar alone would lead one to expect;
* **rebalancing**: GPIF's policy-portfolio model's implied trades of the episode's asset
  class over the episode (median over the rules; :mod:`.rebalancing`), or 0 and a note when
  the model or its market data are missing;
* **rates/hedging**: from an OLS of weekly flows on the week's change in the US 10-year yield
  (basis points, this week and the one before), the USD/JPY log change (percent) and the
  change in the US 10-year minus 2-year slope (bp), fitted on the comparable weeks before
  the episode (the same side of MoF's 2014 break), Newey–West (HAC) errors; the part is the fitted
  contribution of the regressors' deviations from their history means over the episode's
  weeks, with a standard error from the HAC covariance;
* **residual**: what is left, with its rank among the same residuals of every earlier
  window of the same length (1 = the most negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.episode import Evidence
from yenflow.analytics.attribution.evidence import Missing
from yenflow.analytics.attribution.rebalancing import model_measurement
from yenflow.analytics.attribution.regression import ols_hac
from yenflow.analytics.attribution.seasonal import seasonal_windows
from yenflow.analytics.records import json_value

__all__ = ["Decomposition", "decompose"]

US10, US2, FX = "fred.DGS10", "fred.DGS2", "fred.DEXJPUS"
HAC_LAGS = 4
MIN_WEEKS = 104


@dataclass(frozen=True)
class Decomposition:
    """observed = seasonal + rebalancing + rates_hedging + residual (¥100 million)."""

    observed: float
    seasonal: float | None
    rebalancing: float | None
    rates_hedging: float | None
    rates_hedging_se: float | None
    residual: float
    residual_rank: int | None
    n_windows: int | None
    regression: dict[str, Any]
    notes: tuple[str, ...]

    def parts(self) -> list[tuple[str, float]]:
        """(name, ¥100 million) in waterfall order, missing parts as 0."""
        return [
            ("seasonal", self.seasonal or 0.0),
            ("rebalancing", self.rebalancing or 0.0),
            ("rates_hedging", self.rates_hedging or 0.0),
            ("residual", self.residual),
        ]

    def to_frame(self) -> pd.DataFrame:
        rows = [{"part": k, "jpy_100m": v} for k, v in self.parts()]
        rows.append({"part": "observed", "jpy_100m": self.observed})
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        return {
            "unit": "JPY 100 million",
            "observed": self.observed,
            "seasonal": json_value(self.seasonal),
            "rebalancing": json_value(self.rebalancing),
            "rates_hedging": json_value(self.rates_hedging),
            "rates_hedging_se": json_value(self.rates_hedging_se),
            "residual": self.residual,
            "residual_rank": self.residual_rank,
            "n_windows": self.n_windows,
            "regression": {
                k: json_value(v)
                if not isinstance(v, dict)
                else {kk: json_value(vv) for kk, vv in v.items()}
                for k, v in self.regression.items()
            },
            "notes": list(self.notes),
        }


def _weekly_regressors(ev: Evidence, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Per MoF week (by its Saturday end): US 10y change (bp, this and last week), USD/JPY
    log change (percent), change of the US 10y–2y slope (bp); last daily value of each week."""
    out = {}
    for sid in (US10, US2, FX):
        daily = ev.series(sid, index="period_start").dropna()
        # the last value on or before each Saturday (no value after the week is used)
        pos = np.searchsorted(daily.index.to_numpy(), weeks.to_numpy(), side="right") - 1
        values = np.where(pos >= 0, daily.to_numpy()[np.maximum(pos, 0)], np.nan)
        out[sid] = pd.Series(values, index=weeks)
    frame = pd.DataFrame(index=weeks)
    frame["d_us10_bp"] = out[US10].diff() * 100
    frame["d_us10_bp_lag"] = frame["d_us10_bp"].shift(1)
    frame["usdjpy_pct"] = np.log(out[FX]).diff() * 100
    frame["d_slope_bp"] = (out[US10] - out[US2]).diff() * 100
    return frame


def decompose(ev: Evidence) -> Decomposition:
    """Decompose the episode's weekly flow; see the module docstring."""
    sid = ev.episode.weekly_id
    window, _hist = ev.weekly_flow(sid)
    observed = float(window.sum())
    length = len(window)
    notes: list[str] = []
    try:
        seas = seasonal_windows(ev, sid)
        seasonal = float(seas.values.mean()) if len(seas.values) else None
        if seasonal is None:
            notes.append("seasonal part not estimated: no other complete year")
    except Missing as gone:
        seasonal = None
        notes.append(f"seasonal part not estimated: {gone.reason}")
    try:
        rebalancing: float | None = model_measurement(ev).estimate
        notes.append(
            "rebalancing part: GPIF's policy portfolio only (median over rules); "
            "other pension funds are not modelled"
        )
    except Missing as gone:
        rebalancing = None
        notes.append(f"rebalancing part not estimated: {gone.reason}")

    weekly = ev.series(sid, index="period_end")
    weekly = weekly[ev.comparable_mask(weekly.index - pd.Timedelta(days=6))]
    weekly = weekly[weekly.index <= window.index[-1]]
    rates = rates_se = None
    regression: dict[str, Any] = {}
    fitted_weekly = pd.Series(0.0, index=weekly.index)
    try:
        missing = [s for s in (US10, US2, FX) if not ev.has(s)]
        if missing:
            raise Missing(f"{', '.join(missing)} not in the store")
        x = _weekly_regressors(ev, weekly.index)
        data = pd.concat([weekly.rename("y"), x], axis=1)
        train = data[data.index < ev.start].dropna()
        if len(train) < MIN_WEEKS:
            raise Missing(f"{len(train)} weeks of history, at least {MIN_WEEKS}", kind="too_few")
        cols = list(x.columns)
        means = train[cols].mean()
        design = np.column_stack([np.ones(len(train)), (train[cols] - means).to_numpy()])
        fit = ols_hac(train["y"].to_numpy(), design, maxlags=HAC_LAGS)
        beta = pd.Series(fit.params[1:], index=cols)
        dev = (data[cols] - means).fillna(0.0)
        fitted_weekly = dev @ beta
        xs = np.concatenate([[0.0], dev.loc[window.index].sum().to_numpy()])
        rates = float(xs[1:] @ beta.to_numpy())
        rates_se = float(np.sqrt(xs @ fit.cov @ xs))
        regression = {
            "n_weeks": fit.nobs,
            "r_squared": fit.rsquared,
            "hac_maxlags": HAC_LAGS,
            "coef": {c: float(beta[c]) for c in cols},
            "t_hac": {c: float(t) for c, t in zip(cols, fit.tvalues[1:], strict=True)},
        }
    except Missing as gone:
        notes.append(f"rates/hedging part not estimated: {gone.reason}")
    residual = observed - (seasonal or 0.0) - (rebalancing or 0.0) - (rates or 0.0)

    # the same residual for every earlier window (seasonal by calendar window, rates fitted)
    rank = n = None
    if seasonal is not None:
        sums = weekly.rolling(length).sum()
        fitted = fitted_weekly.reindex(weekly.index).fillna(0.0).rolling(length).sum()
        earlier = sums.index <= window.index[0] - pd.Timedelta(days=7)
        by_week = _seasonal_by_week_of_year(weekly, length, exclude=ev.start.year)
        expected = by_week.reindex(weekly.index)
        past = (sums - fitted - expected)[earlier].dropna()
        if len(past):
            rank = int((past < residual).sum()) + 1
            n = len(past) + 1
    return Decomposition(
        observed,
        seasonal,
        rebalancing,
        rates,
        rates_se,
        residual,
        rank,
        n,
        regression,
        tuple(notes),
    )


def _seasonal_by_week_of_year(weekly: pd.Series, length: int, *, exclude: int) -> pd.Series:
    """For each window end, the mean of windows ending in the same ISO week in other years
    (neither the window's own year nor the episode's): the seasonal expectation."""
    sums = weekly.rolling(length).sum().dropna()
    frame = pd.DataFrame(
        {"v": sums, "wk": sums.index.isocalendar().week.to_numpy(), "yr": sums.index.year}
    )
    frame = frame[frame["yr"] != exclude]
    total = frame.groupby("wk")["v"].transform("sum")
    count = frame.groupby("wk")["v"].transform("count")
    loo = (total - frame["v"]) / (count - 1).where(count > 1)
    return loo
