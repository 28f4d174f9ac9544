"""The one error tree of yenflow.

Every error the library raises on purpose derives from :class:`YenflowError`
and carries its context as attributes, so a caller (the CLI, the report, a
script) can show *what* failed, *where* and *what was expected*::

    YenflowError
    ├── ConfigError            a setting is missing or malformed
    ├── SourceError            anything about one official source
    │   ├── FetchError         the network or snapshot step failed (URL, HTTP status)
    │   │   └── AbsentError    the server (404/410) or a --from folder has no such file
    │   └── ParseError         bytes did not match the source's documented format
    │                          (file or URL, row, expected, found)
    ├── StoreError             the DuckDB store could not be opened or written
    ├── OutputError            a report, JSON or export file could not be written (path)
    └── DataError              an analysis lacks the data it needs (series, period)

Messages are built first (``msg = ...``) and then raised, and always name the
source, the file or URL and what to do. Every message (and the ``location`` and ``found``
attributes) is passed through :func:`yenflow.redact.redact` when the error is created, so
no error can carry an API key, whatever text it quotes.
"""

from __future__ import annotations

from yenflow.redact import redact

__all__ = [
    "AbsentError",
    "ConfigError",
    "DataError",
    "FetchError",
    "OutputError",
    "ParseError",
    "SourceError",
    "StoreError",
    "YenflowError",
]


class YenflowError(Exception):
    """Base class of every error raised on purpose by yenflow (messages redacted)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class ConfigError(YenflowError):
    """A setting (environment variable, option, config value) is missing or malformed."""


class SourceError(YenflowError):
    """An error tied to one official source.

    Attributes:
        source: the source's registry name (``"mof"``, ``"fred"``...).
        location: the URL (keys redacted) or file path involved, if any.
    """

    def __init__(self, message: str, *, source: str, location: str | None = None) -> None:
        self.source = source
        self.location = redact(location) if location else location
        prefix = f"[{source}]"
        if self.location:
            prefix += f" {self.location}:"
        super().__init__(f"{prefix} {message}")


class FetchError(SourceError):
    """Downloading (or reading from a raw snapshot) failed.

    Attributes:
        status: the HTTP status code, if a response arrived.
        reason: a short machine-friendly reason (``"http-404"``, ``"timeout"``,
            ``"connection"``, ``"not-in-snapshot"``...).
        optional: the request was optional (an absent file is then no failure).
        retry_after: the server's ``Retry-After`` header on a 429/503, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        location: str | None = None,
        status: int | None = None,
        reason: str = "fetch",
        optional: bool = False,
        retry_after: str | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.optional = optional
        self.retry_after = retry_after
        super().__init__(message, source=source, location=location)


class AbsentError(FetchError):
    """The server answered 404/410, or a ``--from DIR`` folder has no such file.

    For an optional request, or in snapshot mode, this is a skip, not a failure.
    """


class ParseError(SourceError):
    """The payload did not match the source's documented format.

    Attributes:
        row: 1-based physical line (or record) number in the file, if known.
        expected: what the parser expected there.
        found: what it found instead (shortened).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        location: str | None = None,
        row: int | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        self.row = row
        self.expected = expected
        self.found = redact(found) if found is not None else None
        parts = [message]
        if row is not None:
            parts.append(f"row {row}")
        if expected is not None:
            parts.append(f"expected {expected}")
        if self.found is not None:
            found = self.found
            shown = found if len(found) <= 80 else found[:77] + "..."
            parts.append(f"found {shown!r}")
        super().__init__("; ".join(parts), source=source, location=location)


class StoreError(YenflowError):
    """The DuckDB store could not be opened, migrated or written."""


class OutputError(YenflowError):
    """An output file (report, JSON, export) could not be written.

    Attributes:
        path: the file that was to be written.
    """

    def __init__(self, message: str, *, path: object) -> None:
        self.path = path
        super().__init__(message)


class DataError(YenflowError):
    """An analysis lacks the data it needs (a series is missing or too short)."""
