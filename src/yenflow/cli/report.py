"""``yenflow report``: refresh, run the analytics, write the HTML (and JSON) report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from yenflow.cli.common import (
    AsOfOpt,
    StoreOpt,
    app,
    console,
    err_console,
    fail,
    parse_as_of,
    settings,
)
from yenflow.cli.fetch import print_refresh, run_refresh


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "yenflow-report.html"
    ),
    offline: Annotated[
        bool, typer.Option("--offline", help="Use the store as it is; fetch nothing.")
    ] = False,
    from_dir: Annotated[
        Path | None, typer.Option("--from", help="Refresh from this raw-snapshot folder first.")
    ] = None,
    as_of: AsOfOpt = None,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every figure of the report as JSON to this file."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Refresh the data (unless --offline), run the analytics, write a self-contained HTML
    report and print a summary of the latest week."""
    from yenflow.errors import YenflowError
    from yenflow.report import build_report, render_html, render_terminal
    from yenflow.store import Store

    if offline and from_dir is not None:
        raise fail(ValueError("--offline and --from exclude each other"))
    refresh_failed = False
    try:
        if not offline:
            result = run_refresh(None, store_path=store, from_dir=from_dir, save_raw=None)
            refresh_failed = not result.ok
            if refresh_failed:
                print_refresh(result)
        cfg = settings(store)
        cutoff = parse_as_of(as_of)
        with Store(cfg.store_path, read_only=offline) as st:
            obs = st.observations(as_of=cutoff)
            status = st.source_status()
        rep = build_report(obs, as_of=cutoff, sources=status)
    except YenflowError as exc:
        raise fail(exc) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(rep), encoding="utf-8")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(rep.summary(), indent=2, default=str), encoding="utf-8")
    render_terminal(rep, console)
    stamp = datetime.now(UTC).strftime("%H:%M:%S UTC")
    console.print(
        f"\nreport written to [bold]{out}[/bold] at {stamp}"
        + (f"; figures as JSON in {json_out}" if json_out else "")
    )
    if refresh_failed:
        err_console.print(
            "[yellow]some sources failed to refresh: the report uses what the "
            "store holds and says what is missing[/yellow]"
        )
