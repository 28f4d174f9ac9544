"""The ``yenflow`` command line: thin wrappers around the library, plus printing.

One module per command group; each registers its commands on :data:`common.app` when
imported. Adding a command group is one module here plus one line in :data:`COMMAND_MODULES`
(the order is the order of ``yenflow --help``).
"""

from __future__ import annotations

import importlib
import sys

from yenflow.cli.common import app

COMMAND_MODULES: tuple[str, ...] = (
    "fetch",  # fetch
    "catalog",  # sources, series
    "data",  # show, export, trace
    "status",  # status, log
    "report",  # report
    "explain",  # explain
    "btc",  # btc events, leadlag, chain, sweep
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"yenflow.cli.{_name}")


def main() -> None:
    """Console-script entry point. Ctrl-C exits with status 130, saying what was kept."""
    try:
        app()
    except KeyboardInterrupt as exc:
        from yenflow.cli.common import err_console
        from yenflow.termtext import styled

        err_console.print(styled(str(exc) or "interrupted", "yellow"))
        sys.exit(130)


__all__ = ["COMMAND_MODULES", "app", "main"]
