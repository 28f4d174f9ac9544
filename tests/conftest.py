"""Shared fixtures: the real raw files (YENFLOW_TEST_DATA) and an isolated settings object."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from yenflow.config import Settings
from yenflow.payload import RawPayload

# CI runs the property tests derandomized (a fixed example sequence), so a submission's CI
# result does not depend on luck; developers' runs explore new random examples each time.
# no per-example deadline: the machines are shared and noisy, and speed is shown by benchmarks
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
hypothesis_settings.register_profile("dev", print_blob=True, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def real_data_dir() -> Path | None:
    """The folder of real raw files, or None if it is absent."""
    raw = os.environ.get("YENFLOW_TEST_DATA")
    path = Path(raw) if raw else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Path of the real raw data folder; skips the test with a reason if it is missing."""
    path = real_data_dir()
    if path is None:
        pytest.skip(
            "real raw data not found: set YENFLOW_TEST_DATA to the shared data folder "
            "(default ../shared/data next to the repository)"
        )
    return path


def load_payload(real_data: Path, relative: str) -> RawPayload:
    """A RawPayload for one real file, as the snapshot reader would build it."""
    path = real_data / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in the real data folder {real_data}")
    return RawPayload.from_bytes(
        path.read_bytes(), source=relative.split("/")[0], raw_path=relative
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh store in tmp_path, fast timeouts, no env leakage."""
    return Settings.from_env(
        {}, store_path=tmp_path / "store.duckdb", timeout_s=5.0, retries=1, backoff_s=0.01
    )


@pytest.fixture(autouse=True, scope="session")
def _private_analysis_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """CLI runs under test keep the analysis cache in a temporary folder, never the user's."""
    before = os.environ.get("YENFLOW_CACHE_DIR")
    os.environ["YENFLOW_CACHE_DIR"] = str(tmp_path_factory.mktemp("analysis-cache"))
    yield
    if before is None:
        os.environ.pop("YENFLOW_CACHE_DIR", None)
    else:
        os.environ["YENFLOW_CACHE_DIR"] = before
