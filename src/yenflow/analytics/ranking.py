"""Ranks, "largest since" and de-overlapped episodes of windowed sums: generic, point in time.

Values are the sums of consecutive periods (a window of ``width`` periods starting at grid
position ``pos``; ``pos`` sorted, one value per window, in publication order). Every function
here is **point in time**: a window is compared only with the windows before it (and itself),
the ones known when it was published, so a rank never changes when later data arrive. The rank
of the latest window is its rank among all windows to date.

``eligible`` restricts the comparison to a subset, e.g. the windows after a statistical break
(MoF's January 2014 reclassification): a window outside the subset gets no rank (0 / NaN).
"""

from __future__ import annotations

import bisect
from typing import Literal

import numpy as np

__all__ = ["Side", "deoverlapped_rank", "deoverlapped_ranks", "expanding_ranks", "largest_since"]

Side = Literal["sale", "purchase"]

_BLOCK_ROWS = 128


def expanding_ranks(
    values: np.ndarray, *, eligible: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """For each value, its standing among the eligible values up to and including it.

    Returns arrays (one per value; 0 / NaN where the value itself is not eligible):
    ``rank_sale`` (1 = the most negative; ties share the best rank), ``rank_purchase`` (1 = the
    largest), ``n`` (eligible values so far), ``n_sale`` / ``n_purchase`` (those < 0 / > 0),
    ``percentile`` (percent of them ≤ this one) and ``zscore`` ((x - mean) / sd, ddof = 1, NaN
    while the sd is zero or undefined; Welford's running mean and variance, and for the latest
    value the two-pass mean and standard deviation of all values, as a full-sample z-score).

    One pass: the values seen so far are kept sorted (binary insertion), so ``n`` values cost
    ``O(n log n)`` comparisons.
    """
    v = np.asarray(values, dtype="float64")
    n = len(v)
    ok = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    less = np.zeros(n, dtype="int64")
    at_most = np.zeros(n, dtype="int64")
    mean = np.full(n, np.nan)
    var = np.full(n, np.nan)
    seen: list[float] = []
    mu = m2 = 0.0
    for i, x in enumerate(v.tolist()):
        if not ok[i]:
            continue
        bisect.insort(seen, x)
        k = len(seen)
        less[i] = bisect.bisect_left(seen, x)
        at_most[i] = bisect.bisect_right(seen, x)
        delta = x - mu
        mu += delta / k
        m2 += delta * (x - mu)
        mean[i] = mu
        if k > 1:
            var[i] = m2 / (k - 1)
    count = np.cumsum(ok)
    n_sale = np.cumsum(ok & (v < 0))
    n_purchase = np.cumsum(ok & (v > 0))
    sd = np.sqrt(var)
    last = np.flatnonzero(ok)
    if last.size > 1:  # the latest value: the two-pass mean and deviation of all values so far
        mean[last[-1]], sd[last[-1]] = v[ok].mean(), float(np.std(v[ok], ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        zscore = np.where(sd > 0, (v - mean) / sd, np.nan)
        percentile = at_most / count * 100.0
    return {
        "rank_sale": np.where(ok, less + 1, 0),
        "rank_purchase": np.where(ok, count - at_most + 1, 0),
        "n": np.where(ok, count, 0),
        "n_sale": np.where(ok, n_sale, 0),
        "n_purchase": np.where(ok, n_purchase, 0),
        "percentile": np.where(ok, percentile, np.nan),
        "zscore": np.where(ok, zscore, np.nan),
    }


def largest_since(
    pos: np.ndarray, net: np.ndarray, width: int, *, eligible: np.ndarray | None = None
) -> np.ndarray:
    """Index of the latest earlier non-overlapping (eligible) window at least as large on the
    same side (net ≤ this one for a sale, ≥ for a purchase); -1 where there is none.

    A window at ``q`` shares no period with one at ``p`` iff ``q <= p - width``. Works on blocks
    of rows against the columns reversed (latest first), so that ``argmax`` finds the latest hit.
    """
    net = np.asarray(net, dtype="float64")
    ok = np.ones(len(net), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    out = np.full(len(net), -1, dtype="int64")
    cutoff = np.searchsorted(pos, pos - width, side="right")  # earlier windows: [0, cutoff)
    for on_side, as_large in ((net < 0, np.less_equal), (net > 0, np.greater_equal)):
        rows = np.flatnonzero(on_side & ok & (cutoff > 0))
        for start in range(0, len(rows), _BLOCK_ROWS):
            block = rows[start : start + _BLOCK_ROWS]
            m = int(cutoff[block].max())
            reversed_net = net[:m][::-1]
            hit = as_large(reversed_net[None, :], net[block, None]) & ok[:m][::-1][None, :]
            hit &= np.arange(m)[None, :] >= (m - cutoff[block])[:, None]
            first = hit.argmax(axis=1)
            found = hit[np.arange(len(block)), first]
            out[block] = np.where(found, m - 1 - first, -1)
    return out


def deoverlapped_ranks(pos: np.ndarray, net: np.ndarray, width: int, side: Side) -> np.ndarray:
    """Greedy de-overlapped episode ranks among all the windows given (0 = not an episode).

    Take the largest net sale (purchase) window, discard every window that shares a period with
    it, take the largest remaining, and so on (only windows with net < 0 for sales, > 0 for
    purchases; ties go to the earlier window). This ranks the windows *as of the last one*:
    pass the windows known at a date (:func:`deoverlapped_rank` does that for one window).
    """
    net = np.asarray(net, dtype="float64")
    candidates = np.flatnonzero(net < 0 if side == "sale" else net > 0)
    key = net[candidates] if side == "sale" else -net[candidates]
    order = candidates[np.argsort(key, kind="stable")]
    ranks = np.zeros(len(net), dtype="int64")
    if width == 1:
        ranks[order] = np.arange(1, len(order) + 1)
        return ranks
    blocked = np.zeros(int(pos.max()) + width + 1 if len(pos) else 1, dtype=bool)
    rank = 0
    for i in order.tolist():
        p = int(pos[i])
        if blocked[p]:
            continue
        rank += 1
        ranks[i] = rank
        blocked[max(p - width + 1, 0) : p + width] = True
    return ranks


def deoverlapped_rank(
    pos: np.ndarray, net: np.ndarray, width: int, side: Side, at: int
) -> tuple[int, int]:
    """(episode rank of window ``at`` among the de-overlapped episodes of windows ``0..at``, 0 if
    it is not one; the number of such episodes): the rank as known when ``at`` was published."""
    ranks = deoverlapped_ranks(pos[: at + 1], net[: at + 1], width, side)
    return int(ranks[at]), int((ranks > 0).sum())
