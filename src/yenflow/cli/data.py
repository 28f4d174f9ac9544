"""``yenflow show``, ``export`` and ``trace``: read stored series and their provenance."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table
from rich.text import Text

from yenflow.cli.common import (
    AsOfOpt,
    StoreOpt,
    app,
    close_matches,
    console,
    fail,
    fmt,
    handled,
    missing,
    parse_as_of,
    store_path,
    usage,
)
from yenflow.termtext import styled


def _check_known(st, series_ids: list[str]) -> None:  # st: Store
    """Every id must be in the store; an unknown one is an error listing close matches."""
    known = set(st.series_ids())
    unknown = [s for s in series_ids if s not in known]
    if unknown:
        fail("; ".join(close_matches(s, known, what="series") for s in unknown))


def _utc(value: object) -> str:
    """An instant as ``YYYY-MM-DD HH:MM`` (the store's instants are UTC), ``-`` if missing."""
    if missing(value):
        return "-"
    if not isinstance(value, datetime):
        import pandas as pd

        value = pd.Timestamp(value)
    return value.strftime("%Y-%m-%d %H:%M")


@app.command()
def show(
    series_id: Annotated[str, typer.Argument(help="A series id, e.g. fred.DEXJPUS.")],
    last: Annotated[int, typer.Option(min=1, help="Show the last N observations.")] = 20,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Show one series: metadata and its latest observations, with their release time
    (published_at) and when each value was known (available_at: later for a revision)."""
    from yenflow import api

    cutoff = parse_as_of(as_of)
    # plain rows, no frames: `show` reads only the N rows it prints and never imports pandas
    with handled(), api.open_store(store_path(store), read_only=True) as st:
        meta = st.series_records([series_id])
        if not meta:
            _check_known(st, [series_id])
        rows = st.observation_rows([series_id], as_of=cutoff, last=last)
    m = meta[0]
    console.print(Text.assemble(styled(series_id, "bold"), " — ", styled(m["title"])))
    console.print(
        styled(f"unit: {m['unit']}  frequency: {m['frequency']}  sign: {m['sign'] or '-'}")
    )
    console.print(
        styled(
            f"coverage: {fmt(m['first_period'])} .. {fmt(m['last_period'])}, "
            f"{m['observations']:,} observations"
        )
    )
    if m["description"]:
        console.print(styled(m["description"], "dim"))
    columns = [
        "period_start",
        "period_end",
        "value",
        "published_at (UTC)",
        "available_at (UTC)",
    ]
    table = Table()
    for col in columns:
        table.add_column(col, justify="right" if col == "value" else "left")
    for _sid, period_start, period_end, value, published_at, available_at in rows:
        table.add_row(
            fmt(period_start),
            fmt(period_end),
            f"{float(value):,.4f}".rstrip("0").rstrip("."),
            _utc(published_at),
            _utc(available_at),
        )
    console.print(table)


@app.command()
def export(
    series_ids: Annotated[list[str], typer.Argument(help="Series ids to export.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .csv or .parquet.")],
    shape: Annotated[
        Literal["long", "wide"],
        typer.Option(help="long (one row per observation) or wide (one column per series)."),
    ] = "long",
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
) -> None:
    """Export series to CSV or Parquet (long: with periods, units, the release time
    published_at and available_at, when the value was known: a revised value's is the
    fetch that brought it).

    The file is written atomically: a failure leaves any earlier file as it was."""
    from yenflow import api
    from yenflow.atomic import atomic_path, check_writable

    if out.suffix not in (".csv", ".parquet"):
        usage(f"--out {out}: use a .csv or .parquet file name")
    cutoff = parse_as_of(as_of)
    with handled():
        check_writable(out)
        with api.open_store(store_path(store), read_only=True) as st:
            _check_known(st, series_ids)
            if shape == "long":
                frame = st.observations(series_ids, as_of=cutoff, with_available=True)
                meta = st.series_table(series_ids)[["series_id", "unit"]]
                frame = frame.merge(meta, on="series_id", how="left")
            else:
                frame = api.series(series_ids, as_of=cutoff, store=st)
        with atomic_path(out) as tmp:
            if out.suffix == ".csv":
                frame.to_csv(tmp, index=shape == "wide")
            else:
                frame.to_parquet(tmp, index=shape == "wide")
    console.print(styled(f"wrote {len(frame):,} rows to {out}"))


@app.command()
def trace(
    series_id: Annotated[str, typer.Argument(help="A series id.")],
    period: Annotated[str, typer.Argument(help="A date inside the period, e.g. 2025-04-05.")],
    store: StoreOpt = None,
) -> None:
    """Show where one stored number came from: fetch, URL, snapshot path, sha256."""
    import pandas as pd

    from yenflow import api

    try:
        when = pd.Timestamp(period)
    except (ValueError, TypeError):
        usage(f"{period}: not a date (use e.g. 2025-04-05)")
    if when is pd.NaT:
        usage(f"{period}: not a date (use e.g. 2025-04-05)")
    with handled(), api.open_store(store_path(store), read_only=True) as st:
        _check_known(st, [series_id])
        info = st.trace(series_id, when)
        revs = st.revisions(series_id)
    if not info:
        fail(f"no observation of {series_id} covering {period}")
    if not info.get("url"):
        info["url"] = "- (read from a raw snapshot folder with --from)"
    for key in ("published_at", "available_at", "fetched_at"):
        info[key] = f"{info[key]} UTC"
    for key, value in info.items():
        console.print(styled(f"{key:>13}: {value}"))
    if not revs.empty:
        hit = revs[pd.to_datetime(revs["period_start"]) == pd.Timestamp(info["period_start"])]
        for _, r in hit.iterrows():
            console.print(styled(f"     revision: was {r['value']} until {r['superseded_at']}"))
