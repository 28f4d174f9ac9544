"""The store's contents after a full ``fetch --from`` of the real data are exactly those the
original code wrote (``tests/fixtures/golden/``: periods, values and publication times of
every series, digested per series). Series added later by new sources or parsers are allowed;
every series of the golden file must be there and identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.golden import store_digests
from yenflow.config import Settings
from yenflow.refresh import refresh

GOLDEN = FIXTURES / "golden" / "store_digest.json"


@pytest.mark.realdata
def test_a_full_fetch_stores_what_the_original_code_stored(real_data: Path, tmp_path: Path):
    settings = Settings.from_env({"YENFLOW_STORE": str(tmp_path / "store.duckdb")})
    result = refresh(settings=settings, store=settings.store_path, snapshot_dir=real_data)
    assert result.ok, result.summary()
    golden = json.loads(GOLDEN.read_text())
    got = store_digests(settings.store_path)
    missing = sorted(set(golden) - set(got))
    differ = sorted(k for k in golden if k in got and got[k] != golden[k])
    assert not missing, f"series no longer stored: {missing[:10]}"
    assert not differ, f"series whose stored periods, values or times changed: {differ[:10]}"
