"""The analysis cache: content keys, safe storage, and a cached report equal to a computed one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yenflow import pipeline
from yenflow.analysis_cache import AnalysisCache, default_cache, frame_digest, segment_digests
from yenflow.report import build_report

GENERATED = pd.Timestamp("2025-06-01 12:00", tz="UTC")
LAB = "yenflow.analytics.bitcoin.lab"


def small_frame() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=5)
    return pd.DataFrame(
        {
            "series_id": pd.Series(["fred.DEXJPUS"] * 5, dtype="str"),
            "period_start": days,
            "period_end": days,
            "value": np.array([150.0, 151.5, 149.0, 148.25, 152.0]),
            "published_at": (days + pd.Timedelta(hours=20)).tz_localize("UTC"),
        }
    )


def test_the_frame_digest_sees_every_value_time_id_and_the_order() -> None:
    base = small_frame()
    assert frame_digest(base) == frame_digest(small_frame())
    value = base.copy()
    value.loc[2, "value"] = 149.0000001
    published = base.copy()
    published.loc[4, "published_at"] += pd.Timedelta(seconds=1)
    renamed = base.copy()
    renamed.loc[0, "series_id"] = "fred.DEXJPUX"
    digests = {
        frame_digest(f) for f in (base, value, published, renamed, base.iloc[::-1], base.iloc[:4])
    }
    assert len(digests) == 6


def _bounds(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    ids = frame["series_id"].tolist()
    return {s: (ids.index(s), len(ids) - ids[::-1].index(s)) for s in dict.fromkeys(ids)}


def test_each_series_digest_sees_only_its_own_rows() -> None:
    one = small_frame()
    two = pd.concat(
        [one, small_frame().assign(series_id="fred.DGS10", value=lambda f: f["value"] / 40)],
        ignore_index=True,
    )
    digests = segment_digests(two, _bounds(two))
    assert digests["fred.DEXJPUS"] == segment_digests(one, _bounds(one))["fred.DEXJPUS"]
    assert digests["fred.DEXJPUS"] != digests["fred.DGS10"]
    for column, change in (
        ("value", 1e-9),
        ("published_at", pd.Timedelta(microseconds=1)),
        ("period_end", pd.Timedelta(days=1)),
    ):
        changed = two.copy()
        changed.loc[7, column] += change  # a DGS10 row
        after = segment_digests(changed, _bounds(changed))
        assert after["fred.DEXJPUS"] == digests["fred.DEXJPUS"], column
        assert after["fred.DGS10"] != digests["fred.DGS10"], column
    shorter = two.drop(index=9).reset_index(drop=True)
    assert segment_digests(shorter, _bounds(shorter))["fred.DGS10"] != digests["fred.DGS10"]


def test_the_key_covers_name_function_code_and_data(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path)
    frame = small_frame()
    key = cache.key("btc.events", LAB, "lab_events", frame)
    assert key == cache.key("btc.events", LAB, "lab_events", small_frame())
    other = frame.assign(value=frame["value"] * 1.01)
    assert (
        len(
            {
                key,
                cache.key("btc.sweep", LAB, "lab_events", frame),
                cache.key("btc.events", LAB, "lab_sweep", frame),
                cache.key("btc.events", "yenflow.analytics.bitcoin.events", "lab_events", frame),
                cache.key("btc.events", LAB, "lab_events", other),
            }
        )
        == 5
    )


def test_stored_results_round_trip_and_bad_entries_are_misses(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    result = {"array": np.arange(4.0), "when": pd.Timestamp("2024-08-05")}
    key = "ab" + "0" * 62
    assert cache.load(key) == (False, None)
    assert cache.store(key, result)
    found, back = cache.load(key)
    assert found and back["when"] == result["when"]
    np.testing.assert_array_equal(back["array"], result["array"])
    path = cache.path(key)
    data = path.read_bytes()
    for broken in (data[:-3], data[:-1] + bytes([data[-1] ^ 1]), b"", b"not a cache file"):
        path.write_bytes(broken)
        assert cache.load(key) == (False, None)
        assert not path.exists()  # removed, so the next store replaces it


def test_an_unwritable_cache_never_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    cache = AnalysisCache(blocker)
    assert cache.store("cd" + "0" * 62, [1, 2]) is False
    assert cache.store("cd" + "1" * 62, lambda: None) is False  # unpicklable
    assert cache.load("cd" + "0" * 62) == (False, None)


def test_the_default_cache_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache({"YENFLOW_CACHE_DIR": "off"}) is None
    chosen = default_cache({"YENFLOW_CACHE_DIR": str(tmp_path)})
    assert chosen is not None and chosen.directory == tmp_path
    assert default_cache({}) is not None


# ------------------------------------------------------------------ the report, real data


def summary_json(obs: pd.DataFrame, cache: AnalysisCache | None) -> str:
    report = build_report(obs, generated_at=GENERATED, on_error="raise", cache=cache)
    return json.dumps(report.summary(), default=str, sort_keys=True)


def _count_computes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every entry the bundle computes (a cache miss, or no cache)."""
    runs: list[str] = []
    for name, entry in pipeline.ENTRIES.items():

        def counted(a: pipeline.Analyses, name: str = name, entry=entry) -> object:
            runs.append(name)
            return entry.compute(a)

        monkeypatch.setitem(pipeline.ENTRIES, name, replace(entry, compute=counted))
    return runs


def _changed(obs: pd.DataFrame, series_id: str) -> pd.DataFrame:
    """``obs`` with the last value of ``series_id`` half as large again."""
    row = obs.index[obs["series_id"] == series_id][-1]
    changed = obs.copy()
    changed.loc[row, "value"] *= 1.5
    return changed


def test_a_cached_report_is_the_computed_one_and_changed_inputs_miss(
    real_obs: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    uncached = summary_json(real_obs, None)
    runs = _count_computes(monkeypatch)
    cold = summary_json(real_obs, cache)
    computed = set(runs)
    # every analysis of the bundle declares its inputs, so each one computed is stored
    assert {"carry", "holdings", "attribution", "btc.sweep"} <= computed
    assert all(pipeline.ENTRIES[n].cache_inputs is not None for n in computed)
    assert len(list(cache.directory.rglob("*.pickle"))) == len(computed) == len(runs)

    runs.clear()
    warm = summary_json(real_obs, cache)
    assert runs == []  # every result read back, none recomputed
    assert uncached == cold == warm

    # one BTC close changed: every Bitcoin analysis reads it (and the attribution reads every
    # observation), so those miss and recompute; nothing else does
    btc = next(s for s in pipeline._BTC_OPTIONAL if (real_obs["series_id"] == s).any())
    summary_json(_changed(real_obs, btc), cache)
    assert sorted(runs) == ["attribution", "btc.chain", "btc.events", "btc.sweep"]

    # one weekly MoF flow changed: only its windows (and the attribution) recompute, and the
    # result is the one computed without a cache
    runs.clear()
    flow = pipeline.weekly_series_id("inward", "equity")
    changed = _changed(real_obs, flow)
    cached = summary_json(changed, cache)
    assert sorted(runs) == ["attribution", "flows.inward.equity"]
    assert cached == summary_json(changed, None)


def test_an_analysis_reads_exactly_its_declared_series(real_obs: pd.DataFrame) -> None:
    """The cache key of an entry is the frame of the series it declares: a series outside
    it leaves the key alone, one inside it changes the key."""
    cache = AnalysisCache("unused")
    bundle = pipeline.analyse(real_obs)
    holdings = pipeline.analyse(_changed(real_obs, pipeline.GRAND_TOTAL))

    def key(a: pipeline.Analyses, name: str) -> str:
        inputs = pipeline.ENTRIES[name].cache_inputs(a)  # type: ignore[misc]
        return cache.key_of_digest(name, inputs.module, inputs.detail, a.data_digest(inputs.series))

    assert key(bundle, "holdings") != key(holdings, "holdings")
    for name in ("carry", "flows.outward.equity", "investors", "positioning", "btc.sweep"):
        assert key(bundle, name) == key(holdings, name)
