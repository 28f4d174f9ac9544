"""Small helpers the carry modules share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from yenflow.analytics.inputs import latest_per_period
from yenflow.analytics.records import json_value


@dataclass(frozen=True)
class Latest:
    """The last non-missing value of a column and its date (None, None without one)."""

    value: float | None
    date: pd.Timestamp | None

    def to_dict(self) -> dict[str, Any]:
        """``{"value": ..., "date": "YYYY-MM-DD"}``, JSON-safe."""
        return {"value": json_value(self.value), "date": json_value(self.date)}


def latest_of(frame: pd.DataFrame, column: str) -> Latest:
    """The last non-missing value of ``column`` and its index date."""
    valid = frame[column].dropna() if column in frame else pd.Series(dtype="float64")
    if valid.empty:
        return Latest(None, None)
    return Latest(json_value(valid.iloc[-1]), pd.Timestamp(valid.index[-1]))


def latest(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{column: {"value": last non-missing value, "date": its date}}`` for each column."""
    return {column: latest_of(frame, column).to_dict() for column in columns}


def dedupe(obs: pd.DataFrame, series_ids: Sequence[str]) -> pd.DataFrame:
    """Rows of ``series_ids``, one per (series, period): the latest published vintage wins."""
    return latest_per_period(obs.loc[obs["series_id"].isin(list(series_ids))])


def has(obs: pd.DataFrame, series_id: str) -> bool:
    return bool((obs["series_id"] == series_id).any())


def as_timestamp(when: str | date | datetime | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(when).tz_localize(None).normalize()
