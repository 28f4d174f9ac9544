"""The yen carry-trade monitor: rate differentials, USD/JPY risk, a carry index, CFTC positioning
and dated unwind episodes.

Everything is computed from canonical observation frames (the store's ``observations()``,
optionally "as of" a date) and comes back as frozen results with ``to_frame()`` and
``summary()`` (a JSON-serializable dict). Units are in every column name.

Inputs (series ids):

* ``fred.DEXJPUS``: USD/JPY, yen per dollar, noon New York (H.10), business days.
* US 3-month: ``fred.DGS3MO`` (constant maturity, bond-equivalent) if present, else
  ``fred.DTB3`` (secondary-market bill rate, **discount basis**), by default converted to a
  bond-equivalent yield ``BEY = 365 d / (360 - 91 d)`` (``d`` the discount rate as a fraction,
  91 days to maturity), so that it is comparable with coupon yields; at 5 % the conversion adds
  about 13 bp. ``tbill_basis="discount"`` keeps FRED's figure as is.
* Japan 3-month: ``fred.IR3TIB01JPM156N`` (OECD 3-month interbank rate, a **monthly** figure for a
  calendar month, money-market basis, left as is: at Japanese rates of 0-1 % the day-count basis
  differs from the bond-equivalent basis by less than 2 bp).
* 10-year: ``fred.DGS10`` minus ``jgb.yield.10y`` (MoF, daily) or, if absent,
  ``fred.IRLTLT01JPM156N`` (OECD, monthly).
* CFTC yen futures: ``cftc.jpy.noncommercial.{long,short,net}`` (legacy report) or
  ``cftc.jpy.leveraged_funds.{long,short,net}`` (TFF), ``cftc.jpy.open_interest``; contracts,
  dated by the Tuesday "as of" date.

No look-ahead in the alignment of rates on a daily calendar: a daily rate is the last
observation on or before the day (ignored once older than ``max_gap_days`` calendar days, which
covers Golden Week and New Year closures, and never carried past the series' last observation);
a **monthly** rate (a calendar month's figure, e.g. an average of the month's days) is used only
on days strictly after its month has ended: the value for June is used from 1 July on, until a
newer month replaces it, for at most 92 days after its month end. That is the no-look-ahead
minimum; the store's "as of" filter also hides months not yet published (FRED's OECD rows are
stamped about 45 days after the month end), in which case the previous month is used.

Signs (be careful): ``diff_*_pct = US minus Japan`` (> 0 means the dollar yields more, the
carry a long-USD/short-JPY position earns). CFTC yen futures are quoted in dollars per yen, so a
speculator *net long* yen futures (``net_long_jpy_contracts > 0``) is long the yen: the
*opposite* of a carry trade. Carry-trade positioning shows up as a large negative net; an
unwind as the net rising back towards zero or above (short covering).

The carry index is a long-USD/short-JPY position, funded in yen at the Japanese 3-month rate
and invested at the US 3-month rate, rebalanced daily: ``r_t = S_t / S_{t-1} - 1 +
(i_US - i_JP)_{t-1} / 100 * days / 360``, with ``days`` the calendar days between the two
observations and the differential known on the previous observation day (no look-ahead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from yenflow.analytics.inputs import latest_per_period, require_series, to_series
from yenflow.analytics.records import json_value
from yenflow.analytics.stats import (
    annualized_vol_pct,
    drawdown_pct,
    drawdown_periods,
    log_returns,
    rolling_peak_index,
    rolling_zscore,
)
from yenflow.errors import DataError

__all__ = [
    "JPY_FUTURES_CONTRACT_JPY",
    "CarryIndex",
    "CarryMonitor",
    "FxVolatility",
    "LowDistance",
    "Positioning",
    "RateDifferentials",
    "UnwindEpisode",
    "UnwindEpisodes",
    "UnwindParams",
    "build_carry_index",
    "carry_monitor",
    "detect_unwinds",
    "distance_from_low",
    "fx_volatility",
    "positioning",
    "rate_differentials",
    "tbill_bond_equivalent_pct",
]

FX_ID = "fred.DEXJPUS"
US_3M_IDS = {"DGS3MO": "fred.DGS3MO", "DTB3": "fred.DTB3"}
JP_3M_ID = "fred.IR3TIB01JPM156N"
US_10Y_ID = "fred.DGS10"
JP_10Y_IDS = {"jgb": "jgb.yield.10y", "oecd": "fred.IRLTLT01JPM156N"}
CFTC_PREFIX = {
    "noncommercial": "cftc.jpy.noncommercial",
    "leveraged_funds": "cftc.jpy.leveraged_funds",
}
CFTC_OPEN_INTEREST_ID = "cftc.jpy.open_interest"

JPY_FUTURES_CONTRACT_JPY = 12_500_000.0
"""Size of one CME Japanese yen futures contract, in yen."""
TRADING_DAYS_PER_YEAR = 252
VOL_1M_DAYS = 21
VOL_3M_DAYS = 63
TBILL_DAYS_TO_MATURITY = 91
MONTHLY_STALE_DAYS = 92
POSITIONING_STALE_DAYS = 10
FX_STALE_DAYS = 7

Us3m = Literal["auto", "DGS3MO", "DTB3"]
TbillBasis = Literal["bond_equivalent", "discount"]
Jp10y = Literal["auto", "jgb", "oecd"]
Trader = Literal["noncommercial", "leveraged_funds"]
Confirmation = Literal["none", "vol_spike", "short_covering", "both", "either"]
LowPeriod = Literal["day", "month", "year"]
CONFIRMATIONS = get_args(Confirmation)


# ----------------------------------------------------------------------------- helpers


def _latest(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{column: {"value": last non-missing value, "date": its date}}`` for each column."""
    out: dict[str, dict[str, Any]] = {}
    for column in columns:
        valid = frame[column].dropna() if column in frame else pd.Series(dtype="float64")
        if valid.empty:
            out[column] = {"value": None, "date": None}
        else:
            out[column] = {"value": json_value(valid.iloc[-1]), "date": json_value(valid.index[-1])}
    return out


def _dedupe(obs: pd.DataFrame, series_ids: Sequence[str]) -> pd.DataFrame:
    """Rows of ``series_ids``, one per (series, period): the latest published vintage wins."""
    return latest_per_period(obs.loc[obs["series_id"].isin(list(series_ids))])


def _has(obs: pd.DataFrame, series_id: str) -> bool:
    return bool((obs["series_id"] == series_id).any())


def _asof(
    on: pd.DatetimeIndex | np.ndarray,
    available: pd.DatetimeIndex | np.ndarray,
    values: np.ndarray,
    *,
    max_age_days: int,
) -> np.ndarray:
    """Last value whose availability date (sorted) is on or before each ``on`` date, NaN if
    none or if older than ``max_age_days`` calendar days."""
    on, available = np.asarray(on), np.asarray(available)
    out = np.full(len(on), np.nan)
    if len(available) == 0:
        return out
    pos = np.searchsorted(available, on, side="right") - 1
    ok = pos >= 0
    age = (on[ok] - available[pos[ok]]) / np.timedelta64(1, "D")
    out[ok] = np.where(age <= max_age_days, values[pos[ok]], np.nan)
    return out


def _align_daily(series: pd.Series, on: pd.DatetimeIndex, *, max_gap_days: int) -> np.ndarray:
    """A daily series on ``on``: the last observation on or before each day (holidays), never
    carried past the series' last observation (what comes after is not known yet)."""
    values = _asof(on, series.index, series.to_numpy(), max_age_days=max_gap_days)
    if len(series):
        values[on.to_numpy() > series.index[-1].to_datetime64()] = np.nan
    return values


def _align_monthly(obs: pd.DataFrame, series_id: str, on: pd.DatetimeIndex) -> np.ndarray:
    """A calendar-month series on ``on``, each month usable only after the month has ended."""
    monthly = to_series(obs, series_id, index="period_start", purpose="the carry monitor")
    month_end = monthly.index + pd.offsets.MonthEnd(0)
    available = pd.DatetimeIndex(month_end + pd.Timedelta(days=1))
    return _asof(on, available, monthly.to_numpy(), max_age_days=MONTHLY_STALE_DAYS - 1)


def _as_timestamp(when: str | date | datetime | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(when).tz_localize(None).normalize()


# ----------------------------------------------------------------------------- rates


def tbill_bond_equivalent_pct(
    discount_pct: pd.Series | np.ndarray | float, *, days: int = TBILL_DAYS_TO_MATURITY
) -> Any:
    """Bond-equivalent yield (percent) of a bill quoted on a discount basis (percent).

    ``BEY = 365 d / (360 - d * days)`` with ``d`` the discount rate as a fraction; valid for
    bills of up to half a year (``days`` ≤ 182). 5.24 % discount, 91 days -> 5.385 % BEY.
    """
    d = discount_pct / 100.0
    return 100.0 * 365.0 * d / (360.0 - d * days)


@dataclass(frozen=True)
class RateDifferentials:
    """US minus Japan rates, percentage points, on a daily calendar.

    Columns of :meth:`to_frame`: ``us_3m_pct``, ``jp_3m_pct``, ``diff_3m_pct``, ``us_10y_pct``,
    ``jp_10y_pct``, ``diff_10y_pct`` (NaN where a leg is missing or stale).

    Attributes:
        frame: the daily frame (index ``date``).
        sources: which series fed each leg (``{"us_3m": "fred.DTB3", ...}``; None if absent).
        us_3m_basis: ``"bond_equivalent"`` or ``"discount"`` (DTB3 as published).
        notes: how each leg was built, for the report.
    """

    frame: pd.DataFrame
    sources: Mapping[str, str | None]
    us_3m_basis: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def summary(self) -> dict[str, Any]:
        """Latest values with their dates, the sources and bases used."""
        return {
            "latest": _latest(self.frame, list(self.frame.columns)),
            "sources": dict(self.sources),
            "us_3m_basis": self.us_3m_basis,
            "notes": list(self.notes),
        }


def _us_3m(obs: pd.DataFrame, choice: Us3m, basis: TbillBasis) -> tuple[pd.Series, str, str, str]:
    """The US 3-month leg: (series, source id, basis, note)."""
    if choice == "auto":
        choice = "DGS3MO" if _has(obs, US_3M_IDS["DGS3MO"]) else "DTB3"
    series_id = US_3M_IDS[choice]
    raw = to_series(obs, series_id, purpose="the 3-month rate differential")
    if choice == "DGS3MO":
        return raw, series_id, "bond_equivalent", "US 3m: DGS3MO, constant maturity (BEY)"
    if basis == "discount":
        return raw, series_id, "discount", "US 3m: DTB3 on its discount basis, as published"
    note = "US 3m: DTB3 converted from discount basis to bond-equivalent yield (91 days)"
    return tbill_bond_equivalent_pct(raw), series_id, "bond_equivalent", note


def _jp_10y(
    obs: pd.DataFrame, choice: Jp10y, on: pd.DatetimeIndex, max_gap_days: int
) -> tuple[np.ndarray, str | None, str]:
    """The Japan 10-year leg on ``on``: (values, source id or None, note)."""
    jgb, oecd = JP_10Y_IDS["jgb"], JP_10Y_IDS["oecd"]
    if choice in ("auto", "jgb") and _has(obs, jgb):
        series = to_series(obs, jgb, purpose="the 10-year rate differential")
        note = "Japan 10y: MoF JGB 10-year, daily (Tokyo close precedes the New York day)"
        return _align_daily(series, on, max_gap_days=max_gap_days), jgb, note
    if choice in ("auto", "oecd") and _has(obs, oecd):
        note = "Japan 10y: OECD monthly, used only after its month has ended"
        return _align_monthly(obs, oecd, on), oecd, note
    wanted = {"auto": [jgb, oecd], "jgb": [jgb], "oecd": [oecd]}[choice]
    if choice != "auto":
        require_series(obs, wanted, purpose="the 10-year rate differential")
    return np.full(len(on), np.nan), None, f"Japan 10y: none of {wanted}; 10y columns are empty"


def rate_differentials(
    obs: pd.DataFrame,
    *,
    on: pd.DatetimeIndex | None = None,
    us_3m: Us3m = "auto",
    tbill_basis: TbillBasis = "bond_equivalent",
    jp_10y: Jp10y = "auto",
    max_gap_days: int = 10,
) -> RateDifferentials:
    """US minus Japan 3-month and 10-year rates, percentage points, daily.

    Args:
        obs: canonical observations holding a US 3-month series (DGS3MO or DTB3) and
            ``fred.IR3TIB01JPM156N``; the 10-year legs are optional (columns NaN if absent).
        on: the daily calendar (e.g. the USD/JPY dates); default: the union of the US dates.
        us_3m: ``"auto"`` (DGS3MO if present, else DTB3), or force one.
        tbill_basis: DTB3 converted to ``"bond_equivalent"`` (default) or left on its
            ``"discount"`` basis. Ignored for DGS3MO.
        jp_10y: ``"auto"`` (JGB daily, else OECD monthly), ``"jgb"`` or ``"oecd"``.
        max_gap_days: a daily rate older than this (calendar days) is treated as missing.

    Raises:
        DataError: a required series is missing.
    """
    require_series(obs, [JP_3M_ID], purpose="the 3-month rate differential")
    obs = _dedupe(obs, [*US_3M_IDS.values(), JP_3M_ID, US_10Y_ID, *JP_10Y_IDS.values()])
    us3, us3_id, basis, us3_note = _us_3m(obs, us_3m, tbill_basis)
    us10 = to_series(obs, US_10Y_ID) if _has(obs, US_10Y_ID) else pd.Series(dtype="float64")
    if on is None:
        on = us3.index.union(pd.DatetimeIndex(us10.index))
    on = pd.DatetimeIndex(on, name="date")
    jp10, jp10_id, jp10_note = _jp_10y(obs, jp_10y, on, max_gap_days)
    frame = pd.DataFrame(index=on)
    frame["us_3m_pct"] = _align_daily(us3, on, max_gap_days=max_gap_days)
    frame["jp_3m_pct"] = _align_monthly(obs, JP_3M_ID, on)
    frame["diff_3m_pct"] = frame["us_3m_pct"] - frame["jp_3m_pct"]
    frame["us_10y_pct"] = _align_daily(us10, on, max_gap_days=max_gap_days) if len(us10) else np.nan
    frame["jp_10y_pct"] = jp10
    frame["diff_10y_pct"] = frame["us_10y_pct"] - frame["jp_10y_pct"]
    notes = (
        us3_note,
        "Japan 3m: OECD monthly interbank rate, used only after its month has ended",
        jp10_note,
    )
    sources = {
        "us_3m": us3_id,
        "jp_3m": JP_3M_ID,
        "us_10y": US_10Y_ID if len(us10) else None,
        "jp_10y": jp10_id,
    }
    return RateDifferentials(frame=frame, sources=sources, us_3m_basis=basis, notes=notes)


# ----------------------------------------------------------------------------- FX risk


@dataclass(frozen=True)
class FxVolatility:
    """USD/JPY realized volatility.

    Columns: ``usdjpy_jpy_per_usd``, ``log_return_pct`` (100 x log return since the previous
    observation), ``vol_1m_pct_ann`` and ``vol_3m_pct_ann`` (sample standard deviation of the
    last 21 / 63 daily log returns x sqrt(252) x 100; percent per year).
    """

    frame: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def summary(self) -> dict[str, Any]:
        """Latest values with their dates."""
        return {"latest": _latest(self.frame, list(self.frame.columns))}


def _usdjpy(obs: pd.DataFrame) -> pd.Series:
    return to_series(obs, FX_ID, purpose="the carry monitor (USD/JPY)")


def fx_volatility(obs: pd.DataFrame) -> FxVolatility:
    """USD/JPY realized volatility (1 and 3 months) from ``fred.DEXJPUS``."""
    return _fx_volatility(_usdjpy(_dedupe(obs, [FX_ID])))


def _fx_volatility(usdjpy: pd.Series) -> FxVolatility:
    frame = pd.DataFrame({"usdjpy_jpy_per_usd": usdjpy.to_numpy()}, index=usdjpy.index)
    frame.index.name = "date"
    frame["log_return_pct"] = log_returns(usdjpy).to_numpy() * 100.0
    frame["vol_1m_pct_ann"] = annualized_vol_pct(usdjpy, window=VOL_1M_DAYS).to_numpy()
    frame["vol_3m_pct_ann"] = annualized_vol_pct(usdjpy, window=VOL_3M_DAYS).to_numpy()
    return FxVolatility(frame=frame)


# ----------------------------------------------------------------------------- carry index


@dataclass(frozen=True)
class CarryIndex:
    """Total-return index of long USD / short JPY funded at the Japanese 3-month rate.

    Columns: ``usdjpy_jpy_per_usd``, ``diff_3m_pct`` (the differential accrued over the next
    interval), ``spot_return_pct``, ``carry_accrual_pct``, ``carry_return_pct`` (their sum),
    ``carry_index_base100`` (100 on the first day with a differential), ``carry_drawdown_pct``
    (percent below the index's running high, ≤ 0). The index stops at the first day whose
    previous-day differential is missing (no silent skipping).

    Attributes:
        frame: the daily frame.
        drawdowns: every underwater period, deepest first (see
            :func:`yenflow.analytics.stats.drawdown_periods`).
    """

    frame: pd.DataFrame
    drawdowns: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def summary(self, *, top: int = 5) -> dict[str, Any]:
        """Latest level, current drawdown and the ``top`` deepest drawdown periods."""
        level = self.frame["carry_index_base100"].dropna()
        periods = [
            {k: json_value(v) for k, v in row.items()}
            for row in self.drawdowns.head(top).to_dict(orient="records")
        ]
        return {
            "first_date": json_value(level.index[0]) if len(level) else None,
            "latest": _latest(self.frame, ["carry_index_base100", "carry_drawdown_pct"]),
            "max_drawdowns": periods,
        }


def build_carry_index(usdjpy: pd.Series, diff_3m_pct: pd.Series) -> CarryIndex:
    """The carry index from USD/JPY (yen per dollar) and the US minus Japan 3-month rate
    (percentage points, aligned on the same dates; NaN where unknown).

    ``r_t = S_t/S_{t-1} - 1 + diff_{t-1}/100 * days_t/360``; the index is 100 on the first day
    with a differential and compounds ``1 + r_t`` from there. With a zero differential the index
    is ``100 * S_t / S_0`` exactly.
    """
    diff = diff_3m_pct.reindex(usdjpy.index)
    days = usdjpy.index.to_series().diff().dt.days.to_numpy(dtype="float64")
    spot = usdjpy.pct_change().to_numpy()
    accrual = diff.shift(1).to_numpy() / 100.0 * days / 360.0
    growth = 1.0 + spot + accrual
    valid = np.flatnonzero(~np.isnan(diff.to_numpy()))
    level = np.full(len(usdjpy), np.nan)
    if len(valid):
        first = valid[0]
        level[first] = 100.0
        level[first + 1 :] = 100.0 * np.cumprod(growth[first + 1 :])  # NaN once a leg is missing
    frame = pd.DataFrame(index=pd.DatetimeIndex(usdjpy.index, name="date"))
    frame["usdjpy_jpy_per_usd"] = usdjpy.to_numpy()
    frame["diff_3m_pct"] = diff.to_numpy()
    frame["spot_return_pct"] = spot * 100.0
    frame["carry_accrual_pct"] = accrual * 100.0
    frame["carry_return_pct"] = (growth - 1.0) * 100.0
    frame["carry_index_base100"] = level
    frame["carry_drawdown_pct"] = drawdown_pct(frame["carry_index_base100"])
    return CarryIndex(frame=frame, drawdowns=drawdown_periods(frame["carry_index_base100"]))


# ----------------------------------------------------------------------------- positioning


@dataclass(frozen=True)
class Positioning:
    """CFTC yen futures positioning of one trader group, weekly (Tuesday "as of" dates).

    Columns: ``long_contracts``, ``short_contracts``, ``net_long_jpy_contracts`` (long minus
    short; **> 0 = net long yen = against the carry trade**, < 0 = short yen = carry),
    ``open_interest_contracts``, ``net_long_jpy_pct_oi``, ``usdjpy_jpy_per_usd`` (DEXJPUS on the
    as-of date, or the last day before), ``net_long_jpy_usd_bn`` (contracts x ¥12.5m / USDJPY /
    1e9), ``net_long_jpy_z_3y`` (z-score of the net over the last 156 reports, current one
    included; NaN until 156 reports exist), ``net_change_1w_contracts`` (change since the
    previous report; > 0 = yen buying / short covering).
    """

    frame: pd.DataFrame
    trader: str
    z_window_weeks: int

    def to_frame(self) -> pd.DataFrame:
        """A copy of the weekly frame."""
        return self.frame.copy()

    def summary(self) -> dict[str, Any]:
        """Latest values with their report dates, and the conventions."""
        return {
            "trader": self.trader,
            "sign": "net_long_jpy > 0 = speculators net long yen (against the carry trade)",
            "contract_size_jpy": JPY_FUTURES_CONTRACT_JPY,
            "z_window_weeks": self.z_window_weeks,
            "latest": _latest(self.frame, list(self.frame.columns)),
        }


def positioning(
    obs: pd.DataFrame, *, trader: Trader = "noncommercial", z_window_weeks: int = 156
) -> Positioning:
    """CFTC yen positioning of ``trader`` in contracts and USD bn, with z-score and change.

    ``fred.DEXJPUS`` is optional: without it the USD columns are NaN.

    Raises:
        DataError: the trader group's net series is missing.
    """
    prefix = CFTC_PREFIX[trader]
    ids = [f"{prefix}.{leg}" for leg in ("long", "short", "net")] + [CFTC_OPEN_INTEREST_ID, FX_ID]
    sub = _dedupe(obs, ids)
    net = to_series(sub, f"{prefix}.net", purpose=f"CFTC {trader} yen positioning")
    frame = pd.DataFrame(index=pd.DatetimeIndex(net.index, name="report_date"))
    for column, series_id in (
        ("long_contracts", f"{prefix}.long"),
        ("short_contracts", f"{prefix}.short"),
        ("open_interest_contracts", CFTC_OPEN_INTEREST_ID),
    ):
        frame[column] = to_series(sub, series_id) if _has(sub, series_id) else np.nan
    frame["net_long_jpy_contracts"] = net
    frame["net_long_jpy_pct_oi"] = 100.0 * net / frame["open_interest_contracts"]
    fx = _usdjpy(sub) if _has(sub, FX_ID) else pd.Series(dtype="float64")
    frame["usdjpy_jpy_per_usd"] = _align_daily(fx, frame.index, max_gap_days=FX_STALE_DAYS)
    frame["net_long_jpy_usd_bn"] = (
        net * JPY_FUTURES_CONTRACT_JPY / frame["usdjpy_jpy_per_usd"] / 1e9
    )
    frame["net_long_jpy_z_3y"] = rolling_zscore(net, window=z_window_weeks)
    frame["net_change_1w_contracts"] = net.diff()
    return Positioning(frame=frame, trader=trader, z_window_weeks=z_window_weeks)


# ----------------------------------------------------------------------------- unwinds


@dataclass(frozen=True)
class UnwindParams:
    """Parameters of the unwind detector (see :func:`detect_unwinds` for the rule).

    Attributes:
        fall_pct: minimum fall of USD/JPY from the peak, percent (default 8).
        peak_window_days: the peak is the highest close of the last N observations (126 ≈ 6
            months).
        max_fall_days: the fall must happen within M observations of the peak (63 ≈ 3 months).
        recovery_fraction: an episode ends once USD/JPY has retraced this share of its fall
            from the peak to the lowest close so far (0.5 = half), ...
        quiet_days: ... or this many observations (21 ≈ 1 month) after its last trigger day,
            whichever comes first.
        vol_spike_ratio: an episode has a volatility spike if the highest 1-month vol during it
            is at least this multiple of the 3-month vol on the peak day.
        short_covering_contracts: an episode has short covering if the speculative net long yen
            rose by at least this many contracts above its level at the peak (max over the
            reports during the episode).
        confirm: keep only episodes with ``"vol_spike"``, ``"short_covering"``, ``"both"``,
            ``"either"``, or all (``"none"``, default; the flags are reported anyway).
    """

    fall_pct: float = 8.0
    peak_window_days: int = 126
    max_fall_days: int = 63
    recovery_fraction: float = 0.5
    quiet_days: int = 21
    vol_spike_ratio: float = 1.5
    short_covering_contracts: float = 50_000.0
    confirm: Confirmation = "none"

    def __post_init__(self) -> None:
        checks = (
            (0 < self.fall_pct < 100, "fall_pct must be in (0, 100)"),
            (self.peak_window_days >= 2, "peak_window_days must be at least 2"),
            (self.max_fall_days >= 1, "max_fall_days must be at least 1"),
            (0 < self.recovery_fraction <= 1, "recovery_fraction must be in (0, 1]"),
            (self.quiet_days >= 1, "quiet_days must be at least 1"),
            (self.vol_spike_ratio > 0, "vol_spike_ratio must be positive"),
            (self.confirm in CONFIRMATIONS, f"confirm must be one of {CONFIRMATIONS}"),
        )
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)


@dataclass(frozen=True)
class UnwindEpisode:
    """One dated unwind: USD/JPY from a peak (``start``) to its ``trough``.

    Prices are DEXJPUS closes (yen per dollar); ``depth_pct`` = 100 x (trough / peak - 1) < 0;
    ``length_days`` = calendar days from peak to trough; ``end`` is None while the episode is
    active (``end_reason`` "recovered", "quiet" or "active"). Positioning fields are in
    contracts, net long yen, from the last CFTC report on or before the date (None without
    data); ``positioning_change_contracts`` = net at trough - net at peak (> 0 = short covering).
    ``carry_index_drawdown_pct`` is the carry index's lowest level during the episode relative to
    its level on the peak day (None before the rates data begin).
    """

    start: pd.Timestamp
    start_usdjpy: float
    first_signal: pd.Timestamp
    trough: pd.Timestamp
    trough_usdjpy: float
    end: pd.Timestamp | None
    end_reason: Literal["recovered", "quiet", "active"]
    depth_pct: float
    length_days: int
    vol_3m_at_start_pct_ann: float | None
    vol_1m_max_pct_ann: float | None
    vol_spike: bool | None
    net_long_jpy_start_contracts: float | None
    net_long_jpy_trough_contracts: float | None
    positioning_change_contracts: float | None
    max_short_covering_contracts: float | None
    short_covering: bool | None
    carry_index_drawdown_pct: float | None

    @property
    def active(self) -> bool:
        """Whether the episode had not ended by the last observation."""
        return self.end is None

    def depth_jpy(self) -> float:
        """Trough minus peak, yen per dollar (< 0)."""
        return self.trough_usdjpy - self.start_usdjpy

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields (dates as ISO strings)."""
        return {k: json_value(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class UnwindEpisodes:
    """The episodes found, oldest first, with the parameters and data span."""

    episodes: tuple[UnwindEpisode, ...]
    params: UnwindParams
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None

    def __len__(self) -> int:
        return len(self.episodes)

    def between(
        self, start: str | date | None = None, end: str | date | None = None
    ) -> tuple[UnwindEpisode, ...]:
        """Episodes whose peak falls in ``[start, end]`` (either bound optional)."""
        lo = _as_timestamp(start) if start is not None else pd.Timestamp.min
        hi = _as_timestamp(end) if end is not None else pd.Timestamp.max
        return tuple(e for e in self.episodes if lo <= e.start <= hi)

    def covering(self, when: str | date) -> UnwindEpisode | None:
        """The episode whose span (peak to end, or to now if active) contains ``when``."""
        day = _as_timestamp(when)
        for episode in self.episodes:
            last = episode.end if episode.end is not None else self.last_date
            if episode.start <= day <= last:
                return episode
        return None

    @property
    def active(self) -> UnwindEpisode | None:
        """The active episode, if the last one has not ended."""
        return self.episodes[-1] if self.episodes and self.episodes[-1].active else None

    def to_frame(self) -> pd.DataFrame:
        """One row per episode."""
        rows = [asdict(e) for e in self.episodes]
        columns = list(UnwindEpisode.__dataclass_fields__)
        return pd.DataFrame(rows, columns=columns)

    def summary(self) -> dict[str, Any]:
        """Count, data span, parameters and every episode."""
        return {
            "count": len(self.episodes),
            "first_date": json_value(self.first_date),
            "last_date": json_value(self.last_date),
            "params": asdict(self.params),
            "episodes": [e.to_dict() for e in self.episodes],
        }


@dataclass(frozen=True)
class _Span:
    """Positions (in the USD/JPY array) of one episode."""

    start: int
    first_signal: int
    trough: int
    end: int | None
    reason: Literal["recovered", "quiet", "active"]


def _trigger_days(v: np.ndarray, p: UnwindParams) -> tuple[np.ndarray, np.ndarray]:
    """(positions of trigger days, position of the rolling peak for every day)."""
    peak = rolling_peak_index(v, p.peak_window_days)
    pos = np.arange(len(v))
    hit = (v <= v[peak] * (1.0 - p.fall_pct / 100.0)) & (pos - peak <= p.max_fall_days)
    return np.flatnonzero(hit), peak


def _episode_end(
    v: np.ndarray, start: int, first: int, triggers: np.ndarray, p: UnwindParams
) -> tuple[int | None, Literal["recovered", "quiet", "active"]]:
    """Where an episode starting at ``start`` with first trigger ``first`` ends."""
    n = len(v)
    seg = v[start:]
    low = np.minimum.accumulate(seg)
    recovered = seg >= low + p.recovery_fraction * (seg[0] - low)
    last = first
    while True:
        after = np.flatnonzero(recovered[last - start + 1 :])
        rec_end = last + 1 + int(after[0]) if after.size else n
        quiet_end = last + p.quiet_days
        end = min(rec_end, quiet_end)
        later = triggers[np.searchsorted(triggers, min(end, n - 1), side="right") - 1]
        if later > last:
            last = int(later)
            continue
        if end >= n:
            return None, "active"
        return end, "recovered" if rec_end <= quiet_end else "quiet"


def _find_spans(v: np.ndarray, p: UnwindParams) -> list[_Span]:
    triggers, peak = _trigger_days(v, p)
    spans: list[_Span] = []
    prev_end = -1
    j = 0
    while j < len(triggers):
        t = int(triggers[j])
        start = int(peak[t])
        if start < prev_end:  # the peak lies inside the previous episode: restart after it
            start = prev_end + int(np.argmax(v[prev_end : t + 1]))
            if v[t] > v[start] * (1.0 - p.fall_pct / 100.0):
                j += 1
                continue
        end, reason = _episode_end(v, start, t, triggers, p)
        last = len(v) - 1 if end is None else end
        trough = start + int(np.argmin(v[start : last + 1]))
        spans.append(_Span(start, t, trough, end, reason))
        if end is None:
            break
        prev_end = end
        j = int(np.searchsorted(triggers, end, side="right"))
    return spans


@dataclass(frozen=True)
class _Inputs:
    """The detector's inputs as numpy arrays, indexed by position in the USD/JPY calendar
    (``net`` by report), so that every episode is a few slices."""

    dates: np.ndarray
    usdjpy: np.ndarray
    vol_1m: np.ndarray
    vol_3m: np.ndarray
    carry: np.ndarray
    net_dates: np.ndarray
    net: np.ndarray

    @classmethod
    def build(cls, usdjpy: pd.Series, net: pd.Series | None, carry: pd.Series | None) -> _Inputs:
        fx = _fx_volatility(usdjpy.dropna().sort_index()).frame
        net = net.dropna().sort_index() if net is not None else pd.Series(dtype="float64")
        carry_on_fx = carry.reindex(fx.index) if carry is not None else None
        return cls(
            dates=fx.index.to_numpy(),
            usdjpy=fx["usdjpy_jpy_per_usd"].to_numpy(),
            vol_1m=fx["vol_1m_pct_ann"].to_numpy(),
            vol_3m=fx["vol_3m_pct_ann"].to_numpy(),
            carry=np.full(len(fx), np.nan) if carry_on_fx is None else carry_on_fx.to_numpy(),
            net_dates=pd.DatetimeIndex(net.index).to_numpy(),
            net=net.to_numpy(dtype="float64"),
        )


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _positioning_fields(a: _Inputs, span: _Span, last: int, p: UnwindParams) -> dict[str, Any]:
    """Net long yen at the peak's and the trough's last report, and the covering in between."""
    start_net = trough_net = covering = None
    if a.net.size:
        days = a.dates[[span.start, span.trough]]
        at = _asof(days, a.net_dates, a.net, max_age_days=POSITIONING_STALE_DAYS)
        start_net, trough_net = _none_if_nan(at[0]), _none_if_nan(at[1])
        lo = np.searchsorted(a.net_dates, a.dates[span.start], side="left")
        hi = np.searchsorted(a.net_dates, a.dates[last], side="right")
        if start_net is not None and hi > lo:
            covering = float(a.net[lo:hi].max() - start_net)
    return {
        "net_long_jpy_start_contracts": start_net,
        "net_long_jpy_trough_contracts": trough_net,
        "positioning_change_contracts": (
            None if start_net is None or trough_net is None else trough_net - start_net
        ),
        "max_short_covering_contracts": covering,
        "short_covering": None if covering is None else covering >= p.short_covering_contracts,
    }


def _carry_drawdown(a: _Inputs, span: _Span, last: int) -> float | None:
    """Lowest carry index level during the episode relative to the peak day's, percent."""
    at_start = a.carry[span.start]
    window = a.carry[span.start : last + 1]
    if np.isnan(at_start) or np.isnan(window).all():
        return None
    return float((np.nanmin(window) / at_start - 1.0) * 100.0)


def _episode(span: _Span, a: _Inputs, p: UnwindParams) -> UnwindEpisode:
    last = len(a.usdjpy) - 1 if span.end is None else span.end
    start, trough = pd.Timestamp(a.dates[span.start]), pd.Timestamp(a.dates[span.trough])
    v = a.usdjpy
    vol3 = a.vol_3m[span.start]
    window = a.vol_1m[span.start : last + 1]
    vol1 = np.nan if np.isnan(window).all() else np.nanmax(window)
    has_vol = not (np.isnan(vol3) or np.isnan(vol1))
    return UnwindEpisode(
        start=start,
        start_usdjpy=float(v[span.start]),
        first_signal=pd.Timestamp(a.dates[span.first_signal]),
        trough=trough,
        trough_usdjpy=float(v[span.trough]),
        end=None if span.end is None else pd.Timestamp(a.dates[span.end]),
        end_reason=span.reason,
        depth_pct=float((v[span.trough] / v[span.start] - 1.0) * 100.0),
        length_days=int((trough - start).days),
        vol_3m_at_start_pct_ann=_none_if_nan(vol3),
        vol_1m_max_pct_ann=_none_if_nan(vol1),
        vol_spike=bool(vol1 >= p.vol_spike_ratio * vol3) if has_vol else None,
        carry_index_drawdown_pct=_carry_drawdown(a, span, last),
        **_positioning_fields(a, span, last, p),
    )


def _confirmed(episode: UnwindEpisode, confirm: Confirmation) -> bool:
    vol, cover = bool(episode.vol_spike), bool(episode.short_covering)
    return {
        "none": True,
        "vol_spike": vol,
        "short_covering": cover,
        "both": vol and cover,
        "either": vol or cover,
    }[confirm]


def detect_unwinds(
    usdjpy: pd.Series,
    *,
    params: UnwindParams | None = None,
    net_long_jpy: pd.Series | None = None,
    carry_index: pd.Series | None = None,
) -> UnwindEpisodes:
    """Dated carry-unwind episodes in USD/JPY (yen per dollar, daily closes).

    Rule (positions count observations; defaults in :class:`UnwindParams`):

    1. **Peak**: on each day ``t``, ``P_t`` is the highest close of the last
       ``peak_window_days`` (126) observations, reached on day ``p_t``.
    2. **Trigger**: day ``t`` triggers if ``S_t ≤ P_t (1 - fall_pct/100)`` (8 %) and
       ``t - p_t ≤ max_fall_days`` (63): a fall of at least 8 % from a 6-month high within
       3 months of it.
    3. **Episode**: starts at the peak ``p_t`` of its first trigger day. It ends on the first
       day after its latest trigger on which USD/JPY has retraced ``recovery_fraction`` (half) of
       the fall from the peak to the lowest close so far, or ``quiet_days`` (21) observations
       after its latest trigger, whichever comes first. Trigger days before the end extend it,
       so overlapping falls merge into one episode. The **trough** is the lowest close from the
       peak to the end. An episode that has not ended on the last day is *active*.
    4. A trigger after an episode's end starts a new one; if its peak lies inside the previous
       episode, the peak is the highest close since that episode's end, and the fall from it
       must again reach ``fall_pct``.
    5. **Confirmations** (reported for every episode; a filter only if ``confirm`` says so):
       a volatility spike (1-month vol during the episode ≥ ``vol_spike_ratio`` x 3-month vol on
       the peak day), and short covering (speculative net long yen up ≥
       ``short_covering_contracts`` from the peak's report, at its highest during the episode).

    With the defaults, DEXJPUS 1971-2026 yields 24 episodes, 9 of them since 2005 (among them
    2008, 2013, 2016, March 2020, late 2022, July-September 2024 with its trough of 140.66 on
    2024-09-13, and January-April 2025).

    Args:
        usdjpy: USD/JPY closes on a sorted DatetimeIndex.
        params: detector parameters.
        net_long_jpy: CFTC speculative net long yen, contracts, by report (as-of) date.
        carry_index: the carry index level on the USD/JPY dates.
    """
    p = params or UnwindParams()
    a = _Inputs.build(usdjpy, net_long_jpy, carry_index)
    spans = _find_spans(a.usdjpy, p) if len(a.usdjpy) else []
    candidates = (_episode(span, a, p) for span in spans)
    n = len(a.dates)
    return UnwindEpisodes(
        episodes=tuple(e for e in candidates if _confirmed(e, p.confirm)),
        params=p,
        first_date=pd.Timestamp(a.dates[0]) if n else None,
        last_date=pd.Timestamp(a.dates[-1]) if n else None,
    )


@dataclass(frozen=True)
class LowDistance:
    """How far USD/JPY stood above an episode's low.

    ``above_low_jpy`` = rate - low (yen per dollar), ``above_low_pct`` = 100 x (rate / low - 1);
    negative values mean below the episode's low (the yen stronger than at that trough).
    """

    date: pd.Timestamp
    usdjpy_jpy_per_usd: float
    period: LowPeriod
    episode_trough: pd.Timestamp
    episode_low_jpy_per_usd: float
    above_low_jpy: float
    above_low_pct: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return {k: json_value(v) for k, v in asdict(self).items()}


def distance_from_low(
    usdjpy: pd.Series,
    episode: UnwindEpisode,
    when: str | date | pd.Timestamp,
    *,
    period: LowPeriod = "day",
) -> LowDistance:
    """USD/JPY on ``when`` compared with ``episode``'s trough.

    ``period="day"`` takes the close on ``when`` (or the last one within 7 days before);
    ``"month"`` / ``"year"`` take the lowest close of the calendar month / year containing
    ``when`` (e.g. ``("2025-04", period="month")`` -> 140.81 on 2025-04-21).

    Raises:
        DataError: no USD/JPY close in the requested day or period.
    """
    day = _as_timestamp(when)
    series = usdjpy.dropna().sort_index()
    if period == "day":
        window = series.loc[day - pd.Timedelta(days=FX_STALE_DAYS) : day].tail(1)
    else:
        freq = "M" if period == "month" else "Y"
        span = day.to_period(freq)
        window = series.loc[span.start_time : span.end_time]
    if window.empty:
        msg = f"no USD/JPY (fred.DEXJPUS) close for the {period} of {day.date()}"
        raise DataError(msg)
    at = window.idxmin()
    rate = float(window.loc[at])
    low = episode.trough_usdjpy
    return LowDistance(
        date=at,
        usdjpy_jpy_per_usd=rate,
        period=period,
        episode_trough=episode.trough,
        episode_low_jpy_per_usd=low,
        above_low_jpy=rate - low,
        above_low_pct=(rate / low - 1.0) * 100.0,
    )


# ----------------------------------------------------------------------------- monitor

DAILY_STATE_COLUMNS = (
    "usdjpy_jpy_per_usd",
    "us_3m_pct",
    "jp_3m_pct",
    "diff_3m_pct",
    "us_10y_pct",
    "jp_10y_pct",
    "diff_10y_pct",
    "vol_1m_pct_ann",
    "vol_3m_pct_ann",
    "carry_to_risk",
    "carry_index_base100",
    "carry_drawdown_pct",
)
POSITIONING_STATE_COLUMNS = (
    "net_long_jpy_contracts",
    "net_long_jpy_usd_bn",
    "net_long_jpy_z_3y",
    "net_change_1w_contracts",
    "net_long_jpy_pct_oi",
)


@dataclass(frozen=True)
class CarryMonitor:
    """Everything about the yen carry trade, on the USD/JPY calendar.

    :meth:`to_frame` columns (daily, index ``date``): ``usdjpy_jpy_per_usd``, the rate legs and
    ``diff_3m_pct`` / ``diff_10y_pct``, ``vol_1m_pct_ann``, ``vol_3m_pct_ann``,
    ``carry_to_risk`` (``diff_3m_pct / vol_3m_pct_ann``: annual carry per unit of annual
    volatility, dimensionless), ``carry_return_pct``, ``carry_index_base100``,
    ``carry_drawdown_pct``, the last CFTC report's ``net_long_jpy_contracts``,
    ``net_long_jpy_usd_bn``, ``net_long_jpy_z_3y`` (as of its Tuesday, for up to 10 days), and
    ``unwind_episode_no`` (1-based number in :attr:`episodes`, NA outside episodes).
    """

    frame: pd.DataFrame
    differentials: RateDifferentials
    volatility: FxVolatility
    carry: CarryIndex
    positioning: Positioning | None
    episodes: UnwindEpisodes
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def state(self) -> dict[str, Any]:
        """Latest value (with its date) of every headline figure, and the episode status."""
        daily = _latest(self.frame, DAILY_STATE_COLUMNS)
        weekly = (
            _latest(self.positioning.frame, POSITIONING_STATE_COLUMNS)
            if self.positioning is not None
            else {c: {"value": None, "date": None} for c in POSITIONING_STATE_COLUMNS}
        )
        active = self.episodes.active
        last = self.episodes.episodes[-1] if self.episodes.episodes else None
        return {
            "as_of": json_value(self.frame.index[-1]) if len(self.frame) else None,
            **daily,
            **weekly,
            "unwind_active": active is not None,
            "active_episode": active.to_dict() if active else None,
            "last_episode": last.to_dict() if last else None,
        }

    def summary(self) -> dict[str, Any]:
        """The state, the episodes, the carry index's drawdowns and the sources and notes."""
        return {
            "state": self.state(),
            "episodes": self.episodes.summary(),
            "carry_index": self.carry.summary(),
            "differentials": {
                "sources": dict(self.differentials.sources),
                "us_3m_basis": self.differentials.us_3m_basis,
            },
            "positioning": self.positioning.summary() if self.positioning else None,
            "notes": [*self.differentials.notes, *self.notes],
        }

    def distance_from_low(
        self, episode: UnwindEpisode, when: str | date, *, period: LowPeriod = "day"
    ) -> LowDistance:
        """:func:`distance_from_low` on this monitor's USD/JPY."""
        return distance_from_low(self.frame["usdjpy_jpy_per_usd"], episode, when, period=period)


def _daily_positioning(pos: Positioning | None, on: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    columns = ("net_long_jpy_contracts", "net_long_jpy_usd_bn", "net_long_jpy_z_3y")
    if pos is None:
        return {c: np.full(len(on), np.nan) for c in columns}
    f = pos.frame
    return {
        c: _asof(on, f.index, f[c].to_numpy(), max_age_days=POSITIONING_STALE_DAYS) for c in columns
    }


def _episode_numbers(episodes: UnwindEpisodes, on: pd.DatetimeIndex) -> pd.Series:
    out = pd.Series(pd.NA, index=on, dtype="Int64")
    for number, e in enumerate(episodes.episodes, start=1):
        out.loc[e.start : e.end if e.end is not None else on[-1]] = number
    return out


def carry_monitor(
    obs: pd.DataFrame,
    *,
    us_3m: Us3m = "auto",
    tbill_basis: TbillBasis = "bond_equivalent",
    jp_10y: Jp10y = "auto",
    trader: Trader = "noncommercial",
    params: UnwindParams | None = None,
) -> CarryMonitor:
    """The whole carry-trade monitor from canonical observations.

    Needs ``fred.DEXJPUS``, a US 3-month series and ``fred.IR3TIB01JPM156N``; the 10-year legs
    and the CFTC series are optional (empty columns and a note if absent). Options as in
    :func:`rate_differentials`, :func:`positioning` and :class:`UnwindParams`.

    Raises:
        DataError: a required series is missing.
    """
    require_series(obs, [FX_ID], purpose="the carry monitor (USD/JPY)")
    cftc = [f"{CFTC_PREFIX[trader]}.{leg}" for leg in ("long", "short", "net")]
    ids = [FX_ID, *US_3M_IDS.values(), JP_3M_ID, US_10Y_ID, *JP_10Y_IDS.values(), *cftc]
    sub = _dedupe(obs, [*ids, CFTC_OPEN_INTEREST_ID])  # once: the rest reads this small frame
    fx = _fx_volatility(_usdjpy(sub))
    on = fx.frame.index
    diffs = rate_differentials(sub, on=on, us_3m=us_3m, tbill_basis=tbill_basis, jp_10y=jp_10y)
    carry = build_carry_index(fx.frame["usdjpy_jpy_per_usd"], diffs.frame["diff_3m_pct"])
    notes: list[str] = []
    pos = None
    if _has(sub, f"{CFTC_PREFIX[trader]}.net"):
        pos = positioning(sub, trader=trader)
    else:
        notes.append(f"no CFTC {trader} yen positioning in the store: positioning columns empty")
    net = pos.frame["net_long_jpy_contracts"] if pos is not None else None
    episodes = detect_unwinds(
        fx.frame["usdjpy_jpy_per_usd"],
        params=params,
        net_long_jpy=net,
        carry_index=carry.frame["carry_index_base100"],
    )
    frame = pd.concat(
        [
            fx.frame[["usdjpy_jpy_per_usd", "log_return_pct", "vol_1m_pct_ann", "vol_3m_pct_ann"]],
            diffs.frame,
            carry.frame[["carry_return_pct", "carry_index_base100", "carry_drawdown_pct"]],
        ],
        axis=1,
    )
    frame["carry_to_risk"] = frame["diff_3m_pct"] / frame["vol_3m_pct_ann"]
    for column, values in _daily_positioning(pos, on).items():
        frame[column] = values
    frame["unwind_episode_no"] = _episode_numbers(episodes, on)
    return CarryMonitor(
        frame=frame,
        differentials=diffs,
        volatility=fx,
        carry=carry,
        positioning=pos,
        episodes=episodes,
        notes=tuple(notes),
    )
