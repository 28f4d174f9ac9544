"""Section (a): the latest week of Japan's cross-border securities flows, and its records.

For each MoF weekly flow, the latest 1-, 2-, 4-, 8- and 13-week windows with their rank on
their side, their episode rank and the last earlier window as large; a sentence for the
latest week and one for the window whose record reaches furthest back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from yenflow.analytics.flows import BREAKS, FlowWindow, FlowWindows, weekly_series_id
from yenflow.analytics.inputs import USDJPY_ID
from yenflow.analytics.labels import WHO, flow_object
from yenflow.errors import DataError
from yenflow.pipeline import FLOW_PAIRS
from yenflow.report.draft import Draft, Inputs
from yenflow.report.formatting import format_time
from yenflow.report.model import Column, Fact, Table
from yenflow.report.sections.mof_flows import (
    NET_COLUMNS,
    PERIOD_COLUMNS,
    SIDE_COLUMNS,
    net_cells,
    on_side,
    side_label,
)

#: a latest window gets a sentence when nothing as large happened for at least this many
#: weeks, or when it is among this many largest non-overlapping episodes on its side.
RECORD_MIN_WEEKS = 52
RECORD_TOP_EPISODES = 10

_WINDOW_COLUMNS = (
    Column("weeks", "Weeks", "d", short="Wk"),
    *PERIOD_COLUMNS,
    *NET_COLUMNS,
    *SIDE_COLUMNS,
    Column("n_windows", "of windows", ",d"),
    Column("episode_rank", "Episode rank", ",d", short="Episode"),
    Column("largest_since", "Largest since (window to)", "date", short="Largest since"),
    Column("largest_since_net_jpy_100m", "That window's net (¥100 million)", "+,.0f"),
    Column("rank_comparable", "Rank since the Jan 2014 break", ",d", short="Rank ≥2014"),
    Column("crosses_break", "Ranks cross the 2014 break"),
)


def _latest_windows(windows: FlowWindows, direction: str, asset: str) -> list[FlowWindow]:
    """The most recent window of every length computed (one series' windows), shortest first."""
    lengths = sorted(set(windows.table["window_weeks"].dropna().astype(int)))
    if not lengths:
        msg = "no complete window could be computed (too few weeks in the store)"
        raise DataError(msg)
    return [windows.latest(direction=direction, asset=asset, weeks=w) for w in lengths]  # type: ignore[arg-type]


def _break_words(w: FlowWindow) -> str:
    """``MoF's January 2014 break`` for the window's asset class."""
    brk = BREAKS.get(w.asset)
    return f"MoF's {brk:%B %Y} break" if brk is not None else "a statistical break"


def _comparable_clause(w: FlowWindow, *, span: str, of_side: bool) -> str:
    """Which ranking a sentence used, and the ranking on the comparable period, when the
    window's ranks pool both sides of MoF's statistical break (else ``""``).

    ``span``: how the sentence names a window (``the week``, ``the 2 weeks``); ``of_side``:
    whether its rank is counted among the windows on its side (else among all windows).
    """
    if not w.crosses_break:
        return ""
    brk = BREAKS[w.asset]
    unit = "weeks" if w.window_weeks == 1 else f"rolling {w.window_weeks}-week windows"
    text = (
        f" These ranks pool all {unit} since the weekly data begin (2005), across "
        f"{_break_words(w)} (investment funds moved from long-term debt into equity and "
        "investment fund shares)"
    )
    rank = w.rank_sale_comparable if w.side == "sale" else w.rank_purchase_comparable
    if w.comparable and rank is not None:
        if of_side:
            n = w.n_sale_windows_comparable if w.side == "sale" else w.n_purchase_windows_comparable
            among = f"among {n:,} {unit}' {side_label(w.side)}s"
        else:
            among = f"of {w.n_windows_comparable:,} {unit}"
        since = (
            f"the largest since {span} to {w.largest_since_comparable}"
            if w.largest_since_comparable
            else f"the largest since {brk:%B %Y}"
        )
        text += f"; on the comparable period from {brk:%B %Y} alone: rank {rank:,} {among}, {since}"
    return text + "."


def _amount(w: FlowWindow) -> str:
    """``¥1.08 tn (+10,829 × ¥100 million; USD 7.2 bn at ¥150.12 per USD)``."""
    text = f"¥{abs(w.net_jpy_tn):,.2f} tn ({w.net_jpy_100m:+,.0f} × ¥100 million"
    if w.net_usd_bn is not None and w.usdjpy_avg is not None:
        text += f"; USD {abs(w.net_usd_bn):,.1f} bn at ¥{w.usdjpy_avg:,.2f} per USD"
    return text + ")"


def _yen_tn(jpy_100m: float) -> str:
    """A signed amount in ¥ trillion from ¥100 million: ``-¥3.08 tn``."""
    sign = "-" if jpy_100m < 0 else "+"
    return f"{sign}¥{abs(jpy_100m) / 10_000:,.2f} tn"


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``11th``..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _since(w: FlowWindow, first_week_end: pd.Timestamp, span: str) -> str:
    """What ``w`` is the largest since: ``{span} to 2025-03-01 (+¥1.20 tn)``, or the data begin."""
    if w.largest_since:
        return f"{span} to {w.largest_since} ({_yen_tn(w.largest_since_net_jpy_100m or 0.0)})"
    return f"the weekly data begin (week to {format_time(first_week_end)})"


def _week_sentence(w: FlowWindow, first_week_end: pd.Timestamp) -> str:
    """The latest week in one sentence: who did what, its rank and how long since as large."""
    who, _ = WHO[w.direction]
    what = flow_object(w.direction, w.asset)
    head = f"Week {w.period_start} to {w.period_end}: {who}"
    if w.side == "flat":
        return f"{head} had zero net trades in {what}."
    verb = "net sold" if w.side == "sale" else "net bought"
    kind = side_label(w.side)
    return (
        f"{head} {verb} {_amount(w)} of {what}; rank {on_side(w, 'rank'):,} among "
        f"{w.n_side_windows:,} weeks' {kind}s, the largest {kind} since "
        f"{_since(w, first_week_end, 'the week')}."
        + _comparable_clause(w, span="the week", of_side=True)
    )


def _record_sentence(w: FlowWindow, first_week_end: pd.Timestamp) -> str:
    """A notable multi-week window in one sentence: its size, how long since, its ranks."""
    what = flow_object(w.direction, w.asset)
    kind = side_label(w.side)
    since = _since(w, first_week_end, f"the {w.window_weeks} weeks")
    episode = on_side(w, "episode_rank")
    text = (
        f"The {w.window_weeks}-week {kind} of {what} ({w.period_start} to {w.period_end}), "
        f"{_amount(w)}, is the largest since {since}; rank {on_side(w, 'rank'):,} of "
        f"{w.n_windows:,} rolling {w.window_weeks}-week windows"
    )
    if episode is not None:
        nth = "the" if episode == 1 else f"the {_ordinal(episode)}"
        text += f", {nth} largest among non-overlapping {w.window_weeks}-week {kind}s"
    return text + "." + _comparable_clause(w, span=f"the {w.window_weeks} weeks", of_side=False)


def _notable(w: FlowWindow) -> bool:
    """A window worth a sentence: a top-10 episode, or nothing as large for a year or more."""
    if w.side == "flat":
        return False
    episode = on_side(w, "episode_rank")
    if w.largest_since is None or (episode is not None and episode <= RECORD_TOP_EPISODES):
        return True
    weeks = (pd.Timestamp(w.period_end) - pd.Timestamp(w.largest_since)).days / 7
    return weeks >= RECORD_MIN_WEEKS


def _most_notable(windows: Sequence[FlowWindow]) -> FlowWindow | None:
    """The notable window whose record reaches furthest back (then the best episode rank)."""
    notable = [w for w in windows if _notable(w)]
    if not notable:
        return None

    def key(w: FlowWindow) -> tuple[pd.Timestamp, int]:
        episode = on_side(w, "episode_rank")
        since = pd.Timestamp(w.largest_since) if w.largest_since else pd.Timestamp.min
        return since, episode if episode is not None else 10**9

    return min(notable, key=key)


def _window_row(w: FlowWindow) -> tuple[Any, ...]:
    """A row of :data:`_WINDOW_COLUMNS`."""
    return (
        w.window_weeks,
        w.period_start,
        w.period_end,
        *net_cells(w),
        w.n_windows,
        on_side(w, "episode_rank"),
        w.largest_since,
        w.largest_since_net_jpy_100m,
        w.rank_sale_comparable if w.side == "sale" else w.rank_purchase_comparable,
        "yes" if w.crosses_break else "no",
    )


def _window_fact(key: str, text: str, w: FlowWindow) -> Fact:
    """A fact stating window ``w``'s net amount (¥100 million), with the window for JSON."""
    return Fact(key, text, w.net_jpy_100m, "JPY 100 million", {"window": w.to_dict()})


def build(inputs: Inputs, out: Draft) -> None:
    """Facts and a table of latest windows for each of the four main weekly flows."""
    out.intro = (
        "MoF weekly International Transactions in Securities (designated major investors, "
        "contract basis), ¥100 million; net purchase > 0, net sale < 0. For each flow, the "
        "latest 1-, 2-, 4-, 8- and 13-week windows, their rank among all rolling windows of the "
        "same length on the same side, their rank among non-overlapping episodes, and the last "
        "earlier non-overlapping window at least as large. USD at the average FRED DEXJPUS rate "
        "of the window's days."
    )
    out.use(USDJPY_ID)
    for direction, asset in FLOW_PAIRS:
        sid = weekly_series_id(direction, asset)  # type: ignore[arg-type]
        if not out.has(sid):
            continue
        label = f"{WHO[direction][0]}' trades in {flow_object(direction, asset)}"
        with out.part(label):
            windows = inputs.analyses.flows(direction, asset)
            latest = _latest_windows(windows, direction, asset)
            out.results[f"{direction}.{asset}"] = windows
            first_week_end = inputs.fresh[sid].first_period_end
            out.facts.append(
                _window_fact(
                    f"{direction}.{asset}.latest_week",
                    _week_sentence(latest[0], first_week_end),
                    latest[0],
                )
            )
            best = _most_notable([w for w in latest if w.window_weeks > 1])
            if best is not None:
                out.facts.append(
                    _window_fact(
                        f"{direction}.{asset}.record",
                        _record_sentence(best, first_week_end),
                        best,
                    )
                )
            out.tables.append(
                Table(
                    f"{direction}.{asset}",
                    f"{label}: latest windows",
                    _WINDOW_COLUMNS,
                    tuple(_window_row(w) for w in latest),
                    caption=(
                        f"Series {sid}. Rank 1 = the largest on that side among all rolling "
                        "windows; episode rank = rank among non-overlapping windows (— when the "
                        "window overlaps a larger one); largest since = the end of the last "
                        "earlier non-overlapping window at least as large (— = none since the "
                        "data begin). Ranks are among the windows known when the window was "
                        "published; for equity and long-term debt they pool the years before "
                        "and after MoF's January 2014 break (investment funds moved from debt "
                        "into equity), and 'Rank since the Jan 2014 break' ranks the window "
                        "among the comparable windows from January 2014 only."
                    ),
                )
            )
            out.inform(windows.notes)
