"""Giving freed C-heap memory back to the system after a large write.

glibc's allocator keeps memory freed by many mid-sized blocks (the staged arrays of a large
source, DuckDB's insert buffers) in its arenas instead of returning it to the system; the
process then starts its next step (the commit) on top of memory it no longer uses.
:func:`trim` asks glibc to return it (``malloc_trim``); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

__all__ = ["trim"]


@cache
def _malloc_trim():  # -> the C function, or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return None


def trim() -> bool:
    """Return free heap memory to the system; True if the C library could be asked."""
    fn = _malloc_trim()
    if fn is None:
        return False
    fn(0)
    return True
