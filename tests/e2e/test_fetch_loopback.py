"""End to end: `yenflow fetch` over real HTTP against a loopback server of the real files.

The server (tests/e2e/loopback.py) serves YENFLOW_TEST_DATA under the official URL
shapes on 127.0.0.1. The CLI runs as a subprocess with each source's base URL
pointed there, exactly as a user would run it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.loopback import DataServer
from yenflow.store import Store

# Sources whose official URL shapes the loopback server can serve from the data folder.
SOURCES = ["mof", "jgb", "tic", "fred", "cftc"]
# FRED series present in the data folder in FRED's own format.
FRED_IN_DATA = "DEXJPUS,DTB3,DGS2,DGS10,IR3TIB01JPM156N,SP500,VIXCLS,EXJPUS,CBBTCUSD,BAMLH0A0HYM2"


def run_fetch(env: dict[str, str], *args: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "yenflow", "fetch", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.stdout.strip(), f"no output; stderr: {proc.stderr}"
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"fetch printed no JSON:\n{proc.stdout}\n{proc.stderr}")
    return proc.returncode, result


def by_source(result: dict) -> dict[str, dict]:
    return {row["source"]: row for row in result["sources"]}


def _env(server: DataServer, store: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("YENFLOW_", "FRED_"))}
    return {
        **base,
        **server.env(),
        "YENFLOW_STORE": str(store),
        "YENFLOW_FRED_SERIES": FRED_IN_DATA,
        "YENFLOW_TIMEOUT": "3",  # generous: a loaded 2-core CI machine must not time out
        "YENFLOW_RETRIES": "1",
        "YENFLOW_BACKOFF": "0.05",
    }


@pytest.fixture(scope="session")
def session_server(real_data: Path):
    with DataServer(real_data, stall_s=7.0) as srv:
        yield srv


@pytest.fixture
def server(session_server: DataServer):
    """The session's loopback server, with no faults and fresh counters for each test."""
    session_server.faults = {}
    session_server.reset_counts()
    yield session_server
    session_server.faults = {}


@pytest.fixture(scope="session")
def baseline(session_server: DataServer, tmp_path_factory) -> tuple[Path, dict, int]:
    """ONE full fetch of every source into a store, shared by the tests (each gets a copy):
    the store's path, the fetch's JSON result and the bytes the server sent for it."""
    store = tmp_path_factory.mktemp("baseline") / "store.duckdb"
    session_server.reset_counts()
    code, result = run_fetch(_env(session_server, store), *SOURCES)
    assert code == 0, result
    return store, result, session_server.bytes_served


@pytest.fixture
def env(server: DataServer, tmp_path: Path) -> dict[str, str]:
    """An empty store for this test."""
    return _env(server, tmp_path / "store.duckdb")


@pytest.fixture
def env_with_baseline(server: DataServer, baseline, tmp_path: Path) -> dict[str, str]:
    """A copy of the shared baseline store for this test."""
    store = tmp_path / "store.duckdb"
    shutil.copyfile(baseline[0], store)
    return _env(server, store)


def digest(env: dict[str, str]) -> dict[str, str]:
    with Store(env["YENFLOW_STORE"], read_only=True) as store:
        return store.table_digest()


@pytest.mark.realdata
def test_fetch_then_refetch_downloads_nothing_and_changes_nothing(
    server, baseline, env_with_baseline, tmp_path
):
    _, first, served = baseline
    env = env_with_baseline
    rows = by_source(first)
    for name in SOURCES:
        assert rows[name]["status"] == "ok", rows[name]
        assert rows[name]["added"] > 0
    assert served > 1_000_000
    before = digest(env)

    server.reset_counts()
    code, second = run_fetch(env, *SOURCES)
    rows = by_source(second)
    assert code == 0, second
    for name in SOURCES:
        assert rows[name]["status"] == "unchanged", rows[name]
        assert rows[name]["added"] == 0 and rows[name]["revised"] == 0
        assert rows[name]["not_modified"] >= 1 and rows[name]["unchanged"] > 0
    assert server.bytes_served == 0, "a conditional request must not download again"
    assert set(server.statuses) <= {304, 404}, server.statuses
    assert digest(env) == before

    # --save-raw writes the snapshot layout; --from reads it back into a fresh store
    snap = tmp_path / "snap"
    code, _ = run_fetch(env, *SOURCES, "--save-raw", str(snap))
    assert code == 0
    assert (snap / "mof" / "week.csv").read_bytes() == (
        server.data_dir / "mof/week.csv"
    ).read_bytes()
    other = {**env, "YENFLOW_STORE": str(tmp_path / "other.duckdb")}
    code, third = run_fetch(other, *SOURCES, "--from", str(snap))
    assert code == 0, third
    with (
        Store(env["YENFLOW_STORE"], read_only=True) as a,
        Store(other["YENFLOW_STORE"], read_only=True) as b,
    ):
        pd.testing.assert_frame_equal(a.observations(), b.observations())


@pytest.mark.realdata
def test_faults_leave_the_store_unchanged_and_other_sources_done(server, env_with_baseline):
    env = env_with_baseline
    before = digest(env)

    server.faults = {
        "/mof/": "short",  # a complete-looking but truncated file
        "/tic/": "500",  # a server error, retried, then given up
        "/fred/": "stall",  # a server that never answers
        "/jgb/": "html",  # an HTML error page instead of the CSV
        "/cftc": "truncate",  # the connection drops mid-body (files and API)
    }
    code, result = run_fetch(env, *SOURCES)
    rows = by_source(result)
    assert code == 1
    for name in SOURCES:
        assert rows[name]["status"] == "failed", rows[name]
    assert "week.csv" in rows["mof"]["failures"]
    assert "HTTP 500" in rows["tic"]["failures"]
    assert "timed out" in rows["fred"]["failures"]
    assert "HTML" in rows["jgb"]["failures"]
    assert digest(env) == before


@pytest.mark.realdata
def test_one_failing_source_does_not_stop_the_others(server, env):
    server.faults = {"/tic/": "500", "/mof/": "stall", "/jgb/data/": "503-once"}
    code, result = run_fetch(env, *SOURCES)
    rows = by_source(result)
    assert code == 1
    assert rows["tic"]["status"] == "failed" and rows["mof"]["status"] == "failed"
    assert rows["jgb"]["status"] == "ok"  # the 503 was retried
    assert rows["fred"]["status"] == "ok" and rows["cftc"]["status"] in ("ok", "partial")
    with Store(env["YENFLOW_STORE"], read_only=True) as store:
        held = store.series_table()
    sources_held = set(held.loc[held["observations"] > 0, "source"])
    assert {"jgb", "fred"} <= sources_held
    assert not {"tic", "mof"} & sources_held
