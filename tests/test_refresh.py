"""The refresh orchestrator, in process: an injected httpx transport (no sockets), real
parsers on small fixtures in the sources' formats, a real store in a temp folder.

Covers the status rules, per-source rollback, precedence between a source's payloads
whether or not each changed, re-parsing stored bytes (new parser version, 304s), re-stamps
after a release-rule change, 304s without validators, --save-raw, row counts of unchanged
files, the store closed during downloads, and Ctrl-C.
"""

from __future__ import annotations

import _thread
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.conftest import FIXTURES
from yenflow import refresh as refresh_module
from yenflow import releases
from yenflow.config import Settings
from yenflow.errors import ConfigError
from yenflow.refresh import RefreshInterrupted, module_closure, parser_version, refresh
from yenflow.sources.tic import TicSource
from yenflow.store import Store

BASE = "http://127.0.0.1:9"
TIC_CURRENT = (FIXTURES / "tic" / "mfh.txt").read_bytes()
JGB = (FIXTURES / "jgb" / "jgbcm.csv").read_bytes()
JAPAN = "tic.holdings.japan"
DEC_2024 = pd.Timestamp("2024-12-01")


def edit_tic(content: bytes, row: str, column: int, delta: float) -> bytes:
    """``content`` with ``row``'s value ``column`` (0 = newest) and Grand Total moved by
    ``delta`` (so the table still adds up)."""
    lines = content.decode().split("\n")
    for name in (row, "Grand Total"):
        i = next(k for k, line in enumerate(lines) if line.split("\t")[0].strip() == name)
        cells = lines[i].split("\t")
        cells[column + 1] = f"{float(cells[column + 1]) + delta:g}"
        lines[i] = "\t".join(cells)
    return "\n".join(lines).encode()


#: the history as it was before the current table revised Japan's December 2024 holdings
TIC_HISTORY = edit_tic(TIC_CURRENT, "Japan", 12, -61.5)


class Server:
    """A MockTransport handler: files by path, ETags, 304s to a matching If-None-Match."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = dict(files)
        self.hits: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.force: dict[str, int] = {}  # path -> status to answer regardless
        self.on_request = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.hits[path] += 1
        if self.on_request is not None:
            self.on_request(request)
        if path in self.force:
            return self._answer(httpx.Response(self.force[path]))
        if path not in self.files:
            return self._answer(httpx.Response(404))
        body = self.files[path]
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return self._answer(httpx.Response(304, headers={"ETag": etag}))
        return self._answer(httpx.Response(200, content=body, headers={"ETag": etag}))

    def _answer(self, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] += 1
        return response

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "YENFLOW_STORE": str(tmp_path / "store.duckdb"),
            "YENFLOW_TIC_BASE_URL": f"{BASE}/tic/",
            "YENFLOW_JGB_BASE_URL": f"{BASE}/jgb/",
            "YENFLOW_RETRIES": "0",
            "YENFLOW_BACKOFF": "0",
            "YENFLOW_TIMEOUT": "5",
        }
    )


@pytest.fixture
def server() -> Server:
    return Server(
        {
            "/tic/mfhhis01.txt": TIC_HISTORY,
            "/tic/mfh.txt": TIC_CURRENT,
            "/jgb/data/jgbcm_all.csv": JGB,
            "/jgb/jgbcm.csv": JGB,
        }
    )


def run(settings: Settings, server: Server, sources=("tic",), **kwargs):
    result = refresh(
        list(sources),
        settings=settings,
        store=settings.store_path,
        transport=server.transport(),
        sleep=lambda _s: None,
        **kwargs,
    )
    return result, {o.source: o for o in result.outcomes}


def value(settings: Settings, series_id: str, period: pd.Timestamp) -> float:
    with Store.open(settings.store_path, read_only=True) as store:
        frame = store.observations([series_id])
    return float(frame.loc[frame["period_start"] == period, "value"].iloc[0])


def snapshot(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "snap"
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root


# -- status rules ---------------------------------------------------------------------
def test_status_ok_then_unchanged_with_304s(settings, server):
    result, out = run(settings, server)
    assert out["tic"].status == "ok" and out["tic"].added > 0 and result.ok
    result, out = run(settings, server)
    assert out["tic"].status == "unchanged"
    assert out["tic"].not_modified == 2 and out["tic"].added == 0
    assert server.statuses[304] == 2


def test_status_partial_and_failed(settings, server):
    server.force["/tic/mfh.txt"] = 500
    result, out = run(settings, server, sources=("tic", "jgb"))
    assert out["tic"].status == "partial" and "HTTP 500" in out["tic"].failures[0]
    assert out["jgb"].status == "ok"
    assert not result.ok
    server.force["/tic/mfhhis01.txt"] = 500
    _, out = run(settings, server)
    assert out["tic"].status == "failed"


def test_status_absent_in_snapshot_mode(settings, server, tmp_path):
    snap = snapshot(tmp_path, {"jgb/jgbcm_all.csv": JGB})
    result, out = run(settings, server, sources=("tic", "jgb"), snapshot_dir=snap)
    assert out["tic"].status == "absent" and out["jgb"].status == "ok" and result.ok


def test_a_parse_failure_rolls_back_its_source_only(settings, server):
    server.files["/tic/mfh.txt"] = b"not a TIC table\n"
    _, out = run(settings, server, sources=("tic", "jgb"))
    assert out["tic"].status == "failed" and out["jgb"].status == "ok"
    with Store.open(settings.store_path, read_only=True) as store:
        held = store.series_table()
        log = store.fetch_log()
    assert not (held["source"] == "tic").any(), "the history must not be written alone"
    assert "parse-error" in set(log.loc[log["source"] == "tic", "status"])


# -- precedence between a source's payloads (issue 7.1) --------------------------------
def test_precedence_holds_when_only_the_history_changes_snapshot(settings, server, tmp_path):
    files = {"tic/mfhhis01.txt": TIC_HISTORY, "tic/mfh.txt": TIC_CURRENT}
    run(settings, server, snapshot_dir=snapshot(tmp_path, files))
    assert value(settings, JAPAN, DEC_2024) == 1061.5  # the current table wins
    # the history changes elsewhere (China, newest month); the current table does not
    files["tic/mfhhis01.txt"] = edit_tic(TIC_HISTORY, "Belgium", 0, 1.0)
    _, out = run(settings, server, snapshot_dir=snapshot(tmp_path, files))
    assert value(settings, JAPAN, DEC_2024) == 1061.5
    assert out["tic"].reparsed == 1  # the unchanged current table, parsed again
    with Store.open(settings.store_path, read_only=True) as store:
        assert store.revisions(JAPAN).empty


def test_precedence_holds_when_the_current_table_answers_304(settings, server):
    run(settings, server)
    server.files["/tic/mfhhis01.txt"] = edit_tic(TIC_HISTORY, "Belgium", 0, 1.0)
    _, out = run(settings, server)
    assert server.statuses[304] == 1  # the current table did not change
    assert out["tic"].reparsed == 1 and out["tic"].status in ("ok", "unchanged")
    assert value(settings, JAPAN, DEC_2024) == 1061.5


# -- re-parsing and the parse version (issues 6.2, 7.4) --------------------------------
def test_same_bytes_same_parser_are_not_parsed(settings, server, tmp_path, monkeypatch):
    snap = snapshot(tmp_path, {"tic/mfhhis01.txt": TIC_HISTORY, "tic/mfh.txt": TIC_CURRENT})
    run(settings, server, snapshot_dir=snap)

    def boom(self, payload):
        raise AssertionError("parsed again")

    monkeypatch.setattr(TicSource, "parse", boom)
    _, out = run(settings, server, snapshot_dir=snap)
    assert out["tic"].status == "unchanged" and out["tic"].skipped == 2


def test_a_new_parser_version_reparses_the_stored_bytes_after_304(settings, server, monkeypatch):
    run(settings, server)
    monkeypatch.setattr(refresh_module, "parser_version", lambda cls: "fixed-parser")
    _, out = run(settings, server)
    assert server.statuses[304] == 2 and out["tic"].reparsed == 2
    assert out["tic"].status == "unchanged" and out["tic"].failures == ()
    with Store.open(settings.store_path, read_only=True) as store:
        log = store.fetch_log()
    assert (log.loc[log["status"] == "reparsed", "parser_version"] == "fixed-parser").sum() == 2
    _, out = run(settings, server)  # now known: nothing parsed
    assert out["tic"].reparsed == 0


def test_the_parse_version_covers_everything_a_parse_imports(monkeypatch):
    names = {name for name, _ in module_closure("yenflow.sources.tic")}
    assert {
        "yenflow.sources.tic",
        "yenflow.sources.parsing",
        "yenflow.sources.base",
        "yenflow.frame",
        "yenflow.payload",
        "yenflow.releases",
    } <= names
    assert "yenflow.http" not in names  # imported for type checking only
    before = parser_version(TicSource)
    releases_file = dict(module_closure("yenflow.sources.tic"))["yenflow.releases"]
    real = Path.read_bytes

    def edited(self: Path) -> bytes:
        data = real(self)
        return data + b"\n# a changed release rule\n" if self == releases_file else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert parser_version(TicSource) != before


def test_a_release_rule_change_restamps_stored_rows(settings, server, monkeypatch):
    run(settings, server)
    with Store.open(settings.store_path, read_only=True) as store:
        old = store.observations([JAPAN], with_available=True)
    rule = releases.tic_monthly
    monkeypatch.setattr(releases, "tic_monthly", lambda d: rule(d) + pd.Timedelta(days=2))
    monkeypatch.setattr(refresh_module, "parser_version", lambda cls: "new-release-rule")
    _, out = run(settings, server)
    tic = out["tic"]
    assert tic.status == "ok" and tic.added == 0 and tic.revised == 0
    with Store.open(settings.store_path, read_only=True) as store:
        new = store.observations([JAPAN], with_available=True)
        total = int(store.series_table()["observations"].sum())
        log = store.fetch_log()
    assert tic.restamped == total  # every stored row got its corrected time
    assert (new["value"] == old["value"]).all()
    assert (new["published_at"] == old["published_at"] + pd.Timedelta(days=2)).all()
    # stored long after publication: available from the (new) publication time
    assert (new["available_at"] == new["published_at"]).all()
    assert log["rows_restamped"].fillna(0).sum() == total
    assert "restamped" in pd.DataFrame(run(settings, server)[0].records()).columns


# -- 304 without validators (7.2), --save-raw (7.5, 6.8), unchanged counts (7.18) ---------
def test_a_304_to_a_request_without_validators_is_a_failure(settings, server):
    server.force = {"/tic/mfhhis01.txt": 304, "/tic/mfh.txt": 304}
    result, out = run(settings, server)
    assert out["tic"].status == "failed" and not result.ok
    assert "sent no validator" in out["tic"].failures[0]
    with Store.open(settings.store_path, read_only=True) as store:
        assert store.series_table().empty


def test_save_raw_after_304_writes_the_stored_bytes(settings, server, tmp_path):
    run(settings, server)
    saved = tmp_path / "saved"
    _, out = run(settings, server, save_raw=saved)
    assert out["tic"].not_modified == 2
    assert (saved / "tic" / "mfh.txt").read_bytes() == TIC_CURRENT
    assert (saved / "tic" / "mfhhis01.txt").read_bytes() == TIC_HISTORY


def test_an_unusable_save_raw_path_fails_before_any_download(settings, server, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="--save-raw"):
        run(settings, server, save_raw=blocker / "raw")
    assert not server.hits


def test_a_save_raw_failure_never_loses_the_download(settings, server, tmp_path):
    saved = tmp_path / "saved"
    (saved / "tic" / "mfh.txt").mkdir(parents=True)  # a folder where the file must go
    _, out = run(settings, server, save_raw=saved)
    assert out["tic"].status == "partial"
    assert "--save-raw could not write" in " ".join(out["tic"].failures)
    assert value(settings, JAPAN, DEC_2024) == 1061.5  # stored all the same


def test_unchanged_counts_every_row_of_an_unchanged_file(settings, server):
    _, first = run(settings, server)
    rows = first["tic"].added + first["tic"].unchanged  # both files' rows
    server.files["/tic/mfh.txt"] = edit_tic(TIC_CURRENT, "Japan", 0, 0.5)  # one revision
    run(settings, server)
    _, out = run(settings, server)
    assert out["tic"].status == "unchanged" and out["tic"].unchanged == rows


# -- the store during downloads (7.11) and Ctrl-C (7.13) --------------------------------
def test_readers_can_open_the_store_while_a_fetch_downloads(settings, server):
    run(settings, server)
    seen: list[int] = []

    def read_during_download(request: httpx.Request) -> None:
        with Store.open(settings.store_path, read_only=True, lock_wait=0) as store:
            seen.append(len(store.series_table()))

    server.on_request = read_during_download
    _, out = run(settings, server)
    assert out["tic"].status == "unchanged" and seen and all(n > 0 for n in seen)


def test_ctrl_c_stops_promptly_and_says_what_was_kept(settings, server):
    release = threading.Event()

    def stall_tic(request: httpx.Request) -> None:
        if request.url.path.startswith("/tic/"):
            release.wait(20)

    server.on_request = stall_tic
    jgb_written = threading.Event()
    pressed_at: list[float] = []

    def progress(source: str, message: str) -> None:
        if source == "jgb" and message in ("ok", "unchanged"):
            jgb_written.set()

    def press_ctrl_c() -> None:
        if jgb_written.wait(60):
            time.sleep(0.2)
            pressed_at.append(time.monotonic())
            _thread.interrupt_main()

    timer = threading.Thread(target=press_ctrl_c, daemon=True)
    timer.start()
    try:
        with pytest.raises(RefreshInterrupted) as caught:
            run(settings, server, sources=("jgb", "tic"), progress=progress)
        stopped = time.monotonic()
    finally:
        release.set()
    assert jgb_written.is_set() and pressed_at
    assert stopped - pressed_at[0] < 3  # not the 20 s the stalled request would take
    assert [o.source for o in caught.value.result.outcomes] == ["jgb"]
    assert caught.value.pending == ("tic",)
    assert "written: jgb" in str(caught.value) and "tic" in str(caught.value)
    with Store.open(settings.store_path, read_only=True) as store:
        assert set(store.series_table()["source"]) == {"jgb"}
