"""The report as a compact terminal summary (rich).

What a strategist reads first: the latest week's windows with ranks and "largest since" dates,
the Treasury holdings of Japan, China and the UK, the carry state, every missing or stale data
note, and the risk warning. Charts and long tables stay in the HTML report.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from yenflow.report.formatting import format_time
from yenflow.report.freshness import by_source, listing
from yenflow.report.model import Report, Section, Table

__all__ = ["render_terminal"]

#: For each section shown: its tables shown (by key, None = all) -> columns (None = all).
_FLOW_COLUMNS = (
    "weeks",
    "period_end",
    "net_jpy_tn",
    "net_usd_bn",
    "rank",
    "episode_rank",
    "largest_since",
)
_SHOWN: dict[str, dict[str, tuple[str, ...] | None] | None] = {
    "latest_week": None,
    "investors": {"latest_month": ("investor", "month", "net_jpy_tn", "rank", "n_months")},
    "treasuries": {
        "latest": ("holder", "month", "holdings_usd_bn", "change_usd_bn", "rank", "share_pct")
    },
    "carry": {
        "state": None,
        "episodes": ("start", "start_usdjpy", "trough", "trough_usdjpy", "depth_pct", "end"),
    },
    "why": {},  # the scorecard's verdict sentences; its tables are in the HTML
    "bitcoin": {},  # the chain's conclusion and links; its tables are in the HTML
    "data": {"by_source": None},
}
_DEFAULT_COLUMNS = {"latest_week": _FLOW_COLUMNS}
_NOTE_STYLE = {"missing": "bold red", "error": "bold red", "stale": "yellow", "info": "dim"}


def render_terminal(report: Report, console: Console) -> None:
    """Print the compact summary of ``report`` on ``console``."""
    as_of = format_time(report.as_of, with_time=True) if report.as_of is not None else "latest"
    console.rule(
        Text.assemble(
            ("yenflow report", "bold"),
            f" · as of {as_of} · generated {format_time(report.generated_at, with_time=True)}",
        )
    )
    for section in report.sections:
        if section.key in _SHOWN:
            _section(section, console)
    _notes(report, console)
    console.print(Panel(Text(report.risk_summary), title="Risk warning", border_style="yellow"))


def _section(section: Section, console: Console) -> None:
    console.print()
    console.print(Text(section.title, style="bold cyan"))
    for fact in section.facts:
        console.print(Text("• " + fact.text))
    shown = _SHOWN[section.key]
    for table in section.tables:
        if shown is None:
            console.print(_rich_table(table, _DEFAULT_COLUMNS.get(section.key)))
        elif table.key in shown:
            console.print(_rich_table(table, shown[table.key]))
    if section.status == "missing":
        console.print(Text("  (nothing to show: see the notes below)", style="red"))


def _rich_table(table: Table, keys: tuple[str, ...] | None) -> RichTable:
    shown = table.shown_columns
    chosen = [i for i, c in enumerate(shown) if keys is None or c.key in keys]
    out = RichTable(
        title=table.title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        min_width=len(table.title),
    )
    for i in chosen:
        column = shown[i]
        out.add_column(
            column.short or column.label,
            justify="right" if column.right else "left",
            no_wrap=column.right,
            overflow="fold",
        )
    for row in table.formatted():
        out.add_row(*(row[i] for i in chosen))
    return out


def _notes(report: Report, console: Console) -> None:
    """Missing data and errors one per line (deduplicated); stale series in one line a source."""
    shown = list(dict.fromkeys(n for _, n in report.notes if n.kind in ("missing", "error")))
    used = {f.series_id: f for section in report.sections for f in section.series}
    stale = by_source(f for f in used.values() if f.stale)
    if not shown and not stale:
        return
    console.print()
    console.print(Text("Data notes", style="bold"))
    for note in shown:
        console.print(Text(f"• {note.text}", style=_NOTE_STYLE[note.kind]))
    for source, items in stale.items():
        text = f"• stale: {listing(items)}; run `yenflow fetch {source}` for newer data"
        console.print(Text(text, style=_NOTE_STYLE["stale"]))
