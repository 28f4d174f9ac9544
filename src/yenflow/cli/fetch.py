"""``yenflow fetch``: refresh the store, and the fetch table other commands reuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from yenflow.cli.common import StoreOpt, app, console, err_console, handled, settings, usage
from yenflow.termtext import styled


def run_refresh(
    sources: list[str] | None,
    *,
    store_path: Path | None,
    from_dir: Path | None,
    save_raw: Path | None,
    quiet: bool = False,
):  # -> RefreshResult
    from yenflow.refresh import refresh
    from yenflow.sources import source_names

    cfg = settings(store_path)
    names = sources or source_names()
    if from_dir is not None and not from_dir.is_dir():
        usage(f"--from {from_dir}: no such folder")
    with handled():
        check_store(cfg.store_path)
    if quiet or not err_console.is_terminal:
        return refresh(
            names, settings=cfg, store=cfg.store_path, snapshot_dir=from_dir, save_raw=save_raw
        )
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.fields[source]:<5} {task.description}", markup=False),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks = {n: bar.add_task("waiting", source=n, total=None) for n in names}

        def progress(source: str, message: str) -> None:
            bar.update(tasks[source], description=message)

        return refresh(
            names,
            settings=cfg,
            store=cfg.store_path,
            snapshot_dir=from_dir,
            save_raw=save_raw,
            progress=progress,
        )


def check_store(path: Path) -> None:
    """Before any download: the store can be created at ``path``, or is a file (the refresh
    opens it for writing only once a source is downloaded). An existing file is not opened
    here: the refresh's first step reads it read-only, before any download, and a file that
    is not a yenflow store, or is unreadable, fails there with the same StoreError."""
    from yenflow.atomic import check_writable
    from yenflow.errors import OutputError, StoreError

    if path.exists():
        if path.is_dir():
            msg = f"the store {path} is a folder; give a file name, e.g. {path / 'yenflow.duckdb'}"
            raise StoreError(msg)
        return
    try:
        check_writable(path)
    except OutputError as exc:
        msg = f"cannot create the store: {exc} (pass --store or set YENFLOW_STORE)"
        raise StoreError(msg) from None


def summarize(messages: list[str], *, limit: int = 3) -> str:
    """Failures grouped by reason: "14 requests: connection failed ... (e.g. URL)"."""
    import re
    from collections import defaultdict

    groups: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        match = re.match(r"^\[[\w-]+\] (\S+?): (.*)$", message, flags=re.S)
        where, what = (match.group(1), match.group(2)) if match else ("", message)
        groups[what].append(where)
    parts = []
    for what, wheres in list(groups.items())[:limit]:
        if len(wheres) == 1:
            parts.append(f"{wheres[0]}: {what}" if wheres[0] else what)
        else:
            parts.append(f"{len(wheres)} requests: {what} (e.g. {wheres[0]})")
    if len(groups) > limit:
        parts.append(f"... and {len(groups) - limit} other reasons (see `yenflow log`)")
    return "; ".join(parts)


def print_refresh(result) -> None:  # result: RefreshResult
    table = Table(title=f"fetch {result.run_id} ({result.seconds:.2f} s)", show_lines=False)
    for col, justify in (
        ("source", "left"),
        ("status", "left"),
        ("added", "right"),
        ("revised", "right"),
        ("unchanged", "right"),
        ("files", "right"),
        ("304", "right"),
        ("failures / notes", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    colors = {
        "ok": "green",
        "unchanged": "cyan",
        "partial": "yellow",
        "failed": "red",
        "absent": "dim",
    }
    for o in result.outcomes:
        reason = summarize(list(o.failures)) or summarize(list(o.notes))
        table.add_row(
            o.source,
            Text(o.status, style=colors.get(o.status, "")),
            f"{o.added:,}",
            f"{o.revised:,}",
            f"{o.unchanged:,}",
            f"{o.downloaded}",
            f"{o.not_modified}",
            styled(reason),
        )
    console.print(table)


@app.command()
def fetch(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to fetch (default: all). See `yenflow sources`."),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from", help="Read payloads from this raw-snapshot folder, not the network."
        ),
    ] = None,
    save_raw: Annotated[
        Path | None,
        typer.Option(
            "--save-raw", help="Also write every payload into this folder (snapshot layout)."
        ),
    ] = None,
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Refresh the store: fetch sources concurrently, then show rows added, revised, unchanged,
    failed. Exit status 1 if any source failed (even partly)."""
    with handled():
        result = run_refresh(
            sources, store_path=store, from_dir=from_dir, save_raw=save_raw, quiet=as_json
        )
    if as_json:
        console.print_json(json.dumps(result.summary(), default=str))
    else:
        print_refresh(result)
    raise typer.Exit(0 if result.ok else 1)
