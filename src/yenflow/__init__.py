"""yenflow: Japan's cross-border capital flows, the yen carry trade, US Treasuries and
Bitcoin, from primary official data."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
