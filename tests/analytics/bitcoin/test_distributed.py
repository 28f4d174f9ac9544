"""The sweep on a dask LocalCluster gives exactly the local numbers."""

from __future__ import annotations

import numpy as np
import pytest

from yenflow.analytics.bitcoin.sweep import SweepGrid, sweep
from yenflow.analytics.bitcoin.workload import synthetic_workload

distributed = pytest.importorskip("distributed")


def test_dask_sweep_identical_to_local() -> None:
    w = synthetic_workload(1500)
    grid = SweepGrid(fall=np.linspace(0.005, 0.03, 7), lookback=np.arange(1, 12), hold=[1, 5, 20])
    local = sweep(w.btc, w.usdjpy, grid)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = sweep(w.btc, w.usdjpy, grid, backend="dask", scheduler=client, partitions=5)
        assert len(client.scheduler_info()["workers"]) == 2
    for name in ("total_return", "sharpe", "max_drawdown", "trades", "exposure"):
        np.testing.assert_array_equal(getattr(remote, name), getattr(local, name))
    parts = grid.split_lookback(5)
    assert sum(p.size for p in parts) == grid.size
