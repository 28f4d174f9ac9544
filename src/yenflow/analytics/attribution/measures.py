"""The measurements fingerprints share: abnormal flows, price and yield moves, volatility
change, CFTC positions. Each returns a :class:`~.evidence.Measurement` or raises
:class:`~.evidence.Missing`; the statistics and units are in each docstring.

"Abnormal" always means: the episode's statistic minus what same-length windows of the
series' own history before the episode show (seeded moving-block bootstrap, see
:mod:`.bootstrap`). History: MoF flows on the episode's side of the January 2014 break;
market series ``history_years`` (default 10) before the window.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.bootstrap import abnormal, null_windows
from yenflow.analytics.attribution.episode import UNIT_FLOW, Evidence
from yenflow.analytics.attribution.evidence import Measurement, Missing

__all__ = [
    "abnormal_flow",
    "abnormal_log_change",
    "abnormal_vol_change",
    "abnormal_yield_change",
    "position_change",
    "position_level",
    "seed_for",
]

TRADING_DAYS = 252
VOL_BEFORE_DAYS = 63


def seed_for(ev: Evidence, key: str) -> int:
    """A seed per fingerprint, derived from the run's seed (stable across runs)."""
    return (ev.seed * 1_000_003 + zlib.crc32(key.encode())) % (2**32)


def abnormal_flow(ev: Evidence, series_id: str, *, monthly: bool, key: str) -> Measurement:
    """The episode's net flow (¥100 million, net purchase > 0; weeks or months) minus normal
    windows of as many weeks (months) on the same side of MoF's 2014 break."""
    window, hist = ev.monthly_flow(series_id) if monthly else ev.weekly_flow(series_id)
    normal = null_windows(
        hist.to_numpy(), len(window), n_windows=ev.n_windows, seed=seed_for(ev, key)
    )
    m = abnormal(float(window.sum()), normal, unit=UNIT_FLOW, level=ev.level, n=len(hist))
    span = "months" if monthly else "weeks"
    return m.with_detail(**{span: [f"{d:%Y-%m-%d}" for d in window.index]}, series_id=series_id)


def _daily_increments(
    ev: Evidence, series_id: str, *, lead_days: int, kind: str
) -> tuple[float, np.ndarray, np.ndarray]:
    last, window, hist = ev.daily_window(series_id, lead_days=lead_days)
    path = pd.concat([last, window])
    if kind == "log":
        inc, hinc = np.diff(np.log(path.to_numpy())) * 100, np.diff(np.log(hist.to_numpy())) * 100
    else:
        inc, hinc = np.diff(path.to_numpy()) * 100, np.diff(hist.to_numpy()) * 100
    return float(inc.sum()), inc, hinc


def abnormal_log_change(
    ev: Evidence, series_id: str, *, key: str, lead_days: int = 0
) -> Measurement:
    """100 × log change of a price (percent) from the last value before the window to its
    last value, minus normal windows of as many observations."""
    observed, inc, hinc = _daily_increments(ev, series_id, lead_days=lead_days, kind="log")
    normal = null_windows(hinc, len(inc), n_windows=ev.n_windows, seed=seed_for(ev, key))
    m = abnormal(observed, normal, unit="percent", level=ev.level, n=len(hinc))
    return m.with_detail(series_id=series_id, days=len(inc))


def abnormal_yield_change(
    ev: Evidence, series_id: str, *, key: str, lead_days: int = 0
) -> Measurement:
    """Change of a yield (percent) over the window in basis points, minus normal windows."""
    observed, inc, hinc = _daily_increments(ev, series_id, lead_days=lead_days, kind="diff")
    normal = null_windows(hinc, len(inc), n_windows=ev.n_windows, seed=seed_for(ev, key))
    m = abnormal(observed, normal, unit="basis points", level=ev.level, n=len(hinc))
    return m.with_detail(series_id=series_id, days=len(inc))


def _vol_change(windows: np.ndarray, before: int) -> np.ndarray:
    """Realised vol (annualised %) of the last part minus that of the first ``before`` days."""
    first = windows[:, :before].std(axis=1, ddof=1)
    last = windows[:, before:].std(axis=1, ddof=1)
    return (last - first) * np.sqrt(TRADING_DAYS)


def abnormal_vol_change(ev: Evidence, series_id: str, *, key: str) -> Measurement:
    """Realised volatility of daily log returns over the window minus that over the 63
    trading days before it (percent a year), against normal windows of the same shape."""
    _last, window, hist = ev.daily_window(series_id)
    path = pd.concat([hist, window])
    r = np.diff(np.log(path.to_numpy())) * 100
    n_in = len(window)
    if n_in < 3:
        raise Missing(f"{series_id}: only {n_in} observations in the window", kind="too_few")
    shape = np.stack([r[-(VOL_BEFORE_DAYS + n_in) :]])
    observed = float(_vol_change(shape, VOL_BEFORE_DAYS)[0])
    hinc = r[:-n_in]
    normal = null_windows(
        hinc,
        VOL_BEFORE_DAYS + n_in,
        n_windows=ev.n_windows,
        seed=seed_for(ev, key),
        statistic=lambda w: _vol_change(w, VOL_BEFORE_DAYS),
    )
    m = abnormal(observed, normal, unit="percent a year", level=ev.level, n=len(hinc))
    return m.with_detail(series_id=series_id, days=n_in)


def _reports(ev: Evidence, series_id: str) -> pd.Series:
    """CFTC weekly values by their Tuesday report date."""
    return ev.series(series_id, index="period_start").dropna()


def position_level(ev: Evidence, series_id: str) -> Measurement:
    """The position (contracts, net long yen > 0) at the last report before the episode: a
    measured fact (no sampling error), the interval is the value itself."""
    reports = _reports(ev, series_id)
    before = reports[reports.index < ev.start]
    if before.empty:
        raise Missing(f"{series_id}: no report before {ev.start:%Y-%m-%d}")
    value = float(before.iloc[-1])
    return Measurement(
        value,
        value,
        value,
        value,
        "contracts",
        "measured",
        1,
        ev.level,
        {"series_id": series_id, "report_date": f"{before.index[-1]:%Y-%m-%d}"},
    )


def position_change(ev: Evidence, series_id: str, *, key: str) -> Measurement:
    """Change in a CFTC net position (contracts) from the last report before the episode to
    the last report inside it, minus normal changes over as many weeks."""
    reports = _reports(ev, series_id)
    before = reports[reports.index < ev.start]
    inside = reports[(reports.index >= ev.start) & (reports.index <= ev.end)]
    if before.empty or inside.empty:
        msg = f"{series_id}: no report before {ev.start:%Y-%m-%d} or none inside the episode"
        raise Missing(msg)
    steps = len(inside)
    observed = float(inside.iloc[-1] - before.iloc[-1])
    hist = before[before.index >= ev.history_start()]
    normal = null_windows(
        np.diff(hist.to_numpy()), steps, n_windows=ev.n_windows, seed=seed_for(ev, key)
    )
    m = abnormal(observed, normal, unit="contracts", level=ev.level, n=len(hist) - 1)
    return m.with_detail(
        **{
            "series_id": series_id,
            "from": f"{before.index[-1]:%Y-%m-%d}",
            "to": f"{inside.index[-1]:%Y-%m-%d}",
            "level_before": float(before.iloc[-1]),
        }
    )
