"""``yenflow sources`` and ``yenflow series``: what can be fetched and what is stored."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from yenflow.cli.common import (
    StoreOpt,
    app,
    close_matches,
    console,
    fmt,
    handled,
    store_path,
    usage,
)
from yenflow.termtext import styled


@app.command()
def sources() -> None:
    """List the sources, what they provide and where they come from."""
    from yenflow.sources import get_source_class, source_names

    table = Table(title="sources")
    for col in ("name", "title", "series", "key", "homepage"):
        table.add_column(col)
    for name in source_names():
        cls = get_source_class(name)
        table.add_row(
            name,
            cls.title,
            str(len(cls.catalog)),
            "required" if cls.requires_key else "-",
            cls.homepage,
        )
    console.print(table)


@app.command("series")
def list_series(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    contains: Annotated[str | None, typer.Option(help="Only ids containing this text.")] = None,
    catalog: Annotated[
        bool, typer.Option("--catalog", help="List the sources' catalogs, not the store.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """List series: those in the store with coverage (default), or the sources' catalogs."""
    from yenflow import api
    from yenflow.sources import source_names

    if source is not None and source not in source_names():
        usage(close_matches(source, source_names(), what="source"))
    with handled():
        if catalog:
            frame = api.catalog(source)
            cols = ["series_id", "unit", "frequency", "sign", "title"]
        else:
            with api.open_store(store_path(store), read_only=True) as st:
                frame = st.series_table()
            if source:
                frame = frame[frame["source"] == source]
            cols = ["series_id", "unit", "frequency", "first_period", "last_period", "observations"]
    if contains:
        frame = frame[frame["series_id"].str.contains(contains, regex=False)]
    table = Table(title=f"{len(frame)} series")
    for col in cols:
        table.add_column(col, no_wrap=col == "series_id", overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[styled(fmt(row[c])) for c in cols])
    console.print(table)
