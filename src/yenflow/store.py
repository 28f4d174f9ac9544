"""The DuckDB store: series, observations, revisions, fetch log and raw payloads.

One file (``Settings.store_path``). Tables:

``series``        one row per series: source, title, unit, frequency, sign convention.
``observations``  one current value per (series, period_start), with ``published_at``
                  (from the release schedule), ``available_at`` (when the store can
                  say the value was public: the earlier of ``published_at`` and the
                  fetch that first saw it; the fetch time for a revised value),
                  and the ``fetch_id`` and ``sha256`` of the payload it came from.
``revisions``     every earlier value replaced by a later fetch, with its own
                  availability and when and by which fetch it was superseded.
``fetches``       the fetch log: source, URL (keys redacted), snapshot path, time,
                  status, HTTP status, bytes, sha256, ETag, Last-Modified, rows
                  added / revised / unchanged, error.
``raw_payloads``  the exact bytes of every payload that was parsed, by sha256.

Every stored number traces back: observation -> fetch -> raw payload bytes.

A source's write is one transaction (:meth:`Store.write_source`): a payload
that fails to parse is never written, and a failure inside the write rolls
everything back. Writing the same payload again changes no data table.
:meth:`Store.observations` reads the current values, or the values as they
were known at any instant (``as_of``), without look-ahead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from yenflow.errors import StoreError
from yenflow.frame import FRAME_COLUMNS, Dataset, to_cutoff
from yenflow.payload import RawPayload, Validators

__all__ = ["SCHEMA_VERSION", "PayloadWrite", "Store", "WriteCounts"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS series (
    series_id VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    frequency VARCHAR NOT NULL,
    sign VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS fetches (
    fetch_id BIGINT PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    url VARCHAR,
    raw_path VARCHAR,
    fetched_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    http_status INTEGER,
    bytes BIGINT,
    sha256 VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    parser_version VARCHAR,
    rows_added BIGINT,
    rows_revised BIGINT,
    rows_unchanged BIGINT,
    error VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_payloads (
    sha256 VARCHAR PRIMARY KEY,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    first_fetch_id BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    series_id VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE NOT NULL,
    published_at TIMESTAMP NOT NULL,
    available_at TIMESTAMP NOT NULL,
    fetch_id BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    series_id VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE NOT NULL,
    published_at TIMESTAMP NOT NULL,
    available_at TIMESTAMP NOT NULL,
    fetch_id BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    superseded_at TIMESTAMP NOT NULL,
    superseded_by BIGINT NOT NULL
);
"""

#: statuses written to ``fetches.status``
STATUSES = ("ingested", "unchanged", "not-modified", "absent", "fetch-error", "parse-error")


@dataclass(frozen=True)
class WriteCounts:
    """Rows added, revised (value changed; old value kept in ``revisions``) and unchanged."""

    added: int = 0
    revised: int = 0
    unchanged: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.added + other.added,
            self.revised + other.revised,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class PayloadWrite:
    """One payload to log, with its parsed dataset (None: not parsed, e.g. 304 or same bytes)."""

    payload: RawPayload
    dataset: Dataset | None
    status: str
    parser_version: str


def _first(rows: list[tuple]) -> tuple | None:
    """The first row of a fully fetched result (DuckDB 2 needs results finished)."""
    return rows[0] if rows else None


def _naive_utc(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        return ts
    return ts.astimezone(UTC).replace(tzinfo=None)


class Store:
    """An open DuckDB store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        try:
            if read_only:
                if not self.path.exists():
                    msg = (
                        f"no store at {self.path}: run `yenflow fetch` first "
                        "(or pass --store / set YENFLOW_STORE)"
                    )
                    raise StoreError(msg)
                self._con = duckdb.connect(str(self.path), read_only=True)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._con = duckdb.connect(str(self.path))
                self._migrate()
        except duckdb.Error as exc:
            msg = f"cannot open the store {self.path}: {exc}"
            raise StoreError(msg) from exc

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self._con.execute(_SCHEMA)
        row = _first(
            self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        )
        if row is None:
            self._con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )
        elif int(row[0]) > SCHEMA_VERSION:
            msg = (
                f"the store {self.path} has schema version {row[0]}, newer than this "
                f"yenflow ({SCHEMA_VERSION}); upgrade yenflow"
            )
            raise StoreError(msg)

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")

    def _next_fetch_id(self, con: duckdb.DuckDBPyConnection) -> int:
        row = _first(con.execute("SELECT coalesce(max(fetch_id), 0) + 1 FROM fetches").fetchall())
        assert row is not None
        return int(row[0])

    # -- what the fetcher needs --------------------------------------------------
    def validators(self) -> dict[str, Validators]:
        """URL -> ETag/Last-Modified of its last fetch that got content (for conditional GETs)."""
        rows = self._con.execute(
            """
            SELECT url, etag, last_modified FROM fetches
            WHERE url IS NOT NULL AND url <> '' AND status IN ('ingested', 'unchanged')
              AND (etag IS NOT NULL OR last_modified IS NOT NULL)
            QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetch_id DESC) = 1
            """
        ).fetchall()
        return {url: Validators(etag, lm) for url, etag, lm in rows}

    def ingested_payloads(self) -> dict[str, tuple[str, str]]:
        """raw_path -> (sha256, parser_version) of its last successfully parsed payload."""
        rows = self._con.execute(
            """
            SELECT raw_path, sha256, parser_version FROM fetches
            WHERE status IN ('ingested', 'unchanged') AND sha256 IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY raw_path ORDER BY fetch_id DESC) = 1
            """
        ).fetchall()
        return {path: (sha, version) for path, sha, version in rows}

    def raw_content(self, sha256: str) -> bytes | None:
        """The stored bytes of a payload, by sha256."""
        row = _first(
            self._con.execute(
                "SELECT content FROM raw_payloads WHERE sha256 = ?", [sha256]
            ).fetchall()
        )
        return None if row is None else bytes(row[0])

    def raw_content_for_path(self, raw_path: str) -> bytes | None:
        """The bytes of the last parsed payload of a snapshot path (for --save-raw after a 304)."""
        known = self.ingested_payloads().get(raw_path)
        return None if known is None else self.raw_content(known[0])

    # -- writing -----------------------------------------------------------------
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
        with self._transaction() as con:
            return self._insert_fetch(
                con,
                run_id=run_id,
                source=source,
                status=status,
                url=url if payload is None else payload.url,
                raw_path=raw_path if payload is None else payload.raw_path,
                payload=payload,
                parser_version=parser_version,
                counts=None,
                error=error,
            )

    def _insert_fetch(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        run_id: str,
        source: str,
        status: str,
        url: str | None,
        raw_path: str | None,
        payload: RawPayload | None,
        parser_version: str | None,
        counts: WriteCounts | None,
        error: str | None,
    ) -> int:
        fetch_id = self._next_fetch_id(con)
        fetched_at = _naive_utc(payload.fetched_at if payload else datetime.now(UTC))
        con.execute(
            "INSERT INTO fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fetch_id,
                run_id,
                source,
                url,
                raw_path,
                fetched_at,
                status,
                payload.http_status if payload else None,
                len(payload.content) if payload and not payload.not_modified else None,
                payload.sha256 if payload and payload.sha256 else None,
                payload.etag if payload else None,
                payload.last_modified if payload else None,
                parser_version,
                counts.added if counts else None,
                counts.revised if counts else None,
                counts.unchanged if counts else None,
                error,
            ],
        )
        return fetch_id

    def write_source(
        self, *, run_id: str, source: str, writes: Sequence[PayloadWrite]
    ) -> WriteCounts:
        """Write every payload of one source in ONE transaction; return the row counts.

        Payloads with a dataset are upserted (new rows added, changed values
        revised with the old value kept, equal values left alone) and their
        bytes stored by sha256; payloads without one are only logged.
        """
        total = WriteCounts()
        try:
            with self._transaction() as con:
                for write in writes:
                    counts = WriteCounts()
                    payload = write.payload
                    fetch_id = self._next_fetch_id(con)
                    if write.dataset is not None:
                        self._upsert_series(con, write.dataset)
                        counts = self._upsert_observations(con, write.dataset, payload, fetch_id)
                        con.execute(
                            "INSERT INTO raw_payloads SELECT ?, ?, ?, ? "
                            "WHERE NOT EXISTS (SELECT 1 FROM raw_payloads WHERE sha256 = ?)",
                            [
                                payload.sha256,
                                len(payload.content),
                                payload.content,
                                fetch_id,
                                payload.sha256,
                            ],
                        )
                    elif write.status == "unchanged":
                        counts = WriteCounts(unchanged=self._rows_from_sha(con, payload.sha256))
                    elif write.status == "not-modified":  # 304: the last parsed bytes still hold
                        known = self.ingested_payloads().get(payload.raw_path)
                        if known is not None:
                            counts = WriteCounts(unchanged=self._rows_from_sha(con, known[0]))
                    inserted = self._insert_fetch(
                        con,
                        run_id=run_id,
                        source=source,
                        status=write.status,
                        url=payload.url,
                        raw_path=payload.raw_path,
                        payload=payload,
                        parser_version=write.parser_version,
                        counts=counts,
                        error=None,
                    )
                    assert inserted == fetch_id
                    total = total + counts
        except duckdb.Error as exc:
            msg = (
                f"writing source {source!r} to the store {self.path} failed and was "
                f"rolled back: {exc}"
            )
            raise StoreError(msg) from exc
        return total

    @staticmethod
    def _rows_from_sha(con: duckdb.DuckDBPyConnection, sha256: str) -> int:
        row = _first(
            con.execute("SELECT count(*) FROM observations WHERE sha256 = ?", [sha256]).fetchall()
        )
        return int(row[0]) if row else 0

    @staticmethod
    def _upsert_series(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
        if not dataset.series:
            return
        specs = pd.DataFrame(
            {
                "series_id": [s.id for s in dataset.series],
                "source": [s.source for s in dataset.series],
                "title": [s.title for s in dataset.series],
                "unit": [s.unit for s in dataset.series],
                "frequency": [s.frequency for s in dataset.series],
                "sign": [s.sign for s in dataset.series],
                "description": [s.description for s in dataset.series],
            }
        )
        con.register("yf_series_df", specs)
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

    @staticmethod
    def _upsert_observations(
        con: duckdb.DuckDBPyConnection, dataset: Dataset, payload: RawPayload, fetch_id: int
    ) -> WriteCounts:
        frame = dataset.frame
        if frame.empty:
            return WriteCounts()
        fetched_at = pd.Timestamp(_naive_utc(payload.fetched_at))
        published = pd.to_datetime(frame["published_at"], utc=True).dt.tz_localize(None)
        stage = pd.DataFrame(
            {
                "series_id": frame["series_id"].astype(str).to_numpy(),
                "period_start": pd.to_datetime(frame["period_start"]).to_numpy(),
                "period_end": pd.to_datetime(frame["period_end"]).to_numpy(),
                "value": frame["value"].to_numpy(dtype="float64"),
                "published_at": published.to_numpy(),
            }
        )
        con.register("yf_stage_df", stage)
        try:
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE yf_stage AS
                WITH s AS (
                    SELECT series_id, CAST(period_start AS DATE) AS period_start,
                           CAST(period_end AS DATE) AS period_end, value,
                           CAST(published_at AS TIMESTAMP) AS published_at
                    FROM yf_stage_df
                )
                SELECT s.*, o.value AS old_value, o.period_end AS old_end,
                       (o.series_id IS NULL) AS is_new,
                       (o.series_id IS NOT NULL AND (o.value <> s.value
                            OR o.period_end <> s.period_end)) AS is_changed
                FROM yf_stage_df s
                LEFT JOIN observations o USING (series_id, period_start)
                """
            ).fetchall()
        finally:
            con.unregister("yf_stage_df")
        row = _first(
            con.execute(
                "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE is_changed), "
                "count(*) FROM yf_stage"
            ).fetchall()
        )
        assert row is not None
        added, revised, total = (int(x) for x in row)
        if revised:
            con.execute(
                """
                INSERT INTO revisions
                SELECT o.series_id, o.period_start, o.period_end, o.value, o.published_at,
                       o.available_at, o.fetch_id, o.sha256, ?, ?
                FROM observations o JOIN yf_stage s USING (series_id, period_start)
                WHERE s.is_changed
                """,
                [fetched_at, fetch_id],
            )
            con.execute(
                """
                UPDATE observations AS o
                SET value = s.value, period_end = s.period_end, published_at = s.published_at,
                    available_at = greatest(s.published_at, ?), fetch_id = ?, sha256 = ?
                FROM yf_stage s
                WHERE o.series_id = s.series_id AND o.period_start = s.period_start
                  AND s.is_changed
                """,
                [fetched_at, fetch_id, payload.sha256],
            )
        if added:
            con.execute(
                """
                INSERT INTO observations
                SELECT series_id, period_start, period_end, value, published_at,
                       least(published_at, ?), ?, ?
                FROM yf_stage WHERE is_new
                """,
                [fetched_at, fetch_id, payload.sha256],
            )
        con.execute("DROP TABLE yf_stage")
        return WriteCounts(added=added, revised=revised, unchanged=total - added - revised)

    # -- reading -----------------------------------------------------------------
    def observations(
        self,
        series_ids: Sequence[str] | None = None,
        *,
        prefix: str | None = None,
        as_of: datetime | pd.Timestamp | str | None = None,
        start: datetime | pd.Timestamp | str | None = None,
        end: datetime | pd.Timestamp | str | None = None,
    ) -> pd.DataFrame:
        """Observations as a canonical frame (:data:`FRAME_COLUMNS`), sorted.

        Args:
            series_ids: only these series (default: all).
            prefix: only series whose id starts with this (``"mof.weekly."``).
            as_of: the values as known then (:func:`yenflow.frame.to_cutoff`: a bare date
                is the end of that day, UTC; an instant as given, UTC if naive): a value
                counts only once ``available_at <= as_of``, and a later
                revision is replaced by the value it superseded.
            start, end: only periods ending on or after ``start`` / starting
                on or before ``end``.
        """
        where, params = ["TRUE"], []
        if series_ids is not None:
            where.append("list_contains(?, series_id)")
            params.append(list(series_ids))
        if prefix:
            where.append("starts_with(series_id, ?)")
            params.append(prefix)
        if start is not None:
            where.append("period_end >= ?")
            params.append(pd.Timestamp(start).date())
        if end is not None:
            where.append("period_start <= ?")
            params.append(pd.Timestamp(end).date())
        cond = " AND ".join(where)
        columns = "series_id, period_start, period_end, value, published_at"
        if as_of is None:
            sql = f"SELECT {columns} FROM observations WHERE {cond}"
            all_params = params
        else:
            cutoff = to_cutoff(as_of).tz_localize(None)  # the store keeps naive UTC
            sql = f"""
                SELECT {columns} FROM (
                    SELECT {columns}, available_at FROM observations WHERE {cond}
                    UNION ALL
                    SELECT {columns}, available_at FROM revisions WHERE {cond}
                )
                WHERE available_at <= ?
                QUALIFY row_number() OVER (
                    PARTITION BY series_id, period_start ORDER BY available_at DESC) = 1
            """
            all_params = [*params, *params, cutoff.to_pydatetime()]
        frame = self._con.execute(sql + " ORDER BY series_id, period_start", all_params).df()
        frame["period_start"] = pd.to_datetime(frame["period_start"])
        frame["period_end"] = pd.to_datetime(frame["period_end"])
        frame["published_at"] = pd.to_datetime(frame["published_at"]).dt.tz_localize("UTC")
        frame["value"] = frame["value"].astype("float64")
        return frame[list(FRAME_COLUMNS)]

    def series_table(self, series_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Series metadata with coverage: first/last period, count, last publication."""
        sql = """
            SELECT s.series_id, s.source, s.title, s.unit, s.frequency, s.sign, s.description,
                   min(o.period_start) AS first_period, max(o.period_end) AS last_period,
                   count(o.value) AS observations, max(o.published_at) AS last_published_at
            FROM series s LEFT JOIN observations o USING (series_id)
        """
        params: list[object] = []
        if series_ids is not None:
            sql += " WHERE list_contains(?, s.series_id)"
            params.append(list(series_ids))
        sql += " GROUP BY ALL ORDER BY s.source, s.series_id"
        return self._con.execute(sql, params).df()

    def source_status(self) -> pd.DataFrame:
        """Per source: last fetch time, last status and error, observations held."""
        return self._con.execute(
            """
            WITH last AS (
                SELECT source, run_id FROM fetches
                QUALIFY row_number() OVER (PARTITION BY source ORDER BY fetch_id DESC) = 1
            ), agg AS (
                SELECT f.source, max(f.fetched_at) AS last_fetch_at,
                       CASE WHEN bool_or(f.status IN ('fetch-error', 'parse-error')) THEN
                            CASE WHEN bool_or(f.status IN ('ingested', 'unchanged', 'not-modified'))
                                 THEN 'partial' ELSE 'failed' END
                            ELSE 'ok' END AS status,
                       string_agg(f.error, ' | ') FILTER (WHERE f.error IS NOT NULL) AS error
                FROM fetches f JOIN last USING (source, run_id)
                GROUP BY f.source
            ), held AS (
                SELECT s.source, count(*) AS rows, max(o.published_at) AS last_published_at
                FROM observations o JOIN series s USING (series_id) GROUP BY s.source
            )
            SELECT agg.source, agg.last_fetch_at, agg.status, agg.error,
                   coalesce(held.rows, 0) AS rows, held.last_published_at
            FROM agg LEFT JOIN held USING (source) ORDER BY agg.source
            """
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
        ):
            row = _first(
                self._con.execute(
                    f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM (SELECT * FROM {table} "
                    f"ORDER BY {order}) t"
                ).fetchall()
            )
            out[table] = f"{row[0]}:{row[1]}" if row else "0:0"
        return out
