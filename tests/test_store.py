"""The DuckDB store: idempotent upserts, revisions, as-of reads, atomic writes, tracing."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yenflow.errors import StoreError
from yenflow.frame import Dataset, SeriesSpec
from yenflow.payload import RawPayload
from yenflow.store import PayloadWrite, Store

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
