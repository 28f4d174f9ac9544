"""A parsed payload in the compact form the store writes: :class:`StagedDataset`.

A canonical frame (:mod:`yenflow.frame`) holds a Python string per row and 8-byte instants;
the store needs, per row, only a series code, the period as two int32 day numbers, the value
and the publication instant (naive UTC). :func:`stage_dataset` makes that form as soon as a
payload is parsed (the refresh calls it in the parsing thread), so the frame can be dropped
at once and a large source is held once, compactly, until it is written.

A staged dataset is written once: :func:`yenflow.store.writes.apply_batch` releases its
arrays (:meth:`StagedRows.release`) as soon as they are copied into the store, keeping only
the row count (what the fetch log reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from yenflow.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from yenflow.frame import Dataset, SeriesSpec
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["StagedDataset", "StagedRows", "stage_dataset", "stage_frame"]


@dataclass(eq=False)
class StagedRows:
    """A canonical frame's rows as compact arrays, one element per row.

    Attributes:
        names: the series ids, by code.
        codes: int32 code of each row's series (into ``names``).
        starts, ends: int32 period start / end, days since 1970-01-01 (the calendar day).
        values: float64 values (NaN stays NaN: the store refuses it, the column is NOT NULL).
        published: datetime64[ns] publication instants, naive UTC.
        count: the number of rows (kept after :meth:`release`).
        unique_keys: no (series, period start) twice.
        missing: the first date column with a missing value (the store refuses the rows).
    """

    names: tuple[str, ...]
    codes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    values: np.ndarray
    published: np.ndarray
    count: int
    unique_keys: bool
    missing: str | None = None
    released: bool = field(default=False, init=False)

    def release(self) -> None:
        """Drop the arrays (written): only ``count`` and ``names`` remain."""
        empty = np.empty(0, dtype=np.int32)
        self.codes = self.starts = self.ends = empty
        self.values = np.empty(0, dtype=np.float64)
        self.published = np.empty(0, dtype="datetime64[ns]")
        self.released = True


@dataclass(frozen=True, eq=False)
class StagedDataset:
    """What a payload parsed to, staged: its series and its rows (:class:`StagedRows`)."""

    series: tuple[SeriesSpec, ...]
    rows: StagedRows
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return self.rows.count


def _days(column: pd.Series) -> tuple[np.ndarray, bool]:
    """A date column as int32 day numbers (the calendar day, as ``CAST(... AS DATE)``
    takes it), and whether a value is missing."""
    days = column.to_numpy(dtype="datetime64[D]")
    missing = bool(np.isnat(days).any())
    return days.view("int64").astype(np.int32), missing


def _codes(column: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """int32 codes (one per row) and the distinct ids of a series-id column."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(codes, minlength=len(column.cat.categories)))
        remap = np.full(len(column.cat.categories), -1, dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        return remap[codes], tuple(str(column.cat.categories[u]) for u in used)
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int32), tuple(str(u) for u in uniques)


def _unique_keys(codes: np.ndarray, starts: np.ndarray) -> bool:
    """True if no (series code, period start) pair repeats (a linear check when sorted)."""
    key = (codes.astype(np.int64) << 32) + starts
    if len(key) < 2 or bool((key[1:] > key[:-1]).all()):
        return True
    return len(np.unique(key)) == len(key)


def stage_frame(frame: pd.DataFrame) -> StagedRows:
    """The rows of a canonical frame as :class:`StagedRows` (copies; ``frame`` is untouched)."""
    codes, names = _codes(frame["series_id"])
    starts, no_start = _days(frame["period_start"])
    ends, no_end = _days(frame["period_end"])
    # a tz-aware column's values are UTC instants already; a naive one is taken as UTC
    published = frame["published_at"].to_numpy(dtype="datetime64[ns]", copy=True)
    missing = (
        "period_start"
        if no_start
        else "period_end"
        if no_end
        else "published_at"
        if bool(np.isnat(published).any())
        else None
    )
    return StagedRows(
        names=names,
        codes=codes,
        starts=starts,
        ends=ends,
        values=frame["value"].to_numpy(dtype=np.float64, copy=True),
        published=published,
        count=len(frame),
        unique_keys=_unique_keys(codes, starts),
        missing=missing,
    )


def stage_dataset(dataset: Dataset | StagedDataset) -> StagedDataset:
    """``dataset`` staged (a staged one as it is)."""
    if isinstance(dataset, StagedDataset):
        return dataset
    return StagedDataset(dataset.series, stage_frame(dataset.frame), dataset.notes)
