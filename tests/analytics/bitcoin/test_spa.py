"""SPA and reality check: exact linear-time kernel variance, arch agreement on arch's indices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from yenflow.analytics.bitcoin.bootstrap import (
    counts_from_indices,
    runs_from_indices,
    stationary_counts,
    stationary_indices,
    stationary_runs,
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


@pytest.mark.parametrize(("n", "block"), [(97, 7.0), (50, 120.0), (400, 20.0), (6, 1.0)])
def test_runs_are_the_same_replications_as_the_indices(n: int, block: float) -> None:
    """Runs of consecutive days (a block may wrap past the last day, even several times)."""
    idx = stationary_indices(n, block_size=block, reps=25, seed=8)
    want = counts_from_indices(idx, n)
    drawn = stationary_runs(n, block_size=block, reps=25, seed=8)
    np.testing.assert_array_equal(drawn.counts(), want)
    np.testing.assert_array_equal(runs_from_indices(idx).counts(), want)
    assert ((drawn.lo >= 0) & (drawn.lo < drawn.hi) & (drawn.hi <= n)).all()
    # a run ends only where the next index is not the next day (or at the wrap)
    assert drawn.offsets[-1] >= runs_from_indices(idx).offsets[-1]
    shuffled = np.random.default_rng(1).permuted(idx, axis=1)
    np.testing.assert_array_equal(runs_from_indices(shuffled).counts(), want)


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
    arch_idx = np.array([bs.update_indices().copy() for _ in range(reps)])
    counts = counts_from_indices(arch_idx, len(bench))
    ours = spa(models, bench, block_size=block, counts=counts, studentize="none")
    assert ours.pvalues == pytest.approx(ref.pvalues.to_dict(), abs=1e-12)
    # the same stream as indices: the runs-and-prefix-sums path
    by_runs = spa(models, bench, block_size=block, indices=arch_idx, studentize="none")
    assert by_runs.pvalues == ours.pvalues
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
    counts = stationary_counts(len(bench), block_size=20.0, reps=300, seed=2)
    a = spa(models, bench, reps=300, seed=2, counts=counts)
    b = spa(models, bench, reps=300, seed=2, counts=counts, precision="float32")
    assert a.pvalues == b.pvalues and a.statistic == b.statistic


@pytest.mark.parametrize("k", [1, 13, 64, 70])
@pytest.mark.parametrize("studentize", ["asymptotic", "none"])
def test_runs_path_equals_the_matrix_product(k: int, studentize: str) -> None:
    """Prefix sums over runs vs counts @ d: same means to rounding, same p-values; rule counts
    that are not a multiple of the group of 64 and a rule equal to the benchmark (left out)."""
    models, bench = _case(seed=12, t=600, k=k)
    models[:, 0] = bench  # identical to the benchmark: ω = 0
    if k > 1:
        models[:, -1] = models[:, 1]  # a duplicate rule
    reps, block = 400, 15.0
    counts = stationary_counts(len(bench), block_size=block, reps=reps, seed=4)
    if studentize == "asymptotic" and k == 1:
        with pytest.raises(DataError, match="equals the benchmark"):
            spa(models, bench, block_size=block, reps=reps, seed=4)
        return
    fast = spa(models, bench, block_size=block, reps=reps, seed=4, studentize=studentize)
    slow = spa(models, bench, block_size=block, counts=counts, studentize=studentize)
    assert fast.pvalues == slow.pvalues
    assert fast.statistic == pytest.approx(slow.statistic, rel=1e-12, abs=1e-15)
    assert (fast.best, fast.excluded, fast.reps) == (slow.best, slow.excluded, slow.reps)
    assert fast.excluded == (1 if studentize == "asymptotic" else 0)


def test_runs_kernel_as_plain_python_gives_the_same_numbers() -> None:
    """Without numba the fused kernel runs as the Python it is written in."""
    from yenflow.analytics.bitcoin import spa as spa_module
    from yenflow.analytics.bitcoin._jit import HAVE_NUMBA

    if not HAVE_NUMBA:
        pytest.skip("numba is not installed: the kernel already runs as Python")
    models, bench = _case(seed=3, t=120, k=11)
    runs = stationary_runs(len(bench), block_size=6.0, reps=20, seed=1)
    out = []
    for kernel in (spa_module._spa_runs, spa_module._spa_runs.py_func):
        mean, var, scale, sim = (np.empty(11), np.empty(11), np.empty(11), np.empty((3, 20, 3)))
        ret = np.ascontiguousarray(models.T)
        args = (ret, bench, 1 / 6.0, 2 * math.log(math.log(120)), True)
        kernel(*args, runs.offsets, runs.lo, runs.hi, mean, var, scale, sim)
        out.append((mean, var, scale, sim))
    for a, b in zip(*out, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(out[0][1], kernel_variance(models - bench[:, None], block_size=6))


def test_indices_of_the_wrong_length_are_rejected() -> None:
    models, bench = _case(t=50, k=3)
    with pytest.raises(DataError, match="indices must be"):
        spa(models, bench, indices=np.zeros((5, 49), dtype=np.int64))
