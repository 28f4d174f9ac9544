"""The episode's flow split into a seasonal, a rebalancing, a rates/hedging part and a residual.

All parts in ¥100 million (net purchase > 0), for the episode's own flow at its own
frequency: MoF's all-investor **weekly** flow, or for an investor-type episode that
investor's **monthly** flow (MoF's monthb files) over the calendar months the episode
overlaps (:meth:`~.episode.Episode.months`; e.g. April 2025 for 30 March–12 April):

* **seasonal**: the mean of the same calendar window (weeks, or months) in other years
  (leave-the-episode-out, :mod:`.seasonal`), the flow the calendar alone would lead one to
  expect;
* **rebalancing**: GPIF's policy-portfolio model's implied trades of the episode's asset
  class over the episode's weeks' days, or over its calendar months for trust accounts (GPIF's
  money is managed in trust accounts; median over the rules; :mod:`.rebalancing`); not
  applied (0 and a note) to another investor type, or when the model or its market data
  are missing;
* **rates/hedging**: from an OLS of the flow per period (week or month) on the period's
  change in the US 10-year yield (basis points, this period and the one before), the
  USD/JPY log change (percent) and the change in the US 10-year minus 2-year slope (bp),
  fitted on the comparable periods before the episode (the same side of MoF's 2014 break),
  Newey–West (HAC) errors; the part is the fitted contribution of the regressors' deviations
  from their history means over the episode's periods, with a standard error from the HAC
  covariance;
* **residual**: what is left, with its rank among the same residuals of every earlier
  window of the same length (1 = the most negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.episode import Evidence, months_label, weeks_label
from yenflow.analytics.attribution.evidence import Missing
from yenflow.analytics.attribution.rebalancing import model_measurement
from yenflow.analytics.attribution.regression import ols_hac
from yenflow.analytics.attribution.seasonal import seasonal_windows
from yenflow.analytics.records import json_value

__all__ = ["Decomposition", "decompose"]

US10, US2, FX = "fred.DGS10", "fred.DGS2", "fred.DEXJPUS"
HAC_LAGS = 4
MIN_WEEKS = 104
HAC_LAGS_MONTHLY = 3
MIN_MONTHS = 36
#: the investor type whose flows hold GPIF's trades (its assets sit in trust accounts).
GPIF_INVESTOR = "trust_accounts"


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
    series_id: str = ""
    frequency: Literal["weekly", "monthly"] = "weekly"
    period: str = ""

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
            "series_id": self.series_id,
            "frequency": self.frequency,
            "period": self.period,
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


def _regressors(ev: Evidence, stamps: pd.DatetimeIndex, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Per period (rows ``index``; each sampled at its last day ``stamps``: a week's Saturday,
    a month's last day): US 10y change (bp, this and last period), USD/JPY log change
    (percent), change of the US 10y–2y slope (bp); the last daily value on or before each
    stamp (no value after the period is used)."""
    out = {}
    for sid in (US10, US2, FX):
        daily = ev.series(sid, index="period_start").dropna()
        pos = np.searchsorted(daily.index.to_numpy(), stamps.to_numpy(), side="right") - 1
        values = np.where(pos >= 0, daily.to_numpy()[np.maximum(pos, 0)], np.nan)
        out[sid] = pd.Series(values, index=index)
    frame = pd.DataFrame(index=index)
    frame["d_us10_bp"] = out[US10].diff() * 100
    frame["d_us10_bp_lag"] = frame["d_us10_bp"].shift(1)
    frame["usdjpy_pct"] = np.log(out[FX]).diff() * 100
    frame["d_slope_bp"] = (out[US10] - out[US2]).diff() * 100
    return frame


@dataclass(frozen=True)
class _Flow:
    """The episode's own flow at its frequency, and how to read its periods."""

    series_id: str
    frequency: Literal["weekly", "monthly"]
    window: pd.Series  # the episode's periods
    history: pd.Series  # comparable periods up to the episode's last one (gaps as NaN if monthly)
    stamps: pd.DatetimeIndex  # each history period's last day (regressors sampled there)
    earlier: np.ndarray  # history windows ending before the episode's first period
    seasonal_expected: pd.Series  # leave-one-out same-calendar mean per window end
    train_before: pd.Timestamp  # the regression is fitted on periods indexed before this
    min_obs: int
    hac_lags: int
    period: str


def _weekly(ev: Evidence) -> _Flow:
    sid = ev.episode.weekly_id
    window, _ = ev.weekly_flow(sid)
    weekly = ev.series(sid, index="period_end")
    weekly = weekly[ev.comparable_mask(weekly.index - pd.Timedelta(days=6))]
    weekly = weekly[weekly.index <= window.index[-1]]
    length = len(window)
    return _Flow(
        sid,
        "weekly",
        window,
        weekly,
        pd.DatetimeIndex(weekly.index),
        np.asarray(weekly.index <= window.index[0] - pd.Timedelta(days=7)),
        _seasonal_by_week_of_year(weekly, length, exclude=ev.start.year).reindex(weekly.index),
        ev.start,
        MIN_WEEKS,
        HAC_LAGS,
        weeks_label(window.index),
    )


def _monthly(ev: Evidence) -> _Flow:
    sid = ev.flow_id()
    window, _ = ev.monthly_flow(sid)
    monthly = ev.series(sid, index="period_start").dropna()
    monthly = monthly[ev.comparable_mask(monthly.index)]
    monthly = monthly[monthly.index <= window.index[-1]].asfreq("MS")
    length = len(window)
    own = int(window.index[0].year)
    return _Flow(
        sid,
        "monthly",
        window,
        monthly,
        pd.DatetimeIndex(monthly.index + pd.offsets.MonthEnd(0)),
        np.asarray(monthly.index < window.index[0]),
        _seasonal_by_month(monthly, length, exclude=own).reindex(monthly.index),
        pd.Timestamp(window.index[0]),
        MIN_MONTHS,
        HAC_LAGS_MONTHLY,
        months_label(window.index),
    )


def _rebalancing_part(ev: Evidence, flow: _Flow, notes: list[str]) -> float | None:
    e = ev.episode
    if flow.frequency == "monthly" and e.investor not in (None, GPIF_INVESTOR):
        notes.append(
            f"rebalancing part not applied: GPIF's trades go through trust accounts, not "
            f"{e.investor.replace('_', ' ')}"
        )
        return None
    span = None
    if flow.frequency == "monthly":
        first = pd.Timestamp(flow.window.index[0])
        span = (first, pd.Timestamp(flow.window.index[-1]) + pd.offsets.MonthEnd(0))
    try:
        value = model_measurement(ev, span=span).estimate
    except Missing as gone:
        notes.append(f"rebalancing part not estimated: {gone.reason}")
        return None
    over = f" over {flow.period}" if span is not None else ""
    notes.append(
        f"rebalancing part: GPIF's policy portfolio only (median over rules){over}; "
        "other pension funds are not modelled"
    )
    return value


def decompose(ev: Evidence) -> Decomposition:
    """Decompose the episode's own flow (weekly, or the investor type's monthly); see the
    module docstring."""
    flow = _monthly(ev) if ev.frequency == "monthly" else _weekly(ev)
    window, series = flow.window, flow.history
    observed = float(window.sum())
    length = len(window)
    span = "weeks" if flow.frequency == "weekly" else "months"
    notes: list[str] = []
    if flow.frequency == "monthly":
        notes.append(
            f"decomposition of {flow.series_id} (monthly) over {flow.period}, the calendar "
            f"month(s) the episode {ev.episode.start}..{ev.episode.end} overlaps"
        )
    try:
        seas = seasonal_windows(ev, flow.series_id)
        seasonal = float(seas.values.mean()) if len(seas.values) else None
        if seasonal is None:
            notes.append("seasonal part not estimated: no other complete year")
    except Missing as gone:
        seasonal = None
        notes.append(f"seasonal part not estimated: {gone.reason}")
    rebalancing = _rebalancing_part(ev, flow, notes)

    rates = rates_se = None
    regression: dict[str, Any] = {}
    fitted = pd.Series(0.0, index=series.index)
    try:
        missing = [s for s in (US10, US2, FX) if not ev.has(s)]
        if missing:
            raise Missing(f"{', '.join(missing)} not in the store")
        x = _regressors(ev, flow.stamps, pd.DatetimeIndex(series.index))
        data = pd.concat([series.rename("y"), x], axis=1)
        train = data[data.index < flow.train_before].dropna()
        if len(train) < flow.min_obs:
            msg = f"{len(train)} {span} of history, at least {flow.min_obs}"
            raise Missing(msg, kind="too_few")
        cols = list(x.columns)
        means = train[cols].mean()
        design = np.column_stack([np.ones(len(train)), (train[cols] - means).to_numpy()])
        fit = ols_hac(train["y"].to_numpy(), design, maxlags=flow.hac_lags)
        beta = pd.Series(fit.params[1:], index=cols)
        dev = (data[cols] - means).fillna(0.0)
        fitted = dev @ beta
        xs = np.concatenate([[0.0], dev.loc[window.index].sum().to_numpy()])
        rates = float(xs[1:] @ beta.to_numpy())
        rates_se = float(np.sqrt(xs @ fit.cov @ xs))
        regression = {
            "series_id": flow.series_id,
            "frequency": flow.frequency,
            f"n_{span}": fit.nobs,
            "r_squared": fit.rsquared,
            "hac_maxlags": flow.hac_lags,
            "coef": {c: float(beta[c]) for c in cols},
            "t_hac": {c: float(t) for c, t in zip(cols, fit.tvalues[1:], strict=True)},
        }
    except Missing as gone:
        notes.append(f"rates/hedging part not estimated: {gone.reason}")
    residual = observed - (seasonal or 0.0) - (rebalancing or 0.0) - (rates or 0.0)

    # the same residual for every earlier window (seasonal by calendar window, rates fitted)
    rank = n = None
    if seasonal is not None:
        sums = series.rolling(length).sum()
        fit_sums = fitted.reindex(series.index).fillna(0.0).rolling(length).sum()
        past = (sums - fit_sums - flow.seasonal_expected)[flow.earlier].dropna()
        if len(past):
            rank = int((past < residual).sum()) + 1
            n = len(past) + 1
        else:
            notes.append(f"residual not ranked: no earlier window of {length} {span} to compare")
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
        series_id=flow.series_id,
        frequency=flow.frequency,
        period=flow.period,
    )


def _loo_mean(sums: pd.Series, group: np.ndarray, *, exclude: int) -> pd.Series:
    """For each window end, the mean of windows ending in the same ``group`` (ISO week or
    calendar month) in other years (neither the window's own year nor ``exclude``)."""
    frame = pd.DataFrame({"v": sums, "g": group, "yr": sums.index.year})
    frame = frame[frame["yr"] != exclude]
    total = frame.groupby("g")["v"].transform("sum")
    count = frame.groupby("g")["v"].transform("count")
    return (total - frame["v"]) / (count - 1).where(count > 1)


def _seasonal_by_week_of_year(weekly: pd.Series, length: int, *, exclude: int) -> pd.Series:
    """For each window end, the mean of windows ending in the same ISO week in other years
    (neither the window's own year nor the episode's): the seasonal expectation."""
    sums = weekly.rolling(length).sum().dropna()
    return _loo_mean(sums, sums.index.isocalendar().week.to_numpy(), exclude=exclude)


def _seasonal_by_month(monthly: pd.Series, length: int, *, exclude: int) -> pd.Series:
    """For each window end (its last month), the mean of windows ending in the same calendar
    month in other years (neither the window's own year nor the episode's)."""
    sums = monthly.rolling(length).sum().dropna()
    return _loo_mean(sums, sums.index.month.to_numpy(), exclude=exclude)
