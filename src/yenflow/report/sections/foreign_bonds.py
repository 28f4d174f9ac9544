"""Section (b): Japanese investors' weekly foreign-bond flows, 2-week sums and records."""

from __future__ import annotations

from functools import partial
from typing import Literal

from yenflow.analytics.flows import FlowWindows, weekly_series_id
from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.formatting import plain
from yenflow.report.model import Chart, Column, Table
from yenflow.report.sections.mof_flows import NET_COLUMNS, PERIOD_COLUMNS, RATE_SERIES, flows

#: episodes listed in each of the two tables (largest net sales, largest net purchases).
TOP_EPISODES = 10

_EPISODE_COLUMNS = (
    Column("rank", "Rank", "d"),
    *PERIOD_COLUMNS,
    *NET_COLUMNS,
    Column("published_at", "Published", "datetime"),
)


def _episode_table(windows: FlowWindows, side: Literal["sale", "purchase"], top: int) -> Table:
    """The ``top`` largest non-overlapping 2-week windows on ``side``, ranked."""
    rows = windows.episodes(
        direction="outward", asset="long_term_debt", weeks=2, side=side, top=top
    )
    cells = tuple(
        (
            int(r[f"episode_rank_{side}"]),
            r["period_start"],
            r["period_end"],
            float(r["net_jpy_100m"]),
            float(r["net_jpy_tn"]),
            plain(r["net_usd_bn"]),
            r["published_at"],
        )
        for r in rows.to_dict(orient="records")
    )
    return Table(
        f"top_2week_{side}s",
        f"Largest 2-week net {side}s of foreign long-term bonds (non-overlapping)",
        _EPISODE_COLUMNS,
        cells,
    )


def build(inputs: Inputs, out: Draft) -> None:
    """The weekly and 2-week flow chart and the largest 2-week net sales and purchases."""
    out.intro = (
        "Japanese investors' weekly net purchases of foreign long-term bonds (MoF, ¥ trillion) "
        "and the rolling 2-week sum; the largest non-overlapping 2-week net sales and purchases "
        "are marked with their rank."
    )
    sid = weekly_series_id("outward", "long_term_debt")
    out.use(RATE_SERIES)
    if not out.has(sid):
        return
    with out.part("foreign-bond flows"):
        windows = flows(inputs, "outward", "long_term_debt")
        out.results["outward.long_term_debt"] = windows
        out.charts.append(
            Chart(
                "flows",
                "Weekly and 2-week foreign-bond flows",
                partial(charts.flows_chart, windows, direction="outward", asset="long_term_debt"),
                caption=f"Series {sid}; drag the slider below the chart to see the whole history.",
            )
        )
        out.tables.append(_episode_table(windows, "sale", TOP_EPISODES))
        out.tables.append(_episode_table(windows, "purchase", TOP_EPISODES))
