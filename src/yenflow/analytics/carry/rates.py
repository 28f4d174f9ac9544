"""US minus Japan rate differentials on a daily calendar, release-dated.

* US 3-month: ``fred.DGS3MO`` (constant maturity, bond-equivalent) if present, else
  ``fred.DTB3`` (secondary-market bill rate, **discount basis**), by default converted to a
  bond-equivalent yield ``BEY = 365 d / (360 - 91 d)`` (``d`` the discount rate as a fraction,
  91 days to maturity), so that it is comparable with coupon yields; at 5 % the conversion adds
  about 13 bp. ``tbill_basis="discount"`` keeps FRED's figure as is.
* Japan 3-month: ``fred.IR3TIB01JPM156N`` (OECD 3-month interbank rate, a **monthly** figure for
  a calendar month, money-market basis, left as is: at Japanese rates of 0-1 % the day-count
  basis differs from the bond-equivalent basis by less than 2 bp).
* 10-year: ``fred.DGS10`` minus ``jgb.yield.10y`` (MoF, daily) or, if absent,
  ``fred.IRLTLT01JPM156N`` (OECD, monthly).

Alignment (:mod:`yenflow.analytics.align`): a daily rate is that market day's (the last
observation on or before the day, ignored once older than ``max_gap_days`` calendar days, never
carried past the series' last observation); a **monthly** rate is used from the day it was
**published** (FRED stamps the OECD months about 45 days after the month; never before the
month has ended) until a newer month is published, for at most 92 days after its month end.
The month used is kept in ``jp_3m_period_end`` / ``jp_10y_period_end``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from yenflow.analytics import align
from yenflow.analytics.carry._common import dedupe, has, latest
from yenflow.analytics.carry.series import (
    JP_3M_ID,
    JP_10Y_IDS,
    MONTHLY_STALE_DAYS,
    TBILL_DAYS_TO_MATURITY,
    US_3M_IDS,
    US_10Y_ID,
)
from yenflow.analytics.inputs import require_series, to_series
from yenflow.analytics.results import ResultBase

__all__ = [
    "RateDifferentials",
    "Us3m",
    "jp_10y_id",
    "rate_differentials",
    "tbill_bond_equivalent_pct",
    "us_3m_id",
]

Us3m = Literal["auto", "DGS3MO", "DTB3"]
TbillBasis = Literal["bond_equivalent", "discount"]
Jp10y = Literal["auto", "jgb", "oecd"]

RATE_COLUMNS = ("us_3m_pct", "jp_3m_pct", "diff_3m_pct", "us_10y_pct", "jp_10y_pct", "diff_10y_pct")


def tbill_bond_equivalent_pct(
    discount_pct: pd.Series | np.ndarray | float, *, days: int = TBILL_DAYS_TO_MATURITY
) -> Any:
    """Bond-equivalent yield (percent) of a bill quoted on a discount basis (percent).

    ``BEY = 365 d / (360 - d * days)`` with ``d`` the discount rate as a fraction; valid for
    bills of up to half a year (``days`` ≤ 182). 5.24 % discount, 91 days -> 5.385 % BEY.
    """
    d = discount_pct / 100.0
    return 100.0 * 365.0 * d / (360.0 - d * days)


@dataclass(frozen=True, repr=False)
class RateDifferentials(ResultBase):
    """US minus Japan rates, percentage points, on a daily calendar.

    Columns of :meth:`to_frame`: ``us_3m_pct``, ``jp_3m_pct``, ``diff_3m_pct``, ``us_10y_pct``,
    ``jp_10y_pct``, ``diff_10y_pct`` (NaN where a leg is missing or stale), the month of each
    monthly leg (``jp_3m_period_end``, ``jp_10y_period_end``) and ``known_at`` (UTC: when every
    value of the row had been published).

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
            "latest": latest(self.frame, list(RATE_COLUMNS)),
            "sources": dict(self.sources),
            "us_3m_basis": self.us_3m_basis,
            "notes": list(self.notes),
        }


def us_3m_id(series_ids: Iterable[str], choice: Us3m = "auto") -> str:
    """The US 3-month series used among ``series_ids``: DGS3MO if present, else DTB3 (the one
    place of that choice; the report asks it which series to name)."""
    if choice == "auto":
        choice = "DGS3MO" if US_3M_IDS["DGS3MO"] in set(series_ids) else "DTB3"
    return US_3M_IDS[choice]


def jp_10y_id(series_ids: Iterable[str], choice: Jp10y = "auto") -> str:
    """The Japan 10-year series used among ``series_ids``: the daily JGB yield if present,
    else the OECD monthly one (the JGB id when neither is there)."""
    present = set(series_ids)
    jgb, oecd = JP_10Y_IDS["jgb"], JP_10Y_IDS["oecd"]
    if choice == "jgb" or (choice == "auto" and (jgb in present or oecd not in present)):
        return jgb
    return oecd


def _us_3m(obs: pd.DataFrame, choice: Us3m, basis: TbillBasis) -> tuple[pd.Series, str, str, str]:
    """The US 3-month leg: (series, source id, basis, note)."""
    series_id = us_3m_id(obs["series_id"].unique(), choice)
    choice = "DGS3MO" if series_id == US_3M_IDS["DGS3MO"] else "DTB3"
    raw = to_series(obs, series_id, purpose="the 3-month rate differential")
    if choice == "DGS3MO":
        return raw, series_id, "bond_equivalent", "US 3m: DGS3MO, constant maturity (BEY)"
    if basis == "discount":
        return raw, series_id, "discount", "US 3m: DTB3 on its discount basis, as published"
    note = "US 3m: DTB3 converted from discount basis to bond-equivalent yield (91 days)"
    return tbill_bond_equivalent_pct(raw), series_id, "bond_equivalent", note


def _monthly(obs: pd.DataFrame, series_id: str, on: pd.DatetimeIndex) -> pd.DataFrame:
    """A calendar-month series on ``on``, each month used from its publication."""
    return align.as_known(obs, series_id, on, max_age_days=MONTHLY_STALE_DAYS, not_before_days=1)


def _jp_10y(
    obs: pd.DataFrame, choice: Jp10y, on: pd.DatetimeIndex, max_gap_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str | None, str]:
    """The Japan 10-year leg on ``on``: (values, period ends, publication, source id, note)."""
    jgb, oecd = JP_10Y_IDS["jgb"], JP_10Y_IDS["oecd"]
    nat = np.full(len(on), np.datetime64("NaT"), dtype="datetime64[ns]")
    if choice in ("auto", "jgb") and has(obs, jgb):
        series = to_series(obs, jgb, purpose="the 10-year rate differential")
        note = "Japan 10y: MoF JGB 10-year, daily (Tokyo close precedes the New York day)"
        values = align.on_or_before(series, on, max_gap_days=max_gap_days)
        return values, nat, align.published(obs, jgb, on), jgb, note
    if choice in ("auto", "oecd") and has(obs, oecd):
        note = "Japan 10y: OECD monthly, used from its publication (after its month has ended)"
        known = _monthly(obs, oecd, on)
        return (
            known["value"].to_numpy(),
            known["period"].to_numpy(),
            known["published_at"].to_numpy(),
            oecd,
            note,
        )
    wanted = {"auto": [jgb, oecd], "jgb": [jgb], "oecd": [oecd]}[choice]
    if choice != "auto":
        require_series(obs, wanted, purpose="the 10-year rate differential")
    note = f"Japan 10y: none of {wanted}; 10y columns are empty"
    return np.full(len(on), np.nan), nat, nat, None, note


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
    obs = dedupe(obs, [*US_3M_IDS.values(), JP_3M_ID, US_10Y_ID, *JP_10Y_IDS.values()])
    us3, us3_id, basis, us3_note = _us_3m(obs, us_3m, tbill_basis)
    us10 = to_series(obs, US_10Y_ID) if has(obs, US_10Y_ID) else pd.Series(dtype="float64")
    if on is None:
        on = us3.index.union(pd.DatetimeIndex(us10.index))
    on = pd.DatetimeIndex(on, name="date")
    jp10, jp10_period, jp10_pub, jp10_id, jp10_note = _jp_10y(obs, jp_10y, on, max_gap_days)
    jp3 = _monthly(obs, JP_3M_ID, on)
    frame = pd.DataFrame(index=on)
    frame["us_3m_pct"] = align.on_or_before(us3, on, max_gap_days=max_gap_days)
    frame["jp_3m_pct"] = jp3["value"].to_numpy()
    frame["diff_3m_pct"] = frame["us_3m_pct"] - frame["jp_3m_pct"]
    frame["us_10y_pct"] = (
        align.on_or_before(us10, on, max_gap_days=max_gap_days) if len(us10) else np.nan
    )
    frame["jp_10y_pct"] = jp10
    frame["diff_10y_pct"] = frame["us_10y_pct"] - frame["jp_10y_pct"]
    frame["jp_3m_period_end"] = jp3["period"].to_numpy()
    frame["jp_10y_period_end"] = pd.DatetimeIndex(jp10_period)
    frame["known_at"] = align.known_at(
        align.published(obs, us3_id, on),
        jp3["published_at"],
        align.published(obs, US_10Y_ID, on),
        jp10_pub,
    )
    notes = (
        us3_note,
        "Japan 3m: OECD monthly interbank rate, used from its publication (after its month "
        "has ended)",
        jp10_note,
    )
    sources = {
        "us_3m": us3_id,
        "jp_3m": JP_3M_ID,
        "us_10y": US_10Y_ID if len(us10) else None,
        "jp_10y": jp10_id,
    }
    return RateDifferentials(frame=frame, sources=sources, us_3m_basis=basis, notes=notes)
