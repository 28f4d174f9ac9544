"""The ``yenflow`` command line: thin wrappers around the library, plus printing."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

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


def _settings(store: Path | None):  # -> Settings (lazy import keeps --help fast)
    from yenflow.config import Settings

    return Settings.from_env(store_path=store)


def _as_of(value: str | None):  # -> pd.Timestamp | None
    """``--as-of`` through :func:`yenflow.frame.to_cutoff`, the one meaning of "as of"."""
    if value is None:
        return None
    from yenflow.frame import to_cutoff

    try:
        return to_cutoff(value)
    except ValueError as exc:
        err_console.print(f"[red]--as-of: {exc}[/red]", markup=True)
        raise typer.Exit(2) from None


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(1)


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


def _run_refresh(
    sources: list[str] | None,
    *,
    store_path: Path | None,
    from_dir: Path | None,
    save_raw: Path | None,
    quiet: bool = False,
):  # -> RefreshResult
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from yenflow.refresh import refresh
    from yenflow.sources import source_names

    settings = _settings(store_path)
    names = sources or source_names()
    if from_dir is not None and not from_dir.is_dir():
        err_console.print(f"[red]error:[/red] --from {from_dir}: no such folder")
        raise typer.Exit(2)
    if quiet or not err_console.is_terminal:
        return refresh(
            names,
            settings=settings,
            store=settings.store_path,
            snapshot_dir=from_dir,
            save_raw=save_raw,
        )
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[source]:<5}[/bold] {task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks = {n: bar.add_task("waiting", source=n, total=None) for n in names}

        def progress(source: str, message: str) -> None:
            bar.update(tasks[source], description=message)

        return refresh(
            names,
            settings=settings,
            store=settings.store_path,
            snapshot_dir=from_dir,
            save_raw=save_raw,
            progress=progress,
        )


def _summarize(messages: list[str], *, limit: int = 3) -> str:
    """Failures grouped by reason: "14 requests: connection failed ... (e.g. URL)"."""
    import re
    from collections import defaultdict

    groups: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        match = re.match(r"^\[[\w-]+\] (\S+?): (.*)$", message, flags=re.S)
        where, what = (match.group(1), match.group(2)) if match else ("", message)
        groups[what].append(where)
    parts = []
    for what, wheres in list(groups.items())[:limit]:
        if len(wheres) == 1:
            parts.append(f"{wheres[0]}: {what}" if wheres[0] else what)
        else:
            parts.append(f"{len(wheres)} requests: {what} (e.g. {wheres[0]})")
    if len(groups) > limit:
        parts.append(f"... and {len(groups) - limit} other reasons (see `yenflow log`)")
    return "; ".join(parts)


def _print_refresh(result) -> None:  # result: RefreshResult
    table = Table(title=f"fetch {result.run_id} ({result.seconds:.2f} s)", show_lines=False)
    for col, justify in (
        ("source", "left"),
        ("status", "left"),
        ("added", "right"),
        ("revised", "right"),
        ("unchanged", "right"),
        ("files", "right"),
        ("304", "right"),
        ("failures / notes", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    colors = {
        "ok": "green",
        "unchanged": "cyan",
        "partial": "yellow",
        "failed": "red",
        "absent": "dim",
    }
    for o in result.outcomes:
        reason = _summarize(list(o.failures)) or _summarize(list(o.notes))
        table.add_row(
            o.source,
            f"[{colors[o.status]}]{o.status}[/]",
            f"{o.added:,}",
            f"{o.revised:,}",
            f"{o.unchanged:,}",
            f"{o.downloaded}",
            f"{o.not_modified}",
            reason,
        )
    console.print(table)


@app.command()
def fetch(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to fetch (default: all). See `yenflow sources`."),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from", help="Read payloads from this raw-snapshot folder, not the network."
        ),
    ] = None,
    save_raw: Annotated[
        Path | None,
        typer.Option(
            "--save-raw", help="Also write every payload into this folder (snapshot layout)."
        ),
    ] = None,
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Refresh the store: fetch sources concurrently, then show rows added, revised, unchanged,
    failed. Exit status 1 if any source failed (even partly)."""
    from yenflow.errors import YenflowError

    try:
        result = _run_refresh(
            sources, store_path=store, from_dir=from_dir, save_raw=save_raw, quiet=as_json
        )
    except YenflowError as exc:
        raise _fail(exc) from exc
    if as_json:
        console.print_json(json.dumps(result.summary(), default=str))
    else:
        _print_refresh(result)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def sources() -> None:
    """List the sources, what they provide and where they come from."""
    from yenflow.sources import get_source_class, source_names

    table = Table(title="sources")
    for col in ("name", "title", "series", "key", "homepage"):
        table.add_column(col)
    for name in source_names():
        cls = get_source_class(name)
        table.add_row(
            name,
            cls.title,
            str(len(cls.catalog)),
            "required" if cls.requires_key else "-",
            cls.homepage,
        )
    console.print(table)


@app.command("series")
def list_series(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    contains: Annotated[str | None, typer.Option(help="Only ids containing this text.")] = None,
    catalog: Annotated[
        bool, typer.Option("--catalog", help="List the sources' catalogs, not the store.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """List series: those in the store with coverage (default), or the sources' catalogs."""
    from yenflow import api

    try:
        if catalog:
            frame = api.catalog(source)
            cols = ["series_id", "unit", "frequency", "sign", "title"]
        else:
            with api.open_store(store or _settings(None).store_path, read_only=True) as st:
                frame = st.series_table()
            if source:
                frame = frame[frame["source"] == source]
            cols = ["series_id", "unit", "frequency", "first_period", "last_period", "observations"]
    except Exception as exc:
        raise _fail(exc) from exc
    if contains:
        frame = frame[frame["series_id"].str.contains(contains, regex=False)]
    table = Table(title=f"{len(frame)} series")
    for col in cols:
        table.add_column(col, no_wrap=col == "series_id", overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[_fmt(row[c]) for c in cols])
    console.print(table)


def _fmt(value: object) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp | datetime):
        return str(value.date()) if getattr(value, "hour", 0) == 0 else str(value)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


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
        with api.open_store(store or _settings(None).store_path, read_only=True) as st:
            meta = st.series_table([series_id])
            obs = st.observations([series_id], as_of=_as_of(as_of))
    except Exception as exc:
        raise _fail(exc) from exc
    if meta.empty:
        raise _fail(KeyError(f"no series {series_id!r} in the store; see `yenflow series`"))
    m = meta.iloc[0]
    console.print(f"[bold]{series_id}[/bold] — {m['title']}")
    console.print(f"unit: {m['unit']}  frequency: {m['frequency']}  sign: {m['sign'] or '-'}")
    console.print(
        f"coverage: {_fmt(m['first_period'])} .. {_fmt(m['last_period'])}, "
        f"{m['observations']:,} observations"
    )
    if m["description"]:
        console.print(f"[dim]{m['description']}[/dim]")
    table = Table()
    for col in ("period_start", "period_end", "value", "published_at"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for _, row in obs.tail(last).iterrows():
        table.add_row(
            _fmt(row["period_start"]),
            _fmt(row["period_end"]),
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
        raise _fail(ValueError(f"--out {out}: use a .csv or .parquet file name"))
    if shape not in ("long", "wide"):
        raise _fail(ValueError(f"--shape {shape!r}: use long or wide"))
    try:
        with api.open_store(store or _settings(None).store_path, read_only=True) as st:
            if shape == "long":
                frame = st.observations(series_ids, as_of=_as_of(as_of))
                meta = st.series_table(series_ids)[["series_id", "unit"]]
                frame = frame.merge(meta, on="series_id", how="left")
            else:
                frame = api.series(series_ids, as_of=_as_of(as_of), store=st)
    except Exception as exc:
        raise _fail(exc) from exc
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
        with api.open_store(store or _settings(None).store_path, read_only=True) as st:
            info = st.trace(series_id, period)
            revs = st.revisions(series_id)
    except Exception as exc:
        raise _fail(exc) from exc
    if not info:
        raise _fail(KeyError(f"no observation of {series_id} covering {period}"))
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


@app.command()
def status(store: StoreOpt = None) -> None:
    """Show each source's last fetch, its outcome and how fresh the stored data are."""
    from yenflow import api

    try:
        with api.open_store(store or _settings(None).store_path, read_only=True) as st:
            frame = st.source_status()
            coverage = st.series_table().groupby("source")["last_period"].max()
    except Exception as exc:
        raise _fail(exc) from exc
    table = Table(title="sources in the store")
    for col in (
        "source",
        "last fetch (UTC)",
        "status",
        "observations",
        "newest period",
        "newest publication (UTC)",
        "error",
    ):
        table.add_column(col, overflow="fold")
    colors = {"ok": "green", "partial": "yellow", "failed": "red"}
    for _, row in frame.iterrows():
        table.add_row(
            row["source"],
            _fmt(row["last_fetch_at"]).split(".")[0],
            f"[{colors.get(row['status'], 'white')}]{row['status']}[/]",
            f"{row['rows']:,}",
            _fmt(coverage.get(row["source"])),
            _fmt(row["last_published_at"]),
            _summarize(row["error"].split(" | ")) if isinstance(row["error"], str) else "-",
        )
    console.print(table)


@app.command()
def log(
    limit: Annotated[int, typer.Option(help="How many rows.")] = 30,
    store: StoreOpt = None,
) -> None:
    """Show the fetch log, newest first."""
    from yenflow import api

    try:
        with api.open_store(store or _settings(None).store_path, read_only=True) as st:
            frame = st.fetch_log(limit)
    except Exception as exc:
        raise _fail(exc) from exc
    cols = [
        "fetch_id",
        "fetched_at",
        "source",
        "status",
        "raw_path",
        "bytes",
        "rows_added",
        "rows_revised",
        "error",
    ]
    table = Table()
    for col in cols:
        table.add_column(col, no_wrap=col in ("raw_path", "status"), overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[_fmt(row[c]) for c in cols])
    console.print(table)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "yenflow-report.html"
    ),
    offline: Annotated[
        bool, typer.Option("--offline", help="Use the store as it is; fetch nothing.")
    ] = False,
    from_dir: Annotated[
        Path | None, typer.Option("--from", help="Refresh from this raw-snapshot folder first.")
    ] = None,
    as_of: AsOfOpt = None,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every figure of the report as JSON to this file."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Refresh the data (unless --offline), run the analytics, write a self-contained HTML
    report and print a summary of the latest week."""
    from yenflow.errors import YenflowError
    from yenflow.report import build_report, render_html, render_terminal
    from yenflow.store import Store

    if offline and from_dir is not None:
        raise _fail(ValueError("--offline and --from exclude each other"))
    refresh_failed = False
    try:
        if not offline:
            result = _run_refresh(None, store_path=store, from_dir=from_dir, save_raw=None)
            refresh_failed = not result.ok
            if refresh_failed:
                _print_refresh(result)
        settings = _settings(store)
        cutoff = _as_of(as_of)
        with Store(settings.store_path, read_only=offline) as st:
            obs = st.observations(as_of=cutoff)
            status = st.source_status(as_of=cutoff)
        rep = build_report(obs, as_of=cutoff, sources=status)
    except YenflowError as exc:
        raise _fail(exc) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(rep), encoding="utf-8")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(rep.summary(), indent=2, default=str), encoding="utf-8")
    render_terminal(rep, console)
    stamp = datetime.now(UTC).strftime("%H:%M:%S UTC")
    console.print(
        f"\nreport written to [bold]{out}[/bold] at {stamp}"
        + (f"; figures as JSON in {json_out}" if json_out else "")
    )
    if refresh_failed:
        err_console.print(
            "[yellow]some sources failed to refresh: the report uses what the "
            "store holds and says what is missing[/yellow]"
        )


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
