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

import numpy as np

__all__ = ["SeedLike", "counts_from_indices", "stationary_counts", "stationary_indices"]

SeedLike = int | np.random.Generator | None


def _generator(seed: SeedLike) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def stationary_indices(n: int, *, block_size: float, reps: int, seed: SeedLike) -> np.ndarray:
    """``reps × n`` int64 indices of the stationary bootstrap (arch's draw order)."""
    if n < 1 or reps < 1:
        msg = f"the bootstrap needs n >= 1 and reps >= 1, got n={n}, reps={reps}"
        raise ValueError(msg)
    if block_size < 1:
        msg = f"the expected block size is at least 1 observation, got {block_size}"
        raise ValueError(msg)
    rng = _generator(seed)
    p = 1.0 / block_size
    starts = np.empty((reps, n), dtype=np.int64)
    new = np.empty((reps, n), dtype=bool)
    for r in range(reps):
        starts[r] = rng.integers(n, size=n, dtype=np.int64)
        new[r] = rng.random(n) <= p
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
