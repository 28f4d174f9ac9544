"""The store's staged form of a parse and the bounded-memory write: staged rows match the
frame, are written once, and chunked inserts (new rows, raw files) store exactly what one
statement stores, a later payload winning across chunks."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import numpy as np
import pandas as pd
import pytest

from yenflow.errors import StoreError
from yenflow.frame import Dataset, SeriesSpec
from yenflow.payload import RawPayload
from yenflow.store import PayloadWrite, Store, heap, stage_dataset, writes
from yenflow.store import core as store_core
from yenflow.store.staging import stage_frame

SPECS = tuple(SeriesSpec(f"t.{k}", "test", k, "unit", "daily") for k in "abc")


def frame(series: str, start: str, n: int, value: float, tz: str = "UTC") -> pd.DataFrame:
    days = pd.date_range(start, periods=n, freq="D")
    return pd.DataFrame(
        {
            "series_id": f"t.{series}",
            "period_start": days,
            "period_end": days,
            "value": value + np.arange(n, dtype=float),
            "published_at": (days + pd.Timedelta(hours=20)).tz_localize("UTC").tz_convert(tz),
        }
    )


def write(store: Store, frames: list[pd.DataFrame], *, staged: bool = False):
    out = []
    for k, f in enumerate(frames):
        ds = Dataset(f, SPECS)
        content = f"payload {k}".encode()
        payload = RawPayload(
            source="test",
            url=f"http://127.0.0.1/{k}.csv",
            raw_path=f"test/{k}.csv",
            content=content,
            fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
        out.append(PayloadWrite(payload, stage_dataset(ds) if staged else ds, "ingested", "v1"))
    return store.write_source(run_id="r", source="test", writes=out)


def contents(store: Store) -> tuple[list[tuple], list[tuple]]:
    con = store._con
    obs = con.execute(
        "SELECT o.series_id, o.period_start, o.period_end, o.value, o.published_at, "
        "o.available_at, f.raw_path FROM observations o JOIN fetches f USING (fetch_id) "
        "ORDER BY 1, 2"
    ).fetchall()
    raw = con.execute("SELECT sha256, size, content FROM raw_payloads ORDER BY 1").fetchall()
    return obs, raw


def test_staged_rows_are_the_frame_s_rows():
    f = frame("a", "1969-12-30", 4, 1.0, tz="Asia/Tokyo")
    rows = stage_frame(f)
    assert rows.names == ("t.a",) and rows.count == 4 and rows.unique_keys
    assert list(rows.starts) == [-2, -1, 0, 1]  # day numbers from 1970-01-01
    utc = f["published_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    assert (rows.published == utc.to_numpy(dtype="datetime64[ns]")).all()
    assert (rows.values == f["value"].to_numpy()).all()
    rows.release()
    assert rows.released and rows.count == 4 and len(rows.codes) == 0


def test_chunked_inserts_store_what_one_statement_stores(tmp_path, monkeypatch):
    # b's second payload overrides part of its first; c arrives in a payload of its own
    frames = [frame("a", "2020-01-01", 5, 1.0), frame("b", "2020-01-01", 6, 10.0)]
    frames += [frame("b", "2020-01-04", 5, 100.0), frame("c", "2020-02-01", 3, 7.0)]
    with Store(tmp_path / "one.duckdb") as one:
        counts_one = write(one, frames)
        expected = contents(one)
    monkeypatch.setattr(writes, "CHUNK_ROWS", 4)
    monkeypatch.setattr(store_core, "RAW_CHUNK_BYTES", 1)
    with Store(tmp_path / "chunked.duckdb") as chunked:
        counts_chunked = write(chunked, frames, staged=True)
        assert contents(chunked) == expected
    assert counts_chunked == counts_one
    assert (counts_one.added, counts_one.unchanged) == (16, 3)  # 3 rows of b shadowed
    b = [r for r in expected[0] if r[0] == "t.b"]
    assert [r[3] for r in b] == [10.0, 11.0, 12.0, 100.0, 101.0, 102.0, 103.0, 104.0]
    assert {r[6] for r in b[3:]} == {"test/2.csv"}


def test_a_staged_dataset_is_written_once(tmp_path):
    ds = stage_dataset(Dataset(frame("a", "2020-01-01", 3, 1.0), SPECS))
    payload = RawPayload("test", "http://127.0.0.1/x", "test/x.csv", b"x", datetime.now(UTC))
    with Store(tmp_path / "s.duckdb") as store:
        write_ = PayloadWrite(payload, ds, "ingested", "v1")
        assert store.write_source(run_id="r", source="test", writes=[write_]).added == 3
        assert ds.rows.released and len(ds) == 3
        with pytest.raises(ValueError, match="written once"):
            store.write_source(run_id="r", source="test", writes=[write_])


def test_a_missing_date_rolls_the_write_back(tmp_path):
    bad = frame("a", "2020-01-01", 3, 1.0)
    bad.loc[1, "period_end"] = pd.NaT
    with Store(tmp_path / "s.duckdb") as store:
        write(store, [frame("b", "2020-01-01", 2, 1.0)])
        before = store.table_digest()
        with pytest.raises(StoreError, match=r"rolled back.*period_end"):
            write(store, [frame("c", "2020-01-01", 2, 1.0), bad])
        assert store.table_digest() == before


def test_a_writer_that_must_not_create_refuses_a_foreign_file(tmp_path):
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).close()
    with pytest.raises(StoreError, match="not a yenflow store"):
        Store(foreign, create=False)
    with Store(tmp_path / "new.duckdb"):
        pass
    with Store(tmp_path / "new.duckdb", create=False) as store:
        assert store.schema_version >= 2


def test_heap_trim_is_safe_to_call():
    assert heap.trim() in (True, False)
