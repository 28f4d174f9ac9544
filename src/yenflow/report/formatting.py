"""Formatting shared by the report's model, sections and renderers.

Dates as ISO days (``2025-04-12``) or UTC instants (``2025-04-16 23:50 UTC``), table cells by a
format spec with an em dash for missing values, and plain Python values for JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd


def utc(value: pd.Timestamp | datetime | str) -> pd.Timestamp:
    """``value`` as a UTC timestamp (a naive time is read as UTC)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def jsonable(value: Any) -> Any:
    """``value`` with timestamps as ISO strings, NaN as None and numpy scalars as Python ones."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def plain(value: Any) -> Any:
    """A table cell from a frame value: NaN and NaT become None, numpy scalars Python ones."""
    if value is None or (not isinstance(value, str | Mapping) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def format_time(value: pd.Timestamp | None, *, with_time: bool = False) -> str:
    """A day as ``2025-04-12``, or with ``with_time`` an instant as ``2025-04-16 23:50 UTC``."""
    if value is None or pd.isna(value):
        return "—"
    if with_time:
        stamp = value.tz_convert("UTC") if value.tzinfo is not None else value
        return stamp.strftime("%Y-%m-%d %H:%M UTC")
    return value.strftime("%Y-%m-%d")


def format_cell(value: Any, fmt: str) -> str:
    """One table cell as text: numbers by ``fmt``, dates as ISO days, missing as an em dash.

    ``fmt`` is as in :class:`yenflow.report.model.Column`.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if fmt in ("date", "datetime"):
        stamp = pd.Timestamp(value)
        return format_time(stamp, with_time=fmt == "datetime")
    if fmt == "month":
        return pd.Timestamp(value).strftime("%Y-%m")
    if fmt and isinstance(value, int | float | np.number):
        return format(float(value) if "d" not in fmt else int(value), fmt)
    return str(value)
