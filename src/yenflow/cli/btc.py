"""``yenflow btc events|leadlag|chain|sweep``: the Bitcoin lab from the command line.

Each command reads the store (read-only; ``--as-of`` = only what was public then), calls one
library function of :mod:`yenflow.analytics.bitcoin`, prints its findings and, with
``--json FILE``, writes the result's ``summary()`` (headline figures) and table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yenflow.cli.common import AsOfOpt, StoreOpt, app, console, handled, parse_as_of

btc_app = typer.Typer(
    help="The Bitcoin lab: does a rising yen lift Bitcoin? Event study, lead-lag, the causal "
    "chain, and a rule sweep with data-snooping control.",
    no_args_is_help=True,
)
app.add_typer(btc_app, name="btc")

JsonOpt = Annotated[
    Path | None, typer.Option("--json", help="Also write the result as JSON to this file.")
]
SeedOpt = Annotated[int, typer.Option(help="Seed of the bootstrap (reproducible).")]
TimingOpt = Annotated[
    str,
    typer.Option(
        help="published: inputs enter on their publication time (tradable); observed: at "
        "their own date (market time, not tradable)."
    ),
]
RISK = (
    "Information, not investment advice: past patterns in BTC, a highly volatile asset, do not "
    "predict its future; a rule that looks good after searching many is usually luck."
)

_SERIES = ("fred.DEXJPUS", "fred.DGS10", "fred.WALCL", "fred.CBBTCUSD")
_PREFIXES = ("btc.",)


def _obs(store: Path | None, cutoff) -> Any:
    import pandas as pd

    from yenflow import api
    from yenflow.cli.common import store_path

    with api.open_store(store_path(store), read_only=True) as st:
        parts = [st.observations(list(_SERIES), as_of=cutoff)]
        parts += [st.observations(prefix=p, as_of=cutoff) for p in _PREFIXES]
    return pd.concat([p for p in parts if len(p)], ignore_index=True)


def _timing(value: str) -> str:
    if value not in ("published", "observed"):
        from yenflow.cli.common import usage

        usage(f"--timing must be published or observed, not {value!r}")
    return value


def _write(path: Path | None, payload: dict[str, Any]) -> None:
    if path is None:
        return
    from yenflow.analytics.records import jsonable

    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(jsonable(payload), indent=1, default=str), encoding="utf-8")
    tmp.replace(path)
    console.print(f"JSON written to {path}")


def _header(title: str, cutoff) -> None:
    when = f" · as of {cutoff:%Y-%m-%d %H:%M} UTC" if cutoff is not None else ""
    console.rule(f"{title}{when}")


def _frame_table(frame, title: str, columns: list[str], fmt: dict[str, str]) -> Table:
    t = Table(title=title, box=None, padding=(0, 1))
    for c in columns:
        t.add_column(c, justify="right")
    for _, row in frame.iterrows():
        t.add_row(*[format(row[c], fmt.get(c, "")) if row[c] == row[c] else "-" for c in columns])
    return t


@btc_app.command("events")
def events_cmd(
    fall_pct: Annotated[
        float, typer.Option(help="Yen shock: USD/JPY down more than this, %.")
    ] = 3.0,
    days: Annotated[int, typer.Option(help="... over this many days.")] = 5,
    min_gap: Annotated[int, typer.Option(help="De-clustering gap between events, days.")] = 20,
    date: Annotated[
        list[str] | None,
        typer.Option("--date", help="Use these event dates instead (repeatable), e.g. 2025-04-07."),
    ] = None,
    episodes: Annotated[
        bool, typer.Option("--episodes", help="Use USD/JPY carry-unwind episodes as events.")
    ] = False,
    horizon: Annotated[int, typer.Option(help="Longest horizon, days.")] = 60,
    reps: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 10_000,
    seed: SeedOpt = 0,
    timing: TimingOpt = "published",
    as_of: AsOfOpt = None,
    json_out: JsonOpt = None,
    store: StoreOpt = None,
) -> None:
    """Event study: BTC's cumulative return after yen-appreciation shocks, vs its drift.

    Mean excess log return per horizon with stationary-bootstrap bands and p-values, the
    number of events, and a placebo on random non-event days.
    """
    cutoff = parse_as_of(as_of)
    from yenflow.analytics.bitcoin.events import event_study, unwind_events, yen_shocks
    from yenflow.analytics.bitcoin.inputs import align

    with handled():
        obs = _obs(store, cutoff)
        a = align(obs, timing=_timing(timing))
        if date:
            dates, label = list(date), "Given dates"
        elif episodes:
            dates, label = unwind_events(a.frame["usdjpy"]), "Carry-unwind episodes (USD/JPY)"
        else:
            dates = yen_shocks(a.frame["usdjpy"], fall_pct=fall_pct, days=days, min_gap=min_gap)
            label = f"Yen shocks (USD/JPY -{fall_pct:g}% in {days} days)"
        with console.status(f"bootstrapping {reps:,} resamples..."):
            res = event_study(
                a.btc, dates, horizons=horizon, reps=reps, seed=seed, label=label, min_gap=min_gap
            )
    _header(f"BTC after {label.lower()} ({a.btc_series}, inputs {timing})", cutoff)
    console.print(res.describe())
    frame = res.to_frame()
    pick = frame[frame["horizon_days"].isin([1, 2, 5, 10, 20, 30, 40, 60])]
    cols = ["horizon_days", "mean_excess_pct", "lower_pct", "upper_pct", "p_value", "events"]
    console.print(
        _frame_table(
            pick,
            "Mean excess log return, %",
            cols,
            {
                "mean_excess_pct": "+.2f",
                "lower_pct": "+.2f",
                "upper_pct": "+.2f",
                "p_value": ".3f",
                "horizon_days": ".0f",
                "events": ".0f",
            },
        )
    )
    console.print(RISK)
    _write(json_out, {"summary": res.summary(), "table": frame.to_dict(orient="records")})


@btc_app.command("leadlag")
def leadlag_cmd(
    lags: Annotated[int, typer.Option(help="Cross-correlations at lags -L..L days.")] = 20,
    window: Annotated[int, typer.Option(help="Rolling correlation window, days.")] = 90,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = None,
    store: StoreOpt = None,
) -> None:
    """Lead-lag of yen and BTC returns: cross-correlations with HAC bands, weekly Granger
    tests both ways, rolling correlation (overlapping windows are not independent)."""
    cutoff = parse_as_of(as_of)
    from yenflow.analytics.bitcoin.leadlag import lead_lag

    with handled(), console.status("fitting..."):
        res = lead_lag(_obs(store, cutoff), lags=lags, window=window)
    _header("Yen vs BTC: lead-lag", cutoff)
    console.print(res.describe())
    console.print(
        _frame_table(
            res.granger,
            "Weekly Granger tests",
            ["direction", "lags_weeks", "F", "p_value"],
            {"F": ".2f", "p_value": ".3f"},
        )
    )
    _write(json_out, {"summary": res.summary(), "rolling": res.rolling.dropna().to_dict()})


@btc_app.command("chain")
def chain_cmd(
    case: Annotated[
        list[str] | None,
        typer.Option(
            "--case", help="Worked-case dates (repeatable; default 2024-08-05, 2025-04-07)."
        ),
    ] = None,
    reps: Annotated[int, typer.Option(help="Bootstrap resamples per link.")] = 5000,
    seed: SeedOpt = 0,
    timing: TimingOpt = "published",
    as_of: AsOfOpt = None,
    json_out: JsonOpt = None,
    store: StoreOpt = None,
) -> None:
    """The thesis link by link: yen surge → 10y yield → Fed assets (WALCL) → BTC, and yen →
    BTC directly; effect, interval, episodes and verdict per link, and worked cases."""
    cutoff = parse_as_of(as_of)
    from yenflow.analytics.bitcoin.chain import DEFAULT_CASES, ChainParams, causal_chain

    with handled(), console.status("testing each link..."):
        res = causal_chain(
            _obs(store, cutoff),
            params=ChainParams(reps=reps, seed=seed),
            cases=tuple(case) if case else DEFAULT_CASES,
            timing=_timing(timing),
        )
    _header("The yen → BTC chain, link by link", cutoff)
    for line in res.describe().split("\n"):
        console.print(line)
    console.print(RISK)
    _write(json_out, {"summary": res.summary()})


@btc_app.command("sweep")
def sweep_cmd(
    cost_bp: Annotated[float, typer.Option(help="Cost per side, basis points.")] = 10.0,
    split: Annotated[float, typer.Option(help="Walk-forward: in-sample share of the days.")] = 0.7,
    spa_reps: Annotated[int, typer.Option(help="SPA bootstrap replications (0: skip).")] = 1000,
    seed: SeedOpt = 0,
    backend: Annotated[
        str, typer.Option(help="local, or dask (a dask.distributed cluster).")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="dask scheduler address (default: a local cluster).")
    ] = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = None,
    store: StoreOpt = None,
) -> None:
    """Rule sweep: buy BTC when USD/JPY fell more than x over n days, hold h days (50 × 20 ×
    10 = 10,000 rules), walk-forward, and Hansen's SPA / White's reality check against
    buy-and-hold BTC and cash."""
    cutoff = parse_as_of(as_of)
    if backend not in ("local", "dask"):
        from yenflow.cli.common import usage

        usage(f"--backend must be local or dask, not {backend!r}")
    from rich.progress import Progress

    from yenflow.analytics.bitcoin.inputs import align
    from yenflow.analytics.bitcoin.spa import reality_check, spa
    from yenflow.analytics.bitcoin.sweep import strategy_returns, sweep, walk_forward
    from yenflow.analytics.bitcoin.workload import default_grid

    grid = default_grid()
    with handled(), Progress(console=console, transient=True) as progress:
        task = progress.add_task("aligning inputs", total=5)
        a = align(_obs(store, cutoff))
        frame = a.frame.dropna(subset=["usdjpy"])
        btc, fx = frame["btc"], frame["usdjpy"]
        progress.update(task, advance=1, description=f"sweeping {grid.size:,} rules")
        res = sweep(btc, fx, grid, cost_bp=cost_bp, backend=backend, scheduler=scheduler)
        progress.update(task, advance=1, description="walk-forward")
        wf = walk_forward(btc, fx, grid, split=split, cost_bp=cost_bp)
        tests = []
        if spa_reps > 0:
            progress.update(task, advance=1, description="daily returns of every rule")
            returns = strategy_returns(btc, fx, grid, cost_bp=cost_bp)
            hold = btc.pct_change().to_numpy()[1:]
            progress.update(task, advance=1, description=f"SPA, {spa_reps:,} replications")
            for bench, name in ((hold, "buy-and-hold BTC"), (hold * 0, "cash")):
                tests.append(spa(returns, bench, reps=spa_reps, seed=seed, benchmark_name=name))
                tests.append(
                    reality_check(returns, bench, reps=spa_reps, seed=seed, benchmark_name=name)
                )
        progress.update(task, completed=5)
    _header(f"Rule sweep on {a.btc_series} and fred.DEXJPUS (as published)", cutoff)
    console.print(res.describe())
    console.print(wf.describe())
    for t in tests:
        console.print(t.describe())
    console.print(RISK)
    _write(
        json_out,
        {
            "summary": res.summary(),
            "walk_forward": wf.summary(),
            "tests": [t.summary() for t in tests],
            "heatmap_sharpe": res.heatmap("sharpe").to_dict(),
        },
    )


__all__ = ["btc_app"]
