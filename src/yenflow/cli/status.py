"""``yenflow status`` and ``yenflow log``: how fresh the store is and what each fetch did."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from yenflow.cli.common import StoreOpt, app, console, fmt, handled, store_path
from yenflow.cli.fetch import summarize
from yenflow.termtext import styled


@app.command()
def status(store: StoreOpt = None) -> None:
    """Show each source's last fetch, its outcome and how fresh the stored data are."""
    from yenflow import api

    with handled(), api.open_store(store_path(store), read_only=True) as st:
        frame = st.source_status()
        coverage = st.series_table().groupby("source")["last_period"].max()
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
            styled(row["source"]),
            styled(fmt(row["last_fetch_at"]).split(".")[0]),
            Text(str(row["status"]), style=colors.get(row["status"], "")),
            f"{row['rows']:,}",
            styled(fmt(coverage.get(row["source"]))),
            styled(fmt(row["last_published_at"])),
            styled(summarize(row["error"].split(" | ")) if isinstance(row["error"], str) else "-"),
        )
    console.print(table)


@app.command()
def log(
    limit: Annotated[int, typer.Option(min=1, help="How many rows, newest first.")] = 30,
    store: StoreOpt = None,
) -> None:
    """Show the fetch log, newest first."""
    from yenflow import api

    with handled(), api.open_store(store_path(store), read_only=True) as st:
        frame = st.fetch_log(limit)
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
        table.add_row(*[styled(fmt(row[c])) for c in cols])
    console.print(table)
