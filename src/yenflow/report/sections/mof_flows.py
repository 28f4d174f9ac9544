"""What the MoF flow sections share: flow table cells and side-dependent fields.

Amounts are net purchases (net purchase > 0, net sale < 0) in ¥100 million, ¥ trillion and
USD bn at the average FRED DEXJPUS rate of the period's days.
"""

from __future__ import annotations

from typing import Any

from yenflow.analytics.flows import FlowWindow, InvestorMonth
from yenflow.report.model import Column

PERIOD_COLUMNS = (Column("period_start", "From", "date"), Column("period_end", "To", "date"))
#: the net amount (``net_jpy_100m``, ``net_jpy_tn``, ``net_usd_bn``), its side and its rank.
NET_COLUMNS = (
    Column("net_jpy_100m", "Net (¥100 million)", "+,.0f"),
    Column("net_jpy_tn", "Net (¥ tn)", "+,.2f", short="¥ tn"),
    Column("net_usd_bn", "Net (USD bn)", "+,.1f", short="USD bn"),
)
SIDE_COLUMNS = (
    Column("side", "Side"),
    Column("rank", "Rank on its side", ",d", short="Rank"),
)


#: a flow window or month: a net amount, its side and its ranks on each side.
Ranked = FlowWindow | InvestorMonth


def on_side(record: Ranked, name: str) -> Any:
    """The ``name_sale`` field of a net sale, else the ``name_purchase`` one (e.g. ``rank``)."""
    return getattr(record, f"{name}_sale" if record.side == "sale" else f"{name}_purchase")


def side_label(side: str) -> str:
    """``"net sale"``, ``"net purchase"`` or ``"flat"``."""
    return {"sale": "net sale", "purchase": "net purchase"}.get(side, "flat")


def net_cells(record: Ranked) -> tuple[Any, ...]:
    """The cells of :data:`NET_COLUMNS` and :data:`SIDE_COLUMNS` for one window or month."""
    return (
        record.net_jpy_100m,
        record.net_jpy_tn,
        record.net_usd_bn,
        side_label(record.side),
        on_side(record, "rank"),
    )
