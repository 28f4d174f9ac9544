"""Section (d): US Treasury holdings of Japan, mainland China and the UK (TIC)."""

from __future__ import annotations

from functools import partial

import pandas as pd

from yenflow.analytics.holdings import (
    COUNTRY_PREFIX,
    GRAND_TOTAL,
    HOLDERS,
    HolderMonth,
    TreasuryHoldings,
)
from yenflow.errors import DataError
from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.model import Chart, Column, Fact, Table

_HOLDING_COLUMNS = (
    Column("holder", "Holder"),
    Column("month", "Month"),
    Column("holdings_usd_bn", "Holdings (USD bn)", ",.1f", short="USD bn"),
    Column("change_usd_bn", "Change on month (USD bn)", "+,.1f", short="Month chg"),
    Column("change_pct", "Change (%)", "+.1f"),
    Column("change_12m_usd_bn", "Change on year (USD bn)", "+,.1f"),
    Column("rank", "Rank", "d"),
    Column("n_holders", "of holders", "d"),
    Column("share_pct", "Share of foreign holdings (%)", ".1f", short="Share %"),
)


def _year_change(holdings: TreasuryHoldings, m: HolderMonth) -> float | None:
    """Change from twelve months earlier (USD bn), or None if that month is absent."""
    try:
        earlier = holdings.at(
            holder=m.holder, month=pd.Timestamp(m.period_start) - pd.DateOffset(years=1)
        )
    except DataError:
        return None
    return m.holdings_usd_bn - earlier.holdings_usd_bn


def build(inputs: Inputs, out: Draft) -> None:
    """Latest holdings of Japan, mainland China and the UK: facts, a table and a chart."""
    out.intro = (
        "US Treasury TIC 'Major Foreign Holders of Treasury Securities': end-of-month holdings "
        "in USD bn, by country of the custodian (not of the owner). Rank among the countries "
        "TIC lists that month; share of all foreign holdings."
    )
    needed = [f"{COUNTRY_PREFIX}{h}" for h in HOLDERS]
    if not out.has(*needed, GRAND_TOTAL):
        return
    with out.part("Treasury holdings"):
        holdings = inputs.analyses.holdings
        out.results["treasury_holdings"] = holdings
        rows = []
        for holder in holdings.holders:
            m = holdings.latest(holder=holder)
            year = _year_change(holdings, m)
            rows.append(
                (
                    charts.holder_label(holder),
                    f"{m.period_end:%Y-%m}",
                    m.holdings_usd_bn,
                    m.change_usd_bn,
                    m.change_pct,
                    year,
                    m.rank,
                    m.n_holders,
                    m.share_pct,
                )
            )
            out.facts.append(
                Fact(
                    f"{holder}.latest",
                    _holding_sentence(m, year),
                    m.holdings_usd_bn,
                    "USD bn",
                    {"record": m.to_dict(), "change_12m_usd_bn": year},
                )
            )
        out.tables.append(
            Table(
                "latest",
                "Latest month",
                _HOLDING_COLUMNS,
                tuple(rows),
                caption=f"Series {', '.join(needed)}, {GRAND_TOTAL}.",
            )
        )
        out.charts.append(
            Chart("holdings", "Treasury holdings", partial(charts.holdings_chart, holdings))
        )
        out.inform(holdings.notes)


def _holding_sentence(m: HolderMonth, year: float | None) -> str:
    text = (
        f"{charts.holder_label(m.holder)} held USD {m.holdings_usd_bn:,.1f} bn of US Treasuries "
        f"at the end of {m.period_end:%B %Y}"
    )
    changes = []
    if m.change_usd_bn is not None:
        changes.append(f"{m.change_usd_bn:+,.1f} bn on the month")
    if year is not None:
        changes.append(f"{year:+,.1f} bn on the year")
    if changes:
        text += f" ({'; '.join(changes)})"
    text += f", rank {m.rank} of {m.n_holders} listed holders"
    if m.share_pct is not None:
        text += f", {m.share_pct:.1f}% of all foreign holdings"
    return text + "."
