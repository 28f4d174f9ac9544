"""Safe terminal text: every external string is shown as plain text, control codes removed.

Series ids, titles, file paths, URLs, server messages and error texts come from the user,
the sources or the store, never from us. :class:`SafeConsole` is the only console the CLI
prints with: it never interprets Rich markup or emoji codes in strings (``[/x]`` prints as
``[/x]``, ``[bold red]`` is not rendered), and it strips terminal escape sequences and
control characters (ESC, CSI/OSC sequences, C0/C1 controls, bidirectional overrides) from
everything it renders, whoever built the renderable. Styling is done with
:class:`rich.text.Text` styles, never with markup in strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

__all__ = ["SafeConsole", "plain", "styled"]

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and the
# 8-bit CSI/OSC introducers; then every other C0/C1 control except newline and tab, DEL,
# and the Unicode bidirectional overrides/isolates that can make text read backwards.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x9c)?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE = _CONTROLS  # every escape sequence starts with one of these


def plain(value: object) -> str:
    """``value`` as text with escape sequences and control characters removed
    (newlines and tabs kept)."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE.search(text):
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def styled(value: object, style: str = "") -> Text:
    """External text as a :class:`Text` with a style: never parsed as markup."""
    return Text(plain(value), style=style)


class SafeConsole(Console):
    """A Rich console that shows every string as plain text (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(plain(text), **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and _UNSAFE.search(segment.text):
                yield Segment(plain(segment.text), segment.style)
            else:
                yield segment
