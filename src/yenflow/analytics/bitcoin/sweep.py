"""Rule sweep: "buy BTC when USD/JPY has fallen more than x over n days, hold h days".

:func:`sweep` runs every configuration of a :class:`SweepGrid` through the fused kernel
(:mod:`.kernels`, whose docstring defines the rule, the costs and the metrics) and returns a
:class:`SweepResult`; :func:`walk_forward` picks the in-sample best and reports its
out-of-sample result; :func:`strategy_returns` gives the daily returns matrix the data-snooping
tests (:mod:`.spa`) need. ``backend="dask"`` runs the same kernel on a ``dask.distributed``
cluster, partitioned by look-back (:mod:`.distributed`); the numbers are identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from yenflow.analytics.bitcoin._results import ResultViews
from yenflow.analytics.bitcoin.kernels import sweep_kernel, sweep_returns_kernel
from yenflow.errors import DataError

__all__ = [
    "Metric",
    "SweepGrid",
    "SweepResult",
    "WalkForward",
    "strategy_returns",
    "sweep",
    "sweep_arrays",
    "walk_forward",
]

Metric = Literal["sharpe", "total_return", "max_drawdown"]


@dataclass(frozen=True, eq=False)
class SweepGrid:
    """The configurations: every ``fall`` × ``lookback`` × ``hold`` combination.

    Attributes:
        fall: USD/JPY falls ``x`` as fractions (0.01 = a 1 % fall), the signal being
            ``F_t / F_{t-n} - 1 < -x``.
        lookback: ``n``, days (on the BTC calendar: every calendar day).
        hold: ``h``, days held after the latest signal; sorted ascending, unique.
    """

    fall: np.ndarray
    lookback: np.ndarray
    hold: np.ndarray

    def __post_init__(self) -> None:
        fall = np.asarray(self.fall, dtype="float64").ravel()
        lookback = np.asarray(self.lookback, dtype="int64").ravel()
        hold = np.unique(np.asarray(self.hold, dtype="int64").ravel())
        if not (len(fall) and len(lookback) and len(hold)):
            msg = "a sweep grid needs at least one fall, one look-back and one holding period"
            raise ValueError(msg)
        if (lookback < 1).any() or (hold < 1).any():
            msg = f"look-backs and holding periods are days >= 1, got {lookback} and {hold}"
            raise ValueError(msg)
        object.__setattr__(self, "fall", fall)
        object.__setattr__(self, "lookback", lookback)
        object.__setattr__(self, "hold", hold)

    @property
    def size(self) -> int:
        return len(self.fall) * len(self.lookback) * len(self.hold)

    def configs(self) -> pd.DataFrame:
        """One row per configuration in kernel order: ``fall``, ``lookback``, ``hold``."""
        n, x, h = np.meshgrid(self.lookback, self.fall, self.hold, indexing="ij")
        return pd.DataFrame({"fall": x.ravel(), "lookback": n.ravel(), "hold": h.ravel()})

    def split_lookback(self, parts: int) -> list[SweepGrid]:
        """Sub-grids over consecutive look-back slices; concatenated results = this grid's."""
        chunks = np.array_split(self.lookback, min(parts, len(self.lookback)))
        return [SweepGrid(self.fall, c, self.hold) for c in chunks if len(c)]


@dataclass(frozen=True, eq=False, repr=False)
class SweepResult(ResultViews):
    """Metrics of every configuration (kernel order, see :meth:`SweepGrid.configs`).

    ``total_return`` and ``max_drawdown`` are fractions (0.25 = +25 %; drawdown ≤ 0),
    ``sharpe`` is annualised with 365 days (NaN without variance), ``trades`` counts entries,
    ``exposure`` is the fraction of return days in the market. ``period`` is the first and last
    date of the return days.
    """

    grid: SweepGrid
    total_return: np.ndarray
    sharpe: np.ndarray
    max_drawdown: np.ndarray
    trades: np.ndarray
    exposure: np.ndarray
    cost_bp: float
    period: tuple[pd.Timestamp, pd.Timestamp]

    def to_frame(self) -> pd.DataFrame:
        out = self.grid.configs()
        out["fall_pct"] = out.pop("fall") * 100.0
        out["total_return_pct"] = self.total_return * 100.0
        out["sharpe"] = self.sharpe
        out["max_drawdown_pct"] = self.max_drawdown * 100.0
        out["trades"] = self.trades
        out["exposure_pct"] = self.exposure * 100.0
        columns = ["fall_pct", "lookback", "hold", "total_return_pct", "sharpe"]
        return out[[*columns, "max_drawdown_pct", "trades", "exposure_pct"]]

    def best(self, metric: Metric = "sharpe") -> int:
        """Index of the best configuration by ``metric`` (NaN never wins)."""
        values = getattr(self, metric)
        if np.isnan(values).all():
            msg = f"no configuration has a finite {metric} (none traded?)"
            raise DataError(msg)
        return int(np.nanargmax(values))

    def heatmap(self, metric: Metric = "sharpe", *, hold: int | None = None) -> pd.DataFrame:
        """``metric`` over fall (rows, percent) × look-back (columns) at one holding period
        (default: the holding period of the best configuration)."""
        frame = self.grid.configs()
        frame["value"] = getattr(self, metric)
        chosen = int(frame["hold"].iloc[self.best(metric)]) if hold is None else hold
        sub = frame.loc[frame["hold"] == chosen]
        table = sub.pivot(index="fall", columns="lookback", values="value")
        table.index = np.round(table.index * 100.0, 4)
        table.index.name = "fall_pct"
        table.attrs["hold"] = chosen
        return table

    def _figures(self) -> dict:
        k = self.best("sharpe") if not np.isnan(self.sharpe).all() else 0
        return {
            "configurations": self.grid.size,
            "cost_bp": self.cost_bp,
            "period": self.period,
            "best": self.to_frame().iloc[k].to_dict(),
            "never_trade": int((self.trades == 0).sum()),
        }

    def describe(self) -> str:
        k = self.best("sharpe") if not np.isnan(self.sharpe).all() else 0
        c = self.grid.configs().iloc[k]
        start, end = (d.date() for d in self.period)
        return (
            f"{self.grid.size:,} configurations over {start} to {end}, {self.cost_bp:g} bp "
            f"per side; best Sharpe {self.sharpe[k]:.2f} (365-day annualisation) for a USD/JPY "
            f"fall > {c['fall'] * 100:.2f}% over {int(c['lookback'])} days, held "
            f"{int(c['hold'])} days: total return {self.total_return[k] * 100:+.1f}%, max "
            f"drawdown {self.max_drawdown[k] * 100:.1f}%, {int(self.trades[k])} trades, "
            f"exposure {self.exposure[k] * 100:.0f}%"
        )


def _arrays(btc: pd.Series, usdjpy: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    if not btc.index.equals(usdjpy.index):
        msg = "the sweep needs BTC closes and USD/JPY on one index (use bitcoin.inputs.align)"
        raise DataError(msg)
    close = btc.to_numpy(dtype="float64")
    if len(close) < 3 or np.isnan(close).any() or (close <= 0).any():
        msg = "the sweep needs at least 3 positive BTC closes without gaps (forward-fill first)"
        raise DataError(msg)
    return close, usdjpy.to_numpy(dtype="float64"), pd.DatetimeIndex(btc.index)


def sweep_arrays(
    close: np.ndarray, fx: np.ndarray, grid: SweepGrid, *, cost: float, start: int = 0
) -> tuple[np.ndarray, ...]:
    """The kernel on plain arrays: (total, sharpe, max drawdown, trades, exposure)."""
    k = grid.size
    total, sharpe, mdd, expo = (np.empty(k) for _ in range(4))
    trades = np.empty(k, dtype=np.int64)
    sweep_kernel(
        np.ascontiguousarray(close, dtype="float64"),
        np.ascontiguousarray(fx, dtype="float64"),
        grid.fall,
        grid.lookback,
        grid.hold,
        float(cost),
        int(start),
        total,
        sharpe,
        mdd,
        trades,
        expo,
    )
    return total, sharpe, mdd, trades, expo


def sweep(
    btc: pd.Series,
    usdjpy: pd.Series,
    grid: SweepGrid,
    *,
    cost_bp: float = 10.0,
    start: int = 0,
    backend: Literal["local", "dask"] = "local",
    scheduler: object = None,
    partitions: int | None = None,
) -> SweepResult:
    """Every configuration of ``grid`` on daily BTC closes (USD) and USD/JPY as known each day.

    ``btc`` and ``usdjpy`` share one daily index (:func:`.inputs.align` builds it without
    look-ahead). ``cost_bp`` is the cost per side in basis points. ``start`` (a position)
    restricts signals and metrics to the days after it. ``backend="dask"`` sends partitions of
    the grid to ``scheduler`` (an address such as ``"tcp://10.0.0.5:8786"``, a
    ``distributed.Client``, or None for a local cluster).
    """
    close, fx, index = _arrays(btc, usdjpy)
    cost = cost_bp / 10_000.0
    if backend == "dask":
        from yenflow.analytics.bitcoin.distributed import sweep_on_dask

        arrays = sweep_on_dask(
            close, fx, grid, cost=cost, start=start, scheduler=scheduler, partitions=partitions
        )
    elif backend == "local":
        arrays = sweep_arrays(close, fx, grid, cost=cost, start=start)
    else:
        msg = f"backend must be 'local' or 'dask', got {backend!r}"
        raise ValueError(msg)
    return SweepResult(grid, *arrays, cost_bp=cost_bp, period=(index[start + 1], index[-1]))


def strategy_returns(
    btc: pd.Series, usdjpy: pd.Series, grid: SweepGrid, *, cost_bp: float = 10.0
) -> np.ndarray:
    """Daily strategy returns, ``(T - 1) × grid.size`` (fractions), for the SPA tests.

    The array is a transposed view of a configuration-major block (each configuration's days
    contiguous), which is what the SPA's matrix product wants.
    """
    close, fx, _ = _arrays(btc, usdjpy)
    out = np.zeros((grid.size, len(close) - 1))
    sweep_returns_kernel(close, fx, grid.fall, grid.lookback, grid.hold, cost_bp / 10_000.0, out)
    return out.T


@dataclass(frozen=True, eq=False, repr=False)
class WalkForward(ResultViews):
    """The in-sample best configuration and what it did out of sample."""

    split: pd.Timestamp
    metric: str
    config: dict[str, float]
    in_sample: dict[str, float]
    out_of_sample: dict[str, float]
    in_sample_rank_oos: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"in_sample": self.in_sample, "out_of_sample": self.out_of_sample})

    def _figures(self) -> dict:
        return {
            "split": self.split,
            "metric": self.metric,
            "config": self.config,
            "in_sample": self.in_sample,
            "out_of_sample": self.out_of_sample,
            "rank_out_of_sample": self.in_sample_rank_oos,
        }

    def describe(self) -> str:
        c = self.config
        return (
            f"In-sample (to {self.split.date()}) best by {self.metric}: USD/JPY fall > "
            f"{c['fall'] * 100:.2f}% over {int(c['lookback'])} days, hold {int(c['hold'])} "
            f"days — {self.metric} {self.in_sample[self.metric]:.2f} in sample, "
            f"{self.out_of_sample[self.metric]:.2f} out of sample (rank "
            f"{self.in_sample_rank_oos:,} of all configurations out of sample)"
        )


def walk_forward(
    btc: pd.Series,
    usdjpy: pd.Series,
    grid: SweepGrid,
    *,
    split: float | str | pd.Timestamp = 0.7,
    metric: Metric = "sharpe",
    cost_bp: float = 10.0,
) -> WalkForward:
    """Pick the best configuration on the data to ``split`` (a fraction of the days or a date),
    then run every configuration after it (signals from the split on; the look-back may use
    earlier prices, which were known). Reports the chosen one's metrics on both sides and its
    out-of-sample rank (1 = best)."""
    close, fx, index = _arrays(btc, usdjpy)
    if isinstance(split, float):
        cut = int(len(close) * split)
    else:
        cut = int(index.searchsorted(pd.Timestamp(split), side="right")) - 1
    if not 2 <= cut <= len(close) - 3:
        msg = f"walk-forward split {split!r} leaves no in-sample or out-of-sample days"
        raise DataError(msg)
    cost = cost_bp / 10_000.0
    names = ("total_return", "sharpe", "max_drawdown", "trades", "exposure")
    ins = dict(
        zip(names, sweep_arrays(close[: cut + 1], fx[: cut + 1], grid, cost=cost), strict=True)
    )
    oos = dict(zip(names, sweep_arrays(close, fx, grid, cost=cost, start=cut), strict=True))
    values = ins[metric]
    if np.isnan(values).all():
        msg = f"no configuration has a finite in-sample {metric}"
        raise DataError(msg)
    k = int(np.nanargmax(values))
    o = oos[metric]
    rank = (
        int(np.sum(np.nan_to_num(o, nan=-math.inf) > (o[k] if not np.isnan(o[k]) else -math.inf)))
        + 1
    )
    config = grid.configs().iloc[k].to_dict()
    return WalkForward(
        split=index[cut],
        metric=metric,
        config=config,
        in_sample={n: float(v[k]) for n, v in ins.items()},
        out_of_sample={n: float(v[k]) for n, v in oos.items()},
        in_sample_rank_oos=rank,
    )
