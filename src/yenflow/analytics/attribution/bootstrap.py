"""Seeded moving-block bootstrap of "normal" windows, and intervals for an abnormal part.

A fingerprint asks whether the episode's window looks unlike ordinary windows of the same
length before it. :func:`null_windows` builds many synthetic windows by a moving-block
bootstrap of the series' history, so that short-range dependence (volatility clusters,
autocorrelated flows) survives inside blocks. The resampler draws exactly the index stream of
``arch.bootstrap.MovingBlockBootstrap`` (and :func:`iid_indices` that of ``IIDBootstrap``)
for the same seed, all replicates in one vectorized draw; the tests check the indices against
arch's. arch itself is not imported at run time: importing it (and the SciPy it pulls in)
costs more than a whole scorecard (``benchmarks/bench_explain.py``);
each bootstrap replicate of the whole history is cut into consecutive windows of the
episode's length. :func:`abnormal` turns the observed statistic and those windows into a
:class:`~yenflow.analytics.attribution.evidence.Measurement` of the *abnormal part*
(observed minus what normal windows show): its interval is the observed value minus the
central ``level`` range of the normal windows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from yenflow.analytics.attribution.evidence import Measurement, Missing

__all__ = ["abnormal", "block_indices", "bootstrap_mean", "iid_indices", "null_windows"]

#: Default number of synthetic windows per fingerprint.
N_WINDOWS = 2000
#: At least this many history observations per window length, and never fewer than 30.
MIN_HISTORY_WINDOWS = 8


def _block_size(n: int, length: int) -> int:
    """Block length: at least the window length, about n^(1/3) otherwise (a common rule)."""
    return int(max(length, round(n ** (1.0 / 3.0)), 2))


def block_indices(n: int, block: int, reps: int, *, seed: int) -> np.ndarray:
    """``(reps, n)`` moving-block bootstrap indices: each row is ``ceil(n / block)`` blocks of
    ``block`` consecutive positions with uniformly drawn starts, cut to ``n`` (arch's
    ``MovingBlockBootstrap`` stream for ``seed``)."""
    rng = np.random.default_rng(seed)
    num_blocks = -(-n // block)
    starts = rng.integers(n - block + 1, size=(reps, num_blocks), dtype=np.int64)
    return (starts[:, :, None] + np.arange(block)).reshape(reps, -1)[:, :n]


def iid_indices(n: int, reps: int, *, seed: int) -> np.ndarray:
    """``(reps, n)`` indices drawn with replacement (arch's ``IIDBootstrap`` stream)."""
    return np.random.default_rng(seed).integers(n, size=(reps, n), dtype=np.int64)


def null_windows(
    history: np.ndarray,
    length: int,
    *,
    statistic: Callable[[np.ndarray], np.ndarray] | None = None,
    n_windows: int = N_WINDOWS,
    block: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Statistics of synthetic windows of ``length`` consecutive values of ``history``.

    Args:
        history: 1-d array of increments (NaN dropped first), oldest first.
        length: observations per window.
        statistic: maps a ``(windows, length)`` array to one value per window; default sum.
        n_windows: about how many windows to make.
        block: bootstrap block length (default: ``max(length, n^(1/3))``).
        seed: the random seed (same seed, same answer).

    Raises:
        Missing: fewer than ``max(30, 8 × length)`` history values.
    """
    x = np.asarray(history, dtype="float64")
    x = x[~np.isnan(x)]
    need = max(30, MIN_HISTORY_WINDOWS * length)
    if len(x) < need:
        msg = f"too few comparable observations: {len(x)} in the history, at least {need} needed"
        raise Missing(msg, kind="too_few")
    per_rep = len(x) // length
    reps = int(np.ceil(n_windows / per_rep))
    idx = block_indices(len(x), block or _block_size(len(x), length), reps, seed=seed)
    windows = x[idx[:, : per_rep * length]].reshape(-1, length)[:n_windows]
    return windows.sum(axis=1) if statistic is None else statistic(windows)


def abnormal(
    observed: float,
    normal: np.ndarray,
    *,
    unit: str,
    level: float = 0.90,
    n: int,
) -> Measurement:
    """The abnormal part ``observed - median(normal)`` with its interval.

    The interval is ``[observed - q_hi, observed - q_lo]`` where ``q_lo, q_hi`` are the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the normal windows: the range of
    abnormal parts consistent with the episode being an ordinary window plus that part.
    ``detail`` holds the normal windows' median, the observed value's percentile among them
    (percent of normal windows ≤ observed) and its z-score.
    """
    normal = np.asarray(normal, dtype="float64")
    q_lo, median, q_hi = np.quantile(normal, [(1 - level) / 2, 0.5, (1 + level) / 2])
    sd = float(np.std(normal, ddof=1))
    detail = {
        "normal_median": float(median),
        "normal_low": float(q_lo),
        "normal_high": float(q_hi),
        "percentile": float((normal <= observed).mean() * 100.0),
        "zscore": float((observed - normal.mean()) / sd) if sd > 0 else None,
        "n_windows": len(normal),
    }
    return Measurement(
        observed=float(observed),
        estimate=float(observed - median),
        low=float(observed - q_hi),
        high=float(observed - q_lo),
        unit=unit,
        method="block_bootstrap_null",
        n=n,
        level=level,
        detail=detail,
    )


def bootstrap_mean(
    values: np.ndarray,
    *,
    unit: str,
    observed: float | None = None,
    level: float = 0.90,
    reps: int = 1000,
    seed: int = 0,
    min_n: int = 5,
) -> Measurement:
    """The mean of ``values`` with a seeded percentile bootstrap interval.

    Used where the comparable observations are independent units (the same calendar window
    in different years). ``observed`` is reported alongside (default: the mean itself).

    Raises:
        Missing: fewer than ``min_n`` values.
    """
    x = np.asarray(values, dtype="float64")
    x = x[~np.isnan(x)]
    if len(x) < min_n:
        msg = f"too few comparable observations: {len(x)}, at least {min_n} needed"
        raise Missing(msg, kind="too_few")
    means = x[iid_indices(len(x), reps, seed=seed)].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    mean = float(x.mean())
    return Measurement(
        observed=mean if observed is None else float(observed),
        estimate=mean,
        low=float(lo),
        high=float(hi),
        unit=unit,
        method="bootstrap_mean",
        n=len(x),
        level=level,
        detail={"values_mean": mean, "values_sd": float(np.std(x, ddof=1)) if len(x) > 1 else None},
    )
