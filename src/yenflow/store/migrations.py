"""Numbered schema migrations of the store: version N is reached by running 1..N in order.

Each migration is a list of SQL statements run in ONE transaction together with the
bookkeeping (``schema_versions`` row, ``meta.schema_version``), so a store is always at a
whole version: a failure rolls the migration back and the store stays as it was.

- **1** the original schema (kept verbatim: a store written by yenflow before migrations
  existed *is* a version-1 store, recorded only in ``meta``).
- **2** unique keys enforced by DuckDB: ``observations (series_id, period_start)`` and
  ``revisions (series_id, period_start, superseded_by)``; ``fetches.rows_parsed`` (the
  number of rows the payload parsed into, so an unchanged file reports its own row count);
  the ``restamps`` log (a value whose publication time was corrected without its value
  changing); the ``schema_versions`` history.

Add a migration by appending to :data:`MIGRATIONS`; never edit a released one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from yenflow.errors import StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]

V1 = """
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

V2 = """
CREATE TABLE IF NOT EXISTS schema_versions (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
);
ALTER TABLE observations ADD PRIMARY KEY (series_id, period_start);
ALTER TABLE revisions ADD PRIMARY KEY (series_id, period_start, superseded_by);
ALTER TABLE fetches ADD COLUMN rows_parsed BIGINT;
ALTER TABLE fetches ADD COLUMN rows_restamped BIGINT;
CREATE TABLE restamps (
    series_id VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    value DOUBLE NOT NULL,
    old_published_at TIMESTAMP NOT NULL,
    old_available_at TIMESTAMP NOT NULL,
    new_published_at TIMESTAMP NOT NULL,
    new_available_at TIMESTAMP NOT NULL,
    restamped_at TIMESTAMP NOT NULL,
    restamped_by BIGINT NOT NULL,
    PRIMARY KEY (series_id, period_start, restamped_by)
);
"""

#: the statements of version N are ``MIGRATIONS[N - 1]``
MIGRATIONS: tuple[str, ...] = (V1, V2)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version (0: an empty file)."""
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:  # no meta table: an empty file (or not a yenflow store)
        return 0
    return int(rows[0][0]) if rows else 0


def migrate(con: duckdb.DuckDBPyConnection, *, path: object, target: int = SCHEMA_VERSION) -> int:
    """Bring the store to ``target``, one migration per transaction; return the version reached.

    Raises:
        StoreError: the store is newer than this yenflow, or a migration failed (rolled back;
            the store is left at its previous version).
    """
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        msg = (
            f"the store {path} has schema version {current}, newer than this yenflow "
            f"({SCHEMA_VERSION}); upgrade yenflow"
        )
        raise StoreError(msg)
    for version in range(current + 1, target + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(MIGRATIONS[version - 1])
            if version >= 2:
                con.execute(
                    "INSERT INTO schema_versions VALUES (?, ?)",
                    [version, datetime.now(UTC).replace(tzinfo=None)],
                )
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            msg = (
                f"upgrading the store {path} to schema version {version} failed and was "
                f"rolled back (the store is still at version {version - 1}): {exc}"
            )
            raise StoreError(msg) from exc
        con.execute("COMMIT")
    return max(current, target)
