"""The code a computation depends on: a module's yenflow import closure and its digest.

:func:`module_closure` finds, from the import statements (not a hand-kept list), every yenflow
module a module imports at run time, transitively; :func:`code_version` is yenflow's version
plus a digest of those files' bytes. A change to any of them changes the version: the refresh
re-parses stored payloads when a parser's version changes (:func:`yenflow.refresh.parser_version`)
and the analysis cache misses when an analysis's code changes (:mod:`yenflow.analysis_cache`).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from yenflow import __version__

__all__ = ["code_version", "module_closure"]

_PACKAGE_ROOT = Path(__file__).resolve().parent  # src/yenflow
_TYPE_CHECKING_IF = re.compile(r"^(\s*)if\s+(typing\.)?TYPE_CHECKING\s*:")
_FROM_IMPORT = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s+(.*)$")
_IMPORT = re.compile(r"^\s*import\s+(.*)$")


@cache
def _module_file(module: str) -> Path | None:
    """The file of a yenflow module (``yenflow.sources.tic`` -> ``.../sources/tic.py``); looked
    up once per process (the files' bytes are read on each :func:`code_version`)."""
    parts = module.split(".")
    if parts[0] != "yenflow":
        return None
    base = _PACKAGE_ROOT.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imports_of(module: str, origin: Path) -> frozenset[str]:
    """The yenflow modules a file imports at run time (not under ``if TYPE_CHECKING:``).

    A line scanner rather than :mod:`ast` (parsing every module on each fetch costs more
    than the fetch): it understands ``import a.b``, ``from a import b, c`` (also in
    parentheses over several lines, and relative), and skips ``TYPE_CHECKING`` blocks.
    """
    package = module if origin.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    skip_indent: int | None = None
    lines = iter(origin.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if skip_indent is None and "import" not in line and "TYPE_CHECKING" not in line:
            continue  # most lines: neither an import nor the start of a skipped block
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None:
            if indent > skip_indent:
                continue
            skip_indent = None
        if match := _TYPE_CHECKING_IF.match(line):
            skip_indent = len(match.group(1))
            continue
        if match := _FROM_IMPORT.match(line):
            dots, base, names = match.groups()
            if dots:
                anchor = package.split(".")[: len(package.split(".")) - len(dots) + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "yenflow":
                continue
            if "(" in names and ")" not in names:
                for more in lines:
                    names += " " + more
                    if ")" in more:
                        break
            imported = [
                n.split("#")[0].split(" as ")[0].strip()
                for n in names.replace("(", " ").replace(")", " ").split(",")
            ]
            submodules = {n for n in imported if n and _module_file(f"{base}.{n}")}
            found.update(f"{base}.{n}" for n in submodules)  # ``from yenflow import releases``
            if any(n and n not in submodules for n in imported):
                found.add(base)
        elif match := _IMPORT.match(line):
            for name in match.group(1).split(","):
                name = name.split(" as ")[0].strip()
                if name.split(".")[0] == "yenflow":
                    found.add(name)
    return frozenset(found)


@cache
def module_closure(module: str) -> tuple[tuple[str, Path], ...]:
    """``module`` and every yenflow module it imports, transitively: (name, file), sorted.

    This is what a parse depends on: the source's module, the shared parsing helpers, the
    release schedules, the frame and payload types... found from the import statements,
    not from a hand-kept list. Imports only needed for type checking are left out.
    """
    seen: dict[str, Path] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        origin = _module_file(name)
        if origin is None:
            continue
        seen[name] = origin
        todo.extend(_imports_of(name, origin))
    return tuple(sorted(seen.items()))


def code_version(module: str) -> str:
    """yenflow's version plus a digest (12 hex digits) of every file in the import closure of
    ``module`` (:func:`module_closure`), names and bytes (read on each call: an edited file
    changes the version within one process too)."""
    digest = hashlib.sha256()
    for name, origin in module_closure(module):
        digest.update(name.encode() + b"\0" + origin.read_bytes() + b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"
