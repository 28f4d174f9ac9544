"""The shape every source has: catalog, requests, fetch, parse.

A source is a small class with class-level facts and three steps; only
:meth:`Source.fetch` does I/O, and it does it through the injected
:class:`yenflow.http.Fetcher`:

1. :meth:`Source.requests` (pure) builds the URLs to get, each with the
   relative path it has in a raw snapshot folder (``mof/week.csv``).
2. :meth:`Source.fetch` returns :class:`RawPayload` objects (bytes, URL with
   keys redacted, fetch time, sha256, validators).
3. :meth:`Source.parse` (pure) turns one payload into a :class:`Dataset`: a
   canonical long frame plus the :class:`SeriesSpec` of every series in it.

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
    is known. Analyses "as of" a date only see rows published by then.
"""

from __future__ import annotations

import fnmatch
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Literal

import pandas as pd

from yenflow.errors import FetchError

if TYPE_CHECKING:
    from yenflow.config import Settings
    from yenflow.http import Fetcher

__all__ = [
    "FRAME_COLUMNS",
    "Dataset",
    "Frequency",
    "RawPayload",
    "Request",
    "SeriesSpec",
    "Source",
    "empty_frame",
]

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "annual"]

FRAME_COLUMNS: tuple[str, ...] = (
    "series_id",
    "period_start",
    "period_end",
    "value",
    "published_at",
)


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
class Request:
    """One thing to download.

    Attributes:
        url: the full URL, keys included (never logged as is: see
            :func:`yenflow.http.redact_url`).
        raw_path: the file's path in a raw snapshot folder, relative to the
            folder, with the source's name as first part (``mof/week.csv``).
        optional: a 404 for an optional request is reported as "absent",
            not as a failure of the source.
    """

    url: str
    raw_path: str
    optional: bool = False


@dataclass(frozen=True)
class RawPayload:
    """Bytes as fetched, with everything needed to trace them.

    ``content`` is empty and ``not_modified`` is True when the server
    answered 304 to a conditional request: there is nothing to parse.
    """

    source: str
    url: str
    raw_path: str
    content: bytes
    fetched_at: datetime
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    sha256: str = field(default="")

    def __post_init__(self) -> None:
        if not self.sha256 and not self.not_modified:
            object.__setattr__(self, "sha256", hashlib.sha256(self.content).hexdigest())

    @property
    def location(self) -> str:
        """What error messages name: the URL, or the snapshot path."""
        return self.url or self.raw_path

    @classmethod
    def from_bytes(
        cls,
        content: bytes,
        *,
        source: str,
        raw_path: str,
        url: str = "",
        fetched_at: datetime | None = None,
    ) -> RawPayload:
        """A payload from bytes in hand (tests, snapshot files)."""
        return cls(
            source=source,
            url=url,
            raw_path=raw_path,
            content=content,
            fetched_at=fetched_at or datetime.now(UTC),
        )


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


class Source(ABC):
    """One official source. Subclasses set the class attributes and implement
    :meth:`requests` and :meth:`parse`; most keep the default :meth:`fetch`.

    Class attributes:
        name: registry key, and the folder name in raw snapshots.
        title, homepage: for ``yenflow sources``.
        requires_key: True if the source cannot work without an API key.
        catalog: the series it provides (a source whose series set depends on
            the file, such as TIC's countries, lists the main ones and its
            parse returns specs for all).
        raw_patterns: shell patterns, relative to the source's snapshot
            folder, of the files :meth:`parse` understands (``("week.csv",)``).
    """

    name: ClassVar[str]
    title: ClassVar[str]
    homepage: ClassVar[str]
    requires_key: ClassVar[bool] = False
    catalog: ClassVar[tuple[SeriesSpec, ...]]
    raw_patterns: ClassVar[tuple[str, ...]]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def requests(self) -> list[Request]:
        """The downloads this source needs now (pure: no I/O)."""

    @abstractmethod
    def parse(self, payload: RawPayload) -> Dataset:
        """Bytes to canonical frame (pure). Raises :class:`yenflow.errors.ParseError`."""

    def fetch(self, client: Fetcher) -> Iterator[RawPayload | FetchError]:
        """Get every payload: from the network, or from the client's snapshot folder.

        A failed download is yielded as a :class:`yenflow.errors.FetchError`
        value (not raised), so one failing request does not stop the others;
        the caller records it.
        """
        if client.snapshot_dir is not None:
            yield from client.read_snapshot(self)
            return
        yield from client.get_many(self.requests(), source=self.name)

    def recognizes(self, relative_path: str) -> bool:
        """Whether a file in the source's snapshot folder is one :meth:`parse` reads."""
        return any(fnmatch.fnmatch(relative_path, pattern) for pattern in self.raw_patterns)

    def base_url(self, default: str) -> str:
        """The source's base URL: ``YENFLOW_<NAME>_BASE_URL`` overrides ``default``."""
        return self.settings.base_url(self.name, default)
