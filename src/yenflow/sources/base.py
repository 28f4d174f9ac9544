"""The shape every source has: catalog, requests, fetch, parse.

A source is a small class with class-level facts and three steps; only
:meth:`Source.fetch` does I/O, and it does it through the injected
:class:`yenflow.http.Fetcher`:

1. :meth:`Source.requests` (pure) builds the URLs to get, each with the
   relative path it has in a raw snapshot folder (``mof/week.csv``).
2. :meth:`Source.fetch` returns :class:`yenflow.payload.RawPayload` objects (bytes,
   URL with keys redacted, fetch time, sha256, validators).
3. :meth:`Source.parse` (pure) turns one payload into a :class:`yenflow.frame.Dataset`:
   a canonical long frame (:data:`yenflow.frame.FRAME_COLUMNS`) plus the
   :class:`yenflow.frame.SeriesSpec` of every series in it.
"""

from __future__ import annotations

import fnmatch
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from yenflow.errors import FetchError
from yenflow.frame import Dataset, SeriesSpec
from yenflow.payload import RawPayload, Request

if TYPE_CHECKING:
    from yenflow.config import Settings
    from yenflow.http import Fetcher

__all__ = ["Source"]


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
