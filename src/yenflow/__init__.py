"""yenflow: Japan's cross-border capital flows, the yen carry trade, US Treasuries and
Bitcoin, from primary official data.

The public API (imported lazily, so the CLI starts fast):

- :func:`yenflow.series` — one or more series as pandas objects, units in ``.attrs``;
- :func:`yenflow.observations` — the canonical long frame, optionally "as of" a date;
- :func:`yenflow.catalog` — the series every source provides;
- :func:`yenflow.fetch` — refresh the store from the sources or a raw snapshot;
- :func:`yenflow.open_store` — the DuckDB store itself.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "catalog", "fetch", "observations", "open_store", "series"]

_API = {"catalog", "fetch", "observations", "open_store", "series"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from yenflow import api

        return getattr(api, name)
    msg = f"module 'yenflow' has no attribute {name!r}"
    raise AttributeError(msg)
