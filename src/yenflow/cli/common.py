"""What every command module shares: the Typer app, the consoles, common options, helpers.

Heavy imports (pandas, duckdb, the report) stay inside the commands, so ``--help`` is fast.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from yenflow import __version__

app = typer.Typer(
    name="yenflow",
    help=(
        "Japan's cross-border capital flows, the yen carry trade, US Treasuries and Bitcoin, "
        "from primary official data (MoF, US Treasury TIC, FRED, CFTC, JGB yields, Bitcoin)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="DuckDB store file (default: YENFLOW_STORE, else yenflow.duckdb in the user "
        "data dir).",
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Use only data published by this date or instant (e.g. 2025-04-18; "
        "a bare date means the end of that day, UTC).",
    ),
]


def settings(store: Path | None):  # -> Settings (lazy import keeps --help fast)
    from yenflow.config import Settings

    return Settings.from_env(store_path=store)


def parse_as_of(value: str | None):  # -> pd.Timestamp | None
    """``--as-of`` through :func:`yenflow.frame.to_cutoff`, the one meaning of "as of"."""
    if value is None:
        return None
    from yenflow.frame import to_cutoff

    try:
        return to_cutoff(value)
    except ValueError as exc:
        err_console.print(f"[red]--as-of: {exc}[/red]", markup=True)
        raise typer.Exit(2) from None


def fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(1)


def fmt(value: object) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp | datetime):
        return str(value.date()) if getattr(value, "hour", 0) == 0 else str(value)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


def _version(value: bool) -> None:
    if value:
        console.print(f"yenflow {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """yenflow command line."""
