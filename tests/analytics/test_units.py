"""Unit conversions: hand-checked values, array inputs, round trips."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yenflow.analytics.units import (
    jpy_100m_to_jpy_tn,
    jpy_100m_to_usd_bn,
    jpy_tn_to_jpy_100m,
    jpy_tn_to_usd_bn,
    usd_bn_to_jpy_100m,
    usd_bn_to_jpy_tn,
)

amounts = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
rates = st.floats(min_value=0.5, max_value=1_000.0)


def test_hand_checked_values() -> None:
    # ¥1.5 tn = 15,000 × ¥100 million = ¥1.5e12; at 150 yen per dollar that is $10 bn.
    assert jpy_100m_to_jpy_tn(-30_845.0) == pytest.approx(-3.0845)
    assert jpy_tn_to_jpy_100m(1.5) == pytest.approx(15_000.0)
    assert jpy_100m_to_usd_bn(15_000.0, 150.0) == pytest.approx(10.0)
    assert usd_bn_to_jpy_100m(10.0, 150.0) == pytest.approx(15_000.0)
    assert jpy_tn_to_usd_bn(1.5, 150.0) == pytest.approx(10.0)
    assert usd_bn_to_jpy_tn(10.0, 150.0) == pytest.approx(1.5)
    # -¥3.0845 tn at 146.923 ¥/$: 3.0845e12 / 146.923 / 1e9 = 20.994 bn.
    assert jpy_100m_to_usd_bn(-30_845.0, 146.923) == pytest.approx(-20.99399, abs=1e-5)


def test_arrays_series_and_nan() -> None:
    x = np.array([15_000.0, np.nan, -1_500.0])
    rate = np.array([150.0, 150.0, np.nan])
    out = jpy_100m_to_usd_bn(x, rate)
    assert out[0] == pytest.approx(10.0)
    assert np.isnan(out[1:]).all()
    series = jpy_100m_to_jpy_tn(pd.Series([10_000.0, 2_500.0], index=["a", "b"]))
    assert isinstance(series, pd.Series)
    assert series.to_dict() == {"a": 1.0, "b": 0.25}


@pytest.mark.parametrize("bad", [0.0, -150.0, math.inf])
def test_rejects_non_positive_rates(bad: float) -> None:
    with pytest.raises(ValueError, match="yen per US dollar"):
        jpy_100m_to_usd_bn(1.0, bad)
    with pytest.raises(ValueError, match="yen per US dollar"):
        usd_bn_to_jpy_100m(np.array([1.0, 2.0]), np.array([150.0, bad]))


@settings(max_examples=100, deadline=None)
@given(x=amounts, usdjpy=rates)
def test_round_trips_return_the_input(x: float, usdjpy: float) -> None:
    tol = {"rel_tol": 1e-12, "abs_tol": 1e-9}
    assert math.isclose(usd_bn_to_jpy_100m(jpy_100m_to_usd_bn(x, usdjpy), usdjpy), x, **tol)
    assert math.isclose(jpy_100m_to_usd_bn(usd_bn_to_jpy_100m(x, usdjpy), usdjpy), x, **tol)
    assert math.isclose(jpy_tn_to_jpy_100m(jpy_100m_to_jpy_tn(x)), x, **tol)
    assert math.isclose(usd_bn_to_jpy_tn(jpy_tn_to_usd_bn(x, usdjpy), usdjpy), x, **tol)
    # the paths agree: ¥100m → ¥tn → USD equals ¥100m → USD
    assert math.isclose(
        jpy_tn_to_usd_bn(jpy_100m_to_jpy_tn(x), usdjpy), jpy_100m_to_usd_bn(x, usdjpy), **tol
    )
