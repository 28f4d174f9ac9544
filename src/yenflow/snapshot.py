"""Raw snapshot folders: read payloads from one (``--from DIR``), write them into one
(``--save-raw DIR``).

The layout is the one of the shared data folder: ``DIR/<source>/<file>``, where
``<source>/<file>`` is a request's ``raw_path``. No network here (that is
:mod:`yenflow.http`), no store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from yenflow.errors import AbsentError, FetchError, OutputError
from yenflow.payload import RawPayload

if TYPE_CHECKING:
    from yenflow.sources.base import Source

__all__ = ["read_snapshot", "safe_relative", "write_raw"]


def read_snapshot(folder: Path, source: Source) -> Iterator[RawPayload | FetchError]:
    """Every file of ``folder/<source.name>/`` that the source recognizes.

    Files the source requests come first, in request order (a later request may revise an
    earlier one, e.g. TIC's current table over its history); then the rest, sorted by path.
    A file that cannot be read is yielded as a :class:`FetchError` value; a missing source
    folder, or one with no file the source reads, as an :class:`AbsentError`.
    """
    base = folder / source.name
    if not base.is_dir():
        yield AbsentError(
            "the snapshot folder has no folder for this source",
            source=source.name,
            location=str(base),
            reason="not-in-snapshot",
        )
        return
    try:
        order = {r.raw_path: i for i, r in enumerate(source.requests())}
    except Exception:  # requests() needing settings the snapshot mode lacks
        order = {}

    def key(path: Path) -> tuple[int, str]:
        relative = f"{source.name}/{path.relative_to(base).as_posix()}"
        return order.get(relative, len(order)), relative

    found = False
    for path in sorted((p for p in base.rglob("*") if p.is_file()), key=key):
        relative = path.relative_to(base).as_posix()
        if not source.recognizes(relative):
            continue
        found = True
        try:
            content = path.read_bytes()
        except OSError as exc:
            yield FetchError(
                f"cannot read the file: {exc}",
                source=source.name,
                location=str(path),
                reason="read",
            )
            continue
        yield RawPayload(
            source=source.name,
            url="",
            raw_path=f"{source.name}/{relative}",
            content=content,
            fetched_at=datetime.now(UTC),
        )
    if not found:
        yield AbsentError(
            f"no file the source reads (patterns {', '.join(source.raw_patterns)})",
            source=source.name,
            location=str(base),
            reason="not-in-snapshot",
        )


def safe_relative(raw_path: str) -> PurePosixPath:
    """``raw_path`` as a relative path that cannot leave the snapshot folder."""
    path = PurePosixPath(raw_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        msg = f"unsafe snapshot path {raw_path!r}: expected source/file, inside the folder"
        raise OutputError(msg, path=raw_path)
    return path


def write_raw(directory: Path, raw_path: str, content: bytes) -> Path:
    """Write one payload into a snapshot folder, atomically; returns the file written."""
    from yenflow.atomic import write_bytes

    target = directory / safe_relative(raw_path)
    write_bytes(target, content)
    return target
