"""The fused sweep kernel: hand-checked metrics, equality with the reference, no look-ahead."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yenflow.analytics.bitcoin.reference import reference_metrics, reference_returns
from yenflow.analytics.bitcoin.sweep import (
    SweepGrid,
    strategy_returns,
    sweep,
    sweep_arrays,
    walk_forward,
)
from yenflow.errors import DataError

DAYS = pd.date_range("2024-01-01", periods=10, freq="D")
# USD/JPY falls 2 % into day 3 (one signal for x = 1 %, n = 1); BTC jumps on the signal day
# itself (+1.01 %: never earned), then +20 % and -25 % on the two held days.
FX = pd.Series([100, 100, 100, 98, 98, 98, 98, 98, 98, 98], index=DAYS, dtype="float64")
BTC = pd.Series([100, 110, 99, 100, 120, 90, 90, 95, 100, 100], index=DAYS, dtype="float64")


def test_ten_day_series_hand_checked() -> None:
    grid = SweepGrid(fall=[0.01], lookback=[1], hold=[2])
    r = sweep(BTC, FX, grid, cost_bp=10)
    # returns of days 1..9: 0, 0, entry at close 3 (1/1.001 - 1), +20 %, exit at close 5
    # (0.75 * 0.999 - 1), then flat: total (1/1.001) * 1.2 * 0.75 * 0.999 - 1
    assert r.total_return[0] == pytest.approx(0.9 * 0.999 / 1.001 - 1, rel=1e-14)
    assert r.total_return[0] == pytest.approx(-0.10179820179820165, rel=1e-14)
    # deepest point: the exit close against the peak of day 4 (1.2 / 1.001)
    assert r.max_drawdown[0] == pytest.approx(0.75 * 0.999 - 1, rel=1e-13)
    # mean -0.0057498890, sample sd 0.1132359315 of the 9 returns, times sqrt(365)
    assert r.sharpe[0] == pytest.approx(-0.9701114622208611, rel=1e-12)
    assert r.trades[0] == 1
    assert r.exposure[0] == pytest.approx(2 / 9)


def test_new_signal_extends_the_holding() -> None:
    fx = FX.copy()
    fx.iloc[4] = 96.0  # a second fall (-2.04 %) on day 4, while held
    grid = SweepGrid(fall=[0.01], lookback=[1], hold=[2])
    r = sweep(BTC, fx, grid, cost_bp=0)
    # held days 4, 5, 6 (to 2 days after day 4's signal): 1.2 * 0.75 * 1.0 - 1, one trade
    assert r.total_return[0] == pytest.approx(1.2 * 0.75 - 1)
    assert r.trades[0] == 1
    assert r.exposure[0] == pytest.approx(3 / 9)


def test_rule_that_never_trades_has_nan_sharpe_not_inf() -> None:
    grid = SweepGrid(fall=[0.5], lookback=[1, 2], hold=[1, 5])
    r = sweep(BTC, FX, grid)
    assert np.isnan(r.sharpe).all()
    assert (r.total_return == 0).all() and (r.trades == 0).all()
    assert (r.max_drawdown == 0).all()
    with pytest.raises(DataError, match="finite sharpe"):
        r.best("sharpe")


series_strategy = st.integers(min_value=12, max_value=120).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(-0.03, 0.03), min_size=n, max_size=n),
        st.lists(st.floats(-0.15, 0.15), min_size=n, max_size=n),
    )
)


@settings(max_examples=40, deadline=None)
@given(
    series=series_strategy,
    falls=st.lists(st.floats(0.0, 0.04), min_size=1, max_size=4),
    lookbacks=st.lists(st.integers(1, 8), min_size=1, max_size=3),
    holds=st.lists(st.integers(1, 15), min_size=1, max_size=4),
    cost_bp=st.sampled_from([0.0, 10.0, 25.0]),
    start=st.integers(0, 6),
)
def test_kernel_equals_reference(series, falls, lookbacks, holds, cost_bp, start) -> None:
    fx = 100 * np.exp(np.cumsum(series[0]))
    close = 50 * np.exp(np.cumsum(series[1]))
    grid = SweepGrid(fall=falls, lookback=lookbacks, hold=holds)
    got = sweep_arrays(close, fx, grid, cost=cost_bp / 1e4, start=start)
    names = ("total_return", "sharpe", "max_drawdown", "trades", "exposure")
    for k, row in grid.configs().iterrows():
        ref = reference_metrics(
            close,
            fx,
            x=row.fall,
            n=int(row.lookback),
            h=int(row.hold),
            cost=cost_bp / 1e4,
            start=start,
        )
        for name, values in zip(names, got, strict=True):
            want = ref[name]
            if name == "trades":
                assert values[k] == want
            elif math.isnan(want):
                assert math.isnan(values[k]), (name, k)
            else:
                assert values[k] == pytest.approx(want, rel=1e-9, abs=1e-12), (name, k)


def test_returns_matrix_equals_reference_and_has_no_look_ahead() -> None:
    rng = np.random.default_rng(3)
    days = pd.date_range("2020-01-01", periods=300, freq="D")
    fx = pd.Series(110 * np.exp(np.cumsum(rng.normal(0, 0.008, 300))), index=days)
    btc = pd.Series(9000 * np.exp(np.cumsum(rng.normal(0, 0.04, 300))), index=days)
    grid = SweepGrid(fall=[0.005, 0.01, 0.02], lookback=[1, 3, 7], hold=[1, 4, 10])
    full = strategy_returns(btc, fx, grid, cost_bp=10)
    for k, row in grid.configs().iterrows():
        ref = reference_returns(
            btc.to_numpy(),
            fx.to_numpy(),
            x=row.fall,
            n=int(row.lookback),
            h=int(row.hold),
            cost=0.001,
        )
        np.testing.assert_allclose(full[:, k], ref, rtol=1e-13, atol=1e-15)
    for cut in (40, 151, 299):  # data to day `cut` only: every earlier return is unchanged
        part = strategy_returns(btc.iloc[: cut + 1], fx.iloc[: cut + 1], grid, cost_bp=10)
        np.testing.assert_array_equal(part, full[:cut])


def test_walk_forward_reports_in_and_out_of_sample() -> None:
    from yenflow.analytics.bitcoin.workload import synthetic_workload

    w = synthetic_workload(800)
    grid = SweepGrid(fall=[0.005, 0.01, 0.02], lookback=[2, 5, 10], hold=[5, 20])
    wf = walk_forward(w.btc, w.usdjpy, grid, split=0.6)
    ins = sweep(w.btc.iloc[:481], w.usdjpy.iloc[:481], grid)
    k = ins.best("sharpe")
    assert wf.in_sample["sharpe"] == pytest.approx(ins.sharpe[k])
    assert wf.split == w.btc.index[480]
    oos = sweep(w.btc, w.usdjpy, grid, start=480)
    assert wf.out_of_sample["total_return"] == pytest.approx(oos.total_return[k])
    assert 1 <= wf.in_sample_rank_oos <= grid.size
    assert "out of sample" in wf.describe()


def test_misaligned_inputs_are_rejected() -> None:
    grid = SweepGrid(fall=[0.01], lookback=[1], hold=[2])
    with pytest.raises(DataError, match="one index"):
        sweep(BTC, FX.iloc[1:], grid)
    gap = BTC.copy()
    gap.iloc[3] = np.nan
    with pytest.raises(DataError, match="without gaps"):
        sweep(gap, FX, grid)


def test_plain_python_fallback_gives_the_same_numbers() -> None:
    """Without numba the kernels run as the plain Python they are written in."""
    from yenflow.analytics.bitcoin import kernels
    from yenflow.analytics.bitcoin._jit import HAVE_NUMBA

    if not HAVE_NUMBA:
        pytest.skip("numba is not installed: the kernels already run as Python")
    rng = np.random.default_rng(9)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.03, 200)))
    fx = 120 * np.exp(np.cumsum(rng.normal(0, 0.007, 200)))
    grid = SweepGrid(fall=[0.003, 0.01], lookback=[1, 4], hold=[2, 9])
    jitted = sweep_arrays(close, fx, grid, cost=0.001)
    plain = [np.empty(grid.size) for _ in range(5)]
    plain[3] = np.empty(grid.size, dtype=np.int64)
    kernels.sweep_kernel.py_func(
        close,
        fx,
        grid.fall,
        grid.lookback,
        grid.hold,
        0.001,
        0,
        plain[0],
        plain[1],
        plain[2],
        plain[3],
        plain[4],
    )
    for a, b in zip(jitted, plain, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
