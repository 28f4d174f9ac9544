"""The CLI: every command has help and is documented; the commands work on a real snapshot."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from yenflow.cli import app

runner = CliRunner()


def commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = commands()
    expected = {"fetch", "report", "series", "show", "export", "sources", "trace", "log", "status"}
    assert expected <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert len(result.output.strip()) > 40
        assert re.search(rf"yenflow {name}\b", readme), f"`yenflow {name}` is not in README.md"


@pytest.fixture(scope="module")
def store(real_data: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store.duckdb"
    result = runner.invoke(
        app, ["fetch", "mof", "fred", "--from", str(real_data), "--store", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.realdata
def test_show_series_trace_log(store: Path):
    out = runner.invoke(
        app,
        ["show", "mof.weekly.outward.long_term_debt.net", "--store", str(store), "--last", "400"],
    )
    assert out.exit_code == 0, out.output
    assert "JPY 100 million" in out.output and "-25,726" in out.output
    out = runner.invoke(app, ["series", "--store", str(store), "--contains", "DEXJPUS"])
    assert out.exit_code == 0 and "fred.DEXJPUS" in out.output
    out = runner.invoke(
        app, ["trace", "mof.weekly.outward.long_term_debt.net", "2025-04-02", "--store", str(store)]
    )
    assert out.exit_code == 0, out.output
    assert "mof/week.csv" in out.output and "de9ba9847fdc8beb" in out.output
    out = runner.invoke(app, ["log", "--store", str(store)])
    assert out.exit_code == 0 and "ingested" in out.output
    out = runner.invoke(app, ["status", "--store", str(store)])
    assert out.exit_code == 0 and "mof" in out.output and "2026-09-12" in out.output


@pytest.mark.realdata
def test_export_csv_and_parquet(store: Path, tmp_path: Path):
    ids = ["mof.weekly.outward.long_term_debt.net", "fred.DEXJPUS"]
    csv = tmp_path / "x.csv"
    out = runner.invoke(app, ["export", *ids, "--out", str(csv), "--store", str(store)])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(csv)
    row = frame[(frame.series_id == ids[0]) & (frame.period_start == "2025-03-30")]
    assert row["value"].item() == -25726 and row["unit"].item() == "JPY 100 million"
    pq = tmp_path / "x.parquet"
    out = runner.invoke(
        app,
        [
            "export",
            *ids,
            "--out",
            str(pq),
            "--shape",
            "wide",
            "--store",
            str(store),
            "--as-of",
            "2025-04-18",
        ],
    )
    assert out.exit_code == 0, out.output
    wide = pd.read_parquet(pq)
    assert wide.index.max() <= pd.Timestamp("2025-04-18")
    assert wide.loc[pd.Timestamp("2025-04-12"), ids[0]] == -5119


@pytest.mark.realdata
def test_fetch_json_reports_unchanged_on_second_run(store: Path, real_data: Path):
    out = runner.invoke(
        app, ["fetch", "mof", "--from", str(real_data), "--store", str(store), "--json"]
    )
    assert out.exit_code == 0
    result = json.loads(out.output)
    assert result["sources"][0]["status"] == "unchanged"


def test_bad_options_fail_clearly(tmp_path: Path):
    out = runner.invoke(app, ["fetch", "nosuch", "--store", str(tmp_path / "s.duckdb")])
    assert out.exit_code != 0 and "unknown source" in out.output
    out = runner.invoke(app, ["show", "x", "--store", str(tmp_path / "missing.duckdb")])
    assert out.exit_code == 1 and "yenflow fetch" in out.output


# -- hardening: errors are one line, usage errors exit 2, nothing half-written -----------------

import errno  # noqa: E402

SID = "mof.weekly.outward.long_term_debt.net"


def one_error_line(out) -> str:
    """The output is exactly one ``error: ...`` line and no traceback."""
    text = out.output.strip()
    assert ("Traceback" not in text and out.exception is None) or isinstance(
        out.exception, SystemExit
    ), out.output
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    return lines[0]


@pytest.mark.realdata
@pytest.mark.parametrize("cmd", ["show", "export", "report"])
@pytest.mark.parametrize("bad", ["", "yesterday-ish", "2025-13-01"])
def test_a_bad_as_of_is_a_usage_error_everywhere(store: Path, tmp_path: Path, cmd, bad):
    args = {
        "show": ["show", SID],
        "export": ["export", SID, "--out", str(tmp_path / "x.csv")],
        "report": ["report", "--offline", "--out", str(tmp_path / "r.html")],
    }[cmd]
    out = runner.invoke(app, [*args, "--store", str(store), "--as-of", bad])
    assert out.exit_code == 2, out.output
    line = one_error_line(out)
    assert "--as-of" in line and "error: 2" not in line
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.realdata
def test_unknown_names_are_errors_listing_close_matches(store: Path, tmp_path: Path):
    target = tmp_path / "x.csv"
    out = runner.invoke(app, ["export", "fred.DEXJPU", "--out", str(target), "--store", str(store)])
    assert out.exit_code == 1 and "did you mean fred.DEXJPUS" in one_error_line(out)
    out = runner.invoke(
        app, ["export", SID, "fred.NOSUCH", "--out", str(target), "--store", str(store)]
    )
    assert out.exit_code == 1 and "no series fred.NOSUCH" in one_error_line(out)
    assert not target.exists()  # nothing written when one id is unknown
    out = runner.invoke(app, ["show", "fred.DEXJPUZ", "--store", str(store)])
    line = one_error_line(out)
    assert out.exit_code == 1 and "did you mean fred.DEXJPUS" in line and "'" not in line
    out = runner.invoke(app, ["series", "--source", "fredd", "--store", str(store)])
    assert out.exit_code == 2 and "did you mean fred" in one_error_line(out)


@pytest.mark.realdata
def test_bounds_are_checked(store: Path):
    out = runner.invoke(app, ["show", SID, "--last", "-3", "--store", str(store)])
    assert out.exit_code == 2 and "Traceback" not in out.output
    out = runner.invoke(app, ["log", "--limit", "-1", "--store", str(store)])
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert "SQL" not in out.output and "Binder" not in out.output


@pytest.mark.realdata
@pytest.mark.parametrize("where", ["folder", "under-a-file"])
def test_export_to_an_unusable_path_is_one_line(store: Path, tmp_path: Path, where):
    (tmp_path / "afile").write_text("x")
    out_path = tmp_path if where == "folder" else tmp_path / "afile" / "x.csv"
    if where == "folder":
        out_path = tmp_path / "adir.csv"
        out_path.mkdir()
    out = runner.invoke(app, ["export", SID, "--out", str(out_path), "--store", str(store)])
    line = one_error_line(out)
    assert out.exit_code == 1 and str(out_path) in line
    assert ("is a folder" in line) if where == "folder" else ("is a file, not a folder" in line)


@pytest.mark.realdata
def test_report_paths_are_checked_before_anything_is_written(store: Path, tmp_path: Path):
    folder = tmp_path / "adir.html"
    folder.mkdir()
    out = runner.invoke(app, ["report", "--offline", "--out", str(folder), "--store", str(store)])
    assert out.exit_code == 1 and "is a folder" in one_error_line(out)
    (tmp_path / "afile").write_text("x")
    html = tmp_path / "r.html"
    bad_json = tmp_path / "afile" / "r.json"
    out = runner.invoke(
        app,
        ["report", "--offline", "--out", str(html), "--json", str(bad_json), "--store", str(store)],
    )
    assert out.exit_code == 1 and str(bad_json) in one_error_line(out)
    assert not html.exists()  # checked before the HTML was written


def _disk_full_after_half(original):
    def write(self, data, *args, **kwargs):
        original(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


@pytest.mark.realdata
def test_a_failed_report_write_leaves_the_old_file_whole(store: Path, tmp_path: Path, monkeypatch):
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    html.write_text("old report")
    monkeypatch.setattr(Path, "write_text", _disk_full_after_half(Path.write_text))
    out = runner.invoke(
        app, ["report", "--offline", "--out", str(html), "--json", str(js), "--store", str(store)]
    )
    line = one_error_line(out)
    assert out.exit_code == 1 and "No space left on device" in line and str(html) in line
    monkeypatch.undo()
    assert html.read_text() == "old report" and not js.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temporary left


@pytest.mark.realdata
def test_a_failed_export_write_leaves_no_partial_file(store: Path, tmp_path: Path, monkeypatch):
    target = tmp_path / "x.csv"
    original = pd.DataFrame.to_csv

    def to_csv(self, path, *args, **kwargs):  # writes half a file, then the disk is full
        text = original(self, None, *args, **kwargs)
        Path(path).write_text(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    out = runner.invoke(app, ["export", SID, "--out", str(target), "--store", str(store)])
    assert out.exit_code == 1 and "No space left" in one_error_line(out)
    assert list(tmp_path.iterdir()) == []


# -- hostile text is shown as plain text --------------------------------------------------------


@pytest.mark.realdata
def test_markup_and_escapes_in_arguments_are_plain_text(store: Path):
    out = runner.invoke(app, ["show", "[/x]", "--store", str(store)])
    assert out.exit_code == 1 and "no series [/x]" in one_error_line(out)
    out = runner.invoke(app, ["show", "[bold red]boom", "--store", str(store)])
    assert "[bold red]boom" in out.output
    out = runner.invoke(app, ["show", "\x1b[2J\x1b[Hspoofed", "--store", str(store)])
    assert "\x1b" not in out.output and "spoofed" in out.output


@pytest.fixture
def wide(monkeypatch):
    """Wide consoles, so a table cell is not wrapped across lines."""
    from yenflow.cli import common

    for con in (common.console, common.err_console):
        monkeypatch.setattr(con, "_width", 400)


def test_markup_and_escapes_in_payloads_never_break_status_and_log(tmp_path: Path, wide):
    snap = tmp_path / "snap" / "mof"
    snap.mkdir(parents=True)
    (snap / "week.csv").write_bytes(b"[/x] \x1b[2J\x1b]0;pwned\x07 [bold red]not a MoF file\n")
    db = str(tmp_path / "s.duckdb")
    out = runner.invoke(app, ["fetch", "mof", "--from", str(tmp_path / "snap"), "--store", db])
    assert out.exit_code == 1 and "\x1b" not in out.output
    for cmd in (["status"], ["log"]):
        out = runner.invoke(app, [*cmd, "--store", db])
        assert out.exit_code == 0, out.output
        assert "\x1b" not in out.output and "[/x]" in out.output and "[bold red]" in out.output


# -- one meaning of "as of": the API, `show`, `export` and the report agree ---------------------

# The week to 12 April 2025 was published on Thursday 17 April, 08:50 Tokyo = 23:50 UTC on
# 16 April. A bare date is the end of that day, UTC; an instant is taken as given.
AS_OF_CASES = [  # (as of, latest week end, also through the report: ~5 s each)
    ("2025-04-16", "2025-04-12", True),
    ("2025-04-16T23:50:00Z", "2025-04-12", True),
    ("2025-04-17T08:50:00+09:00", "2025-04-12", False),
    ("2025-04-16T23:49:59Z", "2025-04-05", True),
    ("2025-04-15", "2025-04-05", False),
]


def _report_last_period(summary: object, series_id: str) -> str | None:
    """The ``last_period_end`` the report's JSON gives for ``series_id`` (wherever it is)."""
    if isinstance(summary, dict):
        if summary.get("series_id") == series_id and "last_period_end" in summary:
            return str(summary["last_period_end"])[:10]
        children = summary.values()
    elif isinstance(summary, list):
        children = summary
    else:
        return None
    for child in children:
        found = _report_last_period(child, series_id)
        if found:
            return found
    return None


@pytest.mark.realdata
@pytest.mark.parametrize(("as_of", "latest", "with_report"), AS_OF_CASES)
def test_the_same_as_of_answer_through_api_cli_and_report(
    store: Path, tmp_path: Path, wide, as_of: str, latest: str, with_report: bool
):
    import yenflow

    api_last = yenflow.series(SID, store=store, as_of=as_of).index.max()
    assert str(api_last.date()) == latest

    out = runner.invoke(app, ["show", SID, "--last", "1", "--as-of", as_of, "--store", str(store)])
    assert out.exit_code == 0, out.output
    rows = [line for line in out.output.splitlines() if re.search(r"\d{4}-\d\d-\d\d", line)]
    assert re.search(rf"│ \d{{4}}-\d\d-\d\d\s+│ {latest}\s+│", rows[-1]), out.output

    csv = tmp_path / "x.csv"
    out = runner.invoke(
        app, ["export", SID, "--out", str(csv), "--as-of", as_of, "--store", str(store)]
    )
    assert out.exit_code == 0, out.output
    assert pd.read_csv(csv)["period_end"].max() == latest

    if not with_report:
        return
    js = tmp_path / "r.json"
    out = runner.invoke(
        app,
        [
            "report",
            "--offline",
            "--as-of",
            as_of,
            "--out",
            str(tmp_path / "r.html"),
            "--json",
            str(js),
            "--store",
            str(store),
        ],
    )
    assert out.exit_code == 0, out.output
    assert _report_last_period(json.loads(js.read_text()), SID) == latest


# -- imports only on the paths that need them ---------------------------------------------------

_PROBE = """
import sys
from yenflow.cli import main
sys.argv = ["yenflow", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED", " ".join(m for m in ("httpx", "plotly", "yenflow.report") if m in sys.modules))
"""


def _loaded(*args: str) -> set[str]:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("LOADED")][-1]
    return set(line.split()[1:])


@pytest.mark.realdata
def test_show_imports_neither_the_http_stack_nor_plotly(store: Path, real_data: Path):
    assert _loaded("show", "fred.DEXJPUS", "--last", "5", "--store", str(store)) == set()
    # a no-change fetch (everything already ingested) never loads the report or plotly
    loaded = _loaded("fetch", "mof", "--from", str(real_data), "--store", str(store), "--json")
    assert "plotly" not in loaded and "yenflow.report" not in loaded
    assert _loaded("--help") == set()


#: what the light paths must not import: pandas' whole stack, the HTTP client, the charts
_HEAVY = ("pandas", "numpy", "pyarrow", "plotly", "numba", "statsmodels", "httpx")

_HEAVY_PROBE = """
import json, sys
heavy = json.loads(sys.argv[1])
from yenflow.cli import main
sys.argv = ["yenflow", *sys.argv[2:]]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED", json.dumps([m for m in heavy if m in sys.modules]))
"""


def _heavy_loaded(*args: str) -> tuple[list[str], str]:
    """Run ``yenflow ARGS`` in a fresh interpreter: the heavy modules it imported, its output."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _HEAVY_PROBE, json.dumps(_HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    *output, line = [x for x in proc.stdout.splitlines() if x.strip()]
    assert line.startswith("LOADED"), proc.stdout + proc.stderr
    return json.loads(line.removeprefix("LOADED")), "\n".join(output)


@pytest.mark.realdata
def test_show_and_a_no_change_fetch_import_neither_pandas_nor_numpy(
    real_data: Path, tmp_path: Path
):
    db = str(tmp_path / "store.duckdb")
    first = runner.invoke(app, ["fetch", "--from", str(real_data), "--store", db, "--json"])
    assert first.exit_code == 0, first.output
    loaded, output = _heavy_loaded("fetch", "--from", str(real_data), "--store", db, "--json")
    statuses = {s["source"]: s["status"] for s in json.loads(output)["sources"]}
    assert set(statuses.values()) == {"unchanged"}, statuses  # nothing was parsed again
    assert loaded == []
    loaded, output = _heavy_loaded("show", "fred.DEXJPUS", "--last", "5", "--store", db)
    assert "fred.DEXJPUS" in output and "available_at (UTC)" in output
    assert loaded == []


# -- a revised value shows when it became known -------------------------------------------------


def test_show_and_export_give_available_at_of_a_revision(tmp_path: Path, wide):
    snap = tmp_path / "snap" / "fred"
    snap.mkdir(parents=True)
    rows = "observation_date,DEXJPUS\n2025-04-07,146.00\n2025-04-08,147.00\n"
    (snap / "DEXJPUS.csv").write_text(rows)
    db = str(tmp_path / "s.duckdb")
    env = {"YENFLOW_FRED_SERIES": "DEXJPUS"}
    args = ["fetch", "fred", "--from", str(tmp_path / "snap"), "--store", db, "--json"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    (snap / "DEXJPUS.csv").write_text(rows.replace("147.00", "147.50"))  # FRED revises a day
    assert runner.invoke(app, args, env=env).exit_code == 0

    out = runner.invoke(app, ["show", "fred.DEXJPUS", "--store", db])
    assert out.exit_code == 0 and "available_at" in out.output, out.output
    csv = tmp_path / "x.csv"
    out = runner.invoke(app, ["export", "fred.DEXJPUS", "--out", str(csv), "--store", db])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(csv, parse_dates=["published_at", "available_at"]).set_index("period_start")
    same, revised = frame.loc["2025-04-07"], frame.loc["2025-04-08"]
    assert revised["value"] == 147.5
    # the revision became known at the second fetch (today), long after its release time
    assert revised["available_at"] > revised["published_at"] + pd.Timedelta(days=30)
    assert same["available_at"] == same["published_at"]
    shown = runner.invoke(app, ["show", "fred.DEXJPUS", "--store", db]).output
    assert revised["available_at"].strftime("%Y-%m-%d %H:%M") in shown


# -- settings checked at startup; stores that cannot be used ------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("YENFLOW_TIMEOUT", "-1"),
        ("YENFLOW_TIMEOUT", "nan"),
        ("YENFLOW_BACKOFF", "inf"),
        ("YENFLOW_RETRIES", "1e20"),
    ],
)
def test_a_nonsensical_setting_stops_every_command_at_startup(tmp_path: Path, name, value):
    for cmd in (["show", "fred.DEXJPUS"], ["status"], ["fetch", "mof"]):
        out = runner.invoke(app, [*cmd, "--store", str(tmp_path / "s.duckdb")], env={name: value})
        assert out.exit_code == 2 and name in one_error_line(out), out.output
    assert not (tmp_path / "s.duckdb").exists()


def test_unusable_stores_are_one_line_errors(tmp_path: Path):
    import duckdb

    (tmp_path / "afile").write_text("x")
    under_file = tmp_path / "afile" / "s.duckdb"
    out = runner.invoke(app, ["fetch", "mof", "--from", str(tmp_path), "--store", str(under_file)])
    assert out.exit_code == 1 and str(tmp_path / "afile") in one_error_line(out)
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE t (x INT)")
    con.close()
    for cmd in (["status"], ["show", "fred.DEXJPUS"], ["log"], ["fetch", "mof"]):
        out = runner.invoke(app, [*cmd, "--store", str(foreign)])
        line = one_error_line(out)
        assert out.exit_code == 1 and "not a yenflow store" in line and str(foreign) in line


# -- the FRED key never leaks, whatever echoes it -----------------------------------------------

FRED_KEY = "abcdef0123456789abcdef0123456789"


def test_a_body_echoing_the_fred_key_leaks_it_nowhere(tmp_path: Path, wide):
    import duckdb

    from tests.scripted_server import ScriptedServer, respond

    body = (
        '{"error_code": 400, "error_message": "Bad Request.  The value for variable api_key '
        f'({FRED_KEY}) is not registered. Read https://fred.stlouisfed.org/docs/api/api_key"}}'
    ).encode()
    with ScriptedServer({"/fred/obs": lambda h: respond(h, 200, body)}) as server:
        env = {
            "FRED_API_KEY": FRED_KEY,
            "YENFLOW_FRED_API_BASE_URL": server.url("/fred/obs"),
            "YENFLOW_FRED_SERIES": "DEXJPUS",
            "YENFLOW_RETRIES": "0",
        }
        db = tmp_path / "s.duckdb"
        outputs = []
        for args in (["fetch", "fred", "--json"], ["fetch", "fred"]):
            out = runner.invoke(app, [*args, "--store", str(db)], env=env)
            assert out.exit_code == 1
            outputs.append(out.output)
        assert any(FRED_KEY in q for q, _ in server.requests)  # the key was sent, to FRED only
    for cmd in (["log"], ["status"]):
        out = runner.invoke(app, [*cmd, "--store", str(db)], env=env)
        outputs.append(out.output)
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    out = runner.invoke(
        app, ["report", "--offline", "--out", str(html), "--json", str(js), "--store", str(db)]
    )
    outputs += [
        out.output,
        html.read_text() if html.exists() else "",
        js.read_text() if js.exists() else "",
    ]
    con = duckdb.connect(str(db), read_only=True)
    outputs.append(repr(con.execute("SELECT * FROM fetches").fetchall()))
    con.close()
    assert "REDACTED" in outputs[0]
    for text in outputs:
        assert FRED_KEY not in text and FRED_KEY[:12] not in text
