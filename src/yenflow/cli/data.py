"""``yenflow show``, ``export`` and ``trace``: read stored series and their provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from yenflow.cli.common import AsOfOpt, StoreOpt, app, console, fail, fmt, parse_as_of, settings


@app.command()
def show(
    series_id: Annotated[str, typer.Argument(help="A series id, e.g. fred.DEXJPUS.")],
    last: Annotated[int, typer.Option(help="Show the last N observations.")] = 20,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Show one series: metadata and its latest observations."""
    from yenflow import api

    try:
        with api.open_store(store or settings(None).store_path, read_only=True) as st:
            meta = st.series_table([series_id])
            obs = st.observations([series_id], as_of=parse_as_of(as_of))
    except Exception as exc:
        raise fail(exc) from exc
    if meta.empty:
        raise fail(KeyError(f"no series {series_id!r} in the store; see `yenflow series`"))
    m = meta.iloc[0]
    console.print(f"[bold]{series_id}[/bold] — {m['title']}")
    console.print(f"unit: {m['unit']}  frequency: {m['frequency']}  sign: {m['sign'] or '-'}")
    console.print(
        f"coverage: {fmt(m['first_period'])} .. {fmt(m['last_period'])}, "
        f"{m['observations']:,} observations"
    )
    if m["description"]:
        console.print(f"[dim]{m['description']}[/dim]")
    table = Table()
    for col in ("period_start", "period_end", "value", "published_at"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for _, row in obs.tail(last).iterrows():
        table.add_row(
            fmt(row["period_start"]),
            fmt(row["period_end"]),
            f"{row['value']:,.4f}".rstrip("0").rstrip("."),
            row["published_at"].strftime("%Y-%m-%d %H:%M UTC"),
        )
    console.print(table)


@app.command()
def export(
    series_ids: Annotated[list[str], typer.Argument(help="Series ids to export.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .csv or .parquet.")],
    shape: Annotated[
        str, typer.Option(help="long (one row per observation) or wide (one column per series).")
    ] = "long",
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Export series to CSV or Parquet (long: with periods and publication times)."""
    from yenflow import api

    if out.suffix not in (".csv", ".parquet"):
        raise fail(ValueError(f"--out {out}: use a .csv or .parquet file name"))
    if shape not in ("long", "wide"):
        raise fail(ValueError(f"--shape {shape!r}: use long or wide"))
    try:
        with api.open_store(store or settings(None).store_path, read_only=True) as st:
            if shape == "long":
                frame = st.observations(series_ids, as_of=parse_as_of(as_of))
                meta = st.series_table(series_ids)[["series_id", "unit"]]
                frame = frame.merge(meta, on="series_id", how="left")
            else:
                frame = api.series(series_ids, as_of=parse_as_of(as_of), store=st)
    except Exception as exc:
        raise fail(exc) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        frame.to_csv(out, index=shape == "wide")
    else:
        frame.to_parquet(out, index=shape == "wide")
    console.print(f"wrote {len(frame):,} rows to {out}")


@app.command()
def trace(
    series_id: Annotated[str, typer.Argument(help="A series id.")],
    period: Annotated[str, typer.Argument(help="A date inside the period, e.g. 2025-04-05.")],
    store: StoreOpt = None,
) -> None:
    """Show where one stored number came from: fetch, URL, snapshot path, sha256."""
    from yenflow import api

    try:
        with api.open_store(store or settings(None).store_path, read_only=True) as st:
            info = st.trace(series_id, period)
            revs = st.revisions(series_id)
    except Exception as exc:
        raise fail(exc) from exc
    if not info:
        raise fail(KeyError(f"no observation of {series_id} covering {period}"))
    if not info.get("url"):
        info["url"] = "- (read from a raw snapshot folder with --from)"
    for key in ("published_at", "available_at", "fetched_at"):
        info[key] = f"{info[key]} UTC"
    for key, value in info.items():
        console.print(f"{key:>13}: {value}")
    if not revs.empty:
        import pandas as pd

        hit = revs[pd.to_datetime(revs["period_start"]) == pd.Timestamp(info["period_start"])]
        for _, r in hit.iterrows():
            console.print(f"     revision: was {r['value']} until {r['superseded_at']}")
