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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from yenflow.frame import Dataset
from yenflow.lazy import lazy_module
from yenflow.payload import RawPayload

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
    dataset: Dataset
    sha256: str
    fetched_at: datetime  # naive UTC


@dataclass(frozen=True)
class Counts:
    """Rows of one payload: added, revised, re-stamped, unchanged (total = their sum)."""

    added: int = 0
    revised: int = 0
    restamped: int = 0
    unchanged: int = 0


def upsert_series(con: duckdb.DuckDBPyConnection, datasets: Sequence[Dataset]) -> None:
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


@dataclass(frozen=True)
class _Staged:
    """One payload's series codes (into the batch's names), row by row and as a set."""

    sids: np.ndarray  # int32, one per row
    codes: frozenset[int]  # the series codes of the payload
    unique_keys: bool  # no (series, period start) twice within the payload


def _unique_keys(sids: np.ndarray, starts: np.ndarray) -> bool:
    """True if no (series code, period start) pair repeats (a linear check when sorted)."""
    key = (sids.astype(np.int64) << 32) + starts.astype("datetime64[D]").astype(np.int64)
    if len(key) < 2 or bool((key[1:] > key[:-1]).all()):
        return True
    return len(np.unique(key)) == len(key)


def _stage(items: Sequence[BatchItem]) -> tuple[list[_Staged | None], pd.DataFrame]:
    """Each payload's series codes (None: no rows), and the series names by code."""
    parts: list[_Staged | None] = []
    ids: dict[str, int] = {}
    for item in items:
        frame = item.dataset.frame
        if frame.empty:
            parts.append(None)
            continue
        codes, uniques = pd.factorize(frame["series_id"])
        mapping = np.array([ids.setdefault(str(u), len(ids)) for u in uniques], dtype="int32")
        sids = mapping[codes]
        starts = frame["period_start"].to_numpy(dtype="datetime64[ns]")
        parts.append(_Staged(sids, frozenset(mapping.tolist()), _unique_keys(sids, starts)))
    names = pd.DataFrame({"sid": np.arange(len(ids), dtype="int32"), "series_id": list(ids)})
    return parts, names


def _rows(
    items: Sequence[BatchItem], parts: Sequence[_Staged | None], orders: Sequence[int]
) -> pd.DataFrame:
    """The rows of the payloads ``orders`` (in that order) with their payload's order, all
    columns numeric: each value copied once into one array per column, no per-row Python
    objects, so a large batch is compact and DuckDB scans it without conversion."""
    n = sum(len(parts[o].sids) for o in orders)
    out = {
        "sid": np.empty(n, dtype="int32"),
        "period_start": np.empty(n, dtype="datetime64[ns]"),
        "period_end": np.empty(n, dtype="datetime64[ns]"),
        "value": np.empty(n, dtype="float64"),
        "published_at": np.empty(n, dtype="datetime64[ns]"),
        "ord": np.empty(n, dtype="int32"),
    }
    at = 0
    for order in orders:
        frame, part = items[order].dataset.frame, parts[order]
        end = at + len(part.sids)
        published = frame["published_at"]
        if getattr(published.dtype, "tz", None) is not None:
            published = published.dt.tz_convert("UTC").dt.tz_localize(None)
        out["sid"][at:end] = part.sids
        out["period_start"][at:end] = frame["period_start"].to_numpy(dtype="datetime64[ns]")
        out["period_end"][at:end] = frame["period_end"].to_numpy(dtype="datetime64[ns]")
        out["value"][at:end] = frame["value"].to_numpy(dtype="float64")
        out["published_at"][at:end] = published.to_numpy(dtype="datetime64[ns]")
        out["ord"][at:end] = order
        at = end
    return pd.DataFrame(out, copy=False)


def _fresh_orders(con: duckdb.DuckDBPyConnection, parts: Sequence[_Staged | None]) -> set[int]:
    """The payloads (by order) whose rows are all new: none of their series is stored yet,
    no (series, period) repeats within the payload, and every other payload sharing one of
    their series is such a payload too (so precedence among them is settled among them
    alone, see :func:`_fresh_rows`). ``yf_ids_df`` must be registered."""
    stored = {
        int(sid)
        for (sid,) in con.execute(
            "SELECT i.sid FROM yf_ids_df i SEMI JOIN observations o USING (series_id)"
        ).fetchall()
    }
    fresh = {
        order
        for order, part in enumerate(parts)
        if part is not None and part.unique_keys and not (part.codes & stored)
    }
    while True:  # drop a payload sharing a series with one that is not fresh, until none does
        shut = set().union(
            *(p.codes for o, p in enumerate(parts) if p is not None and o not in fresh)
        )
        drop = {o for o in fresh if parts[o].codes & shut}
        if not drop:
            return fresh
        fresh -= drop


def _fresh_rows(
    items: Sequence[BatchItem], parts: Sequence[_Staged | None], fresh: set[int]
) -> pd.DataFrame:
    """The staged rows of the ``fresh`` payloads, a later payload winning over an earlier one
    for the same (series, period start), as in the general path."""
    orders = sorted(fresh)
    rows = _rows(items, parts, orders)
    seen: set[int] = set()
    shared = False
    for o in orders:
        shared = shared or bool(parts[o].codes & seen)
        seen |= parts[o].codes
    if not shared:
        return rows
    return rows[~rows.duplicated(subset=["sid", "period_start"], keep="last")]


def apply_batch(con: duckdb.DuckDBPyConnection, items: Sequence[BatchItem]) -> dict[int, Counts]:
    """Apply every payload's rows in one set-based pass; return the counts per fetch id."""
    totals = {item.fetch_id: len(item.dataset.frame) for item in items}
    parts, names = _stage(items)
    if all(part is None for part in parts):
        return {fid: Counts() for fid in totals}
    meta = pd.DataFrame(
        {
            "ord": np.arange(len(items), dtype="int32"),
            "fetch_id": np.array([i.fetch_id for i in items], dtype="int64"),
            "sha256": [i.sha256 for i in items],
            "fetched_at": pd.to_datetime([pd.Timestamp(i.fetched_at) for i in items]),
        }
    )
    con.register("yf_meta_df", meta)
    con.register("yf_ids_df", names)
    by_kind: dict[int, dict[str, int]] = {}
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE yf_meta AS SELECT ord, fetch_id, sha256, "
            "CAST(fetched_at AS TIMESTAMP) AS fetched_at FROM yf_meta_df"
        ).fetchall()
        fresh = _fresh_orders(con, parts)
        if fresh:
            # all new: inserted straight from the staged rows, no join with observations
            rows = _fresh_rows(items, parts, fresh)
            con.register("yf_fresh_df", rows)
            try:
                con.execute(
                    """
                    INSERT INTO observations
                    SELECT CAST(i.series_id AS VARCHAR), CAST(s.period_start AS DATE),
                           CAST(s.period_end AS DATE), s.value,
                           CAST(s.published_at AS TIMESTAMP),
                           least(CAST(s.published_at AS TIMESTAMP), m.fetched_at),
                           m.fetch_id, m.sha256
                    FROM yf_fresh_df s JOIN yf_ids_df i USING (sid) JOIN yf_meta m USING (ord)
                    """
                ).fetchall()
            finally:
                con.unregister("yf_fresh_df")
            added = np.bincount(rows["ord"].to_numpy(), minlength=len(items))
            for order in fresh:
                by_kind[int(items[order].fetch_id)] = {"new": int(added[order])}
            del rows
        rest = [o for o, p in enumerate(parts) if p is not None and o not in fresh]
        if rest:
            con.register("yf_stage_df", _rows(items, parts, rest))
            # Only the rows that change something are materialized (with their payload's
            # order; fetch id, sha256 and fetch time are joined from yf_meta when applied).
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
                    SELECT CAST(i.series_id AS VARCHAR) AS series_id,
                           CAST(period_start AS DATE) AS period_start,
                           CAST(period_end AS DATE) AS period_end, value,
                           CAST(published_at AS TIMESTAMP) AS published_at, ord
                    FROM yf_stage_df JOIN yf_ids_df i USING (sid)
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
        for name in ("yf_stage_df", "yf_meta_df", "yf_ids_df"):
            con.unregister(name)
    rows = (
        con.execute(
            "SELECT m.fetch_id, d.kind, count(*) FROM yf_diff d JOIN yf_meta m USING (ord) "
            "GROUP BY ALL"
        ).fetchall()
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
                   o.available_at, o.fetch_id, o.sha256, m.fetched_at, m.fetch_id
            FROM observations o JOIN yf_diff d USING (series_id, period_start)
            JOIN yf_meta m USING (ord)
            WHERE d.kind = 'revised'
            """
        )
        con.execute(
            """
            UPDATE observations AS o
            SET value = d.value, period_end = d.period_end, published_at = d.published_at,
                available_at = greatest(d.published_at, d.fetched_at), fetch_id = d.fetch_id,
                sha256 = d.sha256
            FROM (SELECT * FROM yf_diff JOIN yf_meta USING (ord) WHERE kind = 'revised') d
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
                   m.fetched_at AS restamped_at, m.fetch_id AS restamped_by
            FROM observations o JOIN yf_diff d USING (series_id, period_start)
            JOIN yf_meta m USING (ord)
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
                   least(d.published_at, m.fetched_at), m.fetch_id, m.sha256
            FROM yf_diff d JOIN yf_meta m USING (ord) WHERE d.kind = 'new'
            """
        )
    con.execute("DROP TABLE IF EXISTS yf_diff")
    con.execute("DROP TABLE yf_meta")
    out = {}
    for fetch_id, total in totals.items():
        per = by_kind.get(fetch_id, {})
        added, revised, restamped = per.get("new", 0), per.get("revised", 0), per.get("restamp", 0)
        out[fetch_id] = Counts(added, revised, restamped, total - added - revised - restamped)
    return out
