"""Turning table cells into plain Python and JSON values, the one way results do it.

Results are frozen dataclasses filled from rows of their tables
(:func:`record_from_row`) and serialized with :func:`record_to_dict` or
:func:`json_value`, so every ``summary()`` is strict JSON: NaN, NaT and NA
become ``None``, numpy scalars become Python numbers, dates ISO strings.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import fields
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["json_value", "plain", "record_from_row", "record_to_dict"]

R = TypeVar("R")


def plain(value: Any) -> Any:
    """A cell as a plain Python value: NaN/NaT/NA -> None, Timestamp -> date or UTC datetime."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if value.tzinfo is not None else value.date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def json_value(value: Any) -> Any:
    """A JSON-safe scalar: NaN/NA -> None, timestamps and dates -> ISO dates, numpy -> Python."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    return value


def record_from_row(cls: type[R], row: pd.Series) -> R:
    """A frozen record dataclass filled from the same-named cells of a table row."""
    return cls(**{f.name: plain(row[f.name]) for f in fields(cls)})  # type: ignore[arg-type]


def record_to_dict(record: object) -> dict[str, Any]:
    """A record as a JSON-serializable dict (dates as ISO strings, missing as None)."""
    out: dict[str, Any] = {}
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        out[f.name] = value.isoformat() if isinstance(value, dt.date) else value
    return out
