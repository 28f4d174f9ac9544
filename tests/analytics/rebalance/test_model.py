"""The rebalancing model on small hand-made fixtures whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yenflow.analytics.rebalance import (
    DEFAULT_FRACTIONS,
    DEFAULT_RULES,
    Band,
    MarketReturns,
    PolicyPortfolio,
    Rule,
    Sleeve,
    policy,
    simulate,
    trade_range,
)
from yenflow.errors import ConfigError, DataError

GPIF_SLEEVES = ("domestic_bonds", "foreign_bonds", "domestic_equities", "foreign_equities")
ALL_RULES = [
    *DEFAULT_RULES,
    Rule.partial(0.5, frequency="month"),
    Rule("calendar", "quarter", "edge"),
]


def two_asset(equity_foreign: bool = False, bonds_foreign: bool = True) -> PolicyPortfolio:
    """60 % equities, 40 % bonds, ±5 pp, ¥100 bn."""
    return PolicyPortfolio(
        name="test_60_40",
        targets={"equities": 60.0, "bonds": 40.0},
        bands=(Band(("equities",), 60.0, 5.0), Band(("bonds",), 40.0, 5.0)),
        sleeves=(
            Sleeve("equities", "equities", equity_foreign),
            Sleeve("bonds", "bonds", bonds_foreign),
        ),
        rule=Rule.calendar("quarter"),
        aum_jpy_bn=100.0,
    )


def returns_frame(dates, local: dict, fx: dict | None = None) -> MarketReturns:
    idx = pd.DatetimeIndex(pd.to_datetime(dates))
    return MarketReturns.from_components(
        pd.DataFrame(local, index=idx), None if fx is None else pd.DataFrame(fx, index=idx)
    )


def random_returns(seed: int, days: int = 260, vol: float = 0.012) -> MarketReturns:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2025-04-01", periods=days)
    local = pd.DataFrame(rng.normal(0.0, vol, (days, 4)), index=idx, columns=list(GPIF_SLEEVES))
    fx_move = rng.normal(0.0, 0.008, days)
    fx = pd.DataFrame({"foreign_bonds": fx_move, "foreign_equities": fx_move}, index=idx)
    return MarketReturns.from_components(local, fx)


def test_two_asset_drift_and_trade_by_hand() -> None:
    # Equities (yen) +10 % on the last day of March: 66 + 40 = 106, equities 62.2642 %.
    # The quarter rule then sells 66 - 0.6 * 106 = 2.4 of equities and buys 2.4 of bonds.
    r = returns_frame(["2025-03-28", "2025-03-31"], {"equities": [0.0, 0.10], "bonds": [0.0, 0.0]})
    run = simulate(two_asset(), r)
    t = run.to_frame().set_index(["date", "asset_class"])
    day = pd.Timestamp("2025-03-31")
    assert t.loc[(day, "equities"), "weight_pre_pct"] == pytest.approx(6600 / 106)
    assert t.loc[(day, "equities"), "drift_local_pp"] == pytest.approx(6600 / 106 - 60)
    assert t.loc[(day, "equities"), "drift_fx_pp"] == pytest.approx(0.0)
    assert t.loc[(day, "equities"), "trade_jpy_bn"] == pytest.approx(-2.4)
    assert t.loc[(day, "bonds"), "trade_jpy_bn"] == pytest.approx(2.4)
    assert t.loc[(day, "equities"), "weight_pct"] == pytest.approx(60.0)
    assert t.loc[(day, "bonds"), "value_jpy_bn"] == pytest.approx(42.4)
    # the first day is not a quarter end: no trade
    assert not t.loc[(pd.Timestamp("2025-03-28"), "equities"), "rebalanced"]


def test_fx_drift_by_hand() -> None:
    # Foreign bonds: local 0, yen falls 10 % against their currency (fx +0.10): 60 + 44 = 104.
    r = returns_frame(["2025-06-30"], {"equities": [0.0], "bonds": [0.0]}, {"bonds": [0.10]})
    run = simulate(two_asset(), r)
    t = run.to_frame().set_index("asset_class")
    assert t.loc["bonds", "drift_local_pp"] == pytest.approx(0.0)
    assert t.loc["bonds", "drift_fx_pp"] == pytest.approx(4400 / 104 - 40)
    assert t.loc["equities", "drift_fx_pp"] == pytest.approx(6000 / 104 - 60)
    assert t.loc["bonds", "trade_jpy_bn"] == pytest.approx(-(44 - 0.4 * 104))  # -2.4


def test_local_and_fx_parts_add_up_to_the_weight_change() -> None:
    run = simulate(policy("gpif_5th"), random_returns(3), rule=Rule.calendar("month"))
    t = run.to_frame()
    prev = t.groupby("asset_class")["weight_pct"].shift(1).fillna(25.0)
    np.testing.assert_allclose(
        t["weight_pre_pct"] - prev, t["drift_local_pp"] + t["drift_fx_pp"], atol=1e-9
    )


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.label)
def test_zero_returns_mean_no_trades(rule: Rule) -> None:
    idx = pd.bdate_range("2024-03-01", "2025-06-30")
    zero = pd.DataFrame(0.0, index=idx, columns=list(GPIF_SLEEVES))
    run = simulate(
        [policy("gpif_4th"), policy("gpif_5th")], MarketReturns.from_components(zero), rule=rule
    )
    t = run.to_frame()
    assert (t["trade_jpy_bn"] == 0).all()
    assert not t["rebalanced"].any()
    np.testing.assert_allclose(t["weight_pct"], 25.0)
    assert run.summary()["turnover_jpy_bn"] == 0


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.label)
def test_trades_are_self_financing(rule: Rule) -> None:
    r = random_returns(7)
    run = simulate(policy("gpif_5th"), r, rule=rule)
    t = run.to_frame()
    per_day = t.groupby("date")["trade_jpy_bn"].sum()
    np.testing.assert_allclose(per_day, 0.0, atol=1e-6)  # ¥ bn on a ¥257 tn portfolio
    # AUM unchanged by trades: the total after trading equals the total the market left
    total_post = t.groupby("date")["value_jpy_bn"].sum()
    yen = r.yen()
    s = run.sleeves.pivot(index="date", columns="sleeve", values="value_jpy_bn")
    before = s.shift(1)
    before.iloc[0] = policy("gpif_5th").aum_jpy_bn * 0.25
    market = (before * (1 + yen[s.columns])).sum(axis=1)
    np.testing.assert_allclose(total_post, market, rtol=1e-12)
    assert (t.loc[t["rebalanced"], "trade_jpy_bn"].abs() > 0).any() or not t["rebalanced"].any()


@pytest.mark.parametrize("to", ["edge", "target"])
def test_no_band_breached_after_a_threshold_rebalance(to: str) -> None:
    pol = policy("gpif_5th")
    run = simulate(pol, random_returns(11, vol=0.02), rule=Rule.threshold(to=to, fraction=0.25))
    post = run.weights()
    assert run.to_frame()["rebalanced"].any()
    for _, row in post.iterrows():
        assert pol.breaches(row.to_dict()) == []


def test_combined_band_alone_triggers_and_binds_at_its_edge() -> None:
    # 5th plan: each equity class ±6 pp, both together ±9 pp. Equities +45 % in one day:
    # 36.25 each of 122.5 -> 29.59 % each (inside 25 ± 6), together 59.18 % > 50 + 9.
    pol = policy("gpif_5th")
    r = returns_frame(
        ["2025-05-13"],
        {
            "domestic_bonds": [0.0],
            "foreign_bonds": [0.0],
            "domestic_equities": [0.45],
            "foreign_equities": [0.45],
        },
    )
    run = simulate(pol, r, rule=Rule.threshold(to="edge"))
    t = run.to_frame().set_index("asset_class")
    assert t.loc["domestic_equities", "weight_pre_pct"] == pytest.approx(3625 / 122.5)
    assert t["rebalanced"].all()
    combined = t.loc[["domestic_equities", "foreign_equities"], "weight_pct"].sum()
    assert combined == pytest.approx(59.0, abs=1e-9)
    assert combined <= 59.0 + 1e-9
    assert pol.breaches(t["weight_pct"].to_dict()) == []
    # moved along the line to target: both equity classes sold the same amount
    sold = t.loc[["domestic_equities", "foreign_equities"], "trade_jpy_bn"]
    assert sold.iloc[0] == pytest.approx(sold.iloc[1]) and sold.iloc[0] < 0


def test_pure_fx_move_changes_only_the_foreign_sleeves() -> None:
    pol = policy("gpif_5th")
    idx = pd.bdate_range("2025-05-01", periods=20)
    zero = pd.DataFrame(0.0, index=idx, columns=list(GPIF_SLEEVES))
    fx = pd.Series(np.linspace(-0.02, 0.02, 20), index=idx)
    r = MarketReturns.from_components(zero, {"foreign_bonds": fx, "foreign_equities": fx})
    run = simulate(pol, r, rule=Rule.threshold(to="edge"))
    t = run.to_frame()
    assert (t["drift_local_pp"].abs() < 1e-12).all()
    values = t.pivot(index="date", columns="asset_class", values="value_jpy_bn")
    start = pol.aum_jpy_bn * 0.25
    np.testing.assert_allclose(values["domestic_bonds"], start)
    np.testing.assert_allclose(values["domestic_equities"], start)
    np.testing.assert_allclose(values["foreign_bonds"], start * (1 + fx).cumprod())
    # the domestic sleeves keep their weights relative to each other; foreign ones move
    w = run.weights()
    np.testing.assert_allclose(w["domestic_bonds"] / w["domestic_equities"], 1.0)
    assert w["foreign_equities"].std() > 0


def test_hedged_foreign_bonds_count_as_domestic_bonds() -> None:
    pol = policy("gpif_5th")
    idx = pd.bdate_range("2025-05-01", periods=3)
    local = pd.DataFrame(0.0, index=idx, columns=[*GPIF_SLEEVES, "foreign_bonds_hedged"])
    local["foreign_bonds_hedged"] = 0.01
    holdings = {
        "domestic_bonds": 20.0,
        "foreign_bonds_hedged": 5.0,
        "foreign_bonds": 25.0,
        "domestic_equities": 25.0,
        "foreign_equities": 25.0,
    }
    run = simulate(
        pol, MarketReturns.from_components(local), holdings=holdings, rule=Rule.calendar("month")
    )
    first = run.to_frame().query("date == @idx[0]").set_index("asset_class")
    assert first.loc["domestic_bonds", "value_jpy_bn"] == pytest.approx(20 + 5 * 1.01)
    # an FX return on the hedged (yen) sleeve is a mistake in the input
    fx = pd.DataFrame({"foreign_bonds_hedged": 0.01}, index=idx)
    with pytest.raises(DataError, match="held in yen"):
        simulate(pol, MarketReturns.from_components(local, fx), holdings=holdings)


def test_plan_schedule_switches_bands_on_the_effective_date() -> None:
    # Domestic bonds at 31.5 %: inside the 4th plan's ±7 pp, outside the 5th plan's ±6 pp.
    holdings = {
        "domestic_bonds": 31.5,
        "foreign_bonds": 22.0,
        "domestic_equities": 23.0,
        "foreign_equities": 23.5,
    }
    idx = pd.bdate_range("2025-03-27", "2025-04-03")
    zero = MarketReturns.from_components(pd.DataFrame(0.0, index=idx, columns=list(GPIF_SLEEVES)))
    run = simulate([policy("gpif_4th"), policy("gpif_5th")], zero, holdings=holdings)
    t = run.to_frame()
    fired = sorted(t.loc[t["rebalanced"], "date"].unique())
    assert fired == [pd.Timestamp("2025-04-01")]
    assert set(t.loc[t["date"] < "2025-04-01", "policy"]) == {"gpif_4th"}
    after = t.loc[t["date"] == "2025-04-01"].set_index("asset_class")
    assert after.loc["domestic_bonds", "weight_pct"] == pytest.approx(31.0, abs=1e-9)


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("month", ["2024-01-31", "2024-02-29", "2024-03-29", "2024-04-30", "2024-05-31"]),
        ("quarter", ["2024-03-29"]),
        ("fiscal_year", ["2024-03-29"]),
    ],
)
def test_calendar_rules_trade_on_the_last_trading_day(frequency: str, expected: list[str]) -> None:
    idx = pd.bdate_range("2024-01-02", "2024-06-14")
    rng = np.random.default_rng(1)
    local = pd.DataFrame(
        rng.normal(0, 0.01, (len(idx), 2)), index=idx, columns=["equities", "bonds"]
    )
    run = simulate(two_asset(), MarketReturns.from_components(local), rule=Rule.calendar(frequency))
    t = run.to_frame()
    assert sorted(t.loc[t["rebalanced"], "date"].unique()) == [pd.Timestamp(d) for d in expected]


def test_calendar_rule_fires_on_the_last_trading_day_before_a_holiday_quarter_end() -> None:
    # the data stop on Thursday 30 Dec 2021 (Tokyo shut on the 31st): the quarter is over
    idx = pd.bdate_range("2021-12-27", "2021-12-30")
    local = pd.DataFrame({"equities": [0.0, 0.0, 0.05, 0.0], "bonds": 0.0}, index=idx)
    r = MarketReturns.from_components(local)
    ran = simulate(two_asset(), r, rule=Rule.calendar("quarter"), end="2021-12-31").to_frame()
    assert sorted(ran.loc[ran["rebalanced"], "date"].unique()) == [pd.Timestamp("2021-12-30")]
    # without an end the next business day (the 31st) is still in the quarter: no trade yet
    open_ended = simulate(two_asset(), r, rule=Rule.calendar("quarter")).to_frame()
    assert not open_ended["rebalanced"].any()


def test_partial_rule_trades_the_fraction_of_the_drift() -> None:
    r = returns_frame(["2025-03-31"], {"equities": [0.10], "bonds": [0.0]})
    full = simulate(two_asset(), r, rule=Rule.calendar("quarter"))
    half = simulate(two_asset(), r, rule=Rule.partial(0.5, frequency="quarter"))
    assert half.to_frame()["trade_jpy_bn"].iloc[0] == pytest.approx(-1.2)
    assert full.to_frame()["trade_jpy_bn"].iloc[0] == pytest.approx(-2.4)


def test_trade_range_spans_the_rules() -> None:
    r = random_returns(5)
    rng_ = trade_range(policy("gpif_5th"), r, freq="month")
    t = rng_.to_frame()
    assert (t["low_jpy_bn"] <= t["median_jpy_bn"] + 1e-9).all()
    assert (t["median_jpy_bn"] <= t["high_jpy_bn"] + 1e-9).all()
    n = len(DEFAULT_FRACTIONS) * 4 + 1  # 4 rules to target at 3 fractions, 1 to the edge
    assert (t["n_rules"] == n).all() and len(rng_.rules) == n
    assert set(t["asset_class"]) == set(GPIF_SLEEVES)
    # the range is a range: over a volatile year the rules disagree somewhere
    assert (t["high_jpy_bn"] - t["low_jpy_bn"]).max() > 0
    # each rule's monthly trades are that rule's run summed by month
    one = simulate(policy("gpif_5th"), r, rule=Rule.calendar("month")).trades("month")
    mine = rng_.by_rule.query(
        "rule == 'calendar/month/target/1' and asset_class == 'foreign_bonds'"
    )
    np.testing.assert_allclose(mine["trade_jpy_bn"].to_numpy(), one["foreign_bonds"].to_numpy())
    assert repr(rng_).startswith("<TradeRange: gpif_5th, 13 rules, per month")
    assert "<table" in rng_._repr_html_()
    s = rng_.summary()
    assert (
        s["net_trades_jpy_bn"]["foreign_bonds"]["low"]
        <= s["net_trades_jpy_bn"]["foreign_bonds"]["high"]
    )


def test_trades_by_week_use_sunday_to_saturday_weeks() -> None:
    r = random_returns(2, days=30)
    run = simulate(policy("gpif_5th"), r, rule=Rule.threshold(to="target"))
    weekly = run.trades("week")
    assert (weekly["period_start"].dt.day_name() == "Sunday").all()
    assert (weekly["period_end"] - weekly["period_start"] == pd.Timedelta(days=6)).all()
    daily = run.trades("day")
    assert daily[list(GPIF_SLEEVES)].sum().sum() == pytest.approx(0.0, abs=1e-6)


def test_bad_inputs_are_named() -> None:
    idx = pd.bdate_range("2025-05-01", periods=3)
    only_two = pd.DataFrame(0.0, index=idx, columns=["domestic_bonds", "foreign_bonds"])
    with pytest.raises(DataError, match="no market returns for sleeves"):
        simulate(policy("gpif_5th"), MarketReturns.from_components(only_two))
    hedged_only = PolicyPortfolio(
        "hedged_only",
        {"equities": 50.0, "bonds": 50.0},
        sleeves=(Sleeve("equities", "equities", False), Sleeve("bonds_h", "bonds", False)),
    )
    eq_only = MarketReturns.from_components(pd.DataFrame({"equities": 0.0}, index=idx))
    with pytest.raises(DataError, match="no market returns for sleeves"):
        simulate(hedged_only, eq_only)
    with pytest.raises(DataError, match="asset class bonds of hedged_only has no sleeve"):
        simulate(hedged_only, eq_only, holdings={"equities": 1.0})
    gap = pd.DataFrame({"equities": [0.0, np.nan, 0.0], "bonds": 0.0}, index=idx)
    with pytest.raises(DataError, match="missing return at 2025-05-02"):
        MarketReturns.from_components(gap)
    with pytest.raises(ConfigError, match="fraction"):
        Rule.partial(1.5)
    with pytest.raises(ConfigError, match="add to 90"):
        PolicyPortfolio("bad", {"a": 50.0, "b": 40.0}, sleeves=(Sleeve("a", "a", False),))
    with pytest.raises(ConfigError, match="no policy portfolio"):
        policy("gpif_6th")
    with pytest.raises(DataError, match="no policy"):
        late = MarketReturns.from_components(
            pd.DataFrame(
                0.0, index=pd.bdate_range("2025-04-01", periods=2), columns=list(GPIF_SLEEVES)
            )
        )
        simulate(policy("gpif_4th"), late)


def test_shipped_policies_are_data() -> None:
    p4, p5 = policy("gpif_4th"), policy("gpif_5th")
    assert {b.name: b.band_pp for b in p5.bands}["domestic_equities+foreign_equities"] == 9.0
    assert {b.name: b.band_pp for b in p4.bands}["domestic_bonds"] == 7.0
    assert str(p4.effective_to) == "2025-03-31" and str(p5.effective_from) == "2025-04-01"
    assert p5.aum_jpy_bn == pytest.approx(61618.6 + 61918.8 + 62730.2 + 71150.0)
    hedged = next(s for s in p5.sleeves if s.name == "foreign_bonds_hedged")
    assert hedged.counts_as == "domestic_bonds" and not hedged.foreign_currency
    us = policy("mix_60_40_us")
    assert dict(us.targets) == {"us_equities": 60.0, "us_bonds": 40.0}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-0.08, 0.08),
            st.floats(-0.08, 0.08),
            st.floats(-0.08, 0.08),
            st.floats(-0.05, 0.05),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(ALL_RULES),
)
def test_property_self_financing_and_inside_bands(days, rule) -> None:
    idx = pd.bdate_range("2025-05-01", periods=len(days))
    arr = np.array(days)
    local = pd.DataFrame(
        {
            "domestic_bonds": arr[:, 0] / 4,
            "foreign_bonds": arr[:, 1] / 4,
            "domestic_equities": arr[:, 2],
            "foreign_equities": arr[:, 1],
        },
        index=idx,
    )
    fx = pd.DataFrame({"foreign_bonds": arr[:, 3], "foreign_equities": arr[:, 3]}, index=idx)
    pol = policy("gpif_5th")
    run = simulate(pol, MarketReturns.from_components(local, fx), rule=rule)
    t = run.to_frame()
    assert abs(t.groupby("date")["trade_jpy_bn"].sum()).max() < 1e-6
    if rule.trigger == "threshold":
        for _, row in run.weights().iterrows():
            assert pol.breaches(row.to_dict()) == []


def test_fused_loop_matches_the_plain_reference() -> None:
    from yenflow.analytics.rebalance.model import _prepare, _run, _run_many

    r = random_returns(13, days=200, vol=0.02)
    holdings = {
        "domestic_bonds": 60.0,
        "foreign_bonds_hedged": 10.0,
        "foreign_bonds": 60.0,
        "domestic_equities": 70.0,
        "foreign_equities": 55.0,
    }
    local = r.frame.xs("local", axis=1, level=1).assign(foreign_bonds_hedged=0.0001)
    fx = r.frame.xs("fx", axis=1, level=1)[["foreign_bonds", "foreign_equities"]]
    r = MarketReturns.from_components(local, fx)
    prep = _prepare(policy("gpif_5th"), r, holdings=holdings, start=None, end=None)
    many = _run_many(prep, ALL_RULES)
    for j, rule in enumerate(ALL_RULES):
        one = _run(prep, rule)
        assert one.arrays["fired"].any() or rule.trigger == "calendar"
        for name, arr in one.arrays.items():
            np.testing.assert_allclose(many[name][:, j], arr, rtol=1e-12, atol=1e-9, err_msg=name)
