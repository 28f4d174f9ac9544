"""Data-snooping control: Hansen's SPA test and White's reality check, fast and exact.

Performance differentials ``d[t, k] = r_k[t] - r_bench[t]`` (daily returns of rule ``k`` minus
the benchmark's: buy-and-hold BTC, or cash = 0), positive when the rule did better. The null:
no rule beats the benchmark, ``max_k E[d_k] <= 0``.

**Variance.** ``ω_k²`` estimates the long-run variance of ``sqrt(T) · mean(d_k)`` with the
stationary bootstrap's kernel (Politis & Romano 1994; Hansen 2005, eq. 9):
``ω² = γ_0 + 2 Σ_{i=1}^{T-1} κ_i γ_i``, ``κ_i = (1 - i/T)(1-p)^i + (i/T)(1-p)^{T-i}``,
``γ_i = (1/T) Σ_t z_t z_{t+i}`` of the demeaned ``z``. Computed exactly in O(T) per rule by
recursions in one forward pass (no O(T²) sum over lags): with ``a = 1 - p``,
``Σ_{t<j} a^{j-t} z_t z_j = Σ_j z_j F_j`` (``F_j = a (F_{j-1} + z_{j-1})``),
``Σ_{t<j} (j-t) a^{j-t} z_t z_j = Σ_j z_j K_j`` (``K_j = a (K_{j-1} + F_{j-1} + z_{j-1})``) and
``Σ_{t<j} (j-t) a^{T-(j-t)} z_t z_j = Σ_j v_j (j U_j - W_j)`` with ``u_t = a^{t+1} z_t``,
``v_j = a^{T-1-j} z_j``, ``U_j``, ``W_j`` the prefix sums of ``u_t`` and ``t u_t``.

**Bootstrap.** All replication means at once, never one resample at a time. A stationary-
bootstrap replication is a concatenation of about ``T / block_size`` runs of consecutive days
(:class:`.bootstrap.BootstrapRuns`), so with ``S_k`` the prefix sums of the demeaned
differentials its mean is ``mean(d_k) + Σ_runs (S_k[hi] - S_k[lo]) / T``: about 65 terms per
replication and rule instead of ``T = 4,000`` (for the benchmark workload, ~60× fewer
operations than the matrix product ``counts @ d``). One fused pass per group of 64 rules
(:func:`_spa_runs`) computes the mean, ``ω²``, the prefix sums and every replication's value and
keeps only the running maximum per replication: no ``T × K`` differential matrix, no
``reps × K`` matrix of means. Given a counts matrix instead (``counts=``) the means are the one
matrix product ``counts @ d / T``; both give the same p-values (the means differ by rounding,
~1e-17). Re-centred three ways (Hansen's ``g``): *upper* (by ``mean(d_k)``), *consistent*
(by ``mean(d_k)`` only where ``mean(d_k) >= -sqrt(ω_k²/T · 2 log log T)``, else 0), *lower*
(by ``max(mean(d_k), 0)``).

**Studentized SPA** (``studentize="asymptotic"``, Hansen's test): statistic
``T_SPA = max(0, max_k sqrt(T) mean(d_k) / ω_k)``; replication ``b``:
``max(0, max_k sqrt(T) (mean*_bk - μ_k) / ω_k)``; p-value = share of replications above the
statistic. Rules with ``ω_k = 0`` (identical to the benchmark every day) carry no information
and are left out (counted in ``excluded``).

**Not studentized** (``studentize="none"``): statistic ``max_k mean(d_k)`` and replications
``max_k (mean*_bk - μ_k)`` — exactly what ``arch.bootstrap.SPA`` computes, whatever its
``studentize`` flag says: arch 8.0's ``SPA.compute`` uses the variances only for the consistent
threshold and never divides the statistic or the replications by them. White's reality check
(:func:`reality_check`) is this statistic's *upper* p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from yenflow.analytics.bitcoin._jit import jit, prange, threads
from yenflow.analytics.bitcoin._results import ResultViews
from yenflow.analytics.bitcoin.bootstrap import (
    BootstrapRuns,
    SeedLike,
    runs_from_indices,
    stationary_runs,
)
from yenflow.errors import DataError

__all__ = ["SpaResult", "Studentize", "kernel_variance", "reality_check", "spa"]

Studentize = Literal["asymptotic", "none"]
_CENTRINGS = ("lower", "consistent", "upper")


@jit()
def _powers(a, n_t):
    power = np.empty(n_t + 1)  # a^m, shared by every rule
    power[0] = 1.0
    for m in range(1, n_t + 1):
        power[m] = power[m - 1] * a
    return power


@jit()
def _rule_moments(row, bench, a, power, z, prefix, g):
    """Mean and ``ω²`` of ``row - bench`` in two passes; ``z`` gets the differentials and
    ``prefix[:, g]`` the prefix sums of the demeaned ones (``prefix[t, g] = Σ_{s<t} (z_s - mu)``).
    One forward loop runs every recursion (independent chains, so they overlap):
    ``F_j = a (F_{j-1} + z_{j-1})``, ``K_j = a (K_{j-1} + F_{j-1} + z_{j-1})`` give
    ``Σ_{t<j} a^{j-t} z_t z_j = Σ_j z_j F_j`` and ``Σ_{t<j} (j-t) a^{j-t} z_t z_j = Σ_j z_j K_j``.
    """
    n_t = len(row)
    mu = 0.0
    for t in range(n_t):
        z[t] = row[t] - bench[t]
        mu += z[t]
    mu /= n_t
    f = 0.0
    kk = 0.0
    z_prev = 0.0
    part_a = 0.0
    part_b = 0.0
    gamma0 = 0.0
    part_c = 0.0
    u_sum = 0.0
    tu_sum = 0.0
    running = 0.0
    prefix[0, g] = 0.0
    for j in range(n_t):
        zj = z[j] - mu
        kk = a * (kk + f + z_prev)
        f = a * (z_prev + f)
        part_a += zj * f
        part_b += zj * kk
        gamma0 += zj * zj
        part_c += power[n_t - 1 - j] * zj * (j * u_sum - tu_sum)
        u = power[j + 1] * zj
        u_sum += u
        tu_sum += j * u
        running += zj
        prefix[j + 1, g] = running
        z_prev = zj
    return mu, (gamma0 + 2.0 * (part_a - part_b / n_t + part_c / n_t)) / n_t


@jit(parallel=True)
def _kernel_variance(diff, p, out):  # diff: K × T, C order
    n_k, n_t = diff.shape
    a = 1.0 - p
    power = _powers(a, n_t)
    zero = np.zeros(n_t)
    for k in prange(n_k):
        z = np.empty(n_t)
        prefix = np.empty((n_t + 1, 1))
        out[k] = _rule_moments(diff[k], zero, a, power, z, prefix, 0)[1]


@jit()
def _group_maxima(prefix, off, sc, offsets, lo, hi, best):
    """Fold one group of rules into ``best[b, j]``, the running max over rules of
    ``(deviation_b + off[j]) * sc`` (rules with ``sc = 0`` left out), where replication
    ``b``'s mean deviation is ``Σ_runs (prefix[hi] - prefix[lo]) / T``."""
    n_t = prefix.shape[0] - 1
    acc = np.empty(_GROUP)
    for q in range(len(offsets) - 1):
        for g in range(_GROUP):
            acc[g] = 0.0
        for i in range(offsets[q], offsets[q + 1]):
            top = hi[i]
            bottom = lo[i]
            for g in range(_GROUP):
                acc[g] += prefix[top, g] - prefix[bottom, g]
        for j in range(3):
            m = best[q, j]
            for g in range(_GROUP):
                if sc[g] > 0.0:
                    x = (acc[g] / n_t + off[j, g]) * sc[g]
                    if x > m:
                        m = x
            best[q, j] = m


_GROUP = 64  # rules per pass: long inner loops (SIMD); (T + 1) × 64 float64 prefix sums ≈ L2


@jit(parallel=True)
def _spa_runs(ret, bench, p, loglog2, studentized, offsets, lo, hi, mean, var, scale, sim):
    """The SPA's every figure in one pass per group of ``_GROUP`` rules, no reps × K matrix.

    Per rule ``k`` (a row of ``ret``, K × T, minus ``bench``): mean, ``ω²``, scale (``sqrt(T)
    / ω`` or 1) and the offsets ``mean - centre_j`` of the three centrings; then every
    replication's value of the group (:func:`_group_maxima`). ``sim[part, b, j]`` is the max
    over part ``part``'s rules (parts: the first axis of ``sim``, one per parallel task).
    """
    n_k, n_t = ret.shape
    n_parts, reps = sim.shape[0], sim.shape[1]
    a = 1.0 - p
    power = _powers(a, n_t)
    n_groups = (n_k + _GROUP - 1) // _GROUP
    root_t = math.sqrt(n_t)
    for part in prange(n_parts):
        prefix = np.zeros((n_t + 1, _GROUP))
        z = np.empty(n_t)
        off = np.zeros((3, _GROUP))
        sc = np.zeros(_GROUP)
        best = sim[part]
        for q in range(reps):
            for j in range(3):
                best[q, j] = -math.inf
        for grp in range(part, n_groups, n_parts):
            for g in range(_GROUP):
                k = grp * _GROUP + g
                if k >= n_k:
                    sc[g] = 0.0  # past the last rule: left out
                    continue
                mu, v = _rule_moments(ret[k], bench, a, power, z, prefix, g)
                mean[k] = mu
                var[k] = v
                v = max(v, 0.0)
                omega = math.sqrt(v)
                if not studentized:
                    sc[g] = 1.0
                else:
                    sc[g] = root_t / omega if omega > 0.0 else 0.0
                scale[k] = sc[g]
                off[0, g] = min(mu, 0.0)  # lower: centred at max(mean, 0)
                off[1, g] = 0.0 if mu >= -math.sqrt(v / n_t * loglog2) else mu  # consistent
                off[2, g] = 0.0  # upper: centred at the mean
            _group_maxima(prefix, off, sc, offsets, lo, hi, best)


@jit(parallel=True)
def _max_replications(means, centres, scale, floor_zero, out):
    """out[b, j] = max_k (means[b, k] - centres[j, k]) * scale[k], floored at 0 if asked."""
    n_b, n_k = means.shape
    for b in prange(n_b):
        for j in range(3):
            best = -math.inf
            for k in range(n_k):
                s = scale[k]
                if s > 0.0:
                    v = (means[b, k] - centres[j, k]) * s
                    if v > best:
                        best = v
            if floor_zero and best < 0.0:
                best = 0.0
            out[b, j] = best


def kernel_variance(diff: np.ndarray, *, block_size: float) -> np.ndarray:
    """``ω_k²`` of every column of ``diff`` (T × K), exactly, in O(T) per column."""
    d = np.ascontiguousarray(np.asarray(diff, dtype="float64").T)
    out = np.empty(d.shape[0])
    _kernel_variance(d, 1.0 / block_size, out)
    return out


@dataclass(frozen=True, eq=False, repr=False)
class SpaResult(ResultViews):
    """A data-snooping test of the best of ``models`` rules against one benchmark.

    ``statistic`` is ``T_SPA`` (studentized) or ``max mean(d)`` (not studentized, daily
    fraction); ``pvalues`` has ``lower``, ``consistent``, ``upper``; ``best`` is the column
    with the highest mean differential, ``best_mean`` its mean daily excess return (fraction).
    """

    test: str
    benchmark: str
    studentize: Studentize
    statistic: float
    pvalues: dict[str, float]
    best: int
    best_mean: float
    models: int
    excluded: int
    reps: int
    block_size: float
    seed: int | None
    days: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"p_value": [self.pvalues[c] for c in _CENTRINGS]},
            index=pd.Index(list(_CENTRINGS), name="centring"),
        )

    def _figures(self) -> dict:
        return {
            "test": self.test,
            "benchmark": self.benchmark,
            "statistic": self.statistic,
            "pvalues": self.pvalues,
            "best": self.best,
            "best_mean": self.best_mean,
            "models": self.models,
            "reps": self.reps,
            "block_size": self.block_size,
            "seed": self.seed,
            "studentize": self.studentize,
        }

    def describe(self) -> str:
        verdict = (
            "some rule beats it beyond data snooping (5 % level)"
            if self.pvalues["consistent"] < 0.05
            else "no rule beats it once the search over rules is accounted for"
        )
        return (
            f"{self.test} against {self.benchmark}: {self.models:,} rules, {self.days:,} days, "
            f"{self.reps:,} stationary-bootstrap replications (mean block {self.block_size:g} "
            f"days, seed {self.seed}); consistent p = {self.pvalues['consistent']:.3f} (lower "
            f"{self.pvalues['lower']:.3f}, upper {self.pvalues['upper']:.3f}): {verdict}. Best "
            f"rule #{self.best}: mean excess {self.best_mean * 1e4:+.2f} bp a day"
        )


def _loglog2(n_t: int) -> float:
    return 2.0 * math.log(math.log(n_t))


def _parts() -> int:
    """Partial maxima per thread (a few more than threads, for balance on a busy machine)."""
    return 4 * threads()


def _by_runs(
    r: np.ndarray, b: np.ndarray, runs: BootstrapRuns, block: float, studentized: bool
) -> tuple[np.ndarray, ...]:
    """The fused pass (:func:`_spa_runs`): means, scales, replications (reps × 3)."""
    ret = np.ascontiguousarray(r.T)  # K × T: a view when r is a rule-major block's transpose
    n_k, n_t = ret.shape
    mean, var, scale = np.empty(n_k), np.empty(n_k), np.empty(n_k)
    sim = np.empty((_parts(), runs.reps, 3))
    _spa_runs(
        ret,
        np.ascontiguousarray(b),
        1.0 / block,
        _loglog2(n_t),
        studentized,
        runs.offsets,
        runs.lo,
        runs.hi,
        mean,
        var,
        scale,
        sim,
    )
    simulated = sim.max(axis=0)
    return mean, scale, np.maximum(simulated, 0.0) if studentized else simulated


def _by_counts(
    r: np.ndarray,
    b: np.ndarray,
    counts: np.ndarray,
    block: float,
    studentized: bool,
    precision: str,
) -> tuple[np.ndarray, ...]:
    """The same from a counts matrix: one matrix product ``counts @ d`` (reps × K)."""
    n_t, n_k = r.shape
    counts = np.asarray(counts, dtype="float64")
    if counts.ndim != 2 or counts.shape[1] != n_t:
        msg = f"counts must be reps × {n_t}, got {counts.shape}"
        raise DataError(msg)
    diff_kt = np.ascontiguousarray(r.T) - b[None, :]  # K × T, each rule's days contiguous
    mean = diff_kt.mean(axis=1)
    var = np.empty(n_k)
    _kernel_variance(diff_kt, 1.0 / block, var)
    if precision == "float32":
        boot = (counts.astype("float32") @ diff_kt.T.astype("float32")).astype("float64") / n_t
    else:
        boot = (counts @ diff_kt.T) / n_t  # all replications' means: reps × K
    threshold = -np.sqrt(np.maximum(var, 0.0) / n_t * _loglog2(n_t))
    centres = np.vstack([np.maximum(mean, 0.0), np.where(mean >= threshold, mean, 0.0), mean])
    if studentized:
        omega = np.sqrt(np.maximum(var, 0.0))
        scale = np.where(omega > 0, math.sqrt(n_t) / np.where(omega > 0, omega, 1.0), 0.0)
    else:
        scale = np.ones(n_k)
    simulated = np.empty((counts.shape[0], 3))
    _max_replications(np.ascontiguousarray(boot), centres, scale, studentized, simulated)
    return mean, scale, simulated


def spa(
    returns: np.ndarray,
    benchmark: np.ndarray,
    *,
    reps: int = 1000,
    block_size: float | None = None,
    seed: SeedLike = 0,
    studentize: Studentize = "asymptotic",
    counts: np.ndarray | None = None,
    indices: np.ndarray | None = None,
    benchmark_name: str = "the benchmark",
    test: str | None = None,
    precision: Literal["float64", "float32"] = "float64",
) -> SpaResult:
    """Hansen's SPA test of rules' daily ``returns`` (T × K) against ``benchmark`` (T).

    ``block_size`` is the stationary bootstrap's mean block (default ``sqrt(T)``, as arch);
    ``seed`` makes the draws reproducible (the same seed gives arch's index stream).
    ``indices`` (reps × T, e.g. arch's own index stream) replaces the draws; ``counts``
    (reps × T, how often each day is drawn) does too, through the matrix product
    ``counts @ d`` (slower; ``precision="float32"`` does that product in single precision,
    each mean then carrying a relative error near 1e-7). The default path is float64 and
    reproduces arch's p-values.
    """
    r = np.asarray(returns, dtype="float64")
    b = np.asarray(benchmark, dtype="float64").ravel()
    if r.ndim != 2 or r.shape[0] != len(b):
        msg = f"SPA needs returns T × K and a benchmark of T days; got {r.shape} and {b.shape}"
        raise DataError(msg)
    n_t, n_k = r.shape
    if n_t < 3 or not np.isfinite(r).all() or not np.isfinite(b).all():
        msg = f"SPA needs at least 3 days of finite returns, got {n_t} days (NaN/inf present?)"
        raise DataError(msg)
    block = float(int(math.sqrt(n_t))) if block_size is None else float(block_size)
    if studentize not in ("asymptotic", "none"):
        msg = f"studentize must be 'asymptotic' or 'none', got {studentize!r}"
        raise ValueError(msg)
    studentized = studentize == "asymptotic"
    if counts is not None:
        mean, scale, simulated = _by_counts(r, b, counts, block, studentized, precision)
    else:
        if indices is not None:
            runs = runs_from_indices(indices)
            if runs.n != n_t:
                msg = f"indices must be reps × {n_t}, got {np.shape(indices)}"
                raise DataError(msg)
        else:
            runs = stationary_runs(n_t, block_size=block, reps=reps, seed=seed)
        mean, scale, simulated = _by_runs(r, b, runs, block, studentized)
    usable = scale > 0
    if not usable.any():
        msg = "every rule equals the benchmark on every day: nothing to test"
        raise DataError(msg)
    if studentized:
        statistic = max(0.0, float(np.max(mean[usable] * scale[usable])))
    else:
        statistic = float(mean.max())
    pvalues = {c: float((simulated[:, j] > statistic).mean()) for j, c in enumerate(_CENTRINGS)}
    best = int(np.argmax(mean))
    name = test or ("Hansen's SPA (studentized)" if studentize == "asymptotic" else "SPA")
    return SpaResult(
        test=name,
        benchmark=benchmark_name,
        studentize=studentize,
        statistic=statistic,
        pvalues=pvalues,
        best=best,
        best_mean=float(mean[best]),
        models=n_k,
        excluded=int((~usable).sum()),
        reps=int(simulated.shape[0]),
        block_size=block,
        seed=seed if isinstance(seed, int) or seed is None else None,
        days=n_t,
    )


def reality_check(
    returns: np.ndarray,
    benchmark: np.ndarray,
    *,
    reps: int = 1000,
    block_size: float | None = None,
    seed: SeedLike = 0,
    counts: np.ndarray | None = None,
    benchmark_name: str = "the benchmark",
) -> SpaResult:
    """White's (2000) reality check: the non-studentized statistic; its p-value is ``upper``."""
    return spa(
        returns,
        benchmark,
        reps=reps,
        block_size=block_size,
        seed=seed,
        studentize="none",
        counts=counts,
        benchmark_name=benchmark_name,
        test="White's reality check",
    )
