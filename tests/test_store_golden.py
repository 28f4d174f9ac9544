"""A full ``fetch --from`` of the real data stores, and the report made from that store says,
exactly what the reference code did.

- Store: ``tests/fixtures/golden/store_digest.json`` holds the periods, values and
  publication times of every series the ORIGINAL code stored, digested per series. Series
  added later by new sources or parsers are allowed; every series of the golden file must be
  there and identical.
- Report: ``tests/fixtures/golden/report_summary.json`` is every figure of the report
  (:meth:`yenflow.report.model.Report.summary`) made from that store with a fixed generation
  time, as the code before the issue "Speed at ten times the data" wrote it. The report must
  be identical, computed from scratch and through the analysis cache (filled, then read).
  The only field masked is the sources' last fetch date, which is the day the test runs.

Regenerate the report golden only for an intended change of what the report says (and say
why in the commit): ``python -m tests.golden --report STORE > report_summary.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.golden import GOLDEN_GENERATED_AT, report_json, store_digests
from yenflow.analysis_cache import AnalysisCache
from yenflow.config import Settings
from yenflow.refresh import refresh

GOLDEN = FIXTURES / "golden" / "store_digest.json"
REPORT_GOLDEN = FIXTURES / "golden" / "report_summary.json"


@pytest.fixture(scope="module")
def fetched_store(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled by one full fetch of the real data with default settings."""
    path = tmp_path_factory.mktemp("golden") / "store.duckdb"
    settings = Settings.from_env({"YENFLOW_STORE": str(path)})
    result = refresh(settings=settings, store=settings.store_path, snapshot_dir=real_data)
    assert result.ok, result.summary()
    return path


@pytest.mark.realdata
def test_a_full_fetch_stores_what_the_original_code_stored(fetched_store: Path):
    golden = json.loads(GOLDEN.read_text())
    got = store_digests(fetched_store)
    missing = sorted(set(golden) - set(got))
    differ = sorted(k for k in golden if k in got and got[k] != golden[k])
    assert not missing, f"series no longer stored: {missing[:10]}"
    assert not differ, f"series whose stored periods, values or times changed: {differ[:10]}"


def _first_difference(got: str, want: str) -> str:
    for number, (a, b) in enumerate(zip(got.splitlines(), want.splitlines(), strict=False), 1):
        if a != b:
            return f"line {number}: got {a.strip()[:160]!r}, golden {b.strip()[:160]!r}"
    return f"lengths differ: {len(got.splitlines())} lines, golden {len(want.splitlines())}"


@pytest.mark.realdata
def test_the_report_of_that_store_says_what_the_reference_code_said(
    fetched_store: Path, tmp_path: Path
):
    want = REPORT_GOLDEN.read_text()
    cache = AnalysisCache(tmp_path / "cache")
    for label, kwargs in (
        ("computed from scratch", {"cache": None}),
        ("through an empty analysis cache", {"cache": cache}),
        ("read from the analysis cache", {"cache": cache}),
    ):
        got = report_json(fetched_store, **kwargs)
        assert got == want, f"report {label} (generated at {GOLDEN_GENERATED_AT}) differs: " + (
            _first_difference(got, want)
        )
