"""The fused rule-sweep kernel: every metric of every configuration in one pass per family.

The rule (one configuration = ``x``, ``n``, ``h``): *buy BTC at the close of day t when USD/JPY,
as known at day t, has fallen by more than ``x`` (a fraction: 0.01 = 1 %) over the last ``n``
days, ``F_t / F_{t-n} - 1 < -x``; hold ``h`` days; a new signal while holding extends the
holding to ``h`` days after it.* A signal known at day t therefore earns the BTC returns of days
t+1 .. t+h (close to close), never the return into the close of t itself.

Position and costs, per return day t (the interval from close t-1 to close t):

* ``held_t = 1`` when the latest signal at or before t-1 is at most ``h`` days old;
* an entry happens at close t when ``held_t = 0`` and ``held_{t+1} = 1``: the equity is divided
  by ``1 + c`` (``c`` = cost per side, a fraction; 10 bp = 0.001) — the fill of a market order
  at the close paying ``c`` of its value, as vectorbt books it;
* an exit happens at close t when ``held_t = 1`` and ``held_{t+1} = 0``: the equity is
  multiplied by ``1 - c``; a position still open on the last day is valued at that close
  without exit cost (counted as a trade, like an open trade);
* the strategy's simple return of day t is ``g_t - 1`` with ``g_t`` the product of
  ``1 + r_t`` (when held) and the cost factors of that close.

Metrics over the ``T - 1`` return days (day 0 has no return): total return ``prod(g) - 1``,
Sharpe ratio ``mean / sd * sqrt(365)`` (sample sd, ddof = 1; **annualised with 365 days
because BTC trades every calendar day**; NaN — never ±inf — when the returns have no variance,
e.g. a rule that never trades), maximum drawdown ``min_t(E_t / max_{s<=t} E_s) - 1`` (≤ 0, on
the equity curve that starts at 1), number of trades (entries), exposure (held days / return
days).

A *family* is one ``(n, x)`` pair: its signal series is computed on the fly and all holding
periods ``h`` are updated in the same pass over time (``h`` sorted ascending, so the configs
holding a position on a day are a suffix of the ``h`` array). Days where no configuration of
the family holds or enters cost one comparison (the USD/JPY changes are computed once per
look-back). Families run in parallel (``prange``). Nothing
of size time × configurations is ever allocated: the state is five numbers per configuration.
"""

from __future__ import annotations

import math

import numpy as np

from yenflow.analytics.bitcoin._jit import jit, prange

__all__ = ["ANNUALISATION_DAYS", "sweep_kernel", "sweep_returns_kernel"]

ANNUALISATION_DAYS = 365
# the drawdown is recomputed (one division) only below peak · (1 + deepest) · _SLACK: the slack
# keeps every candidate that the exact test would accept, so results are unchanged
_SLACK = 1.0 + 1e-12


@jit(parallel=True)
def sweep_kernel(close, fx, xs, ns, hs, cost, start, total, sharpe, mdd, trades, exposure):
    """Fill the five metric arrays (length ``len(ns) * len(xs) * len(hs)``) in place.

    Configuration ``((i_n * len(xs)) + i_x) * len(hs) + i_h``. ``hs`` must be sorted ascending.
    Signals are taken at days ``t >= start`` only and metrics count the return days
    ``start + 1 .. T - 1`` (a walk-forward's out-of-sample part keeps the earlier data for the
    look-back of its signals).
    """
    n_t = close.shape[0]
    n_x = xs.shape[0]
    n_h = hs.shape[0]
    h_max = hs[n_h - 1]
    n_ret = n_t - 1 - start
    ann = math.sqrt(365.0)
    # USD/JPY change over each look-back, once per look-back (len(ns) × T, not × configs)
    change = np.full((ns.shape[0], n_t), math.nan)
    for i in prange(ns.shape[0]):
        lag = ns[i]
        for t in range(lag, n_t):
            change[i, t] = fx[t] / fx[t - lag] - 1.0
    for fam in prange(ns.shape[0] * n_x):
        i_n = fam // n_x
        i_x = fam - i_n * n_x
        thr = -xs[i_x]
        eq = np.ones(n_h)
        peak = np.ones(n_h)
        low = np.zeros(n_h)
        floor = np.full(n_h, _SLACK)  # equity below which the drawdown may deepen
        s1 = np.zeros(n_h)
        s2 = np.zeros(n_h)
        n_tr = np.zeros(n_h, dtype=np.int64)
        n_in = np.zeros(n_h, dtype=np.int64)
        chg = change[i_n]
        last = -(2**62)
        for t in range(start + 1, n_t):
            sig = chg[t] < thr
            d = t - last
            if not sig and d > h_max:
                continue
            last_next = t if sig else last
            d_next = t + 1 - last_next
            gross = close[t] / close[t - 1]
            for k in range(n_h - 1, -1, -1):
                h = hs[k]
                held = d <= h
                nxt = d_next <= h
                if not held and not nxt:
                    break
                if held:
                    g = gross
                    n_in[k] += 1
                    if not nxt:
                        g *= 1.0 - cost
                else:
                    g = 1.0 / (1.0 + cost)
                    n_tr[k] += 1
                s = g - 1.0
                s1[k] += s
                s2[k] += s * s
                e = eq[k] * g
                eq[k] = e
                if e > peak[k]:
                    peak[k] = e
                    floor[k] = e * (1.0 + low[k]) * _SLACK
                elif e < floor[k]:  # possibly deeper than the deepest drawdown so far
                    dd = e / peak[k] - 1.0
                    if dd < low[k]:
                        low[k] = dd
                        floor[k] = peak[k] * (1.0 + dd) * _SLACK
            last = last_next
        base = fam * n_h
        for k in range(n_h):
            total[base + k] = eq[k] - 1.0
            mdd[base + k] = low[k]
            trades[base + k] = n_tr[k]
            exposure[base + k] = n_in[k] / n_ret if n_ret > 0 else math.nan
            sharpe[base + k] = math.nan
            if n_ret > 1:
                mean = s1[k] / n_ret
                var = (s2[k] - s1[k] * mean) / (n_ret - 1)
                if var > 0.0:
                    sharpe[base + k] = mean / math.sqrt(var) * ann


@jit(parallel=True)
def sweep_returns_kernel(close, fx, xs, ns, hs, cost, out):
    """The daily strategy returns ``g_t - 1`` of every configuration, ``out[config, t - 1]``.

    Only for the data-snooping tests, which need the ``K × (T - 1)`` matrix by definition (the
    sweep itself never builds it); ``out`` starts as zeros. Same rule, order and costs as
    :func:`sweep_kernel`.
    """
    n_t = close.shape[0]
    n_x = xs.shape[0]
    n_h = hs.shape[0]
    h_max = hs[n_h - 1]
    for fam in prange(ns.shape[0] * n_x):
        i_n = fam // n_x
        i_x = fam - i_n * n_x
        lag = ns[i_n]
        thr = -xs[i_x]
        base = fam * n_h
        last = -(2**62)
        for t in range(1, n_t):
            sig = t >= lag and fx[t] / fx[t - lag] - 1.0 < thr
            d = t - last
            if not sig and d > h_max:
                continue
            last_next = t if sig else last
            d_next = t + 1 - last_next
            r = close[t] / close[t - 1] - 1.0
            for k in range(n_h - 1, -1, -1):
                h = hs[k]
                held = d <= h
                nxt = d_next <= h
                if not held and not nxt:
                    break
                if held:
                    g = 1.0 + r
                    if not nxt:
                        g *= 1.0 - cost
                else:
                    g = 1.0 / (1.0 + cost)
                out[base + k, t - 1] = g - 1.0
            last = last_next
