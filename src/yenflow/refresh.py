"""Refreshing the store: fetch sources concurrently, parse, write one transaction per source.

:func:`refresh` is what ``yenflow fetch`` and ``yenflow report`` call. For each
source, in its own worker thread, it fetches every payload (network or raw
snapshot), skips payloads whose bytes were already ingested by the same parser
(so a no-change refresh parses nothing), and parses the rest. The main thread
then writes each source in one transaction as soon as it is ready. A source
whose download or parse fails is reported and leaves its data in the store as
they were; the other sources go on.

Status of a source in the result:

``ok``        new or revised rows were written
``unchanged`` everything fetched was identical to what the store holds
``partial``   some requests failed, the others were written
``failed``    nothing could be written (all requests failed, or a payload did not parse)
``absent``    the snapshot folder has nothing for this source (or only optional files
              were requested and none exists): not a failure
"""

from __future__ import annotations

import hashlib
import inspect
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import httpx
import pandas as pd

from yenflow import __version__
from yenflow.config import Settings
from yenflow.errors import (
    AbsentError,
    ConfigError,
    FetchError,
    ParseError,
    StoreError,
    YenflowError,
)
from yenflow.http import Fetcher
from yenflow.payload import RawPayload
from yenflow.sources import get_source_class, source_names
from yenflow.sources.base import Source
from yenflow.store import PayloadWrite, Store, WriteCounts

__all__ = ["RefreshResult", "SourceOutcome", "refresh"]

Status = Literal["ok", "unchanged", "partial", "failed", "absent"]
ProgressCallback = Callable[[str, str], None]


@dataclass(frozen=True)
class SourceOutcome:
    """What one source's refresh did.

    Attributes:
        added, revised, unchanged: observation rows.
        downloaded: payloads received with content (downloaded, or read from the
        snapshot folder); ``not_modified``: 304 answers;
        skipped: payloads whose bytes were already ingested; ``bytes``: content size.
        failures: one message per failed request or parse (source, URL or file, reason).
        notes: absent optional files, files not in the snapshot.
    """

    source: str
    status: Status
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    downloaded: int = 0
    not_modified: int = 0
    skipped: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefreshResult:
    """The outcome of one refresh run, source by source."""

    run_id: str
    outcomes: tuple[SourceOutcome, ...]
    snapshot_dir: Path | None = None
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True if no source failed, even partly."""
        return all(o.status in ("ok", "unchanged", "absent") for o in self.outcomes)

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "source": o.source,
                "status": o.status,
                "added": o.added,
                "revised": o.revised,
                "unchanged": o.unchanged,
                "downloaded": o.downloaded,
                "not_modified": o.not_modified,
                "skipped": o.skipped,
                "bytes": o.bytes,
                "seconds": round(o.seconds, 3),
                "failures": " | ".join(o.failures),
                "notes": " | ".join(o.notes),
            }
            for o in self.outcomes
        ]
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "sources": self.to_frame().to_dict(orient="records"),
        }


def parser_version(source_cls: type[Source]) -> str:
    """yenflow's version plus a digest of the source's module: a parser change re-parses."""
    module = inspect.getmodule(source_cls)
    text = inspect.getsource(module) if module else ""
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return f"{__version__}+{digest}"


@dataclass
class _Collected:
    source: str
    writes: list[PayloadWrite] = field(default_factory=list)
    failures: list[FetchError | ParseError] = field(default_factory=list)
    absent: list[FetchError] = field(default_factory=list)
    parse_failed: bool = False
    seconds: float = 0.0


def _safe_relative(raw_path: str) -> PurePosixPath:
    path = PurePosixPath(raw_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        msg = f"unsafe snapshot path {raw_path!r}"
        raise YenflowError(msg)
    return path


def _save_raw(directory: Path, raw_path: str, content: bytes) -> None:
    target = directory / _safe_relative(raw_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(content)
    tmp.replace(target)


def _collect(
    source: Source,
    fetcher: Fetcher,
    *,
    known: dict[str, tuple[str, str]],
    version: str,
    snapshot: bool,
    progress: ProgressCallback,
) -> _Collected:
    started = time.perf_counter()
    out = _Collected(source.name)
    progress(source.name, "fetching")
    for item in source.fetch(fetcher):
        if isinstance(item, FetchError):
            if isinstance(item, AbsentError) and (snapshot or item.optional):
                out.absent.append(item)
            else:
                out.failures.append(item)
            continue
        payload: RawPayload = item
        if payload.not_modified:
            out.writes.append(PayloadWrite(payload, None, "not-modified", version))
            continue
        if known.get(payload.raw_path) == (payload.sha256, version):
            out.writes.append(PayloadWrite(payload, None, "unchanged", version))
            continue
        progress(source.name, f"parsing {payload.raw_path}")
        try:
            dataset = source.parse(payload)
        except ParseError as exc:
            out.failures.append(exc)
            out.parse_failed = True
            out.writes.append(PayloadWrite(payload, None, "parse-error", version))
            continue
        except Exception as exc:  # a parser bug must not take the other sources down
            err = ParseError(
                f"parser crashed: {type(exc).__name__}: {exc} "
                "(this is a yenflow bug; please report it)",
                source=source.name,
                location=payload.location,
            )
            out.failures.append(err)
            out.parse_failed = True
            out.writes.append(PayloadWrite(payload, None, "parse-error", version))
            continue
        out.writes.append(PayloadWrite(payload, dataset, "ingested", version))
    out.seconds = time.perf_counter() - started
    return out


def refresh(
    sources: Sequence[str] | None = None,
    *,
    settings: Settings,
    store: Store,
    snapshot_dir: Path | None = None,
    save_raw: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RefreshResult:
    """Fetch ``sources`` (default: all) concurrently and write each into ``store``.

    Args:
        snapshot_dir: read payloads from this raw-snapshot folder, not the network.
        save_raw: also write every payload into this folder, in the snapshot layout
            (for a 304 answer, the stored bytes of the unchanged file).
        transport: an httpx transport for the network (tests inject faults).
        progress: called as ``progress(source, message)`` from worker threads.
    """
    started = time.perf_counter()
    names = list(sources) if sources else source_names()
    unknown = [n for n in names if n not in source_names()]
    if unknown:
        msg = f"unknown source(s) {', '.join(unknown)}; known: {', '.join(source_names())}"
        raise ConfigError(msg)
    run_id = uuid.uuid4().hex[:12]
    report = progress or (lambda _source, _message: None)
    lock = threading.Lock()

    def safe_progress(source: str, message: str) -> None:
        with lock:
            report(source, message)

    known = store.ingested_payloads()
    outcomes: dict[str, SourceOutcome] = {}
    classes: dict[str, type[Source]] = {}
    for name in names:
        try:
            classes[name] = get_source_class(name)
        except Exception as exc:  # a broken module must not stop the other sources
            error = f"[{name}] cannot load the source: {type(exc).__name__}: {exc}"
            outcomes[name] = SourceOutcome(name, "failed", failures=(error,))
            store.log_fetch(run_id=run_id, source=name, status="fetch-error", error=error)
    with (
        Fetcher(
            settings,
            snapshot_dir=snapshot_dir,
            validators=store.validators(),
            transport=transport,
            sleep=sleep,
        ) as fetcher,
        ThreadPoolExecutor(max_workers=max(1, len(classes))) as pool,
    ):
        futures = {
            pool.submit(
                _collect,
                classes[name](settings),
                fetcher,
                known=known,
                version=parser_version(classes[name]),
                snapshot=snapshot_dir is not None,
                progress=safe_progress,
            ): name
            for name in names
            if name in classes
        }
        for future in as_completed(futures):
            name = futures[future]
            try:
                collected = future.result()
            except Exception as exc:  # defensive: a source's requests() itself failed
                outcomes[name] = SourceOutcome(
                    name, "failed", failures=(f"{type(exc).__name__}: {exc}",)
                )
                store.log_fetch(run_id=run_id, source=name, status="fetch-error", error=str(exc))
                safe_progress(name, "failed")
                continue
            outcomes[name] = _write(collected, store=store, run_id=run_id, save_raw=save_raw)
            safe_progress(name, outcomes[name].status)
    ordered = tuple(outcomes[name] for name in names)
    return RefreshResult(
        run_id=run_id,
        outcomes=ordered,
        snapshot_dir=snapshot_dir,
        seconds=time.perf_counter() - started,
    )


def _write(
    collected: _Collected, *, store: Store, run_id: str, save_raw: Path | None
) -> SourceOutcome:
    name = collected.source
    failures = [str(f) for f in collected.failures]
    notes = [str(a) for a in collected.absent]
    for absent in collected.absent:
        store.log_fetch(
            run_id=run_id, source=name, status="absent", url=absent.location, error=str(absent)
        )
    for failure in collected.failures:
        if isinstance(failure, FetchError):
            store.log_fetch(
                run_id=run_id,
                source=name,
                status="fetch-error",
                url=failure.location,
                error=str(failure),
            )
    counts = WriteCounts()
    writes = collected.writes
    if collected.parse_failed:
        # A payload did not parse: nothing of this source is written; the log says why.
        parse_errors = iter(f for f in collected.failures if isinstance(f, ParseError))
        for write in writes:
            if write.status == "parse-error":
                store.log_fetch(
                    run_id=run_id,
                    source=name,
                    status="parse-error",
                    payload=write.payload,
                    parser_version=write.parser_version,
                    error=str(next(parse_errors, "")),
                )
        writes = []
    else:
        try:
            counts = store.write_source(run_id=run_id, source=name, writes=writes)
        except StoreError as exc:
            failures.append(str(exc))
            writes = []
    if save_raw is not None:
        for write in writes:
            content = write.payload.content
            if write.payload.not_modified:
                content = store.raw_content_for_path(write.payload.raw_path) or b""
            if content:
                _save_raw(save_raw, write.payload.raw_path, content)
    got = [w for w in writes if w.status in ("ingested", "unchanged", "not-modified")]
    if not got and not failures and notes:
        status: Status = "absent"
    elif not got:
        status = "failed"
        if not failures:
            failures.append(f"[{name}] nothing was fetched")
    elif failures:
        status = "partial"
    elif counts.added or counts.revised:
        status = "ok"
    else:
        status = "unchanged"
    downloaded = [w for w in collected.writes if not w.payload.not_modified]
    return SourceOutcome(
        source=name,
        status=status,
        added=counts.added,
        revised=counts.revised,
        unchanged=counts.unchanged,
        downloaded=len(downloaded),
        not_modified=sum(1 for w in collected.writes if w.status == "not-modified"),
        skipped=sum(1 for w in collected.writes if w.status == "unchanged"),
        bytes=sum(len(w.payload.content) for w in collected.writes),
        seconds=collected.seconds,
        failures=tuple(failures),
        notes=tuple(notes),
    )
