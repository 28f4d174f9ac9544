"""Golden references: per-series digests of a store, and the report's figures as JSON.

``store_digests``: per-series digests of a store's current observations (periods, values,
publication times).

Used to prove that a change to the store or the refresh pipeline leaves the store contents
exactly as they were: ``tests/fixtures/golden/store_digest.json`` was computed with this
module from the store the original code wrote (see the README next to it). The digest reads
the ``observations`` table with plain SQL, so it works on a store of any schema version.

``report_json``: every figure of the report made from a store (``Report.summary()``) with a
fixed generation time, as sorted, indented JSON, with the sources' last fetch dates masked
(they are the day of the fetch).

Run as ``python -m tests.golden STORE.duckdb > digest.json`` or
``python -m tests.golden --report STORE.duckdb > report_summary.json``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from yenflow.analysis_cache import AnalysisCache

__all__ = ["GOLDEN_GENERATED_AT", "report_json", "store_digests"]

#: the generation time of the golden report (its staleness notes count days from it)
GOLDEN_GENERATED_AT = "2026-12-01T00:00:00Z"
_MASK = "<masked: the day of the fetch>"


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


def _mask_fetch_dates(node: object) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "last_fetch_at" and isinstance(value, str) and value[:1].isdigit():
                node[key] = _MASK
            else:
                _mask_fetch_dates(value)
    elif isinstance(node, list):
        for item in node:
            _mask_fetch_dates(item)


def report_json(path: Path | str, *, cache: AnalysisCache | None = None) -> str:
    """The report of the store at ``path`` (latest data, generated at
    :data:`GOLDEN_GENERATED_AT`) as JSON text: ``Report.summary()``, keys sorted, indented,
    the sources' last fetch dates masked. ``cache``: the analysis cache to use (None: none)."""
    import pandas as pd

    from yenflow.report.build import report_from_store
    from yenflow.store import Store

    with Store(path, read_only=True) as store:
        report = report_from_store(
            store,
            generated_at=pd.Timestamp(GOLDEN_GENERATED_AT),
            on_error="raise",
            cache=cache,
        )
    summary = report.summary()
    _mask_fetch_dates(summary)
    return json.dumps(summary, indent=1, sort_keys=True, default=str) + "\n"


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        sys.stdout.write(report_json(sys.argv[2]))
    else:
        json.dump(store_digests(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
