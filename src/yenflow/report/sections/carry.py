"""Section (e): the yen carry monitor.

USD/JPY with dated unwind episodes, US minus Japan rate differentials, carry-to-risk, a carry
index and CFTC yen futures positioning, each shown as far as its series are in the store.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd

from yenflow.analytics.carry import (
    FX_ID,
    JP_3M_ID,
    US_10Y_ID,
    CarryMonitor,
    Latest,
    Positioning,
    UnwindEpisode,
    UnwindEpisodes,
    distance_from_low,
    jp_10y_id,
    us_3m_id,
)
from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.formatting import format_cell, format_time
from yenflow.report.model import Chart, Column, Fact, Table

#: (state key, label, unit, format) of the carry state table, in display order.
_STATE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("usdjpy_jpy_per_usd", "USD/JPY", "yen per USD", ".2f"),
    ("vol_1m_pct_ann", "Realized volatility, 1 month", "% a year", ".1f"),
    ("vol_3m_pct_ann", "Realized volatility, 3 months", "% a year", ".1f"),
    ("us_3m_pct", "US 3-month rate", "%", ".2f"),
    ("jp_3m_pct", "Japan 3-month rate", "%", ".2f"),
    ("diff_3m_pct", "3-month differential (US − Japan)", "pp", "+.2f"),
    ("us_10y_pct", "US 10-year yield", "%", ".2f"),
    ("jp_10y_pct", "Japan 10-year yield", "%", ".3f"),
    ("diff_10y_pct", "10-year differential (US − Japan)", "pp", "+.2f"),
    ("carry_to_risk", "Carry-to-risk (3m differential / 3m vol)", "ratio", ".2f"),
    ("carry_index_base100", "Carry index", "base 100", ".1f"),
    ("carry_drawdown_pct", "Carry index below its high", "%", "+.1f"),
    ("net_long_jpy_contracts", "CFTC net long yen (non-commercial)", "contracts", "+,.0f"),
    ("net_long_jpy_usd_bn", "CFTC net long yen, in USD", "USD bn", "+,.2f"),
    ("net_long_jpy_pct_oi", "CFTC net long yen, share of open interest", "%", "+.1f"),
    ("net_long_jpy_z_3y", "CFTC net long yen, 3-year z-score", "z", "+.2f"),
    ("net_change_1w_contracts", "CFTC net long yen, change on the week", "contracts", "+,.0f"),
)

_EPISODE_TABLE_COLUMNS = (
    Column("start", "Peak", "date"),
    Column("start_usdjpy", "Peak (¥/USD)", ".2f", short="¥/USD"),
    Column("trough", "Trough", "date"),
    Column("trough_usdjpy", "Trough (¥/USD)", ".2f", short="¥/USD"),
    Column("depth_pct", "Fall (%)", "+.1f", short="Fall %"),
    Column("end", "End", "date"),
    Column("end_reason", "Ended"),
    Column("vol_1m_max_pct_ann", "Max 1m vol (% a year)", ".1f"),
    Column("positioning_change_contracts", "CFTC net long yen change (contracts)", "+,.0f"),
    Column("carry_index_drawdown_pct", "Carry index fall (%)", "+.1f"),
)
#: episodes shown in the table: those whose peak is on or after this day.
EPISODES_SINCE = "2000-01-01"


def _state_table(monitor: CarryMonitor) -> Table:
    """Latest value and date of every carry figure (rows have their own number formats)."""
    rows = []
    for key, label, unit, fmt in _STATE_ROWS:
        last = monitor.latest(key)
        date = None if last.date is None else last.date.date().isoformat()
        rows.append((key, label, format_cell(last.value, fmt), unit, date, last.value))
    columns = (
        Column("key", "Key", hidden=True),
        Column("figure", "Figure"),
        Column("shown", "Latest", align="right"),
        Column("unit", "Unit"),
        Column("date", "Date", "date"),
        Column("value", "Value", hidden=True),
    )
    return Table("state", "Carry monitor: latest values", columns, tuple(rows))


def _episode_rows(episodes: UnwindEpisodes) -> tuple[tuple[Any, ...], ...]:
    since = pd.Timestamp(EPISODES_SINCE)
    return tuple(
        tuple(getattr(e, c.key) for c in _EPISODE_TABLE_COLUMNS)
        for e in episodes.episodes
        if e.start >= since
    )


def _last_ended(episodes: UnwindEpisodes) -> UnwindEpisode | None:
    ended = [e for e in episodes.episodes if e.end is not None]
    return ended[-1] if ended else None


def _distance_fact(usdjpy: pd.Series, episodes: UnwindEpisodes) -> Fact | None:
    """ "USD/JPY latest X stands Y% above/below the low of the last unwind episode"."""
    last = _last_ended(episodes)
    rate = usdjpy.dropna()
    if last is None or rate.empty:
        return None
    d = distance_from_low(rate, last, rate.index[-1])
    where = "above" if d.above_low_pct >= 0 else "below"
    text = (
        f"USD/JPY latest {d.usdjpy_jpy_per_usd:.2f} ({format_time(d.date)}) stands "
        f"{abs(d.above_low_pct):.1f}% {where} the low of the last unwind episode "
        f"({d.episode_low_jpy_per_usd:.2f} on {format_time(d.episode_trough)}; that episode fell "
        f"{abs(last.depth_pct):.1f}% from {last.start_usdjpy:.2f} on {format_time(last.start)})."
    )
    return Fact("usdjpy_vs_last_unwind_low", text, d.above_low_pct, "percent", d.to_dict())


def _unwind_fact(episodes: UnwindEpisodes) -> Fact:
    p = episodes.params
    rule = (
        f"rule: USD/JPY at least {p.fall_pct:g}% below its highest close of the last "
        f"{p.peak_window_days} trading days, within {p.max_fall_days} days of that high"
    )
    active = episodes.active
    if active is None:
        return Fact(
            "unwind_active",
            f"No carry-unwind episode is under way ({rule}); {len(episodes)} episodes since "
            f"{format_time(episodes.first_date)}.",
            False,
            "",
            {"episodes": len(episodes)},
        )
    text = (
        f"A carry-unwind episode is under way: USD/JPY fell {abs(active.depth_pct):.1f}% from "
        f"{active.start_usdjpy:.2f} on {format_time(active.start)} to {active.trough_usdjpy:.2f} "
        f"on {format_time(active.trough)} ({rule})."
    )
    return Fact("unwind_active", text, True, "", {"episode": active.to_dict()})


def _day(last: Latest) -> str:
    return format_time(last.date) if last.date is not None else "—"


def _carry_facts(monitor: CarryMonitor) -> list[Fact]:
    facts = []
    fx = monitor.latest("usdjpy_jpy_per_usd")
    vol1, vol3 = monitor.latest("vol_1m_pct_ann").value, monitor.latest("vol_3m_pct_ann").value
    if fx.value is not None:
        text = f"USD/JPY {fx.value:.2f} yen per dollar on {_day(fx)} (FRED DEXJPUS, noon New York)"
        if vol1 is not None and vol3 is not None:
            text += f"; realized volatility {vol1:.1f}% (1 month) and {vol3:.1f}% (3 months) a year"
        facts.append(Fact("usdjpy", text + ".", fx.value, "JPY per USD"))
    d3 = monitor.latest("diff_3m_pct")
    if d3.value is not None:
        us3, jp3 = monitor.latest("us_3m_pct").value, monitor.latest("jp_3m_pct").value
        text = (
            f"US minus Japan 3-month rate: {d3.value:+.2f} pp on {_day(d3)} (US {us3:.2f}%, "
            f"Japan {jp3:.2f}%)"
        )
        d10 = monitor.latest("diff_10y_pct")
        if d10.value is not None:
            text += f"; 10-year: {d10.value:+.2f} pp on {_day(d10)}"
        facts.append(Fact("diff_3m_pct", text + ".", d3.value, "percentage points"))
    ctr = monitor.latest("carry_to_risk")
    if ctr.value is not None:
        facts.append(
            Fact(
                "carry_to_risk",
                f"Carry-to-risk (3-month differential / 3-month realized volatility): "
                f"{ctr.value:.2f} on {_day(ctr)}.",
                ctr.value,
                "ratio",
            )
        )
    index, dd = monitor.latest("carry_index_base100"), monitor.latest("carry_drawdown_pct").value
    base = monitor.carry.summary()["first_date"]
    if index.value is not None and dd is not None:
        facts.append(
            Fact(
                "carry_index",
                f"Carry index (long USD / short JPY funded at the Japanese 3-month rate, 100 on "
                f"{base}): {index.value:.1f} on {_day(index)}, {abs(dd):.1f}% below its high.",
                index.value,
                "index, base 100",
                {"drawdown_pct": dd},
            )
        )
    return facts


def _positioning_fact(pos: Positioning) -> Fact | None:
    net = pos.latest("net_long_jpy_contracts")
    if net.value is None:
        return None
    side = "net long yen" if net.value > 0 else "net short yen (the carry-trade side)"
    trader = {"noncommercial": "non-commercial", "leveraged_funds": "leveraged-fund"}.get(
        pos.trader, pos.trader
    )
    day = _day(net)
    text = f"CFTC {trader} traders' net long yen: {net.value:+,.0f} contracts on {day}, {side}"
    usd = pos.latest("net_long_jpy_usd_bn")
    if usd.value is not None:
        text += f"; USD {usd.value:+,.2f} bn" + ("" if _day(usd) == day else f" on {_day(usd)}")
    z = pos.latest("net_long_jpy_z_3y").value
    if z is not None:
        text += f"; z-score {z:+.2f} over {pos.z_window_weeks} reports"
    change = pos.latest("net_change_1w_contracts").value
    if change is not None:
        text += f"; {change:+,.0f} contracts on the week"
    latest = pos.summary()["latest"]
    return Fact("cftc_net_long_jpy", text + ".", net.value, "contracts", {"latest": latest})


def build(inputs: Inputs, out: Draft) -> None:
    """USD/JPY and unwind episodes, differentials and carry index, and CFTC positioning."""
    out.intro = (
        "The yen carry trade: USD/JPY with dated unwind episodes (shaded), US minus Japan rate "
        "differentials (DTB3 converted to a bond-equivalent yield; Japan OECD 3-month "
        "interbank, monthly, used once its month is over; JGB 10-year), carry-to-risk, a carry "
        "index, and CFTC yen futures positioning (> 0 net long yen, < 0 net short yen)."
    )
    bundle = inputs.analyses
    present = bundle.series
    has_fx = out.has(FX_ID)
    has_rates = out.has(us_3m_id(present), JP_3M_ID)
    out.use(US_10Y_ID, jp_10y_id(present))
    has_cftc = out.has(*bundle.needs("positioning").required)
    out.use(*(s for s in bundle.needs("positioning").optional if s in inputs.fresh))
    pos: Positioning | None = None
    if has_fx and has_rates:
        with out.part("carry monitor"):
            monitor = bundle.carry
            out.results["carry_monitor"] = monitor
            pos = monitor.positioning
            usdjpy = monitor.frame["usdjpy_jpy_per_usd"]
            _carry_outputs(out, usdjpy, monitor.episodes)
            out.facts[:0] = _carry_facts(monitor)
            out.tables.insert(0, _state_table(monitor))
            out.charts.append(
                Chart(
                    "carry",
                    "Differentials, carry-to-risk, carry index",
                    partial(charts.carry_chart, monitor),
                )
            )
            out.inform((*monitor.differentials.notes, *monitor.notes))
    elif has_fx:
        with out.part("USD/JPY unwind episodes"):
            episodes = bundle.unwinds
            out.results["unwind_episodes"] = episodes
            _carry_outputs(out, bundle.usdjpy_closes, episodes)
    if pos is None and has_cftc:
        with out.part("CFTC positioning"):
            pos = bundle.positioning
    if pos is not None:
        out.results.setdefault("positioning", pos)
        fact = _positioning_fact(pos)
        if fact is not None:
            out.facts.append(fact)
        out.charts.append(
            Chart("positioning", "CFTC yen positioning", partial(charts.positioning_chart, pos))
        )


def _carry_outputs(out: Draft, usdjpy: pd.Series, episodes: UnwindEpisodes) -> None:
    """Facts, table and chart that need only USD/JPY and its unwind episodes."""
    distance = _distance_fact(usdjpy, episodes)
    if distance is not None:
        out.facts.append(distance)
    out.facts.append(_unwind_fact(episodes))
    out.tables.append(
        Table(
            "episodes",
            f"Carry-unwind episodes since {EPISODES_SINCE[:4]}",
            _EPISODE_TABLE_COLUMNS,
            _episode_rows(episodes),
            caption="Peak = the highest close before the fall; USD/JPY closes (FRED DEXJPUS).",
        )
    )
    out.charts.append(
        Chart(
            "usdjpy", "USD/JPY and unwind episodes", partial(charts.usdjpy_chart, usdjpy, episodes)
        )
    )
