"""The carry index: long USD / short JPY funded at the Japanese 3-month rate.

``r_t = S_t / S_{t-1} - 1 + (i_US - i_JP)_{t-1} / 100 * days / 360``, with ``days`` the calendar
days between the two observations and the differential known on the previous observation day
(no look-ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yenflow.analytics.carry._common import latest
from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase
from yenflow.analytics.stats import drawdown_pct, drawdown_periods

__all__ = ["CarryIndex", "build_carry_index"]


@dataclass(frozen=True, repr=False)
class CarryIndex(ResultBase):
    """Total-return index of long USD / short JPY funded at the Japanese 3-month rate.

    Columns: ``usdjpy_jpy_per_usd``, ``diff_3m_pct`` (the differential accrued over the next
    interval), ``spot_return_pct``, ``carry_accrual_pct``, ``carry_return_pct`` (their sum),
    ``carry_index_base100`` (100 on the first day with a differential), ``carry_drawdown_pct``
    (percent below the index's running high, ≤ 0). The index stops at the first day whose
    previous-day differential is missing (no silent skipping).

    Attributes:
        frame: the daily frame.
        drawdowns: every underwater period, deepest first (see
            :func:`yenflow.analytics.stats.drawdown_periods`); a description of the history,
            not a per-day label.
    """

    frame: pd.DataFrame
    drawdowns: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the daily frame."""
        return self.frame.copy()

    def summary(self, *, top: int = 5) -> dict[str, Any]:
        """Latest level, current drawdown and the ``top`` deepest drawdown periods."""
        level = self.frame["carry_index_base100"].dropna()
        periods = [
            {k: json_value(v) for k, v in row.items()}
            for row in self.drawdowns.head(top).to_dict(orient="records")
        ]
        return {
            "first_date": json_value(level.index[0]) if len(level) else None,
            "latest": latest(self.frame, ["carry_index_base100", "carry_drawdown_pct"]),
            "max_drawdowns": periods,
        }


def build_carry_index(usdjpy: pd.Series, diff_3m_pct: pd.Series) -> CarryIndex:
    """The carry index from USD/JPY (yen per dollar) and the US minus Japan 3-month rate
    (percentage points, aligned on the same dates; NaN where unknown).

    ``r_t = S_t/S_{t-1} - 1 + diff_{t-1}/100 * days_t/360``; the index is 100 on the first day
    with a differential and compounds ``1 + r_t`` from there. With a zero differential the index
    is ``100 * S_t / S_0`` exactly.
    """
    diff = diff_3m_pct.reindex(usdjpy.index)
    days = usdjpy.index.to_series().diff().dt.days.to_numpy(dtype="float64")
    spot = usdjpy.pct_change().to_numpy()
    accrual = diff.shift(1).to_numpy() / 100.0 * days / 360.0
    growth = 1.0 + spot + accrual
    valid = np.flatnonzero(~np.isnan(diff.to_numpy()))
    level = np.full(len(usdjpy), np.nan)
    if len(valid):
        first = valid[0]
        level[first] = 100.0
        level[first + 1 :] = 100.0 * np.cumprod(growth[first + 1 :])  # NaN once a leg is missing
    frame = pd.DataFrame(index=pd.DatetimeIndex(usdjpy.index, name="date"))
    frame["usdjpy_jpy_per_usd"] = usdjpy.to_numpy()
    frame["diff_3m_pct"] = diff.to_numpy()
    frame["spot_return_pct"] = spot * 100.0
    frame["carry_accrual_pct"] = accrual * 100.0
    frame["carry_return_pct"] = (growth - 1.0) * 100.0
    frame["carry_index_base100"] = level
    frame["carry_drawdown_pct"] = drawdown_pct(frame["carry_index_base100"])
    return CarryIndex(frame=frame, drawdowns=drawdown_periods(frame["carry_index_base100"]))
