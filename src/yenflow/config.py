"""Settings: store path, network behaviour, keys and per-source options.

Everything comes from keyword arguments or environment variables; keys are
never printed (``repr`` masks them).

Environment variables:

``YENFLOW_STORE``
    path of the DuckDB store (default: ``yenflow.duckdb`` in the user data dir).
``YENFLOW_<SOURCE>_BASE_URL``
    base URL of one source (``YENFLOW_MOF_BASE_URL``...), e.g. a mirror or a
    loopback test server.
``YENFLOW_TIMEOUT``
    seconds for connect and for each read (default 30).
``YENFLOW_DEADLINE``
    seconds one download may take in all, however it trickles in (default 600).
``YENFLOW_RETRIES``
    retries after the first try on 429/5xx and connection errors (default 3).
``YENFLOW_BACKOFF``
    first back-off in seconds, doubled at each retry (default 1.0).
``FRED_API_KEY``
    use FRED's official JSON API instead of the no-key CSV endpoint.
``YENFLOW_FRED_SERIES``
    comma-separated FRED ids replacing the default list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_data_dir

from yenflow.errors import ConfigError

__all__ = ["Settings", "default_store_path"]


def default_store_path() -> Path:
    """``yenflow.duckdb`` in the platform's user data dir (e.g. ``~/.local/share/yenflow``)."""
    return Path(user_data_dir("yenflow", appauthor=False)) / "yenflow.duckdb"


def _float_env(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        msg = f"{name}={raw!r} is not a number; set it to e.g. {default}"
        raise ConfigError(msg) from None


@dataclass(frozen=True)
class Settings:
    """All knobs in one frozen object; build it with :meth:`from_env`."""

    store_path: Path = field(default_factory=default_store_path)
    timeout_s: float = 30.0
    deadline_s: float = 600.0
    max_bytes: int = 1 << 30
    retries: int = 3
    backoff_s: float = 1.0
    fred_api_key: str | None = field(default=None, repr=False)
    fred_series: tuple[str, ...] | None = None
    markets_symbols: tuple[str, ...] | None = None
    base_urls: Mapping[str, str] = field(default_factory=dict)
    user_agent: str = "yenflow/0.1 (+https://pypi.org/project/yenflow/)"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from environment variables, then explicit overrides."""
        env = os.environ if env is None else env
        base_urls = {
            key[len("YENFLOW_") : -len("_BASE_URL")].lower(): value
            for key, value in env.items()
            if key.startswith("YENFLOW_") and key.endswith("_BASE_URL") and value
        }
        fred_series_env = env.get("YENFLOW_FRED_SERIES")
        fred_series = (
            tuple(s.strip() for s in fred_series_env.split(",") if s.strip())
            if fred_series_env
            else None
        )
        markets_env = env.get("YENFLOW_MARKETS_SYMBOLS")
        markets_symbols = (
            tuple(s.strip() for s in markets_env.split(",") if s.strip()) if markets_env else None
        )
        retries_f = _float_env(env, "YENFLOW_RETRIES", 3)
        settings = cls(
            store_path=Path(env["YENFLOW_STORE"])
            if env.get("YENFLOW_STORE")
            else default_store_path(),
            timeout_s=_float_env(env, "YENFLOW_TIMEOUT", 30.0),
            deadline_s=_float_env(env, "YENFLOW_DEADLINE", 600.0),
            retries=int(retries_f),
            backoff_s=_float_env(env, "YENFLOW_BACKOFF", 1.0),
            fred_api_key=env.get("FRED_API_KEY") or None,
            fred_series=fred_series,
            markets_symbols=markets_symbols,
            base_urls=base_urls,
        )
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean) if clean else settings  # type: ignore[arg-type]

    def base_url(self, source: str, default: str) -> str:
        """The base URL of ``source``: an override if set, else ``default``."""
        return self.base_urls.get(source.lower(), default)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs or the store."""
        return tuple(s for s in (self.fred_api_key,) if s)
