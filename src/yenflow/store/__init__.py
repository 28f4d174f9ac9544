"""The DuckDB store: series, observations, revisions, re-stamps, fetch log and raw payloads.

One file (``Settings.store_path``). Tables:

``series``        one row per series: source, title, unit, frequency, sign convention.
``observations``  one current value per (series, period_start) (a key DuckDB enforces), with
                  ``published_at`` (from the release schedule), ``available_at`` (when the
                  store can say the value was public: the earlier of ``published_at`` and
                  the fetch that first saw it; the fetch time for a revised value), and the
                  ``fetch_id`` and ``sha256`` of the payload it came from.
``revisions``     every earlier value replaced by a later fetch, with its own
                  availability and when and by which fetch it was superseded.
``restamps``      every corrected publication time of an unchanged value (a release rule
                  or a parser fixed): old and new ``published_at`` / ``available_at``.
``fetches``       the fetch log: source, URL (keys redacted), snapshot path, time,
                  status, HTTP status, bytes, sha256, ETag, Last-Modified, parser version,
                  rows parsed / added / revised / re-stamped / unchanged, error.
``raw_payloads``  the exact bytes of every payload that was parsed, by sha256.
``meta``, ``schema_versions``  the schema version (:mod:`yenflow.store.migrations`).

A parsed payload is staged for writing (:mod:`yenflow.store.staging`: compact arrays, the
frame dropped) as soon as it is parsed.

Every stored number traces back: observation -> fetch -> raw payload bytes.

A source's write is one transaction (:meth:`Store.write_source`) and one batched,
set-based pass over all its payloads (:mod:`yenflow.store.writes`): a payload that fails
to parse is never written, and a failure inside the write rolls everything back. Writing
the same payload again changes no data table. :meth:`Store.observations` reads the current
values, or the values as they were known at any instant (``as_of``), without look-ahead.

Opening: readers use ``Store.open(path, read_only=True)``; a writer holds the file only for
its transaction, and anyone finding it locked waits up to ``YENFLOW_LOCK_WAIT`` seconds
(:mod:`yenflow.store.lock`). Fetch ids come from :func:`yenflow.store.ids.new_fetch_id`.
"""

from yenflow.store.core import (
    STATUSES,
    FetchRecord,
    KnownPayload,
    PayloadWrite,
    Store,
    WriteCounts,
)
from yenflow.store.migrations import SCHEMA_VERSION
from yenflow.store.staging import StagedDataset, stage_dataset

__all__ = [
    "SCHEMA_VERSION",
    "STATUSES",
    "FetchRecord",
    "KnownPayload",
    "PayloadWrite",
    "StagedDataset",
    "Store",
    "WriteCounts",
    "stage_dataset",
]
