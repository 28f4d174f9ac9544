"""Plain values that cross layers: what to download, the bytes downloaded, their validators.

No yenflow imports: the HTTP client, the snapshot reader, the sources, the store and the
refresh pipeline all depend on this module, never the other way round.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["RawPayload", "Request", "Validators"]


@dataclass(frozen=True)
class Request:
    """One thing to download.

    Attributes:
        url: the full URL, keys included (never logged as is: see
            :func:`yenflow.redact.redact_url`).
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

    ``url`` is the URL that served the bytes (after any redirect), keys redacted;
    ``requested_url`` the URL asked for (keys redacted; empty means the same as ``url``),
    which is what validators of a conditional request are keyed by.
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
    requested_url: str = ""

    def __post_init__(self) -> None:
        if not self.sha256 and not self.not_modified:
            object.__setattr__(self, "sha256", hashlib.sha256(self.content).hexdigest())

    @property
    def request_key(self) -> str:
        """The URL asked for (keys redacted): the key of its validators."""
        return self.requested_url or self.url

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
class Validators:
    """What the last good fetch of a URL returned, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None
