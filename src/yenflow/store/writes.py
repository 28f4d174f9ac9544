"""One batched write per source: every payload's rows staged together, applied set-based.

:func:`apply_batch` stages the rows of all of a source's parsed payloads in ONE frame (each
row keeps the fetch id and sha256 of its payload), lets a later payload win over an earlier
one for the same (series, period) (the source's request order is its precedence order), and
compares the result with the stored values in one join. Then, in the caller's transaction:

- **new** keys are inserted (``available_at`` = the earlier of publication and fetch);
- **revised** keys (value or period end changed) move their old row to ``revisions`` and
  take the new value (``available_at`` = the later of publication and fetch);
- **re-stamped** keys (same value, corrected ``published_at``) get the new publication time
  and a recomputed ``available_at``; the old stamps are logged in ``restamps``;
- everything else is **unchanged** and not touched.

Counts are returned per fetch id (the payload whose row won gets the count; a row shadowed
by a later payload counts as unchanged for its own payload).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from yenflow.frame import Dataset
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload
from yenflow.store.staging import StagedDataset, StagedRows

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["BatchItem", "Counts", "apply_batch", "upsert_series"]


@dataclass(frozen=True)
class BatchItem:
    """One parsed payload of the batch, with the fetch id it is logged under."""

    fetch_id: int
    payload: RawPayload
    dataset: StagedDataset
    sha256: str
    fetched_at: datetime  # naive UTC

    @property
    def rows(self) -> StagedRows:
        return self.dataset.rows


@dataclass(frozen=True)
class Counts:
    """Rows of one payload: added, revised, re-stamped, unchanged (total = their sum)."""

    added: int = 0
    revised: int = 0
    restamped: int = 0
    unchanged: int = 0


def upsert_series(
    con: duckdb.DuckDBPyConnection, datasets: Sequence[Dataset | StagedDataset]
) -> None:
    """Insert or update the metadata of every series of ``datasets`` (a later spec wins)."""
    specs = {s.id: s for ds in datasets for s in ds.series}
    if not specs:
        return
    frame = pd.DataFrame(
        {
            "series_id": [s.id for s in specs.values()],
            "source": [s.source for s in specs.values()],
            "title": [s.title for s in specs.values()],
            "unit": [s.unit for s in specs.values()],
            "frequency": [s.frequency for s in specs.values()],
            "sign": [s.sign for s in specs.values()],
            "description": [s.description for s in specs.values()],
        }
    )
    con.register("yf_series_df", frame)
    try:
        con.execute(
            """
            INSERT OR REPLACE INTO series
            SELECT n.* FROM yf_series_df n
            LEFT JOIN series o USING (series_id)
            WHERE o.series_id IS NULL OR o.source IS DISTINCT FROM n.source
               OR o.title IS DISTINCT FROM n.title OR o.unit IS DISTINCT FROM n.unit
               OR o.frequency IS DISTINCT FROM n.frequency OR o.sign IS DISTINCT FROM n.sign
               OR o.description IS DISTINCT FROM n.description
            """
        ).fetchall()  # DuckDB 2: finish the result before other work on the connection
    finally:
        con.unregister("yf_series_df")


#: the staged periods are day numbers from this date (DuckDB adds an INTEGER to a DATE)
_DAY_ZERO = "DATE '1970-01-01'"
#: rows per INSERT of new rows (12 of DuckDB's row groups of 122,880): bounds the copy
#: staged for DuckDB (~28 bytes a row); far smaller chunks cost more memory, not less (each
#: statement leaves a partial row group in memory until the commit)
CHUNK_ROWS = 12 * 122_880


@dataclass(frozen=True)
class _Part:
    """One payload with rows, in the batch: its staged rows, the batch's series code of each
    of its own codes, its first key (a key per payload and series: key = base + own code),
    and its series codes as a set."""

    order: int
    rows: StagedRows
    sids: np.ndarray  # int32: own code -> the batch's series code
    base: int
    codes: frozenset[int]


@dataclass(frozen=True)
class _Batch:
    """The payloads with rows (by order) and the batch's keys: for key k, the series code
    ``key_sid[k]`` (into ``names``) and the payload order ``key_ord[k]``."""

    parts: dict[int, _Part]
    names: list[str]
    key_sid: np.ndarray  # int32
    key_ord: np.ndarray  # int32


def _stage(items: Sequence[BatchItem]) -> _Batch:
    """The batch's series and keys, from each payload's staged rows."""
    parts: dict[int, _Part] = {}
    ids: dict[str, int] = {}
    key_sid: list[np.ndarray] = []
    key_ord: list[np.ndarray] = []
    base = 0
    for order, item in enumerate(items):
        rows = item.rows
        if rows.released:
            msg = "these staged rows were written already (a staged dataset is written once)"
            raise ValueError(msg)
        if rows.missing:
            msg = f"NOT NULL constraint failed: observations.{rows.missing} (a row has none)"
            raise duckdb.ConstraintException(msg)
        if not rows.count:
            continue
        sids = np.array([ids.setdefault(u, len(ids)) for u in rows.names], dtype=np.int32)
        parts[order] = _Part(order, rows, sids, base, frozenset(sids.tolist()))
        key_sid.append(sids)
        key_ord.append(np.full(len(sids), order, dtype=np.int32))
        base += len(sids)
    empty = np.empty(0, dtype=np.int32)
    return _Batch(
        parts,
        list(ids),
        np.concatenate(key_sid) if key_sid else empty,
        np.concatenate(key_ord) if key_ord else empty,
    )


def _keys(items: Sequence[BatchItem], batch: _Batch) -> pd.DataFrame:
    """One row per key: its series id and its payload's order, fetch id, sha256, fetch time."""
    orders = batch.key_ord
    fetched = pd.to_datetime([pd.Timestamp(i.fetched_at) for i in items]).to_numpy()
    return pd.DataFrame(
        {
            "key": np.arange(len(orders), dtype=np.int32),
            "series_id": np.array(batch.names, dtype=object)[batch.key_sid],
            "ord": orders,
            "fetch_id": np.array([i.fetch_id for i in items], dtype=np.int64)[orders],
            "sha256": np.array([i.sha256 for i in items], dtype=object)[orders],
            "fetched_at": fetched[orders],
        }
    )


def _rows(parts: Sequence[_Part], keep: dict[int, np.ndarray] | None = None) -> pd.DataFrame:
    """The rows of ``parts`` (in that order; of a payload in ``keep``, only the rows its mask
    keeps), every column numeric and compact (key code, periods as int32 days): each value
    copied once into one array per column, so DuckDB scans it without conversion."""
    keep = keep or {}
    sizes = [int(keep[p.order].sum()) if p.order in keep else p.rows.count for p in parts]
    n = sum(sizes)
    out = {
        "key": np.empty(n, dtype=np.int32),
        "period_start": np.empty(n, dtype=np.int32),
        "period_end": np.empty(n, dtype=np.int32),
        "value": np.empty(n, dtype=np.float64),
        "published_at": np.empty(n, dtype="datetime64[ns]"),
    }
    at = 0
    for part, size in zip(parts, sizes, strict=True):
        rows, end = part.rows, at + size
        mask = keep.get(part.order)
        pick = slice(None) if mask is None else mask
        out["key"][at:end] = (rows.codes + part.base)[pick]
        out["period_start"][at:end] = rows.starts[pick]
        out["period_end"][at:end] = rows.ends[pick]
        out["value"][at:end] = rows.values[pick]
        out["published_at"][at:end] = rows.published[pick]
        at = end
    return pd.DataFrame(out, copy=False)


def _chunks(
    parts: Sequence[_Part], keep: dict[int, np.ndarray], limit: int
) -> Iterator[list[_Part]]:
    """``parts`` in order, in groups of at most ``limit`` rows (a larger payload alone)."""
    group: list[_Part] = []
    size = 0
    for part in parts:
        n = int(keep[part.order].sum()) if part.order in keep else part.rows.count
        if group and size + n > limit:
            yield group
            group, size = [], 0
        group.append(part)
        size += n
    if group:
        yield group


def _fresh_orders(con: duckdb.DuckDBPyConnection, batch: _Batch) -> set[int]:
    """The payloads (by order) whose rows are all new: none of their series is stored yet,
    no (series, period) repeats within the payload, and every other payload sharing one of
    their series is such a payload too (so precedence among them is settled among them
    alone, see :func:`_latest`). ``yf_ids_df`` must be registered."""
    parts = batch.parts
    stored = {
        int(sid)
        for (sid,) in con.execute(
            "SELECT i.sid FROM yf_ids_df i SEMI JOIN observations o USING (series_id)"
        ).fetchall()
    }
    fresh = {o for o, p in parts.items() if p.rows.unique_keys and not (p.codes & stored)}
    while True:  # drop a payload sharing a series with one that is not fresh, until none does
        shut = set().union(*(p.codes for o, p in parts.items() if o not in fresh))
        drop = {o for o in fresh if parts[o].codes & shut}
        if not drop:
            return fresh
        fresh -= drop


def _latest(parts: Sequence[_Part]) -> dict[int, np.ndarray]:
    """For each of ``parts`` (in order; each without repeated keys) that shares a series
    with another of them: a mask of its rows that no later one of them overrides (a later
    payload wins for the same series and period start, as in the general path)."""
    seen: dict[int, int] = {}
    for part in parts:
        for code in part.codes:
            seen[code] = seen.get(code, 0) + 1
    shared = [p for p in parts if any(seen[c] > 1 for c in p.codes)]
    if not shared:
        return {}
    sids = np.concatenate([p.sids[p.rows.codes] for p in shared]).astype(np.int64)
    starts = np.concatenate([p.rows.starts for p in shared]).astype(np.int64)
    key = (sids << 32) + starts
    _, first_from_end = np.unique(key[::-1], return_index=True)
    keep = np.zeros(len(key), dtype=bool)
    keep[len(key) - 1 - first_from_end] = True
    bounds = np.cumsum([p.rows.count for p in shared])[:-1]
    return {p.order: m for p, m in zip(shared, np.split(keep, bounds), strict=True)}


def apply_batch(con: duckdb.DuckDBPyConnection, items: Sequence[BatchItem]) -> dict[int, Counts]:
    """Apply every payload's rows in one set-based pass; return the counts per fetch id.

    The staged rows of ``items`` are released once written (:meth:`StagedRows.release`).
    """
    totals = {item.fetch_id: item.rows.count for item in items}
    batch = _stage(items)
    parts = batch.parts
    if not parts:
        return {fid: Counts() for fid in totals}
    names = pd.DataFrame(
        {"sid": np.arange(len(batch.names), dtype=np.int32), "series_id": batch.names}
    )
    con.register("yf_ids_df", names)
    con.register("yf_keys_df", _keys(items, batch))
    by_kind: dict[int, dict[str, int]] = {}
    try:
        fresh = _fresh_orders(con, batch)
        if fresh:
            # all new: inserted straight from the staged rows, no join with observations,
            # a bounded number of rows at a time
            new = [parts[o] for o in sorted(fresh)]
            keep = _latest(new)
            for group in _chunks(new, keep, CHUNK_ROWS):
                con.register("yf_fresh_df", _rows(group, keep))
                try:
                    con.execute(
                        f"""
                        INSERT INTO observations
                        SELECT CAST(k.series_id AS VARCHAR), {_DAY_ZERO} + s.period_start,
                               {_DAY_ZERO} + s.period_end, s.value,
                               CAST(s.published_at AS TIMESTAMP),
                               least(CAST(s.published_at AS TIMESTAMP),
                                     CAST(k.fetched_at AS TIMESTAMP)),
                               k.fetch_id, CAST(k.sha256 AS VARCHAR)
                        FROM yf_fresh_df s JOIN yf_keys_df k USING (key)
                        """
                    ).fetchall()
                finally:
                    con.unregister("yf_fresh_df")
                for part in group:
                    added = int(keep[part.order].sum()) if part.order in keep else part.rows.count
                    by_kind[int(items[part.order].fetch_id)] = {"new": added}
                    part.rows.release()
        rest = [p for o, p in sorted(parts.items()) if o not in fresh]
        if rest:
            con.register("yf_stage_df", _rows(rest))
            # Only the rows that change something are materialized, with their payload's
            # order, fetch id, sha256 and fetch time (from the key join).
            dedupe = (
                "QUALIFY row_number() OVER "
                "(PARTITION BY series_id, period_start ORDER BY ord DESC) = 1"
                if len(items) > 1
                else ""
            )
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE yf_diff AS
                WITH s AS (
                    SELECT CAST(k.series_id AS VARCHAR) AS series_id,
                           {_DAY_ZERO} + t.period_start AS period_start,
                           {_DAY_ZERO} + t.period_end AS period_end, t.value,
                           CAST(t.published_at AS TIMESTAMP) AS published_at, k.ord,
                           k.fetch_id, CAST(k.sha256 AS VARCHAR) AS sha256,
                           CAST(k.fetched_at AS TIMESTAMP) AS fetched_at
                    FROM yf_stage_df t JOIN yf_keys_df k USING (key)
                    {dedupe}
                )
                SELECT * FROM (
                    SELECT s.*,
                           CASE WHEN o.series_id IS NULL THEN 'new'
                                WHEN o.value IS DISTINCT FROM s.value
                                  OR o.period_end IS DISTINCT FROM s.period_end THEN 'revised'
                                WHEN o.published_at IS DISTINCT FROM s.published_at THEN 'restamp'
                                ELSE 'same' END AS kind
                    FROM s LEFT JOIN observations o USING (series_id, period_start)
                ) WHERE kind <> 'same'
                """
            ).fetchall()
    finally:
        for name in ("yf_stage_df", "yf_keys_df", "yf_ids_df"):
            con.unregister(name)
    for part in rest:
        part.rows.release()
    rows = (
        con.execute("SELECT fetch_id, kind, count(*) FROM yf_diff GROUP BY ALL").fetchall()
        if rest
        else []
    )
    for fetch_id, kind, n in rows:
        by_kind.setdefault(int(fetch_id), {})[kind] = int(n)
    present = {str(kind) for _, kind, _ in rows}
    if "revised" in present:
        con.execute(
            """
            INSERT INTO revisions
            SELECT o.series_id, o.period_start, o.period_end, o.value, o.published_at,
                   o.available_at, o.fetch_id, o.sha256, d.fetched_at, d.fetch_id
            FROM observations o JOIN yf_diff d USING (series_id, period_start)
            WHERE d.kind = 'revised'
            """
        )
        con.execute(
            """
            UPDATE observations AS o
            SET value = d.value, period_end = d.period_end, published_at = d.published_at,
                available_at = greatest(d.published_at, d.fetched_at), fetch_id = d.fetch_id,
                sha256 = d.sha256
            FROM (SELECT * FROM yf_diff WHERE kind = 'revised') d
            WHERE o.series_id = d.series_id AND o.period_start = d.period_start
            """
        )
    if "restamp" in present:
        # A value first seen on schedule was available at the earlier of its (new)
        # publication and the fetch that stored it; a revised value (available after its
        # publication, at the revising fetch) at the later of the two.
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE yf_restamp AS
            SELECT o.series_id, o.period_start, o.value, o.published_at AS old_published_at,
                   o.available_at AS old_available_at, d.published_at AS new_published_at,
                   CASE WHEN o.available_at > o.published_at
                        THEN greatest(d.published_at, o.available_at)
                        ELSE least(d.published_at, coalesce(f.fetched_at, o.available_at))
                   END AS new_available_at,
                   d.fetched_at AS restamped_at, d.fetch_id AS restamped_by
            FROM observations o JOIN yf_diff d USING (series_id, period_start)
            LEFT JOIN fetches f ON f.fetch_id = o.fetch_id
            WHERE d.kind = 'restamp'
            """
        )
        con.execute("INSERT INTO restamps SELECT * FROM yf_restamp")
        con.execute(
            """
            UPDATE observations AS o
            SET published_at = r.new_published_at, available_at = r.new_available_at
            FROM yf_restamp r
            WHERE o.series_id = r.series_id AND o.period_start = r.period_start
            """
        )
        con.execute("DROP TABLE yf_restamp")
    if "new" in present:
        con.execute(
            """
            INSERT INTO observations
            SELECT d.series_id, d.period_start, d.period_end, d.value, d.published_at,
                   least(d.published_at, d.fetched_at), d.fetch_id, d.sha256
            FROM yf_diff d WHERE d.kind = 'new'
            """
        )
    if rest:
        con.execute("DROP TABLE yf_diff")
    out = {}
    for fetch_id, total in totals.items():
        per = by_kind.get(fetch_id, {})
        added, revised, restamped = per.get("new", 0), per.get("revised", 0), per.get("restamp", 0)
        out[fetch_id] = Counts(added, revised, restamped, total - added - revised - restamped)
    return out
