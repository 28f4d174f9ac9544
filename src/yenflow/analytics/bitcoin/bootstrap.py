"""The stationary bootstrap (Politis & Romano 1994) as index and counts matrices.

One replication of length ``n`` is a sequence of blocks: position 0 starts a block at a random
index; every later position starts a new block with probability ``p = 1 / block_size``
(expected block length ``block_size``), else continues the previous index + 1, wrapping from
``n - 1`` to 0. The draws follow arch's ``StationaryBootstrap.update_indices`` exactly — for
each replication ``n`` integers in ``[0, n)`` then ``n`` uniforms, a new block where
``u <= p`` — so the same seed gives arch's own index stream; the block logic is vectorised over
all replications at once.

A replication's mean of any column is ``counts[b] @ column / n`` with ``counts[b, t]`` the
number of times index ``t`` was drawn: all bootstrap means of all columns are one matrix
product (:func:`stationary_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yenflow.analytics.bitcoin._jit import jit, prange

__all__ = [
    "BootstrapRuns",
    "SeedLike",
    "counts_from_indices",
    "runs_from_indices",
    "stationary_counts",
    "stationary_indices",
    "stationary_runs",
]

SeedLike = int | np.random.Generator | None


def _generator(seed: SeedLike) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _draws(n: int, *, block_size: float, reps: int, seed: SeedLike) -> tuple[np.ndarray, ...]:
    """arch's draws: per replication ``n`` start indices in ``[0, n)``, then ``n`` uniforms."""
    if n < 1 or reps < 1:
        msg = f"the bootstrap needs n >= 1 and reps >= 1, got n={n}, reps={reps}"
        raise ValueError(msg)
    if block_size < 1:
        msg = f"the expected block size is at least 1 observation, got {block_size}"
        raise ValueError(msg)
    rng = _generator(seed)
    starts = np.empty((reps, n), dtype=np.int64)
    uniforms = np.empty((reps, n))
    for r in range(reps):
        starts[r] = rng.integers(n, size=n, dtype=np.int64)
        rng.random(n, out=uniforms[r])
    return starts, uniforms


def stationary_indices(n: int, *, block_size: float, reps: int, seed: SeedLike) -> np.ndarray:
    """``reps × n`` int64 indices of the stationary bootstrap (arch's draw order)."""
    starts, uniforms = _draws(n, block_size=block_size, reps=reps, seed=seed)
    new = uniforms <= 1.0 / block_size
    new[:, 0] = True
    pos = np.arange(n, dtype=np.int64)
    block_start = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    first = np.take_along_axis(starts, block_start, axis=1)
    return (first + (pos - block_start)) % n


def counts_from_indices(indices: np.ndarray, n: int) -> np.ndarray:
    """``reps × n`` float64 counts: how often each index appears in each replication."""
    indices = np.asarray(indices, dtype=np.int64)
    reps = indices.shape[0]
    flat = indices + (np.arange(reps, dtype=np.int64) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=reps * n).reshape(reps, n).astype("float64")


def stationary_counts(n: int, *, block_size: float, reps: int, seed: SeedLike) -> np.ndarray:
    """Counts matrix of :func:`stationary_indices` (see the module docstring)."""
    return counts_from_indices(
        stationary_indices(n, block_size=block_size, reps=reps, seed=seed), n
    )


@jit(parallel=True)
def _runs_from_draws(starts, uniforms, p, offsets, lo, hi):
    """Fill ``lo``/``hi`` (or, with ``offsets[-1] == 0``, only count into ``offsets[1:]``)."""
    reps, n = starts.shape
    count_only = offsets[reps] == 0
    for r in prange(reps):
        k = offsets[r]
        idx = starts[r, 0]
        first = idx
        runs = 0
        for t in range(1, n):
            if uniforms[r, t] <= p:
                if not count_only:
                    lo[k + runs] = first
                    hi[k + runs] = idx + 1
                runs += 1
                idx = starts[r, t]
                first = idx
            else:
                idx += 1
                if idx == n:
                    if not count_only:
                        lo[k + runs] = first
                        hi[k + runs] = n
                    runs += 1
                    idx = 0
                    first = 0
        if not count_only:
            lo[k + runs] = first
            hi[k + runs] = idx + 1
        runs += 1
        if count_only:
            offsets[r + 1] = runs


@jit(parallel=True)
def _runs_from_indices(indices, offsets, lo, hi):
    reps, n = indices.shape
    count_only = offsets[reps] == 0
    for r in prange(reps):
        k = offsets[r]
        first = indices[r, 0]
        runs = 0
        for t in range(1, n):
            if indices[r, t] != indices[r, t - 1] + 1:
                if not count_only:
                    lo[k + runs] = first
                    hi[k + runs] = indices[r, t - 1] + 1
                runs += 1
                first = indices[r, t]
        if not count_only:
            lo[k + runs] = first
            hi[k + runs] = indices[r, n - 1] + 1
        runs += 1
        if count_only:
            offsets[r + 1] = runs


@dataclass(frozen=True, eq=False)
class BootstrapRuns:
    """Replications as runs of consecutive indices: replication ``b`` is the concatenation of
    ``range(lo[i], hi[i])`` for ``i`` in ``offsets[b] .. offsets[b + 1] - 1``.

    A replication's sum of any column is then ``Σ_i S[hi[i]] - S[lo[i]]`` with ``S`` the
    column's prefix sums: about ``n / block_size`` runs instead of ``n`` terms.
    """

    n: int
    offsets: np.ndarray  # int64, reps + 1
    lo: np.ndarray  # int64, start index of each run
    hi: np.ndarray  # int64, one past its last index

    @property
    def reps(self) -> int:
        return len(self.offsets) - 1

    def counts(self) -> np.ndarray:
        """The same replications as a ``reps × n`` float64 counts matrix."""
        out = np.zeros((self.reps, self.n))
        for b in range(self.reps):
            for i in range(self.offsets[b], self.offsets[b + 1]):
                out[b, self.lo[i] : self.hi[i]] += 1.0
        return out


def _fill(fill, *args: np.ndarray) -> BootstrapRuns:
    reps = args[0].shape[0]
    offsets = np.zeros(reps + 1, dtype=np.int64)
    empty = np.empty(0, dtype=np.int64)
    fill(*args, offsets, empty, empty)  # pass 1: runs per replication
    offsets[0] = 0
    np.cumsum(offsets, out=offsets)
    lo = np.empty(offsets[-1], dtype=np.int64)
    hi = np.empty(offsets[-1], dtype=np.int64)
    fill(*args, offsets, lo, hi)  # pass 2: the runs
    return BootstrapRuns(args[0].shape[1], offsets, lo, hi)


def runs_from_indices(indices: np.ndarray) -> BootstrapRuns:
    """:class:`BootstrapRuns` of any ``reps × n`` index matrix (e.g. arch's index stream)."""
    indices = np.ascontiguousarray(indices, dtype=np.int64)
    if indices.ndim != 2 or indices.shape[1] < 1:
        msg = f"indices must be reps × n, got shape {indices.shape}"
        raise ValueError(msg)
    if indices.size and (indices.min() < 0 or indices.max() >= indices.shape[1]):
        msg = f"indices of a replication of n = {indices.shape[1]} days lie in [0, n)"
        raise ValueError(msg)
    return _fill(_runs_from_indices, indices)


def stationary_runs(n: int, *, block_size: float, reps: int, seed: SeedLike) -> BootstrapRuns:
    """The replications of :func:`stationary_indices` (same draws) as runs, without ever
    building the ``reps × n`` index matrix's block logic in numpy."""
    starts, uniforms = _draws(n, block_size=block_size, reps=reps, seed=seed)
    return _fill(_runs_from_draws, starts, uniforms, 1.0 / block_size)
