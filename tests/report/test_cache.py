"""The analysis cache: content keys, safe storage, and a cached report equal to a computed one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yenflow import pipeline
from yenflow.analysis_cache import AnalysisCache, default_cache, frame_digest
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


def test_a_cached_report_is_the_computed_one_and_changed_inputs_miss(
    real_obs: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    uncached = summary_json(real_obs, None)
    cold = summary_json(real_obs, cache)
    stored = sorted(cache.directory.rglob("*.pickle"))
    assert len(stored) == 4  # the chain, the event study, the sweep, the attribution

    runs: list[str] = []
    real_run = pipeline.FrameAnalysis.run

    def counted(self: pipeline.FrameAnalysis, frame: pd.DataFrame) -> object:
        runs.append(self.function)
        return real_run(self, frame)

    monkeypatch.setattr(pipeline.FrameAnalysis, "run", counted)
    warm = summary_json(real_obs, cache)
    assert runs == []  # every Bitcoin result read back, none recomputed
    assert uncached == cold == warm

    # one BTC close changed: every Bitcoin analysis reads it (and the attribution reads every
    # observation), so each misses and recomputes
    btc = real_obs.index[real_obs["series_id"].isin(pipeline._BTC_OPTIONAL)][-1]
    changed = real_obs.copy()
    changed.loc[btc, "value"] *= 1.5
    summary_json(changed, cache)
    assert sorted(runs) == ["lab_chain", "lab_events", "lab_sweep"]
    assert len(list(cache.directory.rglob("*.pickle"))) == 8
