"""numba when installed, plain Python otherwise (arch's habit: ``jit(python_function)``).

The kernels are written once, as plain Python loops over numpy arrays; :func:`jit` compiles them
with numba (``nopython``, cached, optionally parallel) and, without numba, returns the function
unchanged so every result is still available, only slower. ``prange`` is numba's parallel range
or the builtin :func:`range`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["HAVE_NUMBA", "jit", "prange", "threads"]

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import numba

    HAVE_NUMBA = True
    prange = numba.prange
except ImportError:  # pragma: no cover
    numba = None
    HAVE_NUMBA = False
    prange = range


def jit(*, parallel: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Compile a kernel with numba (``nopython``, ``cache``) or leave it as Python."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        if not HAVE_NUMBA:
            return func
        return numba.njit(cache=True, parallel=parallel, nogil=True)(func)

    return wrap


def threads() -> int:
    """Threads the parallel kernels run on (numba's setting; 1 without numba)."""
    return int(numba.get_num_threads()) if HAVE_NUMBA else 1
