"""Release-dated analytics: every daily, weekly or monthly frame a signal, a backtest or an
alert could use is rebuilt from observations cut (by publication time) at several instants, and
no row that was knowable by the cut changes.

A row's ``known_at`` (or, for frames of one released series, its ``published_at``) says when
all of it was public; rows dated at or before the cut without such a column are compared
wherever the truncated frame has them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.report.conftest import parse_real
from yenflow.analytics import align
from yenflow.analytics.carry import carry_monitor, detect_unwinds, rate_differentials
from yenflow.analytics.episodes import EpisodeParams, find_episodes
from yenflow.analytics.flows import flow_windows, investor_flows
from yenflow.analytics.holdings import treasury_holdings
from yenflow.errors import DataError

CUTS = (
    "2013-12-31T12:00Z",
    "2016-06-24T03:00Z",
    "2020-03-18T22:00Z",
    "2024-08-06T05:00Z",
    "2025-04-18T23:59:59Z",
)


def _obs(rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["series_id", "period_start", "period_end", "value", "published_at"]
    )
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


# ----------------------------------------------------------------------------- align


def test_as_known_uses_what_was_published_by_the_end_of_each_day() -> None:
    obs = _obs(
        [
            ("x", "2024-05-01", "2024-05-31", 1.0, "2024-07-15T12:00Z"),
            ("x", "2024-06-01", "2024-06-30", 2.0, "2024-08-14T12:00Z"),
            ("x", "2024-04-01", "2024-04-30", 9.0, "2024-08-20T00:00Z"),  # a late backfill
        ]
    )
    on = pd.DatetimeIndex(["2024-07-14", "2024-07-15", "2024-08-13", "2024-08-14", "2024-08-21"])
    known = align.as_known(obs, "x", on)
    assert known["value"].tolist()[1:] == [1.0, 1.0, 2.0, 2.0]  # the backfill never wins
    assert np.isnan(known["value"].iloc[0])
    assert known["period"].iloc[3] == pd.Timestamp("2024-06-30")
    assert known["published_at"].iloc[1] == pd.Timestamp("2024-07-15T12:00Z")
    # at most 50 days after the period's end: May's (31 May) is 74 days old on 13 August,
    # June's 52 days old on 21 August
    stale = align.as_known(obs, "x", on, max_age_days=50)
    assert stale["value"].isna().tolist() == [True, False, True, False, True]


def test_known_at_is_the_latest_publication_of_a_row() -> None:
    a = pd.DatetimeIndex(["2024-01-01", None, "2024-01-05"], tz="UTC")
    b = pd.DatetimeIndex(["2024-01-03", None, "2024-01-02"], tz="UTC")
    got = align.known_at(a, b)
    assert got[0] == pd.Timestamp("2024-01-03", tz="UTC") and pd.isna(got[1])
    assert got[2] == pd.Timestamp("2024-01-05", tz="UTC")


def test_episode_is_labelled_from_its_confirmation_not_its_peak() -> None:
    days = pd.bdate_range("2024-01-01", periods=60)
    prices = pd.Series(100.0, index=days)
    prices.iloc[10:20] = np.linspace(100, 88, 10)  # the fall from day 10 reaches -8 % on day 17
    prices.iloc[20:] = 88.0
    episodes = find_episodes(prices, params=EpisodeParams(quiet=5))
    (e,) = episodes.episodes
    labels = episodes.labels(days)
    assert e.peak == days[10] and e.confirmed_at > e.peak  # ties go to the latest close
    assert labels.loc[: e.confirmed_at - pd.Timedelta(days=1)].isna().all()
    assert (labels.loc[e.confirmed_at : e.end] == 1).all()
    # the same from the carry detector's number column
    unwinds = detect_unwinds(prices, params=None)
    assert unwinds.labels(days).loc[: unwinds.episodes[0].first_signal].dropna().size == 1


# ----------------------------------------------------------------------------- truncation


def _cut(obs: pd.DataFrame, when: str) -> pd.DataFrame:
    return obs.loc[obs["published_at"] <= pd.Timestamp(when)]


def _assert_known_rows_unchanged(
    full: pd.DataFrame, cut: pd.DataFrame, when: str, *, what: str, keys: list[str] | None = None
) -> int:
    """Every row of ``full`` knowable by ``when`` is in ``cut`` with every column equal."""
    stamp = pd.Timestamp(when)
    column = "known_at" if "known_at" in full.columns else "published_at"
    if keys:
        full, cut = full.set_index(keys), cut.set_index(keys)
    knowable = full.loc[(full[column] <= stamp).to_numpy()]
    missing = knowable.index.difference(cut.index)
    assert missing.empty, f"{what}: rows knowable by {when} lost by the cut: {list(missing[:3])}"
    got = cut.loc[knowable.index, knowable.columns]
    pd.testing.assert_frame_equal(got, knowable, check_freq=False, obj=f"{what} at {when}")
    return len(knowable)


@pytest.fixture(scope="module")
def real(real_data: Path) -> pd.DataFrame:
    return parse_real(real_data)


def _frames(obs: pd.DataFrame) -> dict[str, pd.DataFrame | None]:
    """Every release-dated frame of ``obs`` (None where an input was not published yet)."""
    out: dict[str, pd.DataFrame | None] = {}
    try:
        monitor = carry_monitor(obs)
    except DataError:
        out["carry monitor (daily)"] = out["CFTC positioning (weekly)"] = None
        out["rate differentials (daily)"] = None
    else:
        out["carry monitor (daily)"] = monitor.frame
        out["CFTC positioning (weekly)"] = monitor.positioning.frame
        out["rate differentials (daily)"] = rate_differentials(obs).frame
    out["MoF flow windows (weekly)"] = flow_windows(obs).to_frame()
    out["investor-type flows (monthly)"] = investor_flows(obs).to_frame()
    return out


KEYS: dict[str, list[str] | None] = {
    "carry monitor (daily)": None,
    "rate differentials (daily)": None,
    "CFTC positioning (weekly)": None,
    "MoF flow windows (weekly)": ["direction", "asset", "window_weeks", "period_end"],
    "investor-type flows (monthly)": ["investor", "period_end"],
}


@pytest.fixture(scope="module")
def built(real: pd.DataFrame) -> dict[str, dict[str, pd.DataFrame | None]]:
    """The frames of the full data (key None) and of the data cut at each of :data:`CUTS`."""
    return {None: _frames(real), **{when: _frames(_cut(real, when)) for when in CUTS}}


@pytest.mark.realdata
@pytest.mark.parametrize("name", list(KEYS))
def test_no_row_knowable_by_a_cut_changes(built: dict, name: str) -> None:
    full = built[None][name]
    checked, cuts = 0, 0
    for when in CUTS:
        cut = built[when][name]
        if cut is None:  # an input had not been published yet: nothing to compare
            assert pd.Timestamp(when) < pd.Timestamp("2016-01-01", tz="UTC"), (name, when)
            continue
        checked += _assert_known_rows_unchanged(full, cut, when, what=name, keys=KEYS[name])
        cuts += 1
    assert cuts >= 3 and checked > 100, name  # the comparison covered real rows


@pytest.mark.realdata
def test_market_day_frames_and_holdings_do_not_look_ahead(real: pd.DataFrame) -> None:
    """Frames without a per-row publication column: every row dated by the cut that the
    truncated frame has is identical (volatility, carry index, TIC holdings)."""
    full = carry_monitor(real)
    holdings = treasury_holdings(real).to_frame().set_index(["holder", "period_end"])
    for when in CUTS[1:]:  # the real DTB3 file starts in 2015
        day = pd.Timestamp(when).tz_convert(None)
        cut = carry_monitor(_cut(real, when))
        for label, a, b in (
            ("volatility", full.volatility.frame, cut.volatility.frame),
            ("carry index", full.carry.frame, cut.carry.frame),
        ):
            common = b.index[b.index <= day]
            assert len(common) > 100
            pd.testing.assert_frame_equal(b.loc[common], a.loc[common], obj=f"{label} {when}")
        if pd.Timestamp(when) < pd.Timestamp("2011-01-01", tz="UTC"):
            continue  # TIC's major-holders history starts later in the real file's layout
        cut_h = treasury_holdings(_cut(real, when)).to_frame().set_index(["holder", "period_end"])
        pd.testing.assert_frame_equal(cut_h, holdings.loc[cut_h.index], obj=f"holdings {when}")


@pytest.mark.realdata
def test_episode_numbers_do_not_change_when_later_data_arrive(built: dict) -> None:
    full = built[None]["carry monitor (daily)"]["unwind_episode_no"]
    for when in CUTS[1:]:
        cut = built[when]["carry monitor (daily)"]["unwind_episode_no"]
        pd.testing.assert_series_equal(cut, full.loc[cut.index], obj=f"episode numbers {when}")
