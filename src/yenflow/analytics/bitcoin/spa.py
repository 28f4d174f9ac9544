"""Data-snooping control: Hansen's SPA test and White's reality check, fast and exact.

Performance differentials ``d[t, k] = r_k[t] - r_bench[t]`` (daily returns of rule ``k`` minus
the benchmark's: buy-and-hold BTC, or cash = 0), positive when the rule did better. The null:
no rule beats the benchmark, ``max_k E[d_k] <= 0``.

**Variance.** ``ω_k²`` estimates the long-run variance of ``sqrt(T) · mean(d_k)`` with the
stationary bootstrap's kernel (Politis & Romano 1994; Hansen 2005, eq. 9):
``ω² = γ_0 + 2 Σ_{i=1}^{T-1} κ_i γ_i``, ``κ_i = (1 - i/T)(1-p)^i + (i/T)(1-p)^{T-i}``,
``γ_i = (1/T) Σ_t z_t z_{t+i}`` of the demeaned ``z``. Computed exactly in O(T) per rule by
backward recursions (no O(T²) sum over lags): with ``a = 1 - p``,
``Σ_{t<j} a^{j-t} z_t z_j = Σ_t z_t G_t`` (``G_t = a (z_{t+1} + G_{t+1})``),
``Σ_{t<j} (j-t) a^{j-t} z_t z_j = Σ_t z_t H_t`` (``H_t = a (H_{t+1} + G_{t+1} + z_{t+1})``) and
``Σ_{t<j} (j-t) a^{T-(j-t)} z_t z_j = Σ_j v_j (j U_j - W_j)`` with ``u_t = a^{t+1} z_t``,
``v_j = a^{T-1-j} z_j``, ``U_j``, ``W_j`` the prefix sums of ``u_t`` and ``t u_t``.

**Bootstrap.** All replication means at once: ``counts @ d / T`` (:mod:`.bootstrap`; one matrix
product), re-centred three ways (Hansen's ``g``): *upper* (by ``mean(d_k)``), *consistent*
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

from yenflow.analytics.bitcoin._jit import jit, prange
from yenflow.analytics.bitcoin._results import ResultViews
from yenflow.analytics.bitcoin.bootstrap import SeedLike, stationary_counts
from yenflow.errors import DataError

__all__ = ["SpaResult", "Studentize", "kernel_variance", "reality_check", "spa"]

Studentize = Literal["asymptotic", "none"]
_CENTRINGS = ("lower", "consistent", "upper")


@jit(parallel=True)
def _kernel_variance(diff, p, out):  # diff: K × T, C order
    n_k, n_t = diff.shape
    a = 1.0 - p
    power = np.empty(n_t + 1)  # a^m, shared by every rule
    power[0] = 1.0
    for m in range(1, n_t + 1):
        power[m] = power[m - 1] * a
    for k in prange(n_k):
        row = diff[k]
        mu = 0.0
        for t in range(n_t):
            mu += row[t]
        mu /= n_t
        g = 0.0
        h = 0.0
        part_a = 0.0
        part_b = 0.0
        gamma0 = (row[n_t - 1] - mu) ** 2
        for t in range(n_t - 2, -1, -1):
            zn = row[t + 1] - mu
            zt = row[t] - mu
            h = a * (h + g + zn)
            g = a * (zn + g)
            part_a += zt * g
            part_b += zt * h
            gamma0 += zt * zt
        part_c = 0.0
        u_sum = 0.0
        tu_sum = 0.0
        for j in range(n_t):
            zj = row[j] - mu
            part_c += power[n_t - 1 - j] * zj * (j * u_sum - tu_sum)
            u = power[j + 1] * zj
            u_sum += u
            tu_sum += j * u
        out[k] = (gamma0 + 2.0 * (part_a - part_b / n_t + part_c / n_t)) / n_t


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


def spa(
    returns: np.ndarray,
    benchmark: np.ndarray,
    *,
    reps: int = 1000,
    block_size: float | None = None,
    seed: SeedLike = 0,
    studentize: Studentize = "asymptotic",
    counts: np.ndarray | None = None,
    benchmark_name: str = "the benchmark",
    test: str | None = None,
    precision: Literal["float64", "float32"] = "float64",
) -> SpaResult:
    """Hansen's SPA test of rules' daily ``returns`` (T × K) against ``benchmark`` (T).

    ``block_size`` is the stationary bootstrap's mean block (default ``sqrt(T)``, as arch);
    ``counts`` (reps × T) replaces the drawn counts (e.g. arch's index stream as counts);
    ``seed`` makes the draws reproducible. ``precision="float32"`` does the one matrix
    product in single precision (about twice as fast; counts are exact, each mean carries a
    relative error near 1e-7, which can only matter for a replication tied with the
    statistic); the default float64 reproduces arch to the last digit.
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
    if counts is None:
        counts = stationary_counts(n_t, block_size=block, reps=reps, seed=seed)
    counts = np.asarray(counts, dtype="float64")
    if counts.shape[1] != n_t:
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
    threshold = -np.sqrt(np.maximum(var, 0.0) / n_t * 2.0 * math.log(math.log(n_t)))
    centres = np.vstack([np.maximum(mean, 0.0), np.where(mean >= threshold, mean, 0.0), mean])
    if studentize == "asymptotic":
        omega = np.sqrt(np.maximum(var, 0.0))
        scale = np.where(omega > 0, math.sqrt(n_t) / np.where(omega > 0, omega, 1.0), 0.0)
        usable = scale > 0
        if not usable.any():
            msg = "every rule equals the benchmark on every day: nothing to test"
            raise DataError(msg)
        statistic = max(0.0, float(np.max(mean[usable] * scale[usable])))
        floor = True
    elif studentize == "none":
        scale = np.ones(n_k)
        usable = scale > 0
        statistic = float(mean.max())
        floor = False
    else:
        msg = f"studentize must be 'asymptotic' or 'none', got {studentize!r}"
        raise ValueError(msg)
    simulated = np.empty((counts.shape[0], 3))
    _max_replications(np.ascontiguousarray(boot), centres, scale, floor, simulated)
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
        reps=int(counts.shape[0]),
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
