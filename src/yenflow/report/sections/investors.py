"""Section (c): monthly net purchases of foreign long-term bonds by type of investor."""

from __future__ import annotations

from functools import partial

from yenflow.analytics.flows import INVESTOR_PREFIX, monthly_total_id
from yenflow.analytics.inputs import USDJPY_ID
from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.model import Chart, Column, Table
from yenflow.report.sections.mof_flows import NET_COLUMNS, SIDE_COLUMNS, net_cells

#: the all-investor monthly total, shown when the by-investor series are absent.
TOTAL_SERIES = monthly_total_id("long_term_debt")

_INVESTOR_COLUMNS = (
    Column("investor", "Investor"),
    Column("month", "Month"),
    *NET_COLUMNS,
    *SIDE_COLUMNS,
    Column("n_months", "of months", ",d", short="of"),
    Column("largest_since", "Largest since (month)", ""),
)


def build(inputs: Inputs, out: Draft) -> None:
    """The latest month of every investor type (or of the total) ranked, and a chart."""
    out.intro = (
        "MoF monthly net purchases of foreign long-term bonds by type of investor (banks, "
        "life insurers, trust banks, investment trusts...), ¥100 million, net purchase > 0; "
        "each month ranked among all months of that investor."
    )
    by_type = sorted(
        sid
        for sid in inputs.analyses.series
        if sid.startswith(INVESTOR_PREFIX) and sid.endswith(".long_term_debt.net")
    )
    if by_type:
        out.use(*by_type)
    else:
        out.note(
            "info",
            "investor types not available: MoF's by-investor files (monthb1-4.csv) are not in "
            "the store; the monthly all-investor total is shown instead",
        )
        if not out.has(TOTAL_SERIES):
            return
    out.use(USDJPY_ID)
    with out.part("investor-type flows"):
        flows = inputs.analyses.investors
        out.results["investor_flows"] = flows
        rows = tuple(
            (
                m.investor.replace("_", " "),
                f"{m.period_start:%Y-%m}",
                *net_cells(m),
                m.n_months,
                f"{m.largest_since:%Y-%m}" if m.largest_since else "the data begin",
            )
            for m in flows.latest_month()
        )
        out.tables.append(
            Table("latest_month", "Latest month by investor", _INVESTOR_COLUMNS, rows)
        )
        out.charts.append(
            Chart("investors", "Monthly net purchases", partial(charts.investor_chart, flows))
        )
        out.inform(n for n in flows.notes if not n.startswith("no investor-type series"))
