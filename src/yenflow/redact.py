"""The one place secrets are masked: every message, URL and stored text goes through it.

Secrets (the FRED API key) are registered when :class:`yenflow.config.Settings` is built;
:func:`redact` then masks them wherever they occur, in any text and whatever its origin (a
URL, a server's error body echoing the key, a parse-error excerpt), together with the value
of any secret-looking query parameter (``api_key=...``, ``token=...``). The error tree
(:class:`yenflow.errors.YenflowError`) redacts its message when it is created, and the
store redacts what it writes into the fetch log, so a key can reach neither the terminal,
``--json``, ``yenflow log`` nor the reports.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

__all__ = ["MASK", "Redactor", "redact", "redact_url", "register_secret"]

MASK = "REDACTED"
_SECRET_PARAM_NAMES = r"api_?key|apikey|key|token|access_token|secret|password"
_SECRET_PARAMS = re.compile(rf"^({_SECRET_PARAM_NAMES})$", re.I)
_SECRET_IN_TEXT = re.compile(rf"(?i)\b({_SECRET_PARAM_NAMES})=[^&\s\"'<>]+")
#: A run this long that is part of a secret is masked too (an excerpt cut mid-key).
_FRAGMENT = re.compile(r"[A-Za-z0-9]{8,}")


class Redactor:
    """Masks a fixed set of secrets (and secret query parameters) in text."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= 4:  # a 1-3 character "secret" would mask everything
                forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
        # Longest first, so an encoded form is not half-replaced by a shorter one.
        self._forms = tuple(sorted(forms, key=len, reverse=True))
        self._secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        if self._secrets:
            text = _FRAGMENT.sub(
                lambda m: MASK if any(m.group(0) in s for s in self._secrets) else m.group(0),
                text,
            )
        return _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={MASK}", text)

    def url(self, url: str) -> str:
        """A URL with secret query parameters masked, in canonical form, then :meth:`__call__`."""
        parts = urlsplit(url)
        if parts.query:
            query = [
                (k, MASK if _SECRET_PARAMS.match(k) else v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
            ]
            url = urlunsplit(parts._replace(query=urlencode(query, safe="$,:")))
        return self(url)


_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
_current = Redactor()


def register_secret(secret: str) -> None:
    """Mask ``secret`` in everything redacted from now on (process-wide)."""
    global _secrets, _current
    with _lock:
        if secret and secret not in _secrets:
            _secrets = (*_secrets, secret)
            _current = Redactor(_secrets)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every registered secret (and ``secrets``) masked."""
    if secrets:
        text = Redactor(secrets)(text)
    return _current(text)


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """The URL with secret query parameters (``api_key=...``) and known secrets masked."""
    if secrets:
        url = Redactor(secrets).url(url)
    return _current.url(url)
