"""Modules imported on first use, so the light commands never pay for the heavy stack.

``yenflow show`` and a fetch that finds nothing new need DuckDB and the terminal, not pandas
(with pyarrow, ~0.5 s to import), numpy or httpx. Modules that use those only inside their
functions name them once at the top, the one way this package does it::

    from typing import TYPE_CHECKING

    from yenflow.lazy import lazy_module

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy_module("pandas")

``pd`` is then a stand-in module: the real import happens at the first attribute access
(``pd.DataFrame``), and from then on attribute lookups are plain module lookups. Module-level
code must therefore not touch ``pd`` (no ``X = pd.Timedelta(...)`` constants); nothing is put
in :data:`sys.modules` until the real import, so ``"pandas" in sys.modules`` stays a faithful
test of whether a path imported it.
"""

from __future__ import annotations

import importlib
import types
from typing import Any

__all__ = ["LazyModule", "lazy_module"]


class LazyModule(types.ModuleType):
    """A stand-in for the module ``name``, imported at the first attribute access.

    The real module's namespace is then copied into the stand-in, so later lookups do not
    come back here (a name the real module adds later, e.g. a submodule loaded on demand, is
    still found through :meth:`__getattr__`).
    """

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self.__name__!r}>"


def lazy_module(name: str) -> types.ModuleType:
    """The module ``name`` if it is already imported, else a :class:`LazyModule` for it."""
    import sys

    loaded = sys.modules.get(name)
    return loaded if loaded is not None else LazyModule(name)
