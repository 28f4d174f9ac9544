"""numba when installed, plain Python otherwise (arch's habit: ``jit(python_function)``).

The kernels are written once, as plain Python loops over numpy arrays; :func:`jit` compiles them
with numba (``nopython``, cached, optionally parallel) and, without numba, returns the function
unchanged so every result is still available, only slower. ``prange`` is numba's parallel range
in a compiled kernel and the builtin :func:`range` in plain Python.

numba is imported, and a kernel compiled (or loaded from numba's on-disk cache), only when the
kernel is first *called*: importing the Bitcoin lab (for instance to read its cached results in
a report) costs no numba import (about 0.5 s) and no loading of compiled kernels. Until then a
kernel module's global ``prange`` is the builtin :func:`range`; the first call rebinds it to
``numba.prange`` in that module before compiling, which is what numba reads, and rebinds the
lazily compiled kernels it calls to their numba dispatchers (numba cannot type the wrapper).
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["HAVE_NUMBA", "jit", "prange", "threads"]

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
prange = range  # rebound to numba.prange in a kernel's module when it is compiled
_COMPILE_LOCK = threading.RLock()  # a kernel's compile compiles the kernels it calls


class _LazyKernel:
    """A kernel compiled by numba on its first call (then every call goes to numba)."""

    def __init__(self, func: Callable[..., Any], *, parallel: bool) -> None:
        functools.update_wrapper(self, func)
        self.__wrapped__ = func
        self._parallel = parallel
        self._compiled: Callable[..., Any] | None = None

    @property
    def py_func(self) -> Callable[..., Any]:
        """The plain Python kernel (numba's name for it)."""
        return self.__wrapped__

    def _compile(self) -> Callable[..., Any]:
        with _COMPILE_LOCK:
            if self._compiled is None:
                import numba

                func = self.__wrapped__
                if func.__globals__.get("prange") is range:
                    func.__globals__["prange"] = numba.prange
                for name in func.__code__.co_names:  # kernels this one calls: numba must
                    callee = func.__globals__.get(name)  # see their dispatchers, not wrappers
                    if isinstance(callee, _LazyKernel):
                        func.__globals__[name] = callee._compile()
                self._compiled = numba.njit(cache=True, parallel=self._parallel, nogil=True)(func)
            return self._compiled

    def __call__(self, *args: Any) -> Any:
        kernel = self._compiled if self._compiled is not None else self._compile()
        return kernel(*args)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by reference (dask workers)
        return (_lookup, (self.__wrapped__.__module__, self.__qualname__))


def _lookup(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def jit(*, parallel: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Compile a kernel with numba (``nopython``, ``cache``) on first call, or leave it as
    Python when numba is not installed."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        if not HAVE_NUMBA:
            return func
        return _LazyKernel(func, parallel=parallel)

    return wrap


def threads() -> int:
    """Threads the parallel kernels run on (numba's setting; 1 without numba)."""
    if not HAVE_NUMBA:
        return 1
    import numba

    return int(numba.get_num_threads())
