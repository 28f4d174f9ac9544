"""``yenflow explain``: the attribution scorecard of one flow episode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from yenflow.cli.common import (
    AsOfOpt,
    StoreOpt,
    app,
    console,
    handled,
    parse_as_of,
    store_path,
    usage,
)
from yenflow.termtext import styled

_COLORS = {
    "supported": "green",
    "contradicted": "red",
    "mixed": "yellow",
    "inconclusive": "white",
    "untestable": "bright_black",
}


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:+,.0f}" if abs(value) >= 100 else f"{value:+,.2f}"


def _verdict(v: str) -> Text:
    return Text(v, style=_COLORS.get(v, "white"))


def print_scorecard(card) -> None:  # card: Scorecard (lazy import keeps --help fast)
    """The scorecard, decomposition and Treasury reconciliation as terminal tables."""
    e = card.episode
    when = f" · as of {card.as_of:%Y-%m-%d %H:%M} UTC" if card.as_of is not None else ""
    console.rule(f"Why? {e.label()}{when}")
    d = card.flow_detail
    freq = d.get("frequency", "weekly")
    console.print(
        f"Net flow {card.observed_jpy_100m:+,.0f} × ¥100 million (net purchase > 0) over "
        f"{d.get('period') or ', '.join(d.get('weeks') or d.get('months') or [])} "
        f"({d['series_id']}, {freq}); rank {d['rank_sale']} of {d['n_windows']} earlier "
        f"same-length windows {d['comparable_period']} (1 = largest net sale; MoF's 2014 "
        "break not crossed)."
    )
    if d.get("note"):
        console.print(styled(f"note: {d['note']}", "bright_black"))
    level = f"{card.level:.0%}"
    console.print(Text("Competing explanations", style="bold"))
    for h in card.hypotheses:
        console.print(
            Text.assemble(styled(h.title, "bold"), ": ", _verdict(h.verdict), " — ", styled(h.note))
        )
        if not h.fingerprints:
            continue
        table = Table(show_header=True, box=None, padding=(0, 1))
        for col in ("fingerprint", "verdict", "observed", f"{level} interval", "predicted", "unit"):
            table.add_column(col, overflow="fold")
        missing = []
        rows = [(f, "") for f in h.fingerprints]
        while rows:
            f, indent = rows.pop(0)
            m = f.measurement
            if m is None and not f.parts:
                missing.append(f"{f.key}: {f.reason}")
            table.add_row(
                indent + f.key,
                _verdict(f.verdict),
                "-" if m is None else _num(m.observed),
                "-" if m is None else f"[{_num(m.low)}, {_num(m.high)}]",
                f.prediction.describe("") if f.prediction and m is not None else "",
                "" if m is None else m.unit,
            )
            rows[0:0] = [(p, indent + "  ") for p in f.parts]
        console.print(table)
        for line in missing:
            console.print(styled(f"  {line}", "bright_black"))
    console.print(f"Intervals: {level}, seeded block bootstrap (seed {card.seed}).")
    if card.decomposition is not None:
        dec = card.decomposition
        if dec.series_id:
            console.print(
                Text.assemble(
                    ("Decomposition", "bold"),
                    f" of {dec.series_id} ({dec.frequency}) over {dec.period}",
                )
            )
        t = Table(title="Decomposition (¥100 million)")
        t.add_column("part")
        t.add_column("¥100 million", justify="right")
        for name, value in dec.parts():
            t.add_row(name.replace("_", "/"), _num(value))
        t.add_row(Text("observed", style="bold"), _num(dec.observed))
        console.print(t)
        rank = (
            f"residual rank {dec.residual_rank} of {dec.n_windows} windows (1 = most negative)"
            if dec.residual_rank
            else "residual not ranked"
        )
        se = f" ± {dec.rates_hedging_se:,.0f} (HAC s.e.)" if dec.rates_hedging_se else ""
        console.print(f"rates/hedging{se}; {rank}.")
        for note in dec.notes:
            console.print(styled(f"note: {note}", "bright_black"))
    if card.treasuries is not None:
        console.print(
            Text.assemble(
                ("Were they US Treasuries?", "bold"), " ", styled(card.treasuries.reading)
            )
        )
    console.print(Text.assemble(("Conclusion:", "bold"), " ", styled(card.conclusion)))
    for note in card.notes:
        console.print(styled(f"note: {note}", "bright_black"))


@app.command()
def explain(
    start: Annotated[str, typer.Option(help="First day of the episode (e.g. 2025-03-30).")],
    end: Annotated[str, typer.Option(help="Last day of the episode (e.g. 2025-04-12).")],
    flow: Annotated[
        str,
        typer.Option(
            help="<direction>.<asset>: outward|inward . equity|long_term_debt|short_term_debt."
        ),
    ] = "outward.long_term_debt",
    investor: Annotated[
        str | None,
        typer.Option(
            help="Investor type (banks, trust_accounts, life_insurers, ...); "
            "default: all investors."
        ),
    ] = None,
    as_of: AsOfOpt = None,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scorecard as JSON here.")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Why did they sell? Test every registered explanation of a flow episode.

    Prints each hypothesis' fingerprints (observed value, prediction, interval, verdict), the
    decomposition into seasonal, rebalancing, rates/hedging and residual parts, and for
    foreign bonds whether TIC supports "Japan sold Treasuries".
    """
    cutoff = parse_as_of(as_of)
    from yenflow import api
    from yenflow.analytics.attribution import explain as run
    from yenflow.analytics.attribution import load_observations

    with handled():
        with api.open_store(store_path(store), read_only=True) as st:
            obs = load_observations(st, as_of=cutoff)
        try:
            card = run(
                obs, start=start, end=end, flow=flow, investor=investor, as_of=cutoff, seed=seed
            )
        except (ValueError, KeyError) as exc:  # a bad --flow, --investor or period
            usage(exc.args[0] if exc.args else exc)
    print_scorecard(card)
    if json_out is not None:
        card.to_json(json_out)
        console.print(f"scorecard written to {json_out}")
