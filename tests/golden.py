"""Per-series digests of a store's current observations (periods, values, publication times).

Used to prove that a change to the store or the refresh pipeline leaves the store contents
exactly as they were: ``tests/fixtures/golden/store_digest.json`` was computed with this
module from the store the original code wrote (see the README next to it). The digest reads
the ``observations`` table with plain SQL, so it works on a store of any schema version.

Run as ``python -m tests.golden STORE.duckdb > digest.json``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import duckdb

__all__ = ["store_digests"]


def store_digests(path: Path | str) -> dict[str, dict[str, object]]:
    """series_id -> {"rows": n, "sha256": digest of its (period_start, period_end, value,
    published_at) lines in period order}; values as Python float ``repr``, times in UTC."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT series_id, CAST(period_start AS VARCHAR), CAST(period_end AS VARCHAR), "
            "value, strftime(published_at, '%Y-%m-%dT%H:%M:%S.%f') "
            "FROM observations ORDER BY series_id, period_start"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, object]] = {}
    current: str | None = None
    digest = hashlib.sha256()
    count = 0
    for series_id, start, end, value, published in rows:
        if series_id != current:
            if current is not None:
                out[current] = {"rows": count, "sha256": digest.hexdigest()}
            current, digest, count = series_id, hashlib.sha256(), 0
        digest.update(f"{start},{end},{float(value)!r},{published}\n".encode())
        count += 1
    if current is not None:
        out[current] = {"rows": count, "sha256": digest.hexdigest()}
    return out


if __name__ == "__main__":
    json.dump(store_digests(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
