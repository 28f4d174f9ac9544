"""Selecting series out of canonical observation frames, the one way analytics do it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from yenflow.errors import DataError

__all__ = ["USDJPY_ID", "latest_per_period", "require_series", "to_series"]

#: USD/JPY, yen per US dollar, noon buying rate in New York (FRED DEXJPUS, daily): the one
#: name of the rate every analysis converts with and the carry monitor follows.
USDJPY_ID = "fred.DEXJPUS"


def latest_per_period(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per (series, period): the latest published, as the store keeps it.

    Frames straight from several parsers may hold one period twice (the same
    series from two files); the store never does.
    """
    if not obs.duplicated(subset=["series_id", "period_start"]).any():
        return obs
    ordered = obs.sort_values(["series_id", "period_start", "published_at"], kind="stable")
    return ordered.drop_duplicates(subset=["series_id", "period_start"], keep="last")


def require_series(obs: pd.DataFrame, series_ids: Sequence[str], *, purpose: str) -> None:
    """Raise DataError naming every series in ``series_ids`` that ``obs`` lacks."""
    present = set(obs["series_id"].unique()) if len(obs) else set()
    missing = [s for s in series_ids if s not in present]
    if missing:
        msg = (
            f"{purpose} needs series {', '.join(missing)}, which the store does not have "
            "(run `yenflow fetch` for their sources, or check the as-of date)"
        )
        raise DataError(msg)


def to_series(
    obs: pd.DataFrame,
    series_id: str,
    *,
    index: Literal["period_end", "period_start"] = "period_end",
    purpose: str = "this analysis",
) -> pd.Series:
    """One series as a float Series indexed by its period end (or start), sorted, named by id."""
    require_series(obs, [series_id], purpose=purpose)
    rows = latest_per_period(obs.loc[obs["series_id"] == series_id])[[index, "value"]]
    out = pd.Series(
        rows["value"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(rows[index]),
        name=series_id,
    ).sort_index()
    out.index.name = index
    return out
