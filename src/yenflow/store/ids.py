"""Fetch ids that cannot collide: time-ordered 63-bit integers, like a UUIDv7 in a BIGINT.

An id is ``milliseconds since 2020-01-01 UTC`` (43 bits, good for ~278 years) followed by 20
bits that start at a random value in each new millisecond and count up within it (RFC 9562,
method 3 "monotonic random"). So ids from one process are strictly increasing; ids from two
processes collide only if they were made in the same millisecond with the same 20 random bits,
and the store's primary key on ``fetches.fetch_id`` rejects even that. They sort after the
small sequential ids of stores written before schema version 2, so "newest fetch" stays
"largest id". No query on the store is needed to make one.
"""

from __future__ import annotations

import secrets
import threading
import time

__all__ = ["new_fetch_id"]

_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
_COUNTER_BITS = 20
_lock = threading.Lock()
_last = 0


def new_fetch_id() -> int:
    """A new fetch id: positive, < 2**63, larger than every id this process made before."""
    global _last
    with _lock:
        now_ms = time.time_ns() // 1_000_000 - _EPOCH_MS
        candidate = (now_ms << _COUNTER_BITS) | secrets.randbits(_COUNTER_BITS - 1)
        _last = max(candidate, _last + 1)
        return _last
