"""Atomic file writes: a temporary file in the target's folder, flushed, then renamed.

A reader (or a crash, or a full disk) sees the old file or the new one, never a partial
or 0-byte file. Failures are :class:`yenflow.errors.OutputError` naming the path and
what to do; :func:`check_writable` finds them before any work is done.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from yenflow.errors import OutputError

__all__ = ["atomic_path", "check_writable", "write_bytes", "write_text"]


def _explain(path: Path, exc: OSError | None = None) -> str:
    """What is wrong with writing ``path``, and what to do."""
    if path.is_dir():
        return f"{path} is a folder; give a file name inside it, e.g. {path / 'out'}"
    for parent in (path.parent, *path.parent.parents):
        if parent.exists():
            if not parent.is_dir():
                return f"cannot write {path}: {parent} is a file, not a folder"
            break
    reason = exc.strerror if exc is not None and exc.strerror else str(exc or "")
    return f"cannot write {path}: {reason}; choose a writable location"


def check_writable(path: Path) -> None:
    """Raise :class:`OutputError` now if ``path`` cannot be written (creating its folders).

    Checks by creating (and removing) a temporary file beside it: permission checks by
    mode bits alone are wrong for root and for network file systems.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(_explain(path), path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=path.parent)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(_explain(path, exc), path=path) from exc


def _mode_for(path: Path) -> int:
    """The existing file's mode, else what a plain ``open()`` would give (0o666 & ~umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path to write to; on success it replaces ``path`` in one rename.

    >>> with atomic_path(Path("out.parquet")) as tmp:         # doctest: +SKIP
    ...     frame.to_parquet(tmp)
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(_explain(path), path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
        os.chmod(name, _mode_for(path))
    except OSError as exc:
        raise OutputError(_explain(path, exc), path=path) from exc
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:  # the bytes are on disk before the rename
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(_explain(path, exc), path=path) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _write(path: Path, write: Callable[[Path], object]) -> None:
    with atomic_path(path) as tmp:
        write(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    _write(Path(path), lambda tmp: tmp.write_bytes(data))


def write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    _write(Path(path), lambda tmp: tmp.write_text(text, encoding=encoding))
