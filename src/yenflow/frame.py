"""The canonical observation frame, series metadata, and the one meaning of "as of".

The canonical frame has exactly the columns in :data:`FRAME_COLUMNS`:

``series_id`` (str)
    a catalog id such as ``mof.weekly.outward.long_term_debt.net``.
``period_start``, ``period_end`` (datetime64, midnight, inclusive)
    the period the value is about: a day (start == end), a Sunday-Saturday
    week, a calendar month...
``value`` (float64)
    in the unit of the series' :class:`SeriesSpec`; rows for published
    placeholders (FRED's ``.``, blank not-yet-published cells) are dropped,
    never stored as zero.
``published_at`` (datetime64[UTC])
    when the value became public, from the source's release schedule
    (:mod:`yenflow.releases`), or the payload's fetch time where no schedule
    is known. Analyses "as of" a date only see rows available by then.

:func:`to_cutoff` is the single home of the cut-off instant that ``--as-of`` (CLI),
``as_of=`` (Python API) and the report all use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from yenflow.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = [
    "FRAME_COLUMNS",
    "AsOfLike",
    "Dataset",
    "Frequency",
    "SeriesSpec",
    "empty_frame",
    "to_cutoff",
]

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "annual"]

FRAME_COLUMNS: tuple[str, ...] = (
    "series_id",
    "period_start",
    "period_end",
    "value",
    "published_at",
)

#: what "as of" accepts (a ``pd.Timestamp`` is a ``datetime``)
AsOfLike = str | date | datetime

_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: from midnight to the last instant of that day
_END_OF_DAY = timedelta(days=1) - timedelta(microseconds=1)


def to_cutoff(value: AsOfLike, *, now: pd.Timestamp | None = None) -> pd.Timestamp:
    """The cut-off instant of an "as of" value, timezone-aware UTC: the one meaning of "as of".

    - a bare date (``"2025-04-16"`` or a :class:`datetime.date`) means the **end of that day,
      UTC** (23:59:59.999999), so a value published at any time that day counts;
    - an instant (``"2025-04-16T09:00"``, ``"2025-04-16 09:00+09:00"``, a ``datetime`` or
      ``pd.Timestamp``) is taken as given; a naive one is read as UTC;
    - ``"now"`` is this instant; ``"today"`` is the end of today (UTC).

    Raises:
        ValueError: an empty or unreadable value, naming it and an example of what is expected.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            msg = "an empty as-of value is not a date; use e.g. 2025-04-18 or 2025-04-18T09:00Z"
            raise ValueError(msg)
        lowered = text.lower()
        current = now if now is not None else pd.Timestamp.now(tz="UTC")
        current = current.tz_localize("UTC") if current.tzinfo is None else current
        if lowered == "now":
            return current.tz_convert("UTC")
        if lowered == "today":
            return current.tz_convert("UTC").normalize() + _END_OF_DAY
        try:
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError):
            msg = (
                f"as-of {value!r} is not a date or instant; "
                "use e.g. 2025-04-18 or 2025-04-18T09:00Z"
            )
            raise ValueError(msg) from None
        if stamp is pd.NaT:
            msg = f"as-of {value!r} is not a date or instant; use e.g. 2025-04-18"
            raise ValueError(msg)
        if _BARE_DATE.match(text):
            return stamp.tz_localize("UTC") + _END_OF_DAY
    elif isinstance(value, datetime):  # includes pd.Timestamp
        stamp = pd.Timestamp(value)
    elif isinstance(value, date):
        return pd.Timestamp(value).tz_localize("UTC") + _END_OF_DAY
    else:
        msg = f"as-of must be a date, an instant or a string, not {type(value).__name__}"
        raise TypeError(msg)
    if stamp is pd.NaT:
        msg = f"as-of {value!r} is not a date or instant"
        raise ValueError(msg)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@dataclass(frozen=True)
class SeriesSpec:
    """Metadata of one series a source provides.

    Attributes:
        id: stable catalog id, lower-case dotted (``fred.DEXJPUS`` keeps FRED's own id).
        source: registry name of the source that provides it.
        title: human title, English.
        unit: the unit of ``value``, spelled out: ``"JPY 100 million"``,
            ``"USD bn"``, ``"percent"``, ``"JPY per USD"``, ``"contracts"``.
        frequency: ``daily``, ``weekly``, ``monthly``...
        sign: the sign convention, e.g. ``"net purchase > 0"``; ``""`` when a
            sign carries no convention (levels, prices).
        description: longer notes: coverage, breaks, how it is derived.
    """

    id: str
    source: str
    title: str
    unit: str
    frequency: Frequency
    sign: str = ""
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    """What one payload parses to: a canonical long frame and its series."""

    frame: pd.DataFrame
    series: tuple[SeriesSpec, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        missing = [c for c in FRAME_COLUMNS if c not in self.frame.columns]
        if missing:
            msg = f"Dataset frame lacks columns {missing}; it must have {list(FRAME_COLUMNS)}"
            raise ValueError(msg)
        ids = {s.id for s in self.series}
        unknown = set(self.frame["series_id"].unique()) - ids
        if unknown:
            msg = f"Dataset frame has series without a SeriesSpec: {sorted(unknown)[:5]}"
            raise ValueError(msg)


def empty_frame() -> pd.DataFrame:
    """An empty canonical frame with the right dtypes."""
    return pd.DataFrame(
        {
            "series_id": pd.Series([], dtype="object"),
            "period_start": pd.Series([], dtype="datetime64[ns]"),
            "period_end": pd.Series([], dtype="datetime64[ns]"),
            "value": pd.Series([], dtype="float64"),
            "published_at": pd.Series([], dtype="datetime64[ns, UTC]"),
        }
    )
