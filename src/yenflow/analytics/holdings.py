"""Foreign holdings of US Treasury securities (TIC "Major Foreign Holders").

:func:`treasury_holdings` takes TIC's end-of-month holdings (USD bn) of every
listed country (``tic.holdings.<country>``) and the all-holder total
(``tic.aggregate.grand_total``) and, for a few holders (Japan, mainland China
and the United Kingdom by default), reports each month:

``holdings_usd_bn``
    holdings at the end of the month, USD bn.
``change_usd_bn``, ``change_pct``
    change from the end of the previous calendar month (USD bn, percent of the
    previous level); NaN when the previous month is not in the data.
``series_break``
    True in the months TIC marks as series breaks (:data:`SERIES_BREAKS`: new
    benchmark surveys, the switch to Form SLT in 2011): that month's change
    mixes flows with a revision of the level, so it is not a flow.
``rank``, ``n_holders``
    rank by holdings among the countries TIC lists separately that month (1 =
    largest; ties share the best rank), and how many were listed. Only
    ``tic.holdings.*`` series count: aggregates (``tic.aggregate.*``: all
    other, grand total, foreign official...) and regional groups listed in
    :data:`GROUPS` never do. The list of "major holders" changes over time.
``share_pct``
    percent of the grand total of all foreign holdings.
``total_usd_bn``
    the grand total, USD bn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from yenflow.analytics.inputs import require_series
from yenflow.analytics.records import record_from_row, record_to_dict
from yenflow.analytics.results import ResultBase
from yenflow.errors import DataError

__all__ = [
    "COUNTRY_PREFIX",
    "GRAND_TOTAL",
    "GROUPS",
    "HOLDERS",
    "SERIES_BREAKS",
    "HolderMonth",
    "TreasuryHoldings",
    "treasury_holdings",
]

COUNTRY_PREFIX = "tic.holdings."
GRAND_TOTAL = "tic.aggregate.grand_total"
HOLDERS: tuple[str, ...] = ("japan", "china_mainland", "united_kingdom")
#: ``tic.holdings.*`` slugs that are groups of countries in older TIC tables, not holders.
GROUPS: frozenset[str] = frozenset(
    {"oil_exporters", "caribbean_banking_centers", "all_other", "grand_total"}
)
UNIT = "USD bn"
#: Months whose level starts a new TIC series (footnotes 6/ to 17/ of mfhhis01.txt): the
#: March 2000 benchmark, the June annual surveys of 2002 to 2011, Form SLT data from
#: September 2011 and Series XIII (SLT-based) from December 2011.
SERIES_BREAKS: frozenset[pd.Timestamp] = frozenset(
    pd.Timestamp(m)
    for m in ["2000-03-01", *(f"{y}-06-01" for y in range(2002, 2012)), "2011-09-01", "2011-12-01"]
)

_COLUMNS = [
    "holder",
    "series_id",
    "period_start",
    "period_end",
    "holdings_usd_bn",
    "change_usd_bn",
    "change_pct",
    "series_break",
    "rank",
    "n_holders",
    "share_pct",
    "total_usd_bn",
    "published_at",
]


@dataclass(frozen=True)
class HolderMonth:
    """One holder's Treasury holdings at the end of one month (USD bn)."""

    holder: str
    series_id: str
    period_start: dt.date
    period_end: dt.date
    holdings_usd_bn: float
    change_usd_bn: float | None
    change_pct: float | None
    series_break: bool
    rank: int
    n_holders: int
    share_pct: float | None
    total_usd_bn: float | None
    published_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable dict of every field."""
        return record_to_dict(self)


def _monthly_wide(obs: pd.DataFrame, series_ids: list[str]) -> pd.DataFrame:
    """Series side by side on a complete grid of month starts (NaN where absent)."""
    sub = obs.loc[obs["series_id"].isin(series_ids), ["series_id", "period_start", "value"]]
    sub = sub.assign(month=pd.DatetimeIndex(sub["period_start"]).to_period("M").to_timestamp())
    sub = sub.drop_duplicates(subset=["series_id", "month", "value"])
    dup = sub.duplicated(subset=["series_id", "month"], keep=False)
    if dup.any():
        first = sub.loc[dup].iloc[0]
        msg = (
            f"{first['series_id']} has two different values for {first['month']:%Y-%m}; "
            "pass one vintage (e.g. the store's observations as of a date)"
        )
        raise DataError(msg)
    wide = sub.pivot(index="month", columns="series_id", values="value")
    months = pd.date_range(wide.index.min(), wide.index.max(), freq="MS")
    return wide.reindex(index=months, columns=series_ids)


def _published(obs: pd.DataFrame, series_id: str, months: pd.DatetimeIndex) -> pd.Series:
    """When each month's value of ``series_id`` was published, aligned on ``months``."""
    rows = obs.loc[obs["series_id"] == series_id, ["period_start", "published_at"]]
    month = pd.DatetimeIndex(rows["period_start"]).to_period("M").to_timestamp()
    published = pd.Series(pd.DatetimeIndex(rows["published_at"]), index=month)
    return published[~published.index.duplicated(keep="last")].reindex(months)


@dataclass(frozen=True, eq=False, repr=False)
class TreasuryHoldings(ResultBase):
    """Monthly Treasury holdings, changes, ranks and shares of selected holders.

    Build it with :func:`treasury_holdings`; ``table`` has the columns of the
    module docstring, one row per (holder, month) where the holder is listed.
    """

    table: pd.DataFrame
    notes: tuple[str, ...]
    holders: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table, one row per (holder, month)."""
        return self.table.copy()

    def at(self, *, holder: str, month: dt.date | str) -> HolderMonth:
        """``holder``'s record for the month containing ``month``."""
        start = pd.Timestamp(month).to_period("M").to_timestamp()
        rows = self.table.loc[
            (self.table["holder"] == holder) & (self.table["period_start"] == start)
        ]
        if rows.empty:
            msg = f"no TIC holdings of {holder} for {start:%Y-%m} (holders: {list(self.holders)})"
            raise DataError(msg)
        return record_from_row(HolderMonth, rows.iloc[0])

    def latest(self, *, holder: str) -> HolderMonth:
        """``holder``'s most recent month."""
        rows = self.table.loc[self.table["holder"] == holder]
        if rows.empty:
            msg = f"no TIC holdings of {holder} (holders: {list(self.holders)})"
            raise DataError(msg)
        return record_from_row(HolderMonth, rows.loc[rows["period_start"].idxmax()])

    def summary(self) -> dict[str, Any]:
        """JSON-serializable dict: every holder's latest month."""
        records = [self.latest(holder=h).to_dict() for h in self.holders]
        return {
            "analysis": "tic_treasury_holdings",
            "unit": UNIT,
            "month": max(r["period_start"] for r in records)[:7],
            "holders": records,
            "notes": list(self.notes),
        }


def treasury_holdings(
    obs: pd.DataFrame,
    *,
    holders: Sequence[str] = HOLDERS,
    total_series: str = GRAND_TOTAL,
) -> TreasuryHoldings:
    """Levels, monthly changes, ranks and shares of foreign holders of US Treasuries.

    Args:
        obs: canonical observations with ``tic.holdings.<country>`` (USD bn, end of
            month) for every listed country and ``total_series``.
        holders: country slugs to report (``japan``, ``china_mainland``, ...).
        total_series: the all-foreign-holders total the shares are computed against.

    Raises:
        DataError: a holder or the total is missing, or a month has two values.
    """
    holder_ids = [f"{COUNTRY_PREFIX}{h}" for h in holders]
    require_series(obs, [*holder_ids, total_series], purpose="Treasury holdings")
    ids = pd.Series(obs["series_id"].unique()).astype(str)
    countries = sorted(
        sid
        for sid in ids[ids.str.startswith(COUNTRY_PREFIX)]
        if sid.removeprefix(COUNTRY_PREFIX) not in GROUPS
    )
    wide = _monthly_wide(obs, [*countries, total_series])
    levels = wide[countries]
    ranks = levels.rank(axis=1, ascending=False, method="min")
    listed = levels.notna().sum(axis=1)
    total = wide[total_series]
    parts = []
    for holder, sid in zip(holders, holder_ids, strict=True):
        level = levels[sid]
        change = (level - level.shift(1)).round(9)  # no float noise: 1185.5 - 1202.7 = -17.2
        part = pd.DataFrame(
            {
                "holder": holder,
                "series_id": sid,
                "period_start": level.index,
                "period_end": level.index + pd.offsets.MonthEnd(0),
                "holdings_usd_bn": level.to_numpy(),
                "change_usd_bn": change.to_numpy(),
                "change_pct": (change / level.shift(1) * 100.0).to_numpy(),
                "series_break": level.index.isin(list(SERIES_BREAKS)),
                "rank": ranks[sid].to_numpy(),
                "n_holders": listed.to_numpy(),
                "share_pct": (level / total * 100.0).to_numpy(),
                "total_usd_bn": total.to_numpy(),
                "published_at": _published(obs, sid, level.index).to_numpy(),
            }
        )
        parts.append(part.loc[level.notna().to_numpy()])
    table = pd.concat(parts, ignore_index=True)[_COLUMNS]
    table["rank"] = table["rank"].astype("int64")
    notes = _notes(table, wide, total_series)
    return TreasuryHoldings(table=table, notes=tuple(notes), holders=tuple(holders))


def _notes(table: pd.DataFrame, wide: pd.DataFrame, total_series: str) -> list[str]:
    """What the notes say: months without a total, gaps in a holder's months."""
    notes = []
    no_total = int(table["total_usd_bn"].isna().sum())
    if no_total:
        notes.append(f"{no_total} holder-months have no {total_series}: share_pct is NaN")
    for holder, rows in table.groupby("holder", sort=False):
        gaps = int(rows["change_usd_bn"].isna().sum()) - 1
        if gaps > 0:
            notes.append(f"{holder}: {gaps} month(s) without the previous month: change is NaN")
    breaks = int(table["series_break"].sum())
    if breaks:
        notes.append(
            f"{breaks} holder-months are TIC series breaks (series_break): their change "
            "mixes flows with a revision of the level"
        )
    first, last = wide.index.min(), wide.index.max()
    notes.append(
        f"ranks are among the countries TIC lists separately in each month ({first:%Y-%m}.."
        f"{last:%Y-%m}); the list of major holders changes over time"
    )
    return notes
