"""``yenflow report``: refresh, run the analytics, write the HTML (and JSON) report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from yenflow.cli.common import (
    AsOfOpt,
    StoreOpt,
    app,
    console,
    err_console,
    handled,
    parse_as_of,
    store_path,
    usage,
)
from yenflow.cli.fetch import print_refresh, run_refresh
from yenflow.termtext import styled

if TYPE_CHECKING:
    from yenflow.analysis_cache import AnalysisCache


def _cache(enabled: bool) -> AnalysisCache | None:
    from yenflow.analysis_cache import default_cache

    return default_cache() if enabled else None


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
    use_cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse each analysis's result when the series it reads and its code are "
            "unchanged (kept in the user cache dir or YENFLOW_CACHE_DIR; off: recompute "
            "everything).",
        ),
    ] = True,
) -> None:
    """Refresh the data (unless --offline), run the analytics, write a self-contained HTML
    report and print a summary of the latest week.

    Both files are written atomically, and both paths are checked before any work starts."""
    from yenflow import api
    from yenflow.atomic import check_writable, write_text

    if offline and from_dir is not None:
        usage("--offline and --from exclude each other")
    cutoff = parse_as_of(as_of)
    refresh_failed = False
    with handled():
        check_writable(out)
        if json_out is not None:
            check_writable(json_out)
        from yenflow.report import render_html, render_terminal
        from yenflow.report.build import report_from_store

        if not offline:
            result = run_refresh(None, store_path=store, from_dir=from_dir, save_raw=None)
            refresh_failed = not result.ok
            if refresh_failed:
                print_refresh(result)
        with api.open_store(store_path(store), read_only=True) as st:
            rep = report_from_store(st, as_of=cutoff, cache=_cache(use_cache))
        write_text(out, render_html(rep))
        if json_out is not None:
            write_text(json_out, json.dumps(rep.summary(), indent=2, default=str))
    render_terminal(rep, console)
    stamp = datetime.now(UTC).strftime("%H:%M:%S UTC")
    console.print(
        Text.assemble(
            "\nreport written to ",
            styled(out, "bold"),
            f" at {stamp}",
            styled(f"; figures as JSON in {json_out}" if json_out else ""),
        )
    )
    if refresh_failed:
        err_console.print(
            Text(
                "some sources failed to refresh: the report uses what the "
                "store holds and says what is missing",
                style="yellow",
            )
        )
