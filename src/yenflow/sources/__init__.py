"""Official sources, one module each, registered in :data:`REGISTRY`.

Adding a source is adding one module with a :class:`~yenflow.sources.base.Source`
subclass and one line here. Modules are imported lazily, so ``yenflow --help``
does not pay for every parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from yenflow.errors import ConfigError

if TYPE_CHECKING:
    from yenflow.sources.base import Source

__all__ = ["REGISTRY", "get_source_class", "source_names"]

#: registry name -> "module:Class"; the name is also the raw-snapshot folder.
REGISTRY: dict[str, str] = {
    "mof": "yenflow.sources.mof:MofSource",
    "jgb": "yenflow.sources.jgb:JgbSource",
    "tic": "yenflow.sources.tic:TicSource",
    "fred": "yenflow.sources.fred:FredSource",
    "cftc": "yenflow.sources.cftc:CftcSource",
    "btc": "yenflow.sources.btc:BitcoinSource",
    "markets": "yenflow.sources.markets:MarketsSource",
}


def source_names() -> list[str]:
    """Registered source names, in registry order."""
    return list(REGISTRY)


def get_source_class(name: str) -> type[Source]:
    """The Source subclass registered as ``name``."""
    try:
        target = REGISTRY[name]
    except KeyError:
        msg = f"unknown source {name!r}; known sources: {', '.join(REGISTRY)}"
        raise ConfigError(msg) from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)
