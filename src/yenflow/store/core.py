"""The :class:`Store`: open (bounded wait for a writer, migrations), write, read.

See :mod:`yenflow.store` for the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from yenflow.errors import StoreError
from yenflow.frame import FRAME_COLUMNS, Dataset, to_cutoff
from yenflow.payload import RawPayload, Validators
from yenflow.redact import redact
from yenflow.store import heap, lock
from yenflow.store.ids import new_fetch_id
from yenflow.store.migrations import SCHEMA_VERSION, migrate, schema_version
from yenflow.store.staging import StagedDataset, stage_dataset
from yenflow.store.writes import BatchItem, apply_batch, upsert_series

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STATUSES", "FetchRecord", "KnownPayload", "PayloadWrite", "Store", "WriteCounts"]

#: statuses written to ``fetches.status``; ``reparsed``: stored bytes parsed again (a new
#: parser version, or a sibling payload of the same source changed), e.g. after a 304.
STATUSES = (
    "ingested",
    "reparsed",
    "unchanged",
    "not-modified",
    "absent",
    "fetch-error",
    "parse-error",
)
#: statuses whose payload's rows are in the store as its parser version made them
_PARSED = ("ingested", "reparsed", "unchanged")


@dataclass(frozen=True)
class WriteCounts:
    """Rows added, revised (value changed; old value kept in ``revisions``), re-stamped
    (same value, corrected publication time; logged in ``restamps``) and unchanged."""

    added: int = 0
    revised: int = 0
    unchanged: int = 0
    restamped: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.added + other.added,
            self.revised + other.revised,
            self.unchanged + other.unchanged,
            self.restamped + other.restamped,
        )


@dataclass(frozen=True)
class PayloadWrite:
    """One payload to log, with its parsed dataset (None: not parsed, e.g. 304 or same bytes).

    The dataset may be staged already (:func:`yenflow.store.staging.stage_dataset`, what the
    refresh does right after a parse); a staged dataset is written once.

    Attributes:
        rows: for a payload not parsed this time, the row count of its stored parse (what
            "unchanged" reports); ignored when ``dataset`` is given.
        sha256: the bytes' sha256 when the payload carries none (a 304 whose stored bytes
            were parsed again).
        error: for a ``parse-error``, the message.
    """

    payload: RawPayload
    dataset: Dataset | StagedDataset | None
    status: str
    parser_version: str
    rows: int | None = None
    sha256: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class FetchRecord:
    """A fetch attempt that brought no payload (a failure, an absence): logged only."""

    status: str
    url: str | None = None
    raw_path: str | None = None
    error: str | None = None


class KnownPayload(NamedTuple):
    """The last successfully parsed payload of a snapshot path."""

    sha256: str
    parser_version: str
    rows: int


def _first(rows: list[tuple]) -> tuple | None:
    """The first row of a fully fetched result (DuckDB 2 needs results finished)."""
    return rows[0] if rows else None


def _redacted(text: str | None) -> str | None:
    """Fetch-log text through :func:`yenflow.redact.redact`: no key is ever stored."""
    return redact(text) if text else text


def _day(value: datetime | pd.Timestamp | str) -> date:
    """The calendar day of a date, instant or date string (as ``pd.Timestamp`` reads it)."""
    import pandas as pd

    return pd.Timestamp(value).date()


def _naive_utc(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        return ts
    return ts.astimezone(UTC).replace(tzinfo=None)


#: rows of a source's write from which freed heap memory is given back before its commit
LARGE_WRITE_ROWS = 500_000
#: bytes of raw payloads per INSERT: bounds DuckDB's transient copy of a large source's files
RAW_CHUNK_BYTES = 4 << 20


def _insert_raw(con: duckdb.DuckDBPyConnection, items: Sequence[BatchItem]) -> None:
    """Store the bytes of ``items`` by sha256 (the first payload of a sha256 counts; bytes
    already stored are kept), a few statements for a whole source: each takes about
    :data:`RAW_CHUNK_BYTES` of payloads, from a frame whose content column holds the
    payloads' own ``bytes`` objects (DuckDB copies them into the table; nothing else does)."""
    import pandas as pd

    first: dict[str, BatchItem] = {}
    for i in items:
        first.setdefault(i.sha256, i)
    chunk: list[BatchItem] = []
    size = 0
    for n, item in enumerate(first.values(), start=1):
        chunk.append(item)
        size += len(item.payload.content)
        if size < RAW_CHUNK_BYTES and n < len(first):
            continue
        frame = pd.DataFrame(
            {
                "sha256": pd.Series([i.sha256 for i in chunk], dtype=object),
                "size": pd.Series([len(i.payload.content) for i in chunk], dtype="int64"),
                "content": pd.Series([i.payload.content for i in chunk], dtype=object),
                "first_fetch_id": pd.Series([i.fetch_id for i in chunk], dtype="int64"),
            }
        )
        con.register("yf_raw_df", frame)
        try:
            con.execute(
                "INSERT INTO raw_payloads SELECT CAST(r.sha256 AS VARCHAR), r.size, "
                "CAST(r.content AS BLOB), r.first_fetch_id "
                "FROM yf_raw_df r ANTI JOIN raw_payloads p USING (sha256)"
            ).fetchall()
        finally:
            con.unregister("yf_raw_df")
        chunk, size = [], 0


_FETCH_COLUMNS = (
    "fetch_id, run_id, source, url, raw_path, fetched_at, status, http_status, bytes, sha256, "
    "etag, last_modified, parser_version, rows_added, rows_revised, rows_unchanged, error, "
    "rows_parsed, rows_restamped"
)
#: the SQL type of each of :data:`_FETCH_COLUMNS`, as in the ``fetches`` table
_FETCH_TYPES = (
    "BIGINT",  # fetch_id
    "VARCHAR",  # run_id
    "VARCHAR",  # source
    "VARCHAR",  # url
    "VARCHAR",  # raw_path
    "TIMESTAMP",  # fetched_at
    "VARCHAR",  # status
    "INTEGER",  # http_status
    "BIGINT",  # bytes
    "VARCHAR",  # sha256
    "VARCHAR",  # etag
    "VARCHAR",  # last_modified
    "VARCHAR",  # parser_version
    "BIGINT",  # rows_added
    "BIGINT",  # rows_revised
    "BIGINT",  # rows_unchanged
    "VARCHAR",  # error
    "BIGINT",  # rows_parsed
    "BIGINT",  # rows_restamped
)


#: DuckDB settings of a writing connection (memory: a large source's write should not
#: hold several copies of its rows):
#: - ``threads``: one DuckDB thread (a refresh writes one source while the next parses, so
#:   on two cores a second thread has no core of its own; measured on the 10x snapshot: the
#:   fetch's peak ~20 MB lower, its time within ~10%; on the 1x snapshot no difference);
#: - ``write_buffer_row_group_count``: a bulk insert writes each full row group to the file
#:   as soon as it is full, rather than buffering several in memory;
#: - ``allocator_*flush_threshold``: memory DuckDB frees is given back to the system
#:   promptly, so a large source's write does not keep its peak.
#: (DuckDB's own ``checkpoint_threshold`` is kept: a large commit is checkpointed at once
#: rather than written to the log first, which would buffer a source's raw files again.)
WRITE_CONFIG: dict[str, str] = {
    "threads": "1",
    "write_buffer_row_group_count": "1",
    "allocator_flush_threshold": "8MB",
    "allocator_bulk_deallocation_flush_threshold": "8MB",
}


class Store:
    """An open DuckDB store. Use as a context manager, or call :meth:`close`.

    Args:
        path: the store file.
        read_only: open for reading (any number of readers; no writer meanwhile). A
            writable open creates the file and brings its schema to :data:`SCHEMA_VERSION`.
        lock_wait: seconds to wait while another process writes the file (default
            ``YENFLOW_LOCK_WAIT``, else 10); then a :class:`StoreError` naming its pid.
        create: for a writable open, whether a file without a yenflow schema may become a
            store; ``False``: refuse it, as a reader does (the file must be a store).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        lock_wait: float | None = None,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        wait = lock.lock_wait_from_env() if lock_wait is None else lock_wait
        if read_only and not self.path.exists():
            msg = (
                f"no store at {self.path}: run `yenflow fetch` first "
                "(or pass --store / set YENFLOW_STORE)"
            )
            raise StoreError(msg)
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = lock.connect(
                self.path,
                read_only=read_only,
                wait_s=wait,
                config=None if read_only else WRITE_CONFIG,
            )
        except (duckdb.Error, OSError) as exc:
            msg = f"cannot open the store {self.path}: {exc}"
            raise StoreError(msg) from exc
        try:
            if read_only or not create:
                self.schema_version = schema_version(self._con)
                self._check_readable()
            if not read_only:
                self.schema_version = migrate(self._con, path=self.path)
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(
        cls, path: Path | str, *, read_only: bool = False, lock_wait: float | None = None
    ) -> Store:
        """Open the store at ``path`` (readers should pass ``read_only=True``)."""
        return cls(path, read_only=read_only, lock_wait=lock_wait)

    def _check_readable(self) -> None:
        if self.schema_version > SCHEMA_VERSION:
            msg = (
                f"the store {self.path} has schema version {self.schema_version}, newer than "
                f"this yenflow ({SCHEMA_VERSION}); upgrade yenflow"
            )
            raise StoreError(msg)
        if self.schema_version == 0:
            msg = (
                f"{self.path} is a DuckDB file but not a yenflow store (no schema version); "
                "pass another --store"
            )
            raise StoreError(msg)

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        con = getattr(self, "_con", None)
        if con is None:
            return
        self._con = None  # type: ignore[assignment]
        con.close()
        if not self.read_only:
            lock.release(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _begin(self) -> None:
        self._con.execute("BEGIN TRANSACTION")

    def checkpoint(self) -> None:
        """Write what the log holds into the store file now (what closing does), e.g. while
        the caller waits for other work: the close then has less to do."""
        self._require_writable()
        try:
            self._con.execute("CHECKPOINT").fetchall()
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:
            msg = f"checkpointing the store {self.path} failed: {exc}"
            raise StoreError(msg) from exc

    # -- what the fetcher needs --------------------------------------------------
    def validators(self) -> dict[str, Validators]:
        """URL -> ETag/Last-Modified of its last fetch that got content (for conditional GETs)."""
        rows = self._con.execute(
            f"""
            SELECT url, etag, last_modified FROM fetches
            WHERE url IS NOT NULL AND url <> '' AND status IN {_PARSED}
              AND (etag IS NOT NULL OR last_modified IS NOT NULL)
            QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetch_id DESC) = 1
            """
        ).fetchall()
        return {url: Validators(etag, lm) for url, etag, lm in rows}

    def ingested_payloads(self) -> dict[str, KnownPayload]:
        """raw_path -> sha256, parser version and row count of its last parsed payload.

        One query for all paths; the row count is the parse's own (``rows_parsed``), or for
        fetches logged before schema version 2 the rows attributed to those bytes.
        """
        parsed = "rows_parsed" if self.schema_version >= 2 else "CAST(NULL AS BIGINT)"
        rows = self._con.execute(
            f"""
            WITH last AS (
                SELECT raw_path, sha256, parser_version, {parsed} AS rows_parsed FROM fetches
                WHERE status IN {_PARSED} AND sha256 IS NOT NULL
                QUALIFY row_number() OVER (PARTITION BY raw_path ORDER BY fetch_id DESC) = 1
            ), counted AS (
                SELECT sha256, count(*) AS n FROM observations
                WHERE sha256 IN (SELECT sha256 FROM last WHERE rows_parsed IS NULL)
                GROUP BY sha256
            )
            SELECT l.raw_path, l.sha256, l.parser_version, coalesce(l.rows_parsed, c.n, 0)
            FROM last l LEFT JOIN counted c USING (sha256)
            """
        ).fetchall()
        return {path: KnownPayload(sha, version or "", int(n)) for path, sha, version, n in rows}

    def raw_contents(self, sha256s: Sequence[str]) -> dict[str, bytes]:
        """The stored bytes of several payloads, by sha256, in one query."""
        if not sha256s:
            return {}
        rows = self._con.execute(
            "SELECT sha256, content FROM raw_payloads WHERE list_contains(?, sha256)",
            [list(sha256s)],
        ).fetchall()
        return {sha: bytes(content) for sha, content in rows}

    def raw_content(self, sha256: str) -> bytes | None:
        """The stored bytes of a payload, by sha256."""
        return self.raw_contents([sha256]).get(sha256)

    def raw_content_for_path(self, raw_path: str) -> bytes | None:
        """The bytes of the last parsed payload of a snapshot path (for --save-raw after a 304)."""
        known = self.ingested_payloads().get(raw_path)
        return None if known is None else self.raw_content(known.sha256)

    # -- writing -----------------------------------------------------------------
    def _require_writable(self) -> None:
        if self.read_only:
            msg = f"the store {self.path} is open read-only; open it for writing to change it"
            raise StoreError(msg)

    def log_fetch(
        self,
        *,
        run_id: str,
        source: str,
        status: str,
        url: str | None = None,
        raw_path: str | None = None,
        error: str | None = None,
        payload: RawPayload | None = None,
        parser_version: str | None = None,
    ) -> int:
        """Record one fetch attempt that wrote no data (a failure, an absence). Own transaction."""
        if payload is not None:
            write = PayloadWrite(payload, None, status, parser_version or "", error=error)
            self.write_source(run_id=run_id, source=source, writes=[write])
        else:
            record = FetchRecord(status, url, raw_path, error)
            self.write_source(run_id=run_id, source=source, writes=[], records=[record])
        return int(self._con.execute("SELECT max(fetch_id) FROM fetches").fetchall()[0][0])

    def write_source(
        self,
        *,
        run_id: str,
        source: str,
        writes: Sequence[PayloadWrite],
        records: Sequence[FetchRecord] = (),
    ) -> WriteCounts:
        """Write every payload of one source in ONE transaction; return the row counts.

        Payloads with a dataset are applied together (:func:`yenflow.store.writes.apply_batch`:
        a later payload wins over an earlier one for the same period; new rows added, changed
        values revised with the old value kept, corrected publication times re-stamped, equal
        rows left alone) and their bytes stored by sha256; payloads without one are only
        logged, an unchanged one with the row count of its stored parse. ``records`` (failures,
        absences) are logged in the same transaction.
        """
        self._require_writable()
        now = datetime.now(UTC).replace(tzinfo=None)
        ids = [new_fetch_id() for _ in writes]
        items = [
            BatchItem(
                fetch_id,
                w.payload,
                stage_dataset(w.dataset),
                w.sha256 or w.payload.sha256,
                _naive_utc(w.payload.fetched_at),
            )
            for fetch_id, w in zip(ids, writes, strict=True)
            if w.dataset is not None
        ]
        con = self._con
        large = sum(i.rows.count for i in items) >= LARGE_WRITE_ROWS
        try:
            self._begin()
            try:
                per_fetch = {}
                if items:  # pandas is imported only for a write with parsed data
                    upsert_series(con, [i.dataset for i in items])
                    per_fetch = apply_batch(con, items)
                if large:
                    heap.trim()  # the staged rows, released once inserted
                fresh = [i for i in items if i.payload.content]
                if fresh:
                    _insert_raw(con, fresh)
                total = WriteCounts()
                log: list[tuple] = []
                for fetch_id, w in zip(ids, writes, strict=True):
                    p = w.payload
                    counts: WriteCounts | None = None
                    parsed: int | None = None
                    if w.dataset is not None:
                        c = per_fetch[fetch_id]
                        counts = WriteCounts(c.added, c.revised, c.unchanged, c.restamped)
                        parsed = (
                            len(w.dataset)
                            if isinstance(w.dataset, StagedDataset)
                            else len(w.dataset.frame)
                        )
                    elif w.status in ("unchanged", "not-modified"):
                        parsed = w.rows or 0
                        counts = WriteCounts(unchanged=parsed)
                    if counts is not None:
                        total = total + counts
                    log.append(
                        (
                            fetch_id,
                            run_id,
                            source,
                            _redacted(p.url),
                            p.raw_path,
                            _naive_utc(p.fetched_at),
                            w.status,
                            p.http_status,
                            len(p.content) if p.content else None,
                            (w.sha256 or p.sha256) or None,
                            p.etag,
                            p.last_modified,
                            w.parser_version or None,
                            counts.added if counts else None,
                            counts.revised if counts else None,
                            counts.unchanged if counts else None,
                            _redacted(w.error),
                            parsed,
                            counts.restamped if counts else None,
                        )
                    )
                for r in records:
                    log.append(
                        (new_fetch_id(), run_id, source, _redacted(r.url), r.raw_path, now)
                        + (r.status,)
                        + (None,) * 9
                        + (_redacted(r.error), None, None)
                    )
                if log:
                    self._insert_fetches(con, log)
                if large:
                    heap.trim()  # the raw files' transient copies, before the commit
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except duckdb.InterruptException:  # Ctrl-C inside DuckDB: rolled back; stop
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:
            msg = (
                f"writing source {source!r} to the store {self.path} failed and was "
                f"rolled back: {exc}"
            )
            raise StoreError(msg) from exc
        return total

    @staticmethod
    def _insert_fetches(con: duckdb.DuckDBPyConnection, log: list[tuple]) -> None:
        """Insert fetch-log rows (tuples in :data:`_FETCH_COLUMNS` order) in one statement:
        one typed list per column, unnested side by side (no pandas, no per-row statement)."""
        columns = [list(column) for column in zip(*log, strict=True)]
        select = ", ".join(f"unnest(?::{sql_type}[])" for sql_type in _FETCH_TYPES)
        con.execute(f"INSERT INTO fetches ({_FETCH_COLUMNS}) SELECT {select}", columns).fetchall()

    # -- reading -----------------------------------------------------------------
    def observations(
        self,
        series_ids: Sequence[str] | None = None,
        *,
        prefix: str | None = None,
        as_of: datetime | pd.Timestamp | str | None = None,
        start: datetime | pd.Timestamp | str | None = None,
        end: datetime | pd.Timestamp | str | None = None,
        with_available: bool = False,
    ) -> pd.DataFrame:
        """Observations as a canonical frame (:data:`FRAME_COLUMNS`), sorted.

        Args:
            series_ids: only these series (default: all). Analyses pass the series they
                need: only those rows are read.
            prefix: only series whose id starts with this (``"mof.weekly."``).
            as_of: the values as known then (:func:`yenflow.frame.to_cutoff`: a bare date
                is the end of that day, UTC; an instant as given, UTC if naive): a value
                counts only once ``available_at <= as_of``, and a later
                revision is replaced by the value it superseded.
            start, end: only periods ending on or after ``start`` / starting
                on or before ``end``.
            with_available: also return ``available_at`` (UTC): when the store can say the
                value was known (a revised value: the fetch that brought it).
        """
        import pandas as pd

        sql, all_params = self._observation_query(
            series_ids, prefix=prefix, as_of=as_of, start=start, end=end
        )
        frame = self._con.execute(sql + " ORDER BY series_id, period_start", all_params).df()
        frame["period_start"] = pd.to_datetime(frame["period_start"])
        frame["period_end"] = pd.to_datetime(frame["period_end"])
        frame["published_at"] = pd.to_datetime(frame["published_at"]).dt.tz_localize("UTC")
        frame["value"] = frame["value"].astype("float64")
        columns_out = list(FRAME_COLUMNS)
        if with_available:
            frame["available_at"] = pd.to_datetime(frame["available_at"]).dt.tz_localize("UTC")
            columns_out.append("available_at")
        return frame[columns_out]

    def observation_rows(
        self,
        series_ids: Sequence[str] | None = None,
        *,
        as_of: datetime | pd.Timestamp | str | None = None,
        last: int | None = None,
    ) -> list[tuple]:
        """The rows of :meth:`observations` (``with_available=True``) as plain tuples, without
        pandas: ``(series_id, period_start, period_end, value, published_at, available_at)``,
        the periods as :class:`datetime.date`, the value a float, the instants naive UTC
        :class:`datetime.datetime`; in the same order. ``last``: only the last N of them
        (what ``yenflow show`` prints), read as such.
        """
        sql, params = self._observation_query(series_ids, as_of=as_of)
        if last is None:
            sql += " ORDER BY series_id, period_start"
        else:
            sql = (
                f"SELECT * FROM ({sql} ORDER BY series_id DESC, period_start DESC LIMIT ?) "
                "ORDER BY series_id, period_start"
            )
            params = [*params, last]
        return self._con.execute(sql, params).fetchall()

    def _observation_query(
        self,
        series_ids: Sequence[str] | None = None,
        *,
        prefix: str | None = None,
        as_of: datetime | pd.Timestamp | str | None = None,
        start: datetime | pd.Timestamp | str | None = None,
        end: datetime | pd.Timestamp | str | None = None,
    ) -> tuple[str, list[object]]:
        """The SELECT (unordered) and parameters of :meth:`observations`: the one home of the
        point-in-time read (a value counts once ``available_at <= as_of``; a later revision
        is replaced by the value it superseded)."""
        where, params = ["TRUE"], []
        if series_ids is not None:
            where.append("list_contains(?, series_id)")
            params.append(list(series_ids))
        if prefix:
            where.append("starts_with(series_id, ?)")
            params.append(prefix)
        if start is not None:
            where.append("period_end >= ?")
            params.append(_day(start))
        if end is not None:
            where.append("period_start <= ?")
            params.append(_day(end))
        cond = " AND ".join(where)
        columns = "series_id, period_start, period_end, value, published_at, available_at"
        if as_of is None:
            return f"SELECT {columns} FROM observations WHERE {cond}", params
        cutoff = to_cutoff(as_of).tz_localize(None)  # the store keeps naive UTC
        sql = f"""
            SELECT {columns} FROM (
                SELECT {columns} FROM observations WHERE {cond}
                UNION ALL
                SELECT {columns} FROM revisions WHERE {cond}
            )
            WHERE available_at <= ?
            QUALIFY row_number() OVER (
                PARTITION BY series_id, period_start ORDER BY available_at DESC) = 1
        """
        return sql, [*params, *params, cutoff.to_pydatetime()]

    def series_ids(self) -> list[str]:
        """The ids of every stored series, sorted."""
        rows = self._con.execute("SELECT series_id FROM series ORDER BY series_id").fetchall()
        return [series_id for (series_id,) in rows]

    def series_records(self, series_ids: Sequence[str] | None = None) -> list[dict[str, object]]:
        """The rows of :meth:`series_table` as plain dicts (no pandas; dates as
        :class:`datetime.date`, no coverage: ``None``)."""
        sql, params = self._series_query(series_ids)
        result = self._con.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def series_table(self, series_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Series metadata with coverage: first/last period, count, last publication.

        One query for all series (or the ones asked for).
        """
        sql, params = self._series_query(series_ids)
        return self._con.execute(sql, params).df()

    @staticmethod
    def _series_query(series_ids: Sequence[str] | None) -> tuple[str, list[object]]:
        """The SQL and parameters of :meth:`series_table`."""
        sql = """
            WITH cov AS (
                SELECT series_id, min(period_start) AS first_period,
                       max(period_end) AS last_period, count(*) AS observations,
                       max(published_at) AS last_published_at
                FROM observations GROUP BY series_id
            )
            SELECT s.series_id, s.source, s.title, s.unit, s.frequency, s.sign, s.description,
                   cov.first_period, cov.last_period, coalesce(cov.observations, 0)
                   AS observations, cov.last_published_at
            FROM series s LEFT JOIN cov USING (series_id)
        """
        params: list[object] = []
        if series_ids is not None:
            sql += " WHERE list_contains(?, s.series_id)"
            params.append(list(series_ids))
        sql += " ORDER BY s.source, s.series_id"
        return sql, params

    def freshness(self, *, as_of: datetime | pd.Timestamp | str | None = None) -> pd.DataFrame:
        """Per stored series, in one query: ``rows``, ``first_period_end``,
        ``last_period_end`` and ``last_published_at`` (of the newest period's value, UTC), as
        the store knew them at ``as_of`` (:func:`yenflow.frame.to_cutoff`; a value counts once
        ``available_at <= as_of``, revisions with the value known then). What the report's
        data section lists for every series, without reading the observations.
        """
        import pandas as pd

        params: list[object] = []
        rows = "observations"
        if as_of is not None:
            cutoff = to_cutoff(as_of).tz_localize(None).to_pydatetime()
            rows = """(
                SELECT series_id, period_start, period_end, published_at FROM (
                    SELECT series_id, period_start, period_end, published_at, available_at
                    FROM observations WHERE available_at <= ?
                    UNION ALL
                    SELECT series_id, period_start, period_end, published_at, available_at
                    FROM revisions WHERE available_at <= ?
                )
                QUALIFY row_number() OVER (
                    PARTITION BY series_id, period_start ORDER BY available_at DESC) = 1
            )"""
            params = [cutoff, cutoff]
        frame = self._con.execute(
            f"""
            SELECT series_id, count(*) AS rows, min(period_end) AS first_period_end,
                   max(period_end) AS last_period_end,
                   arg_max(published_at, period_end) AS last_published_at
            FROM {rows} GROUP BY series_id ORDER BY series_id
            """,
            params,
        ).df()
        frame["first_period_end"] = pd.to_datetime(frame["first_period_end"])
        frame["last_period_end"] = pd.to_datetime(frame["last_period_end"])
        frame["last_published_at"] = pd.to_datetime(frame["last_published_at"]).dt.tz_localize(
            "UTC"
        )
        return frame

    def source_status(self, *, as_of: datetime | pd.Timestamp | str | None = None) -> pd.DataFrame:
        """Per source: last fetch time, last status and error, observations held and the
        newest publication time.

        With ``as_of`` (:func:`yenflow.frame.to_cutoff`), everything is as the store knew it
        then: the last run of each source that had fetched by the cut-off, and the rows and
        newest publication among the values available by the cut-off (revisions included:
        a value revised later counts with the value known then).
        """
        params: list[object] = []
        fetch_cond = "TRUE"
        held_obs = "observations"
        if as_of is not None:
            cutoff = to_cutoff(as_of).tz_localize(None).to_pydatetime()
            fetch_cond = "fetched_at <= ?"
            held_obs = """(
                SELECT series_id, period_start, published_at FROM (
                    SELECT series_id, period_start, published_at, available_at
                    FROM observations WHERE available_at <= ?
                    UNION ALL
                    SELECT series_id, period_start, published_at, available_at
                    FROM revisions WHERE available_at <= ?
                )
                QUALIFY row_number() OVER (
                    PARTITION BY series_id, period_start ORDER BY available_at DESC) = 1
            )"""
            params = [cutoff, cutoff, cutoff]
        return self._con.execute(
            f"""
            WITH seen AS (SELECT * FROM fetches WHERE {fetch_cond}),
            last AS (
                SELECT source, run_id FROM seen
                QUALIFY row_number() OVER (PARTITION BY source ORDER BY fetch_id DESC) = 1
            ), agg AS (
                SELECT f.source, max(f.fetched_at) AS last_fetch_at,
                       CASE WHEN bool_or(f.status IN ('fetch-error', 'parse-error')) THEN
                            CASE WHEN bool_or(f.status IN {(*_PARSED, "not-modified")})
                                 THEN 'partial' ELSE 'failed' END
                            ELSE 'ok' END AS status,
                       string_agg(f.error, ' | ') FILTER (WHERE f.error IS NOT NULL) AS error
                FROM seen f JOIN last USING (source, run_id)
                GROUP BY f.source
            ), held AS (
                SELECT s.source, count(*) AS rows, max(o.published_at) AS last_published_at
                FROM {held_obs} o JOIN series s USING (series_id) GROUP BY s.source
            )
            SELECT agg.source, agg.last_fetch_at, agg.status, agg.error,
                   coalesce(held.rows, 0) AS rows, held.last_published_at
            FROM agg LEFT JOIN held USING (source) ORDER BY agg.source
            """,
            params,
        ).df()

    def revisions(self, series_id: str) -> pd.DataFrame:
        """Earlier values of one series, with when and by which fetch they were replaced."""
        return self._con.execute(
            "SELECT * FROM revisions WHERE series_id = ? ORDER BY period_start, superseded_at",
            [series_id],
        ).df()

    def fetch_log(self, limit: int = 50) -> pd.DataFrame:
        """The latest fetch log rows, newest first."""
        return self._con.execute(
            "SELECT * FROM fetches ORDER BY fetch_id DESC LIMIT ?", [limit]
        ).df()

    def trace(self, series_id: str, period: datetime | pd.Timestamp | str) -> dict[str, object]:
        """Where one stored number came from: value, fetch, URL, file path, sha256, bytes size."""
        import pandas as pd

        row = _first(
            self._con.execute(
                """
            SELECT o.series_id, o.period_start, o.period_end, o.value, o.published_at,
                   o.available_at, f.fetch_id, f.fetched_at, f.url, f.raw_path, o.sha256,
                   r.size
            FROM observations o JOIN fetches f USING (fetch_id)
            LEFT JOIN raw_payloads r ON r.sha256 = o.sha256
            WHERE o.series_id = ? AND o.period_start <= ? AND o.period_end >= ?
            """,
                [series_id, pd.Timestamp(period).date(), pd.Timestamp(period).date()],
            ).fetchall()
        )
        if row is None:
            return {}
        keys = (
            "series_id",
            "period_start",
            "period_end",
            "value",
            "published_at",
            "available_at",
            "fetch_id",
            "fetched_at",
            "url",
            "raw_path",
            "sha256",
            "bytes",
        )
        return dict(zip(keys, row, strict=True))

    def table_digest(self) -> dict[str, str]:
        """A checksum of each data table (everything but the fetch log), to prove idempotence."""
        out = {}
        for table, order in (
            ("series", "series_id"),
            ("observations", "series_id, period_start"),
            ("revisions", "series_id, period_start, superseded_at"),
            ("raw_payloads", "sha256"),
            *(
                (("restamps", "series_id, period_start, restamped_at"),)
                if self.schema_version >= 2
                else ()
            ),
        ):
            row = _first(
                self._con.execute(
                    f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM (SELECT * FROM {table} "
                    f"ORDER BY {order}) t"
                ).fetchall()
            )
            out[table] = f"{row[0]}:{row[1]}" if row else "0:0"
        return out
