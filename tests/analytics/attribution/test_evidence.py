"""The verdict rules, the resampler against arch, the HAC regression against statsmodels, and
the Treasury reconciliation on a hand-computed case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yenflow.analytics.attribution import Episode, Measurement, Prediction, SeriesBook
from yenflow.analytics.attribution.bootstrap import (
    abnormal,
    block_indices,
    iid_indices,
    null_windows,
)
from yenflow.analytics.attribution.episode import Evidence
from yenflow.analytics.attribution.evidence import Missing, combine, judge, weigh
from yenflow.analytics.attribution.regression import ols_hac
from yenflow.analytics.attribution.treasuries import reconcile_treasuries


def _m(low: float, high: float) -> Measurement:
    return Measurement((low + high) / 2, (low + high) / 2, low, high, "x", "measured", 10)


@pytest.mark.parametrize(
    ("low", "high", "side", "expected"),
    [
        (1, 2, "above", "supported"),
        (-2, -1, "above", "contradicted"),
        (-1, 1, "above", "inconclusive"),
        (-2, -1, "below", "supported"),
        (1, 2, "below", "contradicted"),
    ],
)
def test_judge_one_sided(low, high, side, expected):
    assert judge(_m(low, high), Prediction(side))[0] == expected


def test_judge_within_band():
    band = Prediction("within", 0.0, 2.0)
    assert judge(_m(-1.5, 1.0), band)[0] == "supported"
    assert judge(_m(-4.0, -2.5), band)[0] == "contradicted"
    assert judge(_m(-2.5, -1.0), band)[0] == "inconclusive"
    assert judge(_m(float("nan"), 1.0), band)[0] == "inconclusive"


def test_combine_parts_needs_every_part():
    assert combine(["supported", "supported"]) == "supported"
    assert combine(["supported", "contradicted"]) == "mixed"
    assert combine(["supported", "inconclusive"]) == "inconclusive"
    assert combine(["contradicted", "contradicted"]) == "contradicted"


def test_weigh_one_verdict_is_not_enough_either_way():
    assert weigh(["supported", "inconclusive", "inconclusive"], tested=3) == "inconclusive"
    assert weigh(["supported", "supported", "inconclusive"], tested=3) == "supported"
    assert (
        weigh(["supported", "supported", "inconclusive", "inconclusive", "inconclusive"], tested=5)
        == "inconclusive"
    )  # 2 of 5 is less than half
    assert weigh(["contradicted", "inconclusive"], tested=2) == "inconclusive"
    assert weigh(["contradicted", "inconclusive"], tested=2, necessary_failed=True) == (
        "contradicted"
    )
    assert weigh(["supported", "supported", "contradicted"], tested=3) == "mixed"
    assert weigh(["untestable"], tested=0) == "untestable"


def test_block_indices_are_archs_stream():
    from arch.bootstrap import IIDBootstrap, MovingBlockBootstrap

    x = np.arange(103.0)
    bs = MovingBlockBootstrap(7, x, seed=42)
    arch_rows = [bs.index.copy() for _ in bs.bootstrap(5)]
    np.testing.assert_array_equal(block_indices(103, 7, 5, seed=42), np.stack(arch_rows))
    iid = IIDBootstrap(x, seed=3)
    arch_iid = [iid.index.copy() for _ in iid.bootstrap(4)]
    np.testing.assert_array_equal(iid_indices(103, 4, seed=3), np.stack(arch_iid))


def test_null_windows_seeded_and_abnormal_interval():
    rng = np.random.default_rng(0)
    history = rng.normal(0.0, 1.0, 500)
    a = null_windows(history, 4, seed=1)
    np.testing.assert_array_equal(a, null_windows(history, 4, seed=1))
    assert not np.array_equal(a, null_windows(history, 4, seed=2))
    assert len(a) == 2000 and abs(np.std(a) - 2.0) < 0.3  # sum of 4 N(0,1): sd 2
    m = abnormal(10.0, a, unit="x", n=500)
    assert m.low > 0 and m.low < m.estimate < m.high
    assert m.high - m.low == pytest.approx(np.quantile(a, 0.95) - np.quantile(a, 0.05))
    with pytest.raises(Missing, match="too few comparable observations"):
        null_windows(history[:20], 4, seed=1)


def test_ols_hac_matches_statsmodels():
    from statsmodels.regression.linear_model import OLS

    rng = np.random.default_rng(5)
    n = 300
    x = rng.normal(size=(n, 2))
    e = np.convolve(rng.normal(size=n + 2), [1.0, 0.6, 0.3])[:n]  # autocorrelated errors
    y = 1.0 + x @ np.array([2.0, -0.5]) + e
    design = np.column_stack([np.ones(n), x])
    ours = ols_hac(y, design, maxlags=4)
    ref = OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-10)
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-10)
    assert ours.rsquared == pytest.approx(ref.rsquared)


def _monthly(sid: str, months: pd.DatetimeIndex, values) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": sid,
            "period_start": months,
            "period_end": months + pd.offsets.MonthEnd(0),
            "value": np.asarray(values, dtype=float),
            "published_at": (months + pd.offsets.MonthEnd(0)).tz_localize("UTC"),
        }
    )


def _daily(sid: str, days: pd.DatetimeIndex, values) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": sid,
            "period_start": days,
            "period_end": days,
            "value": np.asarray(values, dtype=float),
            "published_at": days.tz_localize("UTC"),
        }
    )


def test_treasury_reconciliation_hand_computed():
    """Holdings 1,000 → 1,010 → 1,000 USD bn (Jan–Mar); yields flat in February, +0.5 pp
    (both tenors) in March. Holdings change over Feb–Mar: 0. Valuation: Feb 0; Mar
    -D × 0.005 × 1,010 = -30.3 at D = 6, so the implied transactions are +10 in February and
    -10 + 30.3 = +20.3 in March, +30.3 in all; over D = 4.5 .. 7.5: +22.725 .. +37.875."""
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    days = pd.DatetimeIndex(["2025-01-31", "2025-02-28", "2025-03-31"])
    obs = pd.concat(
        [
            _monthly("tic.holdings.japan", months, [1000.0, 1010.0, 1000.0]),
            _daily("fred.DGS10", days, [4.0, 4.0, 4.5]),
            _daily("fred.DGS2", days, [3.0, 3.0, 3.5]),
        ],
        ignore_index=True,
    )
    ev = Evidence(SeriesBook(obs), Episode.of("2025-02-10", "2025-03-20"))
    t = reconcile_treasuries(ev)
    assert t.months == ("2025-02", "2025-03")
    assert t.holdings_change_usd_bn == pytest.approx(0.0)
    assert t.valuation_usd_bn == pytest.approx(-30.3)
    assert t.implied_usd_bn == pytest.approx(30.3)
    assert t.implied_low_usd_bn == pytest.approx(22.725)
    assert t.implied_high_usd_bn == pytest.approx(37.875)
    assert t.by_month["implied_usd_bn"].tolist() == pytest.approx([10.0, 20.3])
    assert t.verdict == "contradicted"  # purchases over the whole range
    assert "do not support 'Japan sold Treasuries'" in t.reading


def test_treasury_reconciliation_without_tic_is_inconclusive():
    days = pd.DatetimeIndex(["2025-01-31", "2025-02-28"])
    obs = _daily("fred.DGS10", days, [4.0, 4.1])
    t = reconcile_treasuries(Evidence(SeriesBook(obs), Episode.of("2025-02-10", "2025-02-20")))
    assert t.verdict == "inconclusive" and "tic.holdings.japan is not in the store" in t.reading
