"""The DuckDB store: idempotent upserts, revisions, as-of reads, atomic writes, tracing."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yenflow.errors import StoreError
from yenflow.frame import FRAME_COLUMNS, Dataset, SeriesSpec
from yenflow.payload import RawPayload
from yenflow.store import SCHEMA_VERSION, PayloadWrite, Store
from yenflow.store.migrations import migrate

SPEC = SeriesSpec("test.x", "test", "X", "JPY 100 million", "weekly", "net purchase > 0")


def dataset(values: dict[str, float], published: str = "2025-04-10") -> Dataset:
    starts = pd.to_datetime(list(values))
    frame = pd.DataFrame(
        {
            "series_id": "test.x",
            "period_start": starts,
            "period_end": starts + pd.Timedelta(days=6),
            "value": list(values.values()),
            "published_at": pd.Timestamp(published, tz="UTC"),
        }
    )
    return Dataset(frame, (SPEC,))


def payload(content: bytes, fetched: str) -> RawPayload:
    return RawPayload(
        source="test",
        url="http://127.0.0.1/x.csv",
        raw_path="test/x.csv",
        content=content,
        fetched_at=datetime.fromisoformat(fetched).replace(tzinfo=UTC),
    )


def write(store: Store, ds: Dataset, content: bytes, fetched: str):
    return store.write_source(
        run_id="r",
        source="test",
        writes=[PayloadWrite(payload(content, fetched), ds, "ingested", "v1")],
    )


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        yield s


def test_write_is_idempotent(store):
    ds = dataset({"2025-03-30": -25726.0, "2025-04-06": -5119.0})
    first = write(store, ds, b"a", "2025-04-20T00:00:00")
    assert (first.added, first.revised, first.unchanged) == (2, 0, 0)
    before = store.table_digest()
    again = write(store, ds, b"a", "2025-04-21T00:00:00")
    assert (again.added, again.revised, again.unchanged) == (0, 0, 2)
    assert store.table_digest() == before


def test_revision_keeps_the_old_value_and_as_of_sees_it(store):
    write(store, dataset({"2025-03-30": -25726.0}), b"v1", "2025-04-11T00:00:00")
    counts = write(store, dataset({"2025-03-30": -25700.0}), b"v2", "2025-05-01T00:00:00")
    assert counts.revised == 1
    now = store.observations(["test.x"])
    assert now["value"].tolist() == [-25700.0]
    revs = store.revisions("test.x")
    assert revs["value"].tolist() == [-25726.0]
    # before publication: nothing; between: the first value; after the revision: the new one
    assert store.observations(["test.x"], as_of="2025-04-09").empty
    assert store.observations(["test.x"], as_of="2025-04-15")["value"].tolist() == [-25726.0]
    assert store.observations(["test.x"], as_of="2025-05-02")["value"].tolist() == [-25700.0]


def test_available_at_is_the_earlier_of_schedule_and_fetch(store):
    # fetched before the (approximate) scheduled time: the fetch proves it was public
    write(
        store,
        dataset({"2025-03-30": 1.0}, published="2025-04-10T23:50:00"),
        b"x",
        "2025-04-10T12:00:00",
    )
    assert len(store.observations(["test.x"], as_of="2025-04-10T13:00:00")) == 1


def test_failed_write_rolls_back_everything(store):
    write(store, dataset({"2025-03-30": 1.0}), b"ok", "2025-04-20T00:00:00")
    before = store.table_digest()
    good = dataset({"2025-04-06": 2.0})
    bad = dataset({"2025-04-13": 3.0})
    bad.frame.loc[:, "value"] = float("nan")  # NOT NULL violation inside the transaction
    with pytest.raises(StoreError, match="rolled back"):
        store.write_source(
            run_id="r",
            source="test",
            writes=[
                PayloadWrite(payload(b"good", "2025-04-20T00:00:00"), good, "ingested", "v1"),
                PayloadWrite(payload(b"bad", "2025-04-20T00:00:00"), bad, "ingested", "v1"),
            ],
        )
    assert store.table_digest() == before


def test_trace_leads_to_the_raw_bytes(store):
    write(store, dataset({"2025-03-30": -25726.0}), b"raw bytes", "2025-04-20T00:00:00")
    info = store.trace("test.x", "2025-04-02")
    assert info["value"] == -25726.0
    assert info["raw_path"] == "test/x.csv"
    assert store.raw_content(str(info["sha256"])) == b"raw bytes"


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(StoreError, match="yenflow fetch"):
        Store(tmp_path / "nope.duckdb", read_only=True)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.dates(
            min_value=pd.Timestamp("2005-01-01").date(), max_value=pd.Timestamp("2026-01-01").date()
        ),
        st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
        min_size=1,
        max_size=30,
    )
)
def test_round_trip(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("rt") / "s.duckdb"
    with Store(path) as store:
        ds = dataset({str(k): v for k, v in values.items()})
        write(store, ds, b"p", "2026-01-02T00:00:00")
        got = store.observations(["test.x"])
    expected = ds.frame.sort_values("period_start").reset_index(drop=True)
    assert got["value"].tolist() == expected["value"].tolist()
    assert list(got["period_start"]) == list(expected["period_start"])


# -- schema versions and migrations (issue 6.6) ----------------------------------------
def make_v1_store(path, *, duplicate: bool = False) -> None:
    """A version-1 store as yenflow wrote it before migrations: the v1 DDL, sequential fetch
    ids, an observation, a revision, a raw payload."""
    con = duckdb.connect(str(path))
    migrate(con, path=path, target=1)
    con.execute(
        "INSERT INTO fetches VALUES (1, 'r1', 'test', 'http://127.0.0.1/x.csv', 'test/x.csv', "
        "'2025-04-11', 'ingested', 200, 2, 'sha-a', '\"e1\"', NULL, 'v1', 2, 0, 0, NULL), "
        "(2, 'r2', 'test', 'http://127.0.0.1/x.csv', 'test/x.csv', '2025-05-01', 'ingested', "
        "200, 2, 'sha-b', '\"e2\"', NULL, 'v1', 0, 1, 1, NULL)"
    )
    con.execute("INSERT INTO raw_payloads VALUES ('sha-a', 2, 'v1'::BLOB, 1)")
    con.execute("INSERT INTO raw_payloads VALUES ('sha-b', 2, 'v2'::BLOB, 2)")
    con.execute(
        "INSERT INTO series VALUES ('test.x', 'test', 'X', 'JPY 100 million', 'weekly', "
        "'net purchase > 0', '')"
    )
    rows = [("2025-03-30", "2025-04-05", -25700.0, 2, "sha-b", "2025-05-01")]
    rows.append(("2025-04-06", "2025-04-12", -5119.0, 1, "sha-a", "2025-04-10"))
    if duplicate:
        rows.append(("2025-04-06", "2025-04-12", -1.0, 1, "sha-a", "2025-04-10"))
    for start, end, val, fid, sha, avail in rows:
        con.execute(
            "INSERT INTO observations VALUES (?, ?, ?, ?, '2025-04-10', ?, ?, ?)",
            ["test.x", start, end, val, avail, fid, sha],
        )
    con.execute(
        "INSERT INTO revisions VALUES ('test.x', '2025-03-30', '2025-04-05', -25726.0, "
        "'2025-04-10', '2025-04-10', 1, 'sha-a', '2025-05-01', 2)"
    )
    con.close()


def table_rows(path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("series", "observations", "revisions", "raw_payloads")
        } | {
            "fetches": con.execute(
                "SELECT fetch_id, run_id, status, sha256, rows_added FROM fetches ORDER BY ALL"
            ).fetchall()
        }
    finally:
        con.close()


def test_a_version_1_store_is_upgraded_in_place_without_losing_a_row(tmp_path):
    path = tmp_path / "v1.duckdb"
    make_v1_store(path)
    before = table_rows(path)
    with Store.open(path, read_only=True) as old:  # readers can read a v1 store as it is
        assert old.schema_version == 1
        assert old.observations(["test.x"])["value"].tolist() == [-25700.0, -5119.0]
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        assert store.observations(["test.x"], as_of="2025-04-20")["value"].tolist() == [
            -25726.0,
            -5119.0,
        ]
        assert store.ingested_payloads()["test/x.csv"].rows == 1  # v1: rows by sha256
    assert table_rows(path) == before
    con = duckdb.connect(str(path))
    try:
        versions = con.execute("SELECT version FROM schema_versions").fetchall()
        assert versions == [(2,)]
        with pytest.raises(duckdb.ConstraintException):  # the key is the database's now
            con.execute(
                "INSERT INTO observations SELECT * FROM observations WHERE period_start = "
                "'2025-04-06'"
            )
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO revisions SELECT * FROM revisions")
    finally:
        con.close()
    with Store(path) as store:  # writes go on, with new fetch ids after the old ones
        write(store, dataset({"2025-04-13": 7.0}), b"v3", "2025-05-02T00:00:00")
        ids = store.fetch_log()["fetch_id"].tolist()
    assert ids[0] > max(ids[1:]) and sorted(ids[1:]) == [1, 2]


def test_a_failed_migration_leaves_the_store_at_its_version(tmp_path):
    path = tmp_path / "dup.duckdb"
    make_v1_store(path, duplicate=True)  # a duplicate key the old code could not prevent
    before = table_rows(path)
    with pytest.raises(StoreError, match="version 2 failed and was rolled back"):
        Store(path)
    assert table_rows(path) == before
    with Store.open(path, read_only=True) as store:
        assert store.schema_version == 1


def test_a_newer_store_or_a_foreign_duckdb_file_is_refused(tmp_path):
    newer = tmp_path / "newer.duckdb"
    with Store(newer):
        pass
    con = duckdb.connect(str(newer))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="newer than this yenflow"):
        Store(newer)
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).close()
    with pytest.raises(StoreError, match="not a yenflow store"):
        Store.open(foreign, read_only=True)


def test_fetch_ids_are_unique_and_increasing_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    from yenflow.store.ids import new_fetch_id

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda _: new_fetch_id(), range(20_000)))
    assert len(set(ids)) == len(ids) and all(0 < i < 2**63 for i in ids)
    assert new_fetch_id() > max(ids)


def test_one_fetch_id_per_payload_and_rows_keep_their_provenance(store):
    a = PayloadWrite(
        payload(b"a", "2025-04-20T00:00:00"), dataset({"2025-03-30": 1.0}), "ingested", "v1"
    )
    b_payload = RawPayload(
        source="test",
        url="http://127.0.0.1/y.csv",
        raw_path="test/y.csv",
        content=b"b",
        fetched_at=datetime(2025, 4, 20, tzinfo=UTC),
    )
    b = PayloadWrite(b_payload, dataset({"2025-04-06": 2.0, "2025-03-30": 1.5}), "ingested", "v1")
    counts = store.write_source(run_id="r", source="test", writes=[a, b])
    assert (counts.added, counts.unchanged) == (2, 1)  # the later payload wins 2025-03-30
    log = store.fetch_log()
    rows = store._con.execute(
        "SELECT period_start, fetch_id, sha256, value FROM observations ORDER BY 1"
    ).fetchall()
    by_path = dict(zip(log["raw_path"], log["fetch_id"], strict=True))
    assert [(r[1], r[3]) for r in rows] == [(by_path["test/y.csv"], 1.5)] * 1 + [
        (by_path["test/y.csv"], 2.0)
    ]
    assert {r[2] for r in rows} == {b_payload.sha256}
    assert log["fetch_id"].is_unique and len(log) == 2


# -- reads: available_at, as-of source status (issues 7.19, 7.20) -----------------------
def test_observations_can_say_when_a_value_became_known(store):
    write(store, dataset({"2025-03-30": -25726.0}), b"v1", "2025-04-11T00:00:00")
    write(store, dataset({"2025-03-30": -25700.0}), b"v2", "2025-05-01T00:00:00")
    frame = store.observations(["test.x"], with_available=True)
    assert list(frame.columns) == [*FRAME_COLUMNS, "available_at"]
    assert frame["available_at"].iloc[0] == pd.Timestamp("2025-05-01", tz="UTC")
    assert frame["published_at"].iloc[0] == pd.Timestamp("2025-04-10", tz="UTC")
    early = store.observations(["test.x"], as_of="2025-04-15", with_available=True)
    assert early["available_at"].iloc[0] == pd.Timestamp("2025-04-10", tz="UTC")
    assert "available_at" not in store.observations(["test.x"]).columns


def test_source_status_as_of_shows_what_was_known_then(store):
    write(store, dataset({"2025-03-30": 1.0}, published="2025-04-10"), b"a", "2025-04-11T00:00:00")
    write(
        store,
        dataset({"2025-03-30": 1.5, "2025-04-06": 2.0, "2025-04-13": 3.0}, published="2025-04-24"),
        b"b",
        "2025-04-25T00:00:00",
    )
    now = store.source_status().set_index("source").loc["test"]
    then = store.source_status(as_of="2025-04-12").set_index("source").loc["test"]
    assert now["rows"] == 3 and then["rows"] == 1
    assert then["last_published_at"] == pd.Timestamp("2025-04-10")
    assert then["last_fetch_at"] == pd.Timestamp("2025-04-11")
    assert store.source_status(as_of="2025-04-01").empty


# -- the store lock: bounded wait, the writer's pid (issue 7.11) ------------------------
HOLD = """
import sys, time
from yenflow.store import Store
with Store(sys.argv[1]):
    print("open", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_reader_waits_for_a_writer_then_fails_naming_its_pid(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        started = time.monotonic()
        with pytest.raises(StoreError, match=rf"another yenflow process \(pid {holder.pid}\)"):
            Store.open(path, read_only=True, lock_wait=0.5)
        assert 0.4 < time.monotonic() - started < 2.5
        with Store.open(path, read_only=True, lock_wait=20) as store:  # waits, then reads
            assert store.schema_version == SCHEMA_VERSION
    finally:
        holder.wait(timeout=30)
    assert not (tmp_path / "s.duckdb.lock").exists()


def test_lock_wait_setting_is_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("YENFLOW_LOCK_WAIT", "soon")
    with pytest.raises(StoreError, match="YENFLOW_LOCK_WAIT"):
        Store(tmp_path / "s.duckdb")


def _as_rows(frame: pd.DataFrame) -> list[tuple]:
    """A frame of observations(with_available=True) as observation_rows gives it."""
    return [
        (
            r.series_id,
            r.period_start.date(),
            r.period_end.date(),
            r.value,
            r.published_at.tz_localize(None).to_pydatetime(),
            r.available_at.tz_localize(None).to_pydatetime(),
        )
        for r in frame.itertuples()
    ]


def test_observation_rows_are_the_frame_s_rows_without_pandas(store):
    other = SeriesSpec("test.a", "test", "A", "percent", "weekly")
    first = dataset({"2025-03-09": 1.0, "2025-03-16": 2.0, "2025-03-23": 3.0, "2025-03-30": 4.0})
    extra = first.frame.assign(series_id="test.a", value=[9.0, 8.0, 7.0, 6.0])
    both = Dataset(pd.concat([first.frame, extra], ignore_index=True), (SPEC, other))
    write(store, both, b"v1", "2025-04-11T00:00:00")
    write(store, dataset({"2025-03-30": 4.5}), b"v2", "2025-05-01T00:00:00")  # a revision
    for ids in (["test.x"], ["test.a", "test.x"], None):
        for as_of in (None, "2025-04-15", "2025-04-09"):
            frame = store.observations(ids, as_of=as_of, with_available=True)
            assert store.observation_rows(ids, as_of=as_of) == _as_rows(frame)
            for last in (1, 3, 100):
                expected = _as_rows(frame.tail(last))
                assert store.observation_rows(ids, as_of=as_of, last=last) == expected
    assert store.observation_rows(["test.x"], last=1)[0][3] == 4.5
    assert store.observation_rows(["test.x"], as_of="2025-04-15", last=1)[0][3] == 4.0


def test_series_records_and_ids_match_the_series_table(store):
    write(store, dataset({"2025-03-30": 1.0, "2025-04-06": 2.0}), b"v1", "2025-04-11T00:00:00")
    table = store.series_table(["test.x"])
    (record,) = store.series_records(["test.x"])
    assert list(record) == list(table.columns)
    assert record["observations"] == table["observations"].iloc[0] == 2
    assert record["first_period"] == table["first_period"].iloc[0].date()
    assert record["title"] == "X" and record["sign"] == "net purchase > 0"
    assert store.series_records(["test.nope"]) == []
    assert store.series_ids() == list(store.series_table()["series_id"]) == ["test.x"]
