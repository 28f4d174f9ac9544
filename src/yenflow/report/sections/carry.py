"""Section (e): the yen carry monitor.

USD/JPY with dated unwind episodes, US minus Japan rate differentials, carry-to-risk, a carry
index and CFTC yen futures positioning, each shown as far as its series are in the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd

from yenflow.analytics.carry import (
    CFTC_OPEN_INTEREST_ID,
    CFTC_PREFIX,
    FX_ID,
    JP_3M_ID,
    JP_10Y_IDS,
    US_10Y_ID,
    CarryMonitor,
    Positioning,
    UnwindEpisode,
    UnwindEpisodes,
    carry_monitor,
    detect_unwinds,
    distance_from_low,
    fx_volatility,
    positioning,
)
from yenflow.report import charts
from yenflow.report.draft import Draft, Inputs
from yenflow.report.formatting import format_cell, format_time
from yenflow.report.model import Chart, Column, Fact, Table

CFTC_TRADER = "noncommercial"
_CFTC_IDS = (
    *(f"{CFTC_PREFIX[CFTC_TRADER]}.{leg}" for leg in ("net", "long", "short")),
    CFTC_OPEN_INTEREST_ID,
)

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


def _state_table(state: Mapping[str, Any]) -> Table:
    """Latest value and date of every carry figure (rows have their own number formats)."""
    rows = []
    for key, label, unit, fmt in _STATE_ROWS:
        entry = state.get(key) or {}
        value = entry.get("value")
        rows.append((key, label, format_cell(value, fmt), unit, entry.get("date"), value))
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


def _value(state: Mapping[str, Any], key: str) -> tuple[float | None, str]:
    entry = state.get(key) or {}
    return entry.get("value"), format_time(pd.Timestamp(entry["date"])) if entry.get(
        "date"
    ) else "—"


def _carry_facts(monitor: CarryMonitor) -> list[Fact]:
    state = monitor.state()
    facts = []
    fx, fx_day = _value(state, "usdjpy_jpy_per_usd")
    vol1, _ = _value(state, "vol_1m_pct_ann")
    vol3, _ = _value(state, "vol_3m_pct_ann")
    if fx is not None:
        text = f"USD/JPY {fx:.2f} yen per dollar on {fx_day} (FRED DEXJPUS, noon New York)"
        if vol1 is not None and vol3 is not None:
            text += f"; realized volatility {vol1:.1f}% (1 month) and {vol3:.1f}% (3 months) a year"
        facts.append(Fact("usdjpy", text + ".", fx, "JPY per USD"))
    d3, d3_day = _value(state, "diff_3m_pct")
    if d3 is not None:
        us3, _ = _value(state, "us_3m_pct")
        jp3, _ = _value(state, "jp_3m_pct")
        text = (
            f"US minus Japan 3-month rate: {d3:+.2f} pp on {d3_day} (US {us3:.2f}%, "
            f"Japan {jp3:.2f}%)"
        )
        d10, d10_day = _value(state, "diff_10y_pct")
        if d10 is not None:
            text += f"; 10-year: {d10:+.2f} pp on {d10_day}"
        facts.append(Fact("diff_3m_pct", text + ".", d3, "percentage points"))
    ctr, ctr_day = _value(state, "carry_to_risk")
    if ctr is not None:
        facts.append(
            Fact(
                "carry_to_risk",
                f"Carry-to-risk (3-month differential / 3-month realized volatility): "
                f"{ctr:.2f} on {ctr_day}.",
                ctr,
                "ratio",
            )
        )
    index, index_day = _value(state, "carry_index_base100")
    dd, _ = _value(state, "carry_drawdown_pct")
    base = monitor.carry.summary()["first_date"]
    if index is not None and dd is not None:
        facts.append(
            Fact(
                "carry_index",
                f"Carry index (long USD / short JPY funded at the Japanese 3-month rate, 100 on "
                f"{base}): {index:.1f} on {index_day}, {abs(dd):.1f}% below its high.",
                index,
                "index, base 100",
                {"drawdown_pct": dd},
            )
        )
    return facts


def _positioning_fact(pos: Positioning) -> Fact | None:
    latest = pos.summary()["latest"]
    net, day = _value(latest, "net_long_jpy_contracts")
    if net is None:
        return None
    side = "net long yen" if net > 0 else "net short yen (the carry-trade side)"
    trader = {"noncommercial": "non-commercial", "leveraged_funds": "leveraged-fund"}.get(
        pos.trader, pos.trader
    )
    text = f"CFTC {trader} traders' net long yen: {net:+,.0f} contracts on {day}, {side}"
    usd, usd_day = _value(latest, "net_long_jpy_usd_bn")
    if usd is not None:
        text += f"; USD {usd:+,.2f} bn" + ("" if usd_day == day else f" on {usd_day}")
    z, _ = _value(latest, "net_long_jpy_z_3y")
    if z is not None:
        text += f"; z-score {z:+.2f} over {pos.z_window_weeks} reports"
    change, _ = _value(latest, "net_change_1w_contracts")
    if change is not None:
        text += f"; {change:+,.0f} contracts on the week"
    return Fact("cftc_net_long_jpy", text + ".", net, "contracts", {"latest": latest})


def build(inputs: Inputs, out: Draft) -> None:
    """USD/JPY and unwind episodes, differentials and carry index, and CFTC positioning."""
    out.intro = (
        "The yen carry trade: USD/JPY with dated unwind episodes (shaded), US minus Japan rate "
        "differentials (DTB3 converted to a bond-equivalent yield; Japan OECD 3-month "
        "interbank, monthly, used once its month is over; JGB 10-year), carry-to-risk, a carry "
        "index, and CFTC yen futures positioning (> 0 net long yen, < 0 net short yen)."
    )
    us_3m = "fred.DGS3MO" if "fred.DGS3MO" in inputs.fresh else "fred.DTB3"
    has_fx = out.has(FX_ID)
    has_rates = out.has(us_3m, JP_3M_ID)
    out.use(US_10Y_ID)
    jp_10y = next((s for s in JP_10Y_IDS.values() if s in inputs.fresh), JP_10Y_IDS["jgb"])
    out.use(jp_10y)
    has_cftc = out.has(_CFTC_IDS[0])
    out.use(*(s for s in _CFTC_IDS[1:] if s in inputs.fresh))
    ids = (FX_ID, us_3m, JP_3M_ID, US_10Y_ID, jp_10y, *_CFTC_IDS)
    monitor: CarryMonitor | None = None
    pos: Positioning | None = None
    if has_fx and has_rates:
        with out.part("carry monitor"):
            monitor = carry_monitor(inputs.frame(*ids), trader=CFTC_TRADER)
            out.results["carry_monitor"] = monitor
            pos = monitor.positioning
            episodes = monitor.episodes
            usdjpy = monitor.frame["usdjpy_jpy_per_usd"]
            _carry_outputs(out, usdjpy, episodes)
            out.facts[:0] = _carry_facts(monitor)
            out.tables.insert(0, _state_table(monitor.state()))
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
            usdjpy = fx_volatility(inputs.frame(FX_ID)).frame["usdjpy_jpy_per_usd"]
            episodes = detect_unwinds(usdjpy)
            out.results["unwind_episodes"] = episodes
            _carry_outputs(out, usdjpy, episodes)
    if pos is None and has_cftc:
        with out.part("CFTC positioning"):
            pos = positioning(inputs.frame(*ids), trader=CFTC_TRADER)
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
