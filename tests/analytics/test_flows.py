"""MoF flow windows and investor-type months: hand-checked fixtures, properties, real data."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, load_payload
from yenflow.analytics.flows import (
    FlowWindow,
    FlowWindows,
    flow_windows,
    investor_flows,
)
from yenflow.config import Settings
from yenflow.errors import DataError

SID = "mof.weekly.outward.long_term_debt.net"


def _obs(name: str) -> pd.DataFrame:
    """A canonical observation frame from tests/fixtures/analytics/<name>."""
    frame = pd.read_csv(FIXTURES / "analytics" / name, parse_dates=["period_start", "period_end"])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


def _weekly_obs(values: list[float | None], *, first: str = "2005-01-02") -> pd.DataFrame:
    """A weekly outward long-term debt series; None = a missing week (no row)."""
    starts = pd.date_range(first, periods=len(values), freq="7D")
    rows = [(s, v) for s, v in zip(starts, values, strict=True) if v is not None]
    frame = pd.DataFrame(rows, columns=["period_start", "value"])
    return frame.assign(
        series_id=SID,
        period_end=frame["period_start"] + pd.Timedelta(days=6),
        published_at=pd.Timestamp("2026-01-01", tz="UTC"),
    )


def _outward_bonds(obs: pd.DataFrame, weeks: tuple[int, ...] = (1, 2)) -> FlowWindows:
    """Windows of outward long-term debt only (the fixtures hold no other series)."""
    return flow_windows(
        obs, directions=("outward",), assets=("long_term_debt",), window_weeks=weeks
    )


def _windows(obs: pd.DataFrame, weeks: int) -> pd.DataFrame:
    table = _outward_bonds(obs, (weeks,)).to_frame()
    return table.sort_values("period_end").reset_index(drop=True)


# ----------------------------------------------------------------------------- hand-checked


def test_two_week_windows_hand_checked() -> None:
    # weeks: 100, -300, 50, -200, -250, 400, 10, -20 → 2-week sums:
    # -200, -250, -150, -450, 150, 410, -10 (windows ending on the 2nd..8th Saturday)
    t = _windows(_obs("weekly_flows.csv"), 2)
    assert t["net_jpy_100m"].tolist() == [-200, -250, -150, -450, 150, 410, -10]
    assert t["period_start"].iloc[0] == pd.Timestamp("2025-01-05")
    assert t["period_end"].iloc[0] == pd.Timestamp("2025-01-18")
    assert t["net_jpy_tn"].tolist() == pytest.approx(
        [-0.02, -0.025, -0.015, -0.045, 0.015, 0.041, -0.001]
    )
    # ranks among the windows known when each was published (itself and the earlier ones):
    # -150 is the 3rd largest sale of [-200, -250, -150]; -10 the 5th of all seven
    assert t["rank_sale"].tolist() == [1, 1, 3, 1, 5, 6, 5]
    assert t["rank_purchase"].tolist() == [1, 2, 1, 4, 1, 1, 3]
    assert t["n_windows"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert t["n_sale_windows"].tolist() == [1, 2, 3, 4, 4, 4, 5]
    assert t["n_purchase_windows"].tolist() == [0, 0, 0, 0, 1, 2, 2]
    assert t["side"].tolist() == ["sale", "sale", "sale", "sale", "purchase", "purchase", "sale"]
    assert t["percentile"].iloc[3] == pytest.approx(100 / 4)
    assert t["percentile"].iloc[5] == pytest.approx(100.0)
    sums = [-200, -250, -150, -450, 150, 410, -10]
    z = (410 - statistics.mean(sums[:6])) / statistics.stdev(sums[:6])
    assert t["zscore"].iloc[5] == pytest.approx(z)
    z_last = (-10 - statistics.mean(sums)) / statistics.stdev(sums)
    assert t["zscore"].iloc[6] == pytest.approx(z_last)
    # 2025 is after MoF's January 2014 break: every window is comparable, none crosses it
    assert t["comparable"].all() and not t["crosses_break"].any()
    assert t["rank_sale_comparable"].tolist() == t["rank_sale"].tolist()
    # published when the window's last week was published
    assert t["published_at"].iloc[0] == pd.Timestamp("2025-01-22 23:50", tz="UTC")


def test_largest_since_ignores_overlapping_windows() -> None:
    t = _windows(_obs("weekly_flows.csv"), 2).set_index("period_end")
    # window 01-19..02-01 (-150): its neighbour 01-12..01-25 (-250, sharing the week of
    # 01-19) is larger but overlaps; the last non-overlapping larger one ends 01-18 (-200).
    assert t.loc["2025-02-01", "largest_since"] == pd.Timestamp("2025-01-18")
    assert t.loc["2025-02-01", "largest_since_net_jpy_100m"] == -200
    # -450 and 410 are the largest sale and purchase since the data begin
    assert pd.isna(t.loc["2025-02-08", "largest_since"])
    assert pd.isna(t.loc["2025-02-22", "largest_since"])
    # -10 (02-16..03-01): the last earlier non-overlapping window with net <= -10 ends 02-08
    assert t.loc["2025-03-01", "largest_since"] == pd.Timestamp("2025-02-08")


def test_episode_ranks_are_greedy_and_non_overlapping() -> None:
    fw = _outward_bonds(_obs("weekly_flows.csv"), (2,))
    # as of the last window: sales -450 (02-08) first, which blocks -150 (02-01) and 150;
    # then -250 (01-25), which blocks -200 (01-18); then -10 (03-01). Purchases: 410 blocks 150.
    sales = fw.episodes(direction="outward", asset="long_term_debt", weeks=2, side="sale")
    ends = sales["period_end"].dt.strftime("%m-%d").tolist()
    assert (ends, sales["episode_rank"].tolist()) == (["02-08", "01-25", "03-01"], [1, 2, 3])
    buys = fw.episodes(direction="outward", asset="long_term_debt", weeks=2, side="purchase")
    assert buys["period_end"].dt.strftime("%m-%d").tolist() == ["02-22"]
    top = fw.episodes(direction="outward", asset="long_term_debt", weeks=2, side="sale", top=2)
    assert top["net_jpy_100m"].tolist() == [-450, -250]

    def record(end: str) -> FlowWindow:
        return fw.window(direction="outward", asset="long_term_debt", weeks=2, end=end)

    # a window's episode rank is the one known when it was published: on 01-25, -250 was the
    # largest of [-200, -250] and blocked -200; -150 (02-01) overlapped -250; -450 (02-08) led
    # two episodes (itself and -250).
    assert (record("2025-01-25").episode_rank_sale, record("2025-01-25").n_episodes_sale) == (1, 1)
    assert record("2025-02-01").episode_rank_sale is None
    assert (record("2025-02-08").episode_rank_sale, record("2025-02-08").n_episodes_sale) == (1, 2)
    assert (record("2025-03-01").episode_rank_sale, record("2025-03-01").n_episodes_sale) == (3, 3)


def test_usd_at_the_windows_own_average_rate() -> None:
    obs = _obs("weekly_flows.csv")
    one = _windows(obs, 1).set_index("period_end")
    # week 01-05..01-11 has 150 and 152 (the Saturday before, 999, is outside): 151
    assert one.loc["2025-01-11", "usdjpy_avg"] == pytest.approx(151.0)
    assert one.loc["2025-01-11", "usdjpy_days"] == 2
    assert one.loc["2025-01-11", "net_usd_bn"] == pytest.approx(100e8 / 151 / 1e9)
    two = _windows(obs, 2).set_index("period_end")
    assert two.loc["2025-01-18", "usdjpy_avg"] == pytest.approx((150 + 152 + 155) / 3)
    assert two.loc["2025-01-25", "usdjpy_avg"] == pytest.approx(157.5)
    assert two.loc["2025-01-25", "net_usd_bn"] == pytest.approx(-250e8 / 157.5 / 1e9)
    # no rate day in 01-26..02-08: NaN, and the notes say so
    assert two.loc["2025-02-08", "usdjpy_days"] == 0
    assert np.isnan(two.loc["2025-02-08", "net_usd_bn"])
    fw = _outward_bonds(obs, (2,))
    assert any("no fred.DEXJPUS day" in n for n in fw.notes)


def test_without_rates_usd_is_nan_with_a_note() -> None:
    obs = _obs("weekly_flows.csv")
    fw = _outward_bonds(obs[obs["series_id"] == SID], (1,))
    assert fw.to_frame()["net_usd_bn"].isna().all()
    assert fw.notes == ("fred.DEXJPUS is not in the observations: USD values are NaN",)


def test_missing_week_breaks_windows() -> None:
    obs = _obs("weekly_flows.csv")
    obs = obs[obs["period_start"] != pd.Timestamp("2025-01-26")]
    fw = _outward_bonds(obs, (2, 13))
    t = fw.to_frame()
    two = t[t["window_weeks"] == 2]
    # of the 7 two-week windows, those ending 02-01 and 02-08 contain the missing week
    assert two["period_end"].dt.strftime("%m-%d").tolist() == [
        "01-18", "01-25", "02-15", "02-22", "03-01"
    ]  # fmt: skip
    assert two["n_windows"].tolist() == [1, 2, 3, 4, 5]
    assert (t["window_weeks"] == 13).sum() == 0  # longer than the data
    assert any("1 week(s) missing" in n for n in fw.notes)
    with pytest.raises(DataError, match="a week inside the window is missing"):
        fw.window(direction="outward", asset="long_term_debt", weeks=2, end="2025-02-08")


def test_window_and_latest_records() -> None:
    fw = _outward_bonds(_obs("weekly_flows.csv"), (1, 2))
    rec = fw.window(direction="outward", asset="long_term_debt", weeks=2, end="2025-02-05")
    assert isinstance(rec, FlowWindow)
    assert (rec.period_start, rec.period_end) == (dt.date(2025, 1, 26), dt.date(2025, 2, 8))
    assert rec.net_jpy_100m == -450
    assert (rec.rank_sale, rec.episode_rank_sale, rec.largest_since) == (1, 1, None)
    assert rec.usdjpy_avg is None and rec.net_usd_bn is None
    assert "largest since the data begin" in rec.describe()
    latest = fw.latest(direction="outward", asset="long_term_debt", weeks=1)
    assert (latest.period_end, latest.net_jpy_100m) == (dt.date(2025, 3, 1), -20)
    with pytest.raises(DataError, match="computed lengths"):
        fw.latest(direction="outward", asset="long_term_debt", weeks=4)
    with pytest.raises(DataError, match="data end on 2025-03-01"):
        fw.window(direction="outward", asset="long_term_debt", weeks=1, end="2025-03-02")


def test_summary_is_json_and_holds_the_latest_windows() -> None:
    fw = _outward_bonds(_obs("weekly_flows.csv"), (1, 2))
    summary = json.loads(json.dumps(fw.summary(), allow_nan=False))
    assert summary["latest_week_end"] == "2025-03-01"
    assert summary["unit"] == "JPY 100 million"
    latest = {r["window_weeks"]: r for r in summary["latest"]}
    assert latest[2]["net_jpy_100m"] == -10
    assert latest[2]["period_start"] == "2025-02-16"
    assert latest[2]["largest_since"] == "2025-02-08"
    assert latest[1]["net_usd_bn"] is None


def test_missing_series_conflicts_and_bad_periods_raise_data_error() -> None:
    obs = _obs("weekly_flows.csv")
    with pytest.raises(DataError, match=r"mof\.weekly\.inward\.equity\.net"):
        flow_windows(obs)
    doubled = pd.concat([obs, obs.iloc[[0]].assign(value=1.0)])
    with pytest.raises(DataError, match="two different values for the period starting 2025-01-05"):
        _outward_bonds(doubled)
    # an identical duplicate row (same period, same value) is harmless
    assert len(_outward_bonds(pd.concat([obs, obs.iloc[[0]]])).to_frame())
    shifted = obs.assign(period_start=obs["period_start"] + pd.Timedelta(days=1))
    with pytest.raises(DataError, match="Sunday–Saturday week"):
        _outward_bonds(shifted)
    with pytest.raises(ValueError, match="positive whole numbers"):
        _outward_bonds(obs, (0,))


# ----------------------------------------------------------------------------- investor types


def test_investor_types_hand_checked() -> None:
    flows = investor_flows(_obs("investor_monthly.csv"))
    assert flows.by_investor_type
    t = flows.to_frame()
    assert sorted(t["investor"].unique()) == ["banks", "life_insurers"]  # equity decoy ignored
    april = {r.investor: r for r in flows.month("2025-04-15")}
    banks, life = april["banks"], april["life_insurers"]
    # banks: 500, -1200, 300, -800 → April is the 2nd largest sale, largest since February
    assert (banks.side, banks.rank_sale, banks.rank_purchase) == ("sale", 2, 3)
    assert banks.largest_since == dt.date(2025, 2, 28)
    assert banks.usdjpy_avg == pytest.approx(149.0)  # 150 and 148; 31 March is outside
    assert banks.net_usd_bn == pytest.approx(-800e8 / 149 / 1e9)
    # life insurers: -100, 200, 900, 50 → April a purchase, 3rd largest, since March
    assert (life.side, life.rank_purchase, life.largest_since) == (
        "purchase",
        3,
        dt.date(2025, 3, 31),
    )
    march = {r.investor: r for r in flows.month("2025-03")}
    assert (march["life_insurers"].rank_purchase, march["life_insurers"].largest_since) == (1, None)
    assert march["banks"].largest_since == dt.date(2025, 1, 31)
    summary = json.loads(json.dumps(flows.summary(), allow_nan=False))
    assert (summary["month"], summary["bought"], summary["sold"]) == (
        "2025-04",
        ["life_insurers"],
        ["banks"],
    )


def test_investor_types_absent_fall_back_to_the_total_with_a_notice() -> None:
    obs = _obs("investor_monthly.csv")
    obs = obs[~obs["series_id"].str.startswith("mof.monthly.investor.")]
    flows = investor_flows(obs)
    assert not flows.by_investor_type
    assert flows.to_frame()["investor"].unique().tolist() == ["all_investors"]
    assert "using the all-investor total mof.monthly.outward.long_term_debt.net" in flows.notes[0]
    (april,) = flows.month("2025-04")
    assert (april.net_jpy_100m, april.rank_sale) == (-750, 2)
    with pytest.raises(DataError, match="by-investor files were not fetched"):
        investor_flows(obs, require_investor_types=True)
    with pytest.raises(DataError, match="no investor-type flows for 2024-12"):
        flows.month("2024-12")
    with pytest.raises(DataError, match=r"mof\.monthly\.outward\.long_term_debt\.net"):
        investor_flows(obs[obs["series_id"] == "fred.DEXJPUS"])


# ----------------------------------------------------------------------------- properties


def _reference_windows(values: list[float | None], weeks: int) -> list[tuple[int, float]]:
    """(first week index, direct sum) of every window of ``weeks`` weeks without a gap."""
    out = []
    for k in range(len(values) - weeks + 1):
        span = [v for v in values[k : k + weeks] if v is not None]
        if len(span) == weeks:
            out.append((k, sum(span)))
    return out


def _reference_since(windows: list[tuple[int, float]], i: int, weeks: int) -> int | None:
    """Start index of the latest earlier window not sharing a week, as large on the same side."""
    k, net = windows[i]
    if net == 0:
        return None
    for j in range(i - 1, -1, -1):
        kj, other = windows[j]
        if kj + weeks - 1 < k and (other <= net if net < 0 else other >= net):
            return kj
    return None


def _reference_episodes(windows: list[tuple[int, float]], weeks: int, sale: bool) -> dict[int, int]:
    """Greedy: largest first, skipping windows that share a week with a taken one."""
    pool = [(k, n) for k, n in windows if (n < 0 if sale else n > 0)]
    pool.sort(key=lambda kn: (kn[1] if sale else -kn[1], kn[0]))
    taken: dict[int, int] = {}
    for k, _ in pool:
        if all(abs(k - t) >= weeks for t in taken):
            taken[k] = len(taken) + 1
    return taken


weekly_values = st.lists(
    st.one_of(st.none(), st.integers(-60, 60).map(float), st.floats(-1e5, 1e5)),
    min_size=1,
    max_size=45,
)


@settings(max_examples=80, deadline=None)
@given(values=weekly_values, weeks=st.integers(1, 6))
def test_windows_match_direct_loops(values: list[float | None], weeks: int) -> None:
    if all(v is None for v in values):
        values[0] = 1.0
    # the series starts and ends with a published week (missing edges are not "weeks")
    trimmed = values[next(i for i, v in enumerate(values) if v is not None) :]
    trimmed = trimmed[: max(i for i, v in enumerate(trimmed) if v is not None) + 1]
    reference = _reference_windows(trimmed, weeks)
    t = _windows(_weekly_obs(values), weeks)
    assert len(t) == len(reference)
    if not reference:
        return
    first_sunday = t["period_start"].iloc[0] - pd.Timedelta(weeks=reference[0][0])
    starts = ((t["period_start"] - first_sunday).dt.days // 7).tolist()
    assert starts == [k for k, _ in reference]
    assert t["net_jpy_100m"].to_numpy() == pytest.approx([n for _, n in reference], rel=1e-12)
    nets = t["net_jpy_100m"].to_numpy()
    known = [nets[: i + 1] for i in range(len(nets))]  # what was known at each window
    assert t["rank_sale"].tolist() == [1 + int((k < k[-1]).sum()) for k in known]
    assert t["rank_purchase"].tolist() == [1 + int((k > k[-1]).sum()) for k in known]
    exact = [(k, float(n)) for k, n in zip(starts, nets, strict=True)]
    for i, got_since in enumerate(t["largest_since"]):
        since = _reference_since(exact, i, weeks)
        expected = (
            None
            if since is None
            else first_sunday + pd.Timedelta(weeks=since + weeks) - pd.Timedelta(days=1)
        )
        assert (None if pd.isna(got_since) else got_since) == expected
    fw = _outward_bonds(_weekly_obs(values), (weeks,))
    for sale, side in ((True, "sale"), (False, "purchase")):
        rows = fw.episodes(
            direction="outward", asset="long_term_debt", weeks=weeks, side=side, top=10**6
        )
        got_starts = ((rows["period_start"] - first_sunday).dt.days // 7).tolist()
        got = dict(zip(got_starts, rows["episode_rank"].astype(int).tolist(), strict=True))
        assert got == _reference_episodes(exact, weeks, sale)
    # a window's own episode rank is that of the greedy episodes of the windows up to it
    last = len(exact) - 1
    record = fw.latest(direction="outward", asset="long_term_debt", weeks=weeks)
    ref = _reference_episodes(exact, weeks, record.side == "sale")
    if record.side != "flat":
        rank = record.episode_rank_sale if record.side == "sale" else record.episode_rank_purchase
        assert rank == ref.get(exact[last][0])


@settings(max_examples=30, deadline=None)
@given(values=weekly_values, seed=st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_row_order(values: list[float | None], seed: int) -> None:
    if all(v is None for v in values):
        values[0] = 1.0
    obs = pd.concat([_weekly_obs(values), _obs("weekly_flows.csv").query("series_id != @SID")])
    shuffled = obs.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    a = _outward_bonds(obs, (1, 2, 4)).to_frame()
    b = _outward_bonds(shuffled, (1, 2, 4)).to_frame()
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_obs(real_data: Path) -> pd.DataFrame:
    from yenflow.sources.fred import FredSource
    from yenflow.sources.mof import MofSource

    settings_ = Settings.from_env({})
    frames = [
        MofSource(settings_).parse(load_payload(real_data, "mof/week.csv")).frame,
        MofSource(settings_).parse(load_payload(real_data, "mof/montha1.csv")).frame,
        FredSource(settings_).parse(load_payload(real_data, "fred/DEXJPUS.csv")).frame,
    ]
    return pd.concat(frames, ignore_index=True)


def _dexjpus_mean(real_data: Path, first: dt.date, last: dt.date) -> float:
    """Average of the non-empty DEXJPUS values between two dates, read with csv."""
    with (real_data / "fred" / "DEXJPUS.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    values = [float(v) for d, v in rows if v.strip() and first <= dt.date.fromisoformat(d) <= last]
    return sum(values) / len(values)


@pytest.mark.realdata
def test_real_april_2025_two_week_foreign_bond_sale(
    real_data: Path, real_obs: pd.DataFrame
) -> None:
    # Independent computation: a plain loop over the parsed weekly values.
    rows = real_obs[real_obs["series_id"] == SID].sort_values("period_start")
    weeks = list(zip(rows["period_start"], rows["period_end"], rows["value"], strict=True))
    pairs = [
        (a[0], b[1], a[2] + b[2])
        for a, b in itertools.pairwise(weeks)
        if b[0] - a[0] == pd.Timedelta(days=7)
    ]
    target = next(p for p in pairs if p[0] == pd.Timestamp("2025-03-30"))
    assert target[2] == -25_726 + -5_119 == -30_845
    upto = [p for p in pairs if p[1] <= target[1]]  # the windows known then
    rank = 1 + sum(1 for p in upto if p[2] < target[2])
    since = None
    for p in reversed(pairs):
        if p[1] < target[0] and p[2] <= target[2]:
            since = p[1]
            break
    rate = _dexjpus_mean(real_data, dt.date(2025, 3, 30), dt.date(2025, 4, 12))

    rec = flow_windows(real_obs).window(
        direction="outward", asset="long_term_debt", weeks=2, end="2025-04-12"
    )
    assert (rec.period_start, rec.period_end) == (dt.date(2025, 3, 30), dt.date(2025, 4, 12))
    assert rec.net_jpy_100m == -30_845
    assert rec.net_jpy_tn == pytest.approx(-3.0845)
    assert rec.usdjpy_avg == pytest.approx(rate, rel=1e-12)
    assert rec.usdjpy_days == 10
    assert rec.net_usd_bn == pytest.approx(-30_845e8 / rate / 1e9, rel=1e-12)
    assert rec.net_usd_bn == pytest.approx(-21.0, abs=0.05)
    assert (rec.rank_sale, rec.n_windows) == (rank, len(upto))
    assert rec.largest_since == since.date()
    # ranked among the windows known on its release: the larger 2026 sale did not exist yet
    assert (rec.rank_sale, rec.largest_since) == (3, dt.date(2024, 11, 2))
    # that ranking pools 2005-2013 with 2014 onward; among comparable windows (from the
    # January 2014 break) it ranks the same, the larger sales being after 2014
    assert rec.crosses_break and rec.comparable
    assert rec.rank_sale_comparable == 1 + sum(
        1 for p in upto if p[0] >= pd.Timestamp("2014-01-01") and p[2] < target[2]
    )
    assert rec.largest_since_net_jpy_100m == -53_550


@pytest.mark.realdata
def test_real_as_of_the_release_ranks_only_what_was_known(real_obs: pd.DataFrame) -> None:
    # As of the release of the week to 12 April 2025, one larger 2-week sale (2026) did not exist.
    known = real_obs[real_obs["published_at"] <= pd.Timestamp("2025-04-17", tz="UTC")]
    rec = flow_windows(known).latest(direction="outward", asset="long_term_debt", weeks=2)
    assert rec.period_end == dt.date(2025, 4, 12)
    assert rec.rank_sale == 3


@pytest.mark.realdata
def test_real_all_windows(real_obs: pd.DataFrame) -> None:
    table = flow_windows(real_obs).to_frame()
    assert table.groupby(["direction", "asset", "window_weeks"]).ngroups == 30


@pytest.mark.realdata
def test_real_monthly_total_fallback(real_obs: pd.DataFrame) -> None:
    flows = investor_flows(real_obs)
    assert not flows.by_investor_type
    (april,) = flows.month("2025-04")
    assert april.net_jpy_100m == -19_858  # PROVENANCE.md: April 2025 outward long-term debt
    totals = real_obs[real_obs["series_id"] == "mof.monthly.outward.long_term_debt.net"]
    known = totals[totals["period_start"] <= pd.Timestamp("2025-04-01")]  # months up to April
    assert april.rank_sale == 1 + int((known["value"] < -19_858).sum())
    assert april.n_months == len(known)
    assert april.crosses_break  # ranked among months from 2005, across MoF's 2014 break


def test_long_series_matches_direct_loops_across_row_blocks() -> None:
    # 400 weeks: more than one block of rows in the vectorized "largest since" search.
    rng = np.random.default_rng(7)
    values: list[float | None] = [float(v) for v in rng.integers(-99, 99, 400)]
    for i in rng.choice(400, 12, replace=False):
        values[int(i)] = None
    values[0] = values[-1] = 5.0
    for weeks in (1, 3):
        reference = _reference_windows(values, weeks)
        t = _windows(_weekly_obs(values), weeks)
        got = ((t["largest_since"] - pd.Timestamp("2005-01-02")).dt.days + 1) // 7 - weeks
        expected = [_reference_since(reference, i, weeks) for i in range(len(reference))]
        assert [None if pd.isna(g) else int(g) for g in got] == expected
