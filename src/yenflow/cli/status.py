"""``yenflow status`` and ``yenflow log``: how fresh the store is and what each fetch did."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from yenflow.cli.common import StoreOpt, app, console, fail, fmt, settings
from yenflow.cli.fetch import summarize


@app.command()
def status(store: StoreOpt = None) -> None:
    """Show each source's last fetch, its outcome and how fresh the stored data are."""
    from yenflow import api

    try:
        with api.open_store(store or settings(None).store_path, read_only=True) as st:
            frame = st.source_status()
            coverage = st.series_table().groupby("source")["last_period"].max()
    except Exception as exc:
        raise fail(exc) from exc
    table = Table(title="sources in the store")
    for col in (
        "source",
        "last fetch (UTC)",
        "status",
        "observations",
        "newest period",
        "newest publication (UTC)",
        "error",
    ):
        table.add_column(col, overflow="fold")
    colors = {"ok": "green", "partial": "yellow", "failed": "red"}
    for _, row in frame.iterrows():
        table.add_row(
            row["source"],
            fmt(row["last_fetch_at"]).split(".")[0],
            f"[{colors.get(row['status'], 'white')}]{row['status']}[/]",
            f"{row['rows']:,}",
            fmt(coverage.get(row["source"])),
            fmt(row["last_published_at"]),
            summarize(row["error"].split(" | ")) if isinstance(row["error"], str) else "-",
        )
    console.print(table)


@app.command()
def log(
    limit: Annotated[int, typer.Option(help="How many rows.")] = 30,
    store: StoreOpt = None,
) -> None:
    """Show the fetch log, newest first."""
    from yenflow import api

    try:
        with api.open_store(store or settings(None).store_path, read_only=True) as st:
            frame = st.fetch_log(limit)
    except Exception as exc:
        raise fail(exc) from exc
    cols = [
        "fetch_id",
        "fetched_at",
        "source",
        "status",
        "raw_path",
        "bytes",
        "rows_added",
        "rows_revised",
        "error",
    ]
    table = Table()
    for col in cols:
        table.add_column(col, no_wrap=col in ("raw_path", "status"), overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[fmt(row[c]) for c in cols])
    console.print(table)
