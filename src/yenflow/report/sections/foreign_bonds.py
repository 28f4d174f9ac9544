"""Section (b): Japanese investors' weekly foreign-bond flows, 2-week sums and records."""

from __future__ import annotations

from functools import partial
from typing import Literal

from yenflow.analytics.flows import BREAKS, FlowWindows, weekly_series_id
from yenflow.analytics.inputs import USDJPY_ID
from yenflow.analytics.records import plain
from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.model import Chart, Column, Table
from yenflow.report.sections.mof_flows import NET_COLUMNS, PERIOD_COLUMNS

#: episodes listed in each of the two tables (largest net sales, largest net purchases).
TOP_EPISODES = 10

_EPISODE_COLUMNS = (
    Column("rank", "Rank", "d"),
    *PERIOD_COLUMNS,
    *NET_COLUMNS,
    Column("published_at", "Published", "datetime"),
)


def _episode_table(
    windows: FlowWindows, side: Literal["sale", "purchase"], top: int, *, comparable: bool
) -> Table:
    """The ``top`` largest non-overlapping 2-week windows on ``side``, ranked (over all weeks,
    or over the weeks from MoF's January 2014 break only)."""
    rows = windows.episodes(
        direction="outward",
        asset="long_term_debt",
        weeks=2,
        side=side,
        top=top,
        comparable_only=comparable,
    )
    cells = tuple(
        (
            int(r["episode_rank"]),
            r["period_start"],
            r["period_end"],
            float(r["net_jpy_100m"]),
            float(r["net_jpy_tn"]),
            plain(r["net_usd_bn"]),
            r["published_at"],
        )
        for r in rows.to_dict(orient="records")
    )
    brk = BREAKS["long_term_debt"]
    if comparable:
        return Table(
            f"top_2week_{side}s_since_break",
            f"Largest 2-week net {side}s of foreign long-term bonds since {brk:%B %Y} "
            "(non-overlapping, comparable period)",
            _EPISODE_COLUMNS,
            cells,
            caption=(
                f"Only windows from {brk:%B %Y} on, after MoF moved investment funds from "
                "long-term debt into equity and investment fund shares."
            ),
        )
    return Table(
        f"top_2week_{side}s",
        f"Largest 2-week net {side}s of foreign long-term bonds (non-overlapping)",
        _EPISODE_COLUMNS,
        cells,
        caption=(
            f"All windows since 2005: this ranking pools the years before MoF's {brk:%B %Y} "
            "break (investment funds then counted in long-term debt) with those after it."
        ),
    )


def build(inputs: Inputs, out: Draft) -> None:
    """The weekly and 2-week flow chart and the largest 2-week net sales and purchases."""
    out.intro = (
        "Japanese investors' weekly net purchases of foreign long-term bonds (MoF, ¥ trillion) "
        "and the rolling 2-week sum; the largest non-overlapping 2-week net sales and purchases "
        "are marked with their rank."
    )
    sid = weekly_series_id("outward", "long_term_debt")
    out.use(USDJPY_ID)
    if not out.has(sid):
        return
    with out.part("foreign-bond flows"):
        windows = inputs.analyses.flows("outward", "long_term_debt")
        out.results["outward.long_term_debt"] = windows
        out.charts.append(
            Chart(
                "flows",
                "Weekly and 2-week foreign-bond flows",
                partial(charts.flows_chart, windows, direction="outward", asset="long_term_debt"),
                caption=f"Series {sid}; drag the slider below the chart to see the whole history.",
            )
        )
        for comparable in (False, True):
            out.tables.append(_episode_table(windows, "sale", TOP_EPISODES, comparable=comparable))
            out.tables.append(
                _episode_table(windows, "purchase", TOP_EPISODES, comparable=comparable)
            )
