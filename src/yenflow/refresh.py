"""Refreshing the store: download sources concurrently, then write one transaction per source.

:func:`refresh` is what ``yenflow fetch`` and ``yenflow report`` call. It works in phases:

1. **Read** what the store knows (validators for conditional requests; the sha256, parser
   version and row count of every stored payload), opening the store read-only for a moment
   (a snapshot run into an existing store reads it through its write connection instead:
   no server is involved, so the store is opened once, for writing).
2. **Download and parse**, each source in its own worker thread, with the store closed while
   every pending source waits on a server (so readers are never locked out by a slow
   server). A payload is parsed when its bytes or its
   parser version (:func:`parser_version`) differ from the stored parse; then every *later*
   payload of the same source (request order is the source's precedence order: TIC's current
   table after its history) is parsed too, from the bytes in hand or, after a 304, from the
   stored raw bytes, so a payload's precedence over another holds whether or not each changed.
   One source parses at a time (parsing is Python, one core under the GIL): sources finish
   one after another, and each is written while the next one parses. A parse is staged for
   the store at once (:func:`yenflow.store.stage_dataset`: compact arrays, the frame dropped).
3. **Write** each source as soon as it is parsed, in its own transaction
   (:meth:`yenflow.store.Store.write_source`). The store is opened for writing at the first
   write and kept open while a write is expected from local work (a snapshot run, or a
   pending source that has its bytes), checkpointed while idle; a written source's bytes and
   rows are dropped.

A source whose download or parse fails is reported and leaves its data in the store as they
were; the other sources go on. A 304 to a request that sent no validator is a failure (the
answer cannot be trusted and there is nothing stored to stand for it). ``--save-raw`` is
checked before anything is downloaded, and written after the store, so a save failure never
loses a download. Ctrl-C stops the downloads and raises :class:`RefreshInterrupted`, which says
which sources were kept; each source is in its old or its new state.

Status of a source in the result:

``ok``        new, revised or re-stamped rows were written
``unchanged`` everything fetched was identical to what the store holds
``partial``   some requests failed, the others were written
``failed``    nothing could be written (all requests failed, or a payload did not parse)
``absent``    the snapshot folder has nothing for this source (or only optional files
              were requested and none exists): not a failure
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from yenflow.closure import code_version, module_closure
from yenflow.config import Settings
from yenflow.errors import (
    AbsentError,
    ConfigError,
    FetchError,
    ParseError,
    StoreError,
    YenflowError,
)
from yenflow.payload import RawPayload
from yenflow.sources import get_source_class, source_names
from yenflow.store import (
    FetchRecord,
    KnownPayload,
    PayloadWrite,
    StagedDataset,
    Store,
    WriteCounts,
    stage_dataset,
)

if TYPE_CHECKING:
    import httpx
    import pandas as pd

    from yenflow.http import Fetcher
    from yenflow.payload import Validators
    from yenflow.sources.base import Source

__all__ = [
    "RefreshInterrupted",
    "RefreshResult",
    "SourceOutcome",
    "module_closure",
    "parser_version",
    "refresh",
]

Status = Literal["ok", "unchanged", "partial", "failed", "absent"]
ProgressCallback = Callable[[str, str], None]


@dataclass(frozen=True)
class SourceOutcome:
    """What one source's refresh did.

    Attributes:
        added, revised, unchanged: observation rows (``unchanged`` counts every row of an
        unchanged file); ``restamped``: rows whose value was unchanged but whose publication
        time was corrected (a release rule or a parser changed; logged in the store).
        downloaded: payloads received with content (downloaded, or read from the
        snapshot folder); ``not_modified``: 304 answers;
        skipped: payloads whose bytes were already ingested by the same parser;
        reparsed: stored or unchanged payloads parsed again (a new parser version, or an
        earlier payload of the source changed); ``bytes``: content size.
        failures: one message per failed request or parse (source, URL or file, reason).
        notes: absent optional files, files not in the snapshot.
    """

    source: str
    status: Status
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    restamped: int = 0
    downloaded: int = 0
    not_modified: int = 0
    skipped: int = 0
    reparsed: int = 0
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

    def records(self) -> list[dict[str, object]]:
        """One plain dict per source (what ``--json`` prints)."""
        return [
            {
                "source": o.source,
                "status": o.status,
                "added": o.added,
                "revised": o.revised,
                "restamped": o.restamped,
                "unchanged": o.unchanged,
                "downloaded": o.downloaded,
                "not_modified": o.not_modified,
                "skipped": o.skipped,
                "reparsed": o.reparsed,
                "bytes": o.bytes,
                "seconds": round(o.seconds, 3),
                "failures": " | ".join(o.failures),
                "notes": " | ".join(o.notes),
            }
            for o in self.outcomes
        ]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.records())

    def summary(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "sources": self.records(),
        }


class RefreshInterrupted(KeyboardInterrupt):
    """Ctrl-C during a refresh: the downloads were stopped; ``result`` holds what was kept.

    ``str()`` says which sources were written (new state) and which were not (old state).
    """

    def __init__(self, result: RefreshResult, pending: Sequence[str]) -> None:
        self.result = result
        self.pending = tuple(pending)
        kept = [o.source for o in result.outcomes]
        msg = (
            "interrupted: "
            + (f"written: {', '.join(kept)}; " if kept else "no source was written; ")
            + (
                f"not written (the store keeps their previous data): {', '.join(pending)}"
                if pending
                else "every source was written"
            )
        )
        super().__init__(msg)


# -- parser version -----------------------------------------------------------------
def parser_version(source_cls: type[Source]) -> str:
    """yenflow's version plus a digest of every module a parse of the source depends on
    (:func:`module_closure`): a change to the source, the parsing helpers or a release rule
    makes the next refresh parse the stored payloads again."""
    return code_version(source_cls.__module__)


# -- collecting (worker threads) ------------------------------------------------------
@dataclass
class _Entry:
    """One payload of a source in this run, and what to do with it."""

    payload: RawPayload
    known: KnownPayload | None
    parse: bool = False  # parse this run
    from_store: bool = False  # the bytes are the stored ones (after a 304)
    dataset: StagedDataset | None = None  # the parse, staged for the store

    @property
    def sha256(self) -> str:
        if self.payload.not_modified:
            return self.known.sha256 if self.known else ""
        return self.payload.sha256

    @property
    def parse_is_repeat(self) -> bool:
        """The bytes are the ones already stored (parsed again, not new)."""
        return self.known is not None and self.sha256 == self.known.sha256


@dataclass
class _Collected:
    source: str
    version: str
    entries: list[_Entry] = field(default_factory=list)
    failures: list[FetchError | ParseError] = field(default_factory=list)
    absent: list[FetchError] = field(default_factory=list)
    parse_failed: bool = False
    seconds: float = 0.0


def _parse_one(source: Source, payload: RawPayload) -> StagedDataset:
    """Parse ``payload`` and stage the result for the store at once (the frame is dropped:
    a large source is held once, compactly, until it is written)."""
    try:
        return stage_dataset(source.parse(payload))
    except ParseError:
        raise
    except Exception as exc:  # a parser bug must not take the other sources down
        msg = (
            f"parser crashed: {type(exc).__name__}: {exc} (this is a yenflow bug; please report it)"
        )
        raise ParseError(msg, source=source.name, location=payload.location) from exc


def _collect(
    source: Source,
    fetcher: Fetcher,
    *,
    known: dict[str, KnownPayload],
    validators: dict[str, Validators],
    version: str,
    snapshot: bool,
    progress: ProgressCallback,
    cancel: threading.Event,
    parse_lock: threading.Lock,
    downloaded: Callable[[], None],
) -> _Collected:
    started = time.perf_counter()
    out = _Collected(source.name, version)
    progress(source.name, "fetching")
    for item in source.fetch(fetcher):
        if cancel.is_set():
            break
        if isinstance(item, FetchError):
            if isinstance(item, AbsentError) and (snapshot or item.optional):
                out.absent.append(item)
            else:
                out.failures.append(item)
            continue
        payload: RawPayload = item
        stored = known.get(payload.raw_path)
        if payload.not_modified and (payload.url not in validators or stored is None):
            out.failures.append(
                FetchError(
                    "HTTP 304 Not Modified, but the request sent no validator (ETag / "
                    "Last-Modified) and the store holds no copy of this file: the answer "
                    "is not trusted and nothing was stored",
                    source=source.name,
                    location=payload.location,
                    status=304,
                    reason="304-without-validator",
                )
            )
            continue
        entry = _Entry(payload, stored)
        if payload.not_modified:
            entry.parse = stored is not None and stored.parser_version != version
        else:
            entry.parse = stored is None or stored[:2] != (payload.sha256, version)
        out.entries.append(entry)
    downloaded()
    # Precedence: a later payload overrides an earlier one, so once one payload is parsed
    # every later one is parsed too, changed or not, and applied after it.
    first = next((i for i, e in enumerate(out.entries) if e.parse), None)
    todo = out.entries[first:] if first is not None else []
    for entry in todo:
        entry.parse = True
        entry.from_store = entry.payload.not_modified  # parsed when written, from the store
    fresh = [e for e in todo if not e.from_store]
    if fresh and not cancel.is_set():
        # One source parses at a time (parsing is Python, one core under the GIL): sources
        # finish one after another, so each is written while the next one parses.
        progress(source.name, "waiting to parse")
        with parse_lock:
            for entry in fresh:
                if cancel.is_set():  # Ctrl-C: nothing of this source is written
                    out.failures.append(
                        FetchError("interrupted", source=source.name, reason="interrupted")
                    )
                    out.parse_failed = True
                    break
                progress(source.name, f"parsing {entry.payload.raw_path}")
                try:
                    entry.dataset = _parse_one(source, entry.payload)
                except ParseError as exc:
                    out.failures.append(exc)
                    out.parse_failed = True
    out.seconds = time.perf_counter() - started
    return out


# -- writing (main thread) ------------------------------------------------------------
def _safe_relative(raw_path: str) -> PurePosixPath:
    path = PurePosixPath(raw_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        msg = f"unsafe snapshot path {raw_path!r}"
        raise YenflowError(msg)
    return path


def _check_save_raw(directory: Path) -> None:
    """Fail before any download if ``--save-raw`` cannot be written."""
    probe = directory / f".yenflow-write-test-{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        msg = (
            f"--save-raw {directory}: cannot write there ({exc.strerror or exc}); "
            "choose a writable folder"
        )
        raise ConfigError(msg) from None


def _save_raw(directory: Path, raw_path: str, content: bytes) -> None:
    target = directory / _safe_relative(raw_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(content)
    tmp.replace(target)


@contextmanager
def _writable(store: Store | Path) -> Iterator[Store]:
    """The store for one source's transaction: the caller's, or opened just for it."""
    if isinstance(store, Store):
        yield store
        return
    with Store(store) as opened:
        yield opened


def _write(
    collected: _Collected,
    source: Source,
    *,
    store: Store | Path,
    run_id: str,
    save_raw: Path | None,
) -> SourceOutcome:
    name = collected.source
    failures: list[str] = [str(f) for f in collected.failures]
    notes = [str(a) for a in collected.absent]
    records = [FetchRecord("absent", a.location, None, str(a)) for a in collected.absent] + [
        FetchRecord("fetch-error", f.location, None, str(f))
        for f in collected.failures
        if isinstance(f, FetchError)
    ]
    entries = collected.entries
    counts = WriteCounts()
    written: list[_Entry] = []
    raw: dict[str, bytes] = {}
    try:
        with _writable(store) as st:
            need = {e.sha256 for e in entries if e.from_store}
            if save_raw is not None:
                need |= {e.sha256 for e in entries if e.payload.not_modified}
            raw = st.raw_contents(sorted(need))
            parse_errors: list[tuple[_Entry, ParseError]] = []
            for entry in entries:
                if not entry.from_store:
                    continue
                content = raw.get(entry.sha256)
                if content is None:
                    error = ParseError(
                        "the stored bytes of this file are missing from the store; "
                        "fetch it again without validators (delete the store's copy)",
                        source=name,
                        location=entry.payload.location,
                    )
                    failures.append(str(error))
                    collected.parse_failed = True
                    continue
                stored = RawPayload(
                    source=name,
                    url=entry.payload.url,
                    raw_path=entry.payload.raw_path,
                    content=content,
                    fetched_at=entry.payload.fetched_at,
                    http_status=entry.payload.http_status,
                    etag=entry.payload.etag,
                    last_modified=entry.payload.last_modified,
                )
                try:
                    entry.dataset = _parse_one(source, stored)
                except ParseError as exc:
                    parse_errors.append((entry, exc))
            for _entry, exc in parse_errors:
                failures.append(str(exc))
                collected.parse_failed = True
            by_entry = {id(e): f for e, f in parse_errors}
            if collected.parse_failed:
                # A payload did not parse: nothing of this source is written; the log says why.
                errors = iter(f for f in collected.failures if isinstance(f, ParseError))
                writes = [
                    PayloadWrite(
                        e.payload,
                        None,
                        "parse-error",
                        collected.version,
                        sha256=e.sha256 or None,
                        error=str(by_entry.get(id(e)) or next(errors, "")),
                    )
                    for e in entries
                    if e.parse and e.dataset is None
                ]
            else:
                writes = [_payload_write(e, collected.version) for e in entries]
                written = entries
            counts = st.write_source(run_id=run_id, source=name, writes=writes, records=records)
    except StoreError as exc:
        failures.append(str(exc))
        written = []
    if save_raw is not None:
        for entry in written:
            content = entry.payload.content or raw.get(entry.sha256, b"")
            if not content:
                continue
            try:
                _save_raw(save_raw, entry.payload.raw_path, content)
            except (OSError, YenflowError) as exc:
                failures.append(
                    f"[{name}] {entry.payload.raw_path}: stored, but --save-raw could not "
                    f"write it to {save_raw}: {exc}"
                )
    return _outcome(collected, written, counts, failures, notes)


def _payload_write(entry: _Entry, version: str) -> PayloadWrite:
    payload = entry.payload
    if entry.dataset is not None:
        status = "reparsed" if entry.parse_is_repeat else "ingested"
        return PayloadWrite(payload, entry.dataset, status, version, sha256=entry.sha256)
    rows = entry.known.rows if entry.known else 0
    status = "not-modified" if payload.not_modified else "unchanged"
    return PayloadWrite(payload, None, status, version, rows=rows)


def _outcome(
    collected: _Collected,
    written: list[_Entry],
    counts: WriteCounts,
    failures: list[str],
    notes: list[str],
) -> SourceOutcome:
    name = collected.source
    if not written and not failures and notes:
        status: Status = "absent"
    elif not written:
        status = "failed"
        if not failures:
            failures.append(f"[{name}] nothing was fetched")
    elif failures:
        status = "partial"
    elif counts.added or counts.revised or counts.restamped:
        status = "ok"
    else:
        status = "unchanged"
    entries = collected.entries
    return SourceOutcome(
        source=name,
        status=status,
        added=counts.added,
        revised=counts.revised,
        unchanged=counts.unchanged,
        restamped=counts.restamped,
        downloaded=sum(1 for e in entries if not e.payload.not_modified),
        not_modified=sum(1 for e in entries if e.payload.not_modified),
        skipped=sum(1 for e in entries if not e.parse and not e.payload.not_modified),
        reparsed=sum(1 for e in written if e.dataset is not None and e.parse_is_repeat),
        bytes=sum(len(e.payload.content) for e in entries),
        seconds=collected.seconds,
        failures=tuple(failures),
        notes=tuple(notes),
    )


# -- the pipeline ---------------------------------------------------------------------
class _Writer:
    """The store of the write phase: the caller's open store, or the file opened for writing
    at the first write and kept open only while :meth:`release` is not called (the refresh
    releases it whenever no write is expected from local work, e.g. while every pending
    source waits on a server), so readers are never locked out by a slow server."""

    def __init__(self, target: Store | Path) -> None:
        self.target = target
        # an existing file must already be a yenflow store; a missing one is created
        self.create = not (isinstance(target, Path) and target.exists())
        self._open: Store | None = None

    def get(self) -> Store:
        if isinstance(self.target, Store):
            return self.target
        if self._open is None:
            self._open = Store(self.target, create=self.create)
        return self._open

    @property
    def is_open(self) -> bool:
        return self._open is not None

    def release(self) -> None:
        if self._open is not None:
            opened, self._open = self._open, None
            opened.close()


def _known_state(store: Store | Path) -> tuple[dict[str, Validators], dict[str, KnownPayload]]:
    if isinstance(store, Store):
        return store.validators(), store.ingested_payloads()
    if not store.exists():
        return {}, {}
    with Store(store, read_only=True) as st:
        return st.validators(), st.ingested_payloads()


def refresh(
    sources: Sequence[str] | None = None,
    *,
    settings: Settings,
    store: Store | Path | str,
    snapshot_dir: Path | None = None,
    save_raw: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RefreshResult:
    """Fetch ``sources`` (default: all) concurrently and write each into ``store``.

    Args:
        store: the store's path (opened read-only to read what it knows, then for writing
            only for each source's transaction), or an open :class:`Store` to use throughout.
        snapshot_dir: read payloads from this raw-snapshot folder, not the network.
        save_raw: also write every payload into this folder, in the snapshot layout
            (for a 304 answer, the stored bytes of the unchanged file). Checked first.
        transport: an httpx transport for the network (tests inject faults).
        progress: called as ``progress(source, message)`` from worker threads.

    Raises:
        ConfigError: unknown sources, or a ``save_raw`` folder that cannot be written.
        RefreshInterrupted: Ctrl-C; its ``result`` lists the sources written.
    """
    from yenflow.http import Fetcher

    started = time.perf_counter()
    names = list(sources) if sources else source_names()
    unknown = [n for n in names if n not in source_names()]
    if unknown:
        msg = f"unknown source(s) {', '.join(unknown)}; known: {', '.join(source_names())}"
        raise ConfigError(msg)
    if save_raw is not None:
        _check_save_raw(save_raw)
    target: Store | Path = store if isinstance(store, Store) else Path(store)
    run_id = uuid.uuid4().hex[:12]
    report = progress or (lambda _source, _message: None)
    lock = threading.Lock()
    cancel = threading.Event()

    def safe_progress(source: str, message: str) -> None:
        with lock:
            report(source, message)

    def interruptible_sleep(seconds: float) -> None:
        if cancel.is_set():
            raise FetchError("interrupted", source="refresh", reason="interrupted")
        sleep(seconds)

    writer = _Writer(target)
    snapshot = snapshot_dir is not None
    if snapshot and not writer.create and isinstance(target, Path):
        # No server is involved: the store is opened for writing once, now, and what it
        # knows is read through that connection (no read-only open before it).
        opened = writer.get()
        validators, known = opened.validators(), opened.ingested_payloads()
    else:
        validators, known = _known_state(target)
    outcomes: dict[str, SourceOutcome] = {}
    instances: dict[str, Source] = {}
    versions: dict[str, str] = {}
    try:
        for name in names:
            try:
                instances[name] = get_source_class(name)(settings)
                versions[name] = parser_version(type(instances[name]))
            except Exception as exc:  # a broken module must not stop the other sources
                instances.pop(name, None)
                error = f"[{name}] cannot load the source: {type(exc).__name__}: {exc}"
                outcomes[name] = SourceOutcome(name, "failed", failures=(error,))
                writer.get().log_fetch(
                    run_id=run_id, source=name, status="fetch-error", error=error
                )
    except BaseException:
        writer.release()
        raise
    fetcher = Fetcher(
        settings,
        snapshot_dir=snapshot_dir,
        validators=validators,
        transport=transport,
        sleep=interruptible_sleep,
    )
    parse_lock = threading.Lock()
    downloaded: set[str] = set()  # sources whose requests are all answered
    pool = ThreadPoolExecutor(max_workers=max(1, len(instances)))
    futures: dict[Future[_Collected], str] = {
        pool.submit(
            _collect,
            instances[name],
            fetcher,
            known=known,
            validators=validators,
            version=versions[name],
            snapshot=snapshot,
            progress=safe_progress,
            cancel=cancel,
            parse_lock=parse_lock,
            downloaded=lambda name=name: downloaded.add(name),
        ): name
        for name in names
        if name in instances
    }
    pending = set(futures)

    def finish(future: Future[_Collected], st: Store) -> None:
        name = futures[future]
        try:
            collected = future.result()
        except Exception as exc:  # defensive: a source's requests() itself failed
            error = f"[{name}] {type(exc).__name__}: {exc}"
            outcomes[name] = SourceOutcome(name, "failed", failures=(error,))
            st.log_fetch(run_id=run_id, source=name, status="fetch-error", error=error)
            safe_progress(name, "failed")
            return
        outcomes[name] = _write(
            collected, instances[name], store=st, run_id=run_id, save_raw=save_raw
        )
        collected.entries.clear()  # written: its bytes and rows are not needed any more
        safe_progress(name, outcomes[name].status)

    def writes_coming() -> bool:
        """A write is expected from local work: a snapshot run, or a pending source has
        its bytes in hand (parsing, or waiting to parse)."""
        return snapshot or any(futures[f] in downloaded for f in pending)

    try:
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            if done:
                # Open for writing only now; each source in its own transaction.
                try:
                    st = writer.get()
                except StoreError as exc:  # the store could not be opened (locked, unreadable)
                    for future in done:
                        name = futures[future]
                        outcomes[name] = SourceOutcome(name, "failed", failures=(str(exc),))
                    continue
                for future in done:
                    finish(future, st)
            if not writes_coming():
                writer.release()  # closed while every pending source waits on a server
            elif pending and done and writer.is_open and not any(f.done() for f in pending):
                # idle until the next source is parsed: write the log into the file now,
                # alongside that parse, rather than all of it when closing
                with contextlib.suppress(StoreError):
                    writer.get().checkpoint()
    except KeyboardInterrupt:
        cancel.set()
        fetcher.cancel()  # cut the reads in flight now; no retry starts
        pool.shutdown(wait=False, cancel_futures=True)
        fetcher.close()
        writer.release()
        kept = tuple(outcomes[n] for n in names if n in outcomes)
        partial = RefreshResult(run_id, kept, snapshot_dir, time.perf_counter() - started)
        raise RefreshInterrupted(partial, [n for n in names if n not in outcomes]) from None
    finally:
        writer.release()
    pool.shutdown(wait=True)
    fetcher.close()
    ordered = tuple(outcomes[name] for name in names)
    return RefreshResult(
        run_id=run_id,
        outcomes=ordered,
        snapshot_dir=snapshot_dir,
        seconds=time.perf_counter() - started,
    )
