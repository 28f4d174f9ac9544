"""Opening the store file: a bounded wait for another process's write, naming its pid.

DuckDB lets one process write a file, or several read it, never both. A writer records its
pid in ``<store>.lock`` next to the store while its connection is open. Anyone who cannot
open the file because of another process's lock retries for ``YENFLOW_LOCK_WAIT`` seconds
(default 10) and then fails with a :class:`StoreError` that names that pid.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb

from yenflow.errors import StoreError

__all__ = ["DEFAULT_LOCK_WAIT_S", "connect", "lock_path", "lock_wait_from_env", "release"]

DEFAULT_LOCK_WAIT_S = 10.0
_POLL_S = 0.05


def lock_path(store: Path) -> Path:
    """``<store>.lock``: the pid of the process writing the store."""
    return store.with_name(store.name + ".lock")


def lock_wait_from_env(env: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for another process's write lock: ``YENFLOW_LOCK_WAIT`` (default 10)."""
    raw = (os.environ if env is None else env).get("YENFLOW_LOCK_WAIT", "")
    if not raw.strip():
        return DEFAULT_LOCK_WAIT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        msg = f"YENFLOW_LOCK_WAIT={raw!r} is not a number of seconds >= 0; set it to e.g. 10"
        raise StoreError(msg)
    return value


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def _holder(store: Path) -> str:
    try:
        pid = lock_path(store).read_text(encoding="ascii").strip()
    except OSError:
        return "another process"
    return f"another yenflow process (pid {pid})" if pid.isdigit() else "another process"


def connect(
    store: Path,
    *,
    read_only: bool,
    wait_s: float,
    sleep=time.sleep,
    config: Mapping[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``store`` (with DuckDB settings ``config``), retrying while another process holds
    its lock, for up to ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(store), read_only=read_only, config=dict(config or {}))
        except duckdb.Error as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() >= deadline:
                what = "read" if read_only else "write to"
                msg = (
                    f"cannot {what} the store {store}: {_holder(store)} is writing to it; "
                    f"waited {wait_s:g} s (raise YENFLOW_LOCK_WAIT, or try again when it ends)"
                )
                raise StoreError(msg) from None
            sleep(_POLL_S)
            continue
        if not read_only:
            # the pid note is a courtesy to waiting readers; DuckDB holds the real lock
            with contextlib.suppress(OSError):
                lock_path(store).write_text(str(os.getpid()), encoding="ascii")
        return con


def release(store: Path) -> None:
    """Remove the pid note of this process's write connection (when it closes)."""
    path = lock_path(store)
    try:
        if path.read_text(encoding="ascii").strip() == str(os.getpid()):
            path.unlink()
    except OSError:
        pass
