"""Turning table cells and results into plain Python and JSON values: the one home.

Results are frozen dataclasses filled from rows of their tables
(:func:`record_from_row`) and serialized with :func:`record_to_dict`,
:func:`json_value` (one scalar) or :func:`jsonable` (nested values), so every
``summary()`` and the report's ``--json`` are strict JSON: NaN, NaT and NA become
``None``, numpy scalars Python numbers, dates and instants ISO strings. All of them
share one scalar rule (:func:`_scalar`); they differ only in how a date is written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

__all__ = ["json_value", "jsonable", "plain", "record_from_row", "record_to_dict"]

R = TypeVar("R")
DateStyle = Literal["iso", "day"]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and not math.isfinite(value)


def _scalar(value: Any, dates: DateStyle) -> Any:
    """One JSON-safe scalar; ``dates="day"`` writes any date or instant as ``YYYY-MM-DD``."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        if dates == "day":
            return pd.Timestamp(value).date().isoformat()
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
        return None if _missing(value) else value
    return value


def json_value(value: Any) -> Any:
    """A JSON-safe scalar: NaN/NA -> None, timestamps and dates -> ISO days, numpy -> Python."""
    return _scalar(value, "day")


def jsonable(value: Any) -> Any:
    """``value`` (nested mappings, lists, tuples) with timestamps as ISO strings, NaN as None
    and numpy scalars as Python ones."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return _scalar(value, "iso")


def plain(value: Any) -> Any:
    """A cell as a plain Python value: NaN/NaT/NA -> None, Timestamp -> date or UTC datetime."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if value.tzinfo is not None else value.date()
    if isinstance(value, np.generic):
        value = value.item()
        return None if _missing(value) else value
    return value


def record_from_row(cls: type[R], row: pd.Series | Mapping[str, Any]) -> R:
    """A frozen record dataclass filled from the same-named cells of a table row."""
    return cls(**{f.name: plain(row[f.name]) for f in fields(cls)})  # type: ignore[arg-type]


def record_to_dict(record: object) -> dict[str, Any]:
    """A record as a JSON-serializable dict (dates as ISO strings, missing as None)."""
    return {f.name: _scalar(getattr(record, f.name), "iso") for f in fields(record)}  # type: ignore[arg-type]
