"""Settings: store path, network behaviour, keys and per-source options.

Everything comes from keyword arguments or environment variables, and every value is
checked when it is read: a malformed or nonsensical setting is a :class:`ConfigError`
naming the variable (or field) and saying what is expected, at startup, never a surprise
at fetch time. Keys are never printed (``repr`` masks them) and are registered with
:mod:`yenflow.redact`, so no message or stored text can carry them.

Environment variables:

``YENFLOW_STORE``
    path of the DuckDB store (default: ``yenflow.duckdb`` in the user data dir).
``YENFLOW_<SOURCE>_BASE_URL``
    base URL of one source (``YENFLOW_MOF_BASE_URL``...), e.g. a mirror or a
    loopback test server.
``YENFLOW_<SOURCE>_ALLOWED_HOSTS``
    comma-separated extra hosts (``host`` or ``host:port``) a redirect of that source may
    lead to; the host of each request's own URL is always allowed.
``YENFLOW_TIMEOUT``
    seconds for connect and for each read (default 30).
``YENFLOW_DEADLINE``
    seconds one URL may take in all: every try, its download and the back-off between
    tries (default 600).
``YENFLOW_RETRIES``
    retries after the first try on 429/5xx and connection errors (default 3, at most 20).
``YENFLOW_BACKOFF``
    first back-off in seconds, doubled at each retry (default 1.0).
``YENFLOW_MAX_BACKOFF``
    ceiling of one back-off, ``Retry-After`` included, in seconds (default 30).
``YENFLOW_MAX_MB``
    largest response body accepted, in MB (10^6 bytes) after decompression (default 32).
``YENFLOW_<SOURCE>_MAX_MB``
    the same for one source (default: ``YENFLOW_MAX_MB``; CFTC 64).
``YENFLOW_LOCK_WAIT``
    seconds a reader or writer waits while another yenflow process writes the store
    (default 10; read by :mod:`yenflow.store.lock`, checked here at startup).
``FRED_API_KEY``
    use FRED's official JSON API instead of the no-key CSV endpoint.
``YENFLOW_FRED_SERIES``
    comma-separated FRED ids replacing the default list.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from yenflow.errors import ConfigError

__all__ = ["DEFAULT_MAX_MB", "Settings", "default_store_path"]

#: Default cap of one response body, MB (10^6 bytes) after decompression. The largest real
#: file is CFTC's annual legacy report (about 4 MB by December), so 32 MB leaves room for
#: growth while a runaway or hostile response is refused long before it costs real memory.
DEFAULT_MAX_MB = 32.0
#: Per-source defaults above the global one (CFTC's yearly files grow through the year).
_SOURCE_MAX_MB = {"cftc": 64.0}
_MAX_RETRIES = 20
_SOURCE_VAR = re.compile(r"^YENFLOW_([A-Z0-9_]+?)_(BASE_URL|ALLOWED_HOSTS|MAX_MB)$")


def default_store_path() -> Path:
    """``yenflow.duckdb`` in the platform's user data dir (e.g. ``~/.local/share/yenflow``)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("yenflow", appauthor=False)) / "yenflow.duckdb"


def _number(
    name: str,
    raw: object,
    *,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    example: object,
) -> float:
    """``raw`` as a finite number within bounds, or a ConfigError naming ``name``."""
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"{name}={raw!r} is not a number; set it to e.g. {example}"
        raise ConfigError(msg) from None
    if not math.isfinite(value):
        msg = f"{name}={raw!r} must be a finite number; set it to e.g. {example}"
        raise ConfigError(msg)
    if integer and value != int(value):
        msg = f"{name}={raw!r} must be a whole number; set it to e.g. {example}"
        raise ConfigError(msg)
    if positive and value <= 0:
        msg = f"{name}={raw!r} must be greater than 0; set it to e.g. {example}"
        raise ConfigError(msg)
    if minimum is not None and value < minimum:
        msg = f"{name}={raw!r} must be at least {minimum:g}; set it to e.g. {example}"
        raise ConfigError(msg)
    if maximum is not None and value > maximum:
        msg = f"{name}={raw!r} must be at most {maximum:g}; set it to e.g. {example}"
        raise ConfigError(msg)
    return value


def _hosts(name: str, raw: str) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    for host in hosts:
        if not re.fullmatch(r"[a-z0-9.\-\[\]:]+", host) or host.startswith(":"):
            msg = f"{name}: {host!r} is not a host name (use e.g. www.mof.go.jp or host:8080)"
            raise ConfigError(msg)
    return hosts


# (env var, field, checks): every numeric setting, validated the same way from both paths.
_NUMERIC = (
    ("YENFLOW_TIMEOUT", "timeout_s", {"positive": True, "example": 30}),
    ("YENFLOW_DEADLINE", "deadline_s", {"positive": True, "example": 600}),
    (
        "YENFLOW_RETRIES",
        "retries",
        {"minimum": 0, "maximum": _MAX_RETRIES, "integer": True, "example": 3},
    ),
    ("YENFLOW_BACKOFF", "backoff_s", {"minimum": 0, "example": 1.0}),
    ("YENFLOW_MAX_BACKOFF", "max_backoff_s", {"minimum": 0, "example": 30}),
    ("YENFLOW_MAX_MB", "max_mb", {"positive": True, "example": DEFAULT_MAX_MB}),
    ("YENFLOW_LOCK_WAIT", "lock_wait_s", {"minimum": 0, "example": 10}),
)


@dataclass(frozen=True)
class Settings:
    """All knobs in one frozen object; build it with :meth:`from_env`.

    Constructing it directly validates too (a ``ConfigError`` naming the field).
    """

    store_path: Path = field(default_factory=default_store_path)
    timeout_s: float = 30.0
    deadline_s: float = 600.0
    retries: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_mb: float = DEFAULT_MAX_MB
    max_mb_by_source: Mapping[str, float] = field(default_factory=dict)
    lock_wait_s: float = 10.0
    fred_api_key: str | None = field(default=None, repr=False)
    fred_series: tuple[str, ...] | None = None
    markets_symbols: tuple[str, ...] | None = None
    base_urls: Mapping[str, str] = field(default_factory=dict)
    allowed_hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    user_agent: str = "yenflow/0.1 (+https://pypi.org/project/yenflow/)"

    def __post_init__(self) -> None:
        for _env, name, checks in _NUMERIC:
            value = _number(name, getattr(self, name), **checks)  # type: ignore[arg-type]
            object.__setattr__(self, name, int(value) if name == "retries" else value)
        for source, mb in self.max_mb_by_source.items():
            _number(f"max_mb_by_source[{source!r}]", mb, positive=True, example=DEFAULT_MAX_MB)
        if self.fred_api_key:
            from yenflow.redact import register_secret

            register_secret(self.fred_api_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from environment variables, then explicit overrides.

        Raises:
            ConfigError: a variable is malformed; the message names it.
        """
        env = os.environ if env is None else env
        base_urls: dict[str, str] = {}
        allowed: dict[str, tuple[str, ...]] = {}
        max_mb_by_source: dict[str, float] = {}
        for key, value in env.items():
            match = _SOURCE_VAR.match(key)
            if not match or not value:
                continue
            source, kind = match.group(1).lower(), match.group(2)
            if kind == "BASE_URL":
                base_urls[source] = value
            elif kind == "ALLOWED_HOSTS":
                allowed[source] = _hosts(key, value)
            elif source != "yenflow":  # YENFLOW_MAX_MB itself is not a source's
                max_mb_by_source[source] = _number(
                    key, value, positive=True, example=DEFAULT_MAX_MB
                )
        numeric: dict[str, float] = {}
        for name, attr, checks in _NUMERIC:
            raw = env.get(name)
            if raw is not None and raw.strip() != "":
                numeric[attr] = _number(name, raw.strip(), **checks)  # type: ignore[arg-type]
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
        values: dict[str, object] = {
            "store_path": Path(env["YENFLOW_STORE"])
            if env.get("YENFLOW_STORE")
            else default_store_path(),
            "fred_api_key": env.get("FRED_API_KEY") or None,
            "fred_series": fred_series,
            "markets_symbols": markets_symbols,
            "base_urls": base_urls,
            "allowed_hosts": allowed,
            "max_mb_by_source": max_mb_by_source,
            **numeric,
        }
        if "retries" in values:
            values["retries"] = int(values["retries"])  # type: ignore[call-overload]
        names = {f.name for f in fields(cls)}
        clean = {k: v for k, v in overrides.items() if v is not None}
        unknown = sorted(set(clean) - names)
        if unknown:
            msg = f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            raise ConfigError(msg)
        return cls(**{**values, **clean})  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def base_url(self, source: str, default: str) -> str:
        """The base URL of ``source``: an override if set, else ``default``."""
        return self.base_urls.get(source.lower(), default)

    def max_bytes_for(self, source: str) -> int:
        """Largest accepted response body of ``source``, bytes after decompression."""
        mb = self.max_mb_by_source.get(source.lower())
        if mb is None:
            default = _SOURCE_MAX_MB.get(source.lower(), DEFAULT_MAX_MB)
            # An explicit global cap wins over a built-in per-source default.
            mb = default if self.max_mb == DEFAULT_MAX_MB else self.max_mb
        return int(mb * 1_000_000)

    @property
    def max_bytes(self) -> int:
        """The global cap (``YENFLOW_MAX_MB``) in bytes."""
        return int(self.max_mb * 1_000_000)

    def hosts_for(self, source: str) -> tuple[str, ...]:
        """Extra hosts a redirect of ``source`` may lead to: configured ones plus the host of
        its base-URL override, if any (the request's own host is always allowed)."""
        from urllib.parse import urlsplit

        hosts = list(self.allowed_hosts.get(source.lower(), ()))
        for key, url in self.base_urls.items():
            if key == source.lower() or key.startswith(source.lower() + "_"):
                netloc = urlsplit(url).netloc.lower()
                if netloc:
                    hosts.append(netloc)
        return tuple(hosts)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs or the store."""
        return tuple(s for s in (self.fred_api_key,) if s)
