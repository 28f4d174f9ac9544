"""What every command module shares: the Typer app, the consoles, common options, helpers.

Heavy imports (pandas, duckdb, the report) stay inside the commands, so ``--help`` is fast.

Errors: a command runs its library calls inside :func:`handled`, which turns the project's
error tree (and nothing else: never ``typer.Exit``) into one line on stderr, ``error: ...``,
with exit status 1, or 2 for a usage or configuration error. Every external string is
printed as plain text (:class:`yenflow.termtext.SafeConsole`).
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.text import Text

from yenflow import __version__
from yenflow.termtext import SafeConsole, plain

app = typer.Typer(
    name="yenflow",
    help=(
        "Japan's cross-border capital flows, the yen carry trade, US Treasuries and Bitcoin, "
        "from primary official data (MoF, US Treasury TIC, FRED, CFTC, JGB yields, Bitcoin)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = SafeConsole()
err_console = SafeConsole(stderr=True)

#: Exit status of a usage error (a bad option value), as click gives for malformed options.
USAGE = 2

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
        help="Use only data public by this date or instant (e.g. 2025-04-18, "
        "2025-04-16T23:50Z, today, now; a bare date means the end of that day, UTC).",
    ),
]


def settings(store: Path | None = None):  # -> Settings (lazy import keeps --help fast)
    from yenflow.config import Settings

    with handled():
        return Settings.from_env(store_path=store)


def store_path(store: Path | None) -> Path:
    """``--store``, else ``YENFLOW_STORE``, else the default location."""
    return store or settings(None).store_path


def error_line(message: object) -> None:
    """``error: <message>`` on stderr, one line, as plain text."""
    text = " ".join(plain(message).split())  # one line, whatever the message holds
    err_console.print(Text.assemble(("error:", "bold red"), " ", text), soft_wrap=True)


def fail(message: object, *, code: int = 1) -> NoReturn:
    """Print ``error: message`` and exit with ``code`` (1, or :data:`USAGE`)."""
    error_line(message)
    raise typer.Exit(code)


def usage(message: object) -> NoReturn:
    """A bad option value: ``error: message``, exit status 2."""
    fail(message, code=USAGE)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn the project's errors into one line and an exit status; let everything else
    (``typer.Exit`` included) through."""
    from yenflow.errors import ConfigError, YenflowError

    try:
        yield
    except ConfigError as exc:
        fail(exc, code=USAGE)
    except YenflowError as exc:
        fail(exc)


def parse_as_of(value: str | None):  # -> pd.Timestamp | None
    """``--as-of`` through :func:`yenflow.frame.to_cutoff`, the one meaning of "as of";
    a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    from yenflow.frame import to_cutoff

    try:
        return to_cutoff(value)
    except ValueError as exc:
        shown = value if value.strip() else '""'
        usage(f"--as-of {shown}: {exc}")


def close_matches(name: str, known: Iterable[str], *, what: str) -> str:
    """``no <what> NAME; did you mean A, B?`` (or the first few known names)."""
    import difflib

    known = sorted(set(known))
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if near:
        return f"no {what} {name}; did you mean {', '.join(near)}?"
    if len(known) <= 8:
        return f"no {what} {name}; known: {', '.join(known) or 'none'}"
    return f"no {what} {name}; see `yenflow series`"


def missing(value: object) -> bool:
    """None, a float NaN or pandas' NaT (only possible once pandas is imported: this does
    not import it)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NaT


def fmt(value: object) -> str:
    """A cell: ``-`` when missing, a date for a midnight instant, numbers to 4 digits."""
    if missing(value):
        return "-"
    if isinstance(value, datetime):  # a pd.Timestamp too
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
    settings()  # every setting is checked at startup: a bad one is a usage error (exit 2)
