"""Formatting shared by the report's model, sections and renderers.

Dates as ISO days (``2025-04-12``) or UTC instants (``2025-04-16 23:50 UTC``), and table cells
by a format spec with an em dash for missing values. JSON values come from the one converter,
:mod:`yenflow.analytics.records`.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd


def utc(value: pd.Timestamp | datetime | str) -> pd.Timestamp:
    """``value`` as a UTC timestamp (a naive time is read as UTC)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


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
