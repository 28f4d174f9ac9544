"""A content-addressed cache of the analyses' results (the Bitcoin lab, the attribution, the
flows, the carry monitor... every entry of :data:`yenflow.pipeline.ENTRIES`).

An analysis that declares what its result depends on (:class:`yenflow.pipeline.CacheInputs`:
a module, a detail string and one observation frame) is stored under a key that is the
SHA-256 of exactly that:

* the analysis's name and detail (its function; the as-of cut where it reads it);
* the code: :func:`yenflow.closure.code_version` of its module (yenflow's version and a digest
  of every yenflow file in the module's import closure, so any edit to the lab, its kernels or
  the bootstrap misses), plus the Python, numpy, pandas and numba versions;
* the data: every column of the observations it reads (the as-known observations of its
  declared series at the report's as-of cut; for the attribution, every observation of the
  bundle), names, dtypes and values byte for byte, in order: the bundle digests each series
  once (:func:`segment_digests`) and an analysis's data digest is that of its series' ids and
  digests, in the order it reads them.

So re-running a report on an unchanged store, or an as-of report whose inputs are the same,
reads the result instead of recomputing it; any change to an input value, a publication time,
the code or a library is a different key (a miss). Nothing is ever invalidated in place.

Storage: one file per key, ``<dir>/<key[:2]>/<key>.pickle``, written atomically
(:mod:`yenflow.atomic`), holding a magic line, the SHA-256 of the payload and the pickled
result. A file that is truncated, corrupt, of another format or unreadable is ignored (and
removed when possible) and the result recomputed; a cache that cannot be written never fails
the report. The directory is the platform's user cache dir (``~/.cache/yenflow/analyses``)
or ``YENFLOW_CACHE_DIR``; ``YENFLOW_CACHE_DIR=off`` or ``yenflow report --no-cache`` turns
the cache off. Pickle runs code when loaded: the cache dir must be as private as the
environment yenflow is installed in (it is the user's own cache dir by default).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import platform
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yenflow.closure import code_version

__all__ = ["CACHE_ENV", "AnalysisCache", "default_cache", "frame_digest", "segment_digests"]

CACHE_ENV = "YENFLOW_CACHE_DIR"
_MAGIC = b"yenflow-analysis-cache 1\n"
_DIGEST_BYTES = 32
_SEP = b"\x00"


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 (hex) of a frame's columns: names, dtypes and every value, in row order.

    Text columns are digested as their distinct values and per-row codes; numbers and
    datetimes by their raw bytes (tz-aware datetimes as int64 ticks, with the dtype naming
    unit and zone). The index is not part of it (analyses read columns only).
    """
    h = hashlib.sha256()
    h.update(f"{len(frame)} rows".encode() + _SEP)
    for name in frame.columns:
        col = frame[name]
        h.update(str(name).encode() + _SEP + str(col.dtype).encode() + _SEP)
        raw = _column_bytes(col)
        h.update(raw if raw is not None else _text_bytes(col))
        h.update(_SEP)
    return h.hexdigest()


def _column_bytes(col: pd.Series) -> bytes | None:
    """A number or datetime column's raw bytes (tz-aware datetimes as int64 ticks); None for
    any other column."""
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return np.ascontiguousarray(col.array.asi8).tobytes()
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "biufcmM":
        return np.ascontiguousarray(col.to_numpy()).tobytes()
    return None


def _text_bytes(col: pd.Series) -> bytes:
    """Any other column's distinct values (``repr``) and per-row codes, as bytes."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return (
        _SEP.join(repr(u).encode() for u in uniques)
        + _SEP
        + np.ascontiguousarray(codes, dtype=np.int64).tobytes()
    )


def segment_digests(
    frame: pd.DataFrame, bounds: Mapping[str, tuple[int, int]], *, id_column: str = "series_id"
) -> dict[str, str]:
    """SHA-256 (hex) of each series' rows of ``frame``: ``bounds`` maps a series id to its
    row range ``[start, stop)`` (every row of which has that ``id_column``), and its digest
    covers that id, the row count and every other column's names, dtypes and values in
    order, as :func:`frame_digest` does. One pass over each column: the bytes of a number or
    datetime column are taken once and cut per series (a bundle digests its observations
    once, however many analyses read each series)."""
    hashes = {}
    for sid, (start, stop) in bounds.items():
        hashes[sid] = hashlib.sha256(f"{sid}{_SEP.decode()}{stop - start} rows".encode() + _SEP)
    for name in frame.columns:
        if name == id_column:
            continue
        col = frame[name]
        head = str(name).encode() + _SEP + str(col.dtype).encode() + _SEP
        raw = _column_bytes(col)
        width = len(raw) // len(col) if raw is not None and len(col) else 0
        for sid, (start, stop) in bounds.items():
            h = hashes[sid]
            h.update(head)
            if raw is not None:
                h.update(memoryview(raw)[start * width : stop * width])
            else:
                h.update(_text_bytes(col.iloc[start:stop]))
            h.update(_SEP)
    return {sid: h.hexdigest() for sid, h in hashes.items()}


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@cache
def _libraries() -> str:
    """Versions of what an analysis's numbers depend on beyond yenflow (numba not imported)."""
    return (
        f"python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}; "
        f"numba {_version_of('numba')}"
    )


class AnalysisCache:
    """Results by content key in ``directory`` (see the module docstring)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._code: dict[str, str] = {}  # module -> code_version, read once per cache object

    def code(self, module: str) -> str:
        """:func:`~yenflow.closure.code_version` of ``module``, read once by this object (one
        report's analyses share the pipeline's closure: its files are read once, not once per
        analysis)."""
        if module not in self._code:
            self._code[module] = code_version(module)
        return self._code[module]

    def __repr__(self) -> str:
        return f"AnalysisCache({str(self.directory)!r})"

    def key(self, name: str, module: str, detail: str, frame: pd.DataFrame) -> str:
        """The content key of analysis ``name`` whose code is ``module``'s import closure and
        whose result depends on ``frame`` and ``detail`` (its function, its as-of cut...)."""
        return self.key_of_digest(name, module, detail, frame_digest(frame))

    def key_of_digest(self, name: str, module: str, detail: str, data: str) -> str:
        """The content key as :meth:`key`, with the data given by its digest ``data`` (of
        the frame, or of its series' :func:`segment_digests`)."""
        h = hashlib.sha256()
        for part in (name, module, detail, self.code(module), _libraries()):
            h.update(part.encode() + _SEP)
        h.update(data.encode())
        return h.hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def load(self, key: str) -> tuple[bool, Any]:
        """``(True, result)`` for a sound entry, ``(False, None)`` for a missing or bad one
        (a bad one is removed, best effort)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return False, None
        head = len(_MAGIC) + _DIGEST_BYTES
        payload = data[head:]
        if (
            data[: len(_MAGIC)] == _MAGIC
            and data[len(_MAGIC) : head] == hashlib.sha256(payload).digest()
        ):
            try:
                return True, pickle.loads(payload)  # our own cache dir (see above)
            except Exception:  # an unreadable entry is a miss, never a crash
                pass
        with contextlib.suppress(OSError):
            path.unlink()
        return False, None

    def store(self, key: str, result: Any) -> bool:
        """Write ``result`` under ``key`` atomically; False (and nothing raised) when it
        cannot be pickled or written."""
        from yenflow.atomic import write_bytes
        from yenflow.errors import OutputError

        try:
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable result is simply not cached
            return False
        try:
            write_bytes(self.path(key), _MAGIC + hashlib.sha256(payload).digest() + payload)
        except (OSError, OutputError):
            return False
        return True


def default_cache(environ: dict[str, str] | None = None) -> AnalysisCache | None:
    """The user's cache: ``YENFLOW_CACHE_DIR`` (``off``/``0``/``none`` = no cache) or
    ``analyses`` in the platform's user cache dir (e.g. ``~/.cache/yenflow/analyses``)."""
    env = os.environ if environ is None else environ
    raw = env.get(CACHE_ENV, "").strip()
    if raw.lower() in ("off", "0", "none", "false", "no"):
        return None
    if raw:
        return AnalysisCache(Path(raw).expanduser())
    from platformdirs import user_cache_dir

    return AnalysisCache(Path(user_cache_dir("yenflow", appauthor=False)) / "analyses")
