"""The rule sweep on a ``dask.distributed`` cluster: same kernel, same numbers, more machines.

The grid is partitioned by look-back (:meth:`.sweep.SweepGrid.split_lookback`): each task runs
the fused kernel on one slice of look-backs with every fall and holding period, and the slices'
metrics concatenate in the grid's own order (look-back outermost), so the result is identical
to the local run. The BTC and USD/JPY arrays are scattered once to every worker.

``scheduler``: a ``distributed.Client``, a scheduler address (``"tcp://host:8786"``) for a
real cluster, or None for a ``LocalCluster`` on this machine (closed afterwards). dask is an
optional dependency (the ``dev`` extra installs it).
"""

from __future__ import annotations

import numpy as np

from yenflow.analytics.bitcoin.sweep import SweepGrid, sweep_arrays
from yenflow.errors import ConfigError

__all__ = ["sweep_on_dask"]


def _part(close: np.ndarray, fx: np.ndarray, grid: SweepGrid, cost: float, start: int):
    return sweep_arrays(close, fx, grid, cost=cost, start=start)


def sweep_on_dask(
    close: np.ndarray,
    fx: np.ndarray,
    grid: SweepGrid,
    *,
    cost: float,
    start: int = 0,
    scheduler: object = None,
    partitions: int | None = None,
) -> tuple[np.ndarray, ...]:
    """(total, sharpe, max drawdown, trades, exposure) of every configuration, via dask."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask is in the dev extra
        msg = "the dask backend needs dask.distributed: pip install 'dask[distributed]'"
        raise ConfigError(msg) from exc
    own_cluster = None
    if isinstance(scheduler, Client):
        client = scheduler
    elif isinstance(scheduler, str):
        client = Client(scheduler)
    elif scheduler is None:
        own_cluster = LocalCluster(processes=False, dashboard_address=None)
        client = Client(own_cluster)
    else:
        msg = f"scheduler must be a distributed.Client, an address or None, not {scheduler!r}"
        raise ConfigError(msg)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = grid.split_lookback(partitions or 4 * workers)
        close_f, fx_f = client.scatter([close, fx], broadcast=True)
        futures = [client.submit(_part, close_f, fx_f, g, cost, start, pure=False) for g in parts]
        results = client.gather(futures)
    finally:
        if own_cluster is not None or isinstance(scheduler, str):
            client.close()
        if own_cluster is not None:
            own_cluster.close()
    return tuple(np.concatenate([r[i] for r in results]) for i in range(5))
