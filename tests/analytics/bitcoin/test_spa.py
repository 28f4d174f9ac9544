"""SPA and reality check: exact linear-time kernel variance, arch agreement on arch's indices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from yenflow.analytics.bitcoin.bootstrap import (
    counts_from_indices,
    stationary_counts,
    stationary_indices,
)
from yenflow.analytics.bitcoin.spa import kernel_variance, reality_check, spa
from yenflow.errors import DataError

arch_bootstrap = pytest.importorskip("arch.bootstrap")


def brute_force_variance(z: np.ndarray, p: float) -> float:
    """Hansen (2005) eq. 9 summed over every lag, O(T²)."""
    t = len(z)
    z = z - z.mean()
    out = float(z @ z) / t
    for i in range(1, t):
        kappa = (1 - i / t) * (1 - p) ** i + (i / t) * (1 - p) ** (t - i)
        out += 2 * kappa * float(z[:-i] @ z[i:]) / t
    return out


@pytest.mark.parametrize("block", [1.0, 2.5, 10.0, 50.0])
def test_kernel_variance_is_exact(block: float) -> None:
    rng = np.random.default_rng(11)
    diff = rng.normal(0, 0.02, (150, 4)) + np.linspace(0, 0.01, 150)[:, None]
    got = kernel_variance(diff, block_size=block)
    want = [brute_force_variance(diff[:, k], 1 / block) for k in range(4)]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_indices_are_arch_stream_and_counts_sum_to_n() -> None:
    n, reps = 97, 30
    bs = arch_bootstrap.StationaryBootstrap(7, np.zeros(n), seed=123)
    arch_idx = np.array([bs.update_indices().copy() for _ in range(reps)])
    ours = stationary_indices(n, block_size=7, reps=reps, seed=123)
    np.testing.assert_array_equal(ours, arch_idx)
    counts = counts_from_indices(ours, n)
    assert counts.shape == (reps, n) and (counts.sum(axis=1) == n).all()
    assert counts[3, ours[3, 0]] >= 1


def test_bootstrap_mean_variance_known_answer() -> None:
    """Block size 1 is the iid bootstrap: Var*(mean) = mean((x - x̄)²) / n exactly."""
    x = np.arange(20, dtype="float64") ** 1.5
    counts = stationary_counts(len(x), block_size=1.0, reps=40_000, seed=5)
    means = counts @ x / len(x)
    want = float(np.mean((x - x.mean()) ** 2)) / len(x)
    assert means.mean() == pytest.approx(x.mean(), rel=2e-3)
    assert means.var() == pytest.approx(want, rel=0.03)


def _case(seed: int = 2, t: int = 400, k: int = 30):
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 0.02, t)
    models = common[:, None] * 0.5 + rng.normal(0.0002, 0.01, (t, k))
    bench = common + rng.normal(0, 0.005, t)
    return models, bench


@pytest.mark.parametrize("block", [5, 20])
def test_agrees_with_arch_on_arch_indices(block: int) -> None:
    models, bench = _case()
    reps, seed = 300, 42
    ref = arch_bootstrap.SPA(-bench, -models, block_size=block, reps=reps, seed=seed)
    ref.compute()
    # arch's own index stream, fed to ours as counts
    bs = arch_bootstrap.StationaryBootstrap(block, np.zeros(len(bench)), seed=seed)
    counts = counts_from_indices(
        np.array([bs.update_indices().copy() for _ in range(reps)]), len(bench)
    )
    ours = spa(models, bench, block_size=block, counts=counts, studentize="none")
    assert ours.pvalues == pytest.approx(ref.pvalues.to_dict(), abs=1e-12)
    assert 0 < ours.pvalues["upper"] < 1  # a case that is not trivially decided
    np.testing.assert_allclose(
        kernel_variance(models - bench[:, None], block_size=block),
        ref._loss_diff_var,
        rtol=1e-10,
    )
    # same seed without injected counts: our own draws are arch's stream
    seeded = spa(models, bench, block_size=block, reps=reps, seed=seed, studentize="none")
    assert seeded.pvalues == ours.pvalues


def test_studentized_spa_divides_by_omega_where_arch_does_not() -> None:
    models, bench = _case(seed=9)
    reps, block = 400, 10
    ref = arch_bootstrap.SPA(-bench, -models, block_size=block, reps=reps, seed=1)
    ref.compute()
    ours = spa(models, bench, block_size=block, reps=reps, seed=1)
    # Hansen's statistic from arch's own pieces: studentize arch's simulated values
    t = len(bench)
    omega = np.sqrt(ref._loss_diff_var)
    stat = max(0.0, float(np.max(math.sqrt(t) * ref._loss_diff.mean(0) / omega)))
    sim = np.maximum(np.max(ref._simulated_vals * (math.sqrt(t) / omega)[:, None, None], 0), 0)
    want = dict(zip(("lower", "consistent", "upper"), (sim > stat).mean(0), strict=True))
    assert ours.statistic == pytest.approx(stat, rel=1e-12)
    assert ours.pvalues == pytest.approx(want, abs=1e-12)
    assert ours.pvalues["lower"] <= ours.pvalues["consistent"] <= ours.pvalues["upper"]


def test_reality_check_is_upper_nonstudentized_and_seeded() -> None:
    models, bench = _case(seed=4)
    a = reality_check(models, bench, reps=200, seed=3)
    b = reality_check(models, bench, reps=200, seed=3)
    c = spa(models, bench, reps=200, seed=3, studentize="none")
    assert a.pvalues == b.pvalues and a.pvalues["upper"] == c.pvalues["upper"]
    assert "reality check" in a.describe()


def test_a_rule_that_truly_wins_is_detected_and_pure_noise_is_not() -> None:
    rng = np.random.default_rng(8)
    t = 1500
    noise = rng.normal(0, 0.01, (t, 40))
    bench = np.zeros(t)  # cash
    assert spa(noise, bench, reps=500, seed=1).pvalues["consistent"] > 0.05
    winner = noise.copy()
    winner[:, 7] += 0.003  # 30 bp a day better, 1500 days: t-stat about 11
    res = spa(winner, bench, reps=500, seed=1)
    assert res.pvalues["consistent"] < 0.01 and res.best == 7


def test_bad_shapes_are_rejected() -> None:
    with pytest.raises(DataError, match="T × K"):
        spa(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(DataError, match="equals the benchmark"):
        spa(np.zeros((10, 3)), np.zeros(10))


def test_float32_product_gives_the_same_pvalues_here() -> None:
    models, bench = _case(seed=6)
    a = spa(models, bench, reps=300, seed=2)
    b = spa(models, bench, reps=300, seed=2, precision="float32")
    assert a.pvalues == b.pvalues and a.statistic == b.statistic
