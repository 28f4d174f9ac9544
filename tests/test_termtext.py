"""Every terminal-output path shows external text as plain text: no markup interpreted, no
escape sequence or control character reaches the terminal (property tests)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from yenflow.cli import app, common
from yenflow.cli.fetch import print_refresh
from yenflow.refresh import RefreshResult, SourceOutcome
from yenflow.termtext import SafeConsole, plain, styled

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # what Rich itself emits for styles on a terminal

hostile = st.text(
    alphabet=st.one_of(
        st.sampled_from(string.printable),
        st.characters(min_codepoint=0, max_codepoint=0x1F),
        st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
        st.sampled_from(["\u202e", "\u2066", "é", "円"]),
    ),
    max_size=60,
).map(lambda s: s)
fragments = st.lists(
    st.one_of(
        hostile,
        st.sampled_from(
            ["[/x]", "[bold red]", "[/]", "\x1b[2J", "\x1b]0;title\x07", "\x9b31m", ":smile:", "["]
        ),
    ),
    max_size=6,
).map("".join)


def assert_clean(output: str, *, terminal: bool) -> None:
    if terminal:
        output = SGR.sub("", output)
    assert not CONTROL.search(output.replace("\n", "")), repr(output)
    assert "\x1b" not in output


def test_plain_removes_sequences_and_keeps_text():
    assert plain("a\x1b[2Jb\x1b]0;t\x07c\x07d\u202ee") == "abcde"
    assert plain("[/x] [bold]") == "[/x] [bold]" and plain("l1\nl2\tx") == "l1\nl2\tx"


@settings(max_examples=150, deadline=None)
@given(text=fragments, terminal=st.booleans())
def test_every_console_path_prints_external_text_as_plain_text(text, terminal):
    con = SafeConsole(
        force_terminal=terminal, width=80, color_system="standard" if terminal else None
    )
    with con.capture() as cap:
        con.print(text)  # a plain string
        con.print(styled(text, "bold red"))  # a styled Text
        con.print(Text(text))  # a Text built elsewhere (e.g. the report's terminal summary)
        table = Table(title=text)
        table.add_column(text)
        table.add_row(text)
        con.print(table)
        con.rule(text)
    assert_clean(cap.get(), terminal=terminal)
    visible = [c for c in plain(text) if c.isalnum()]
    assert all(c in cap.get() for c in visible)


@settings(max_examples=100, deadline=None)
@given(text=fragments)
def test_error_lines_and_the_fetch_table(text):
    outcome = SourceOutcome("mof", "partial", failures=(f"[mof] {text}: {text}",), notes=(text,))
    result = RefreshResult(run_id=text[:12] or "r", outcomes=(outcome,))
    with common.err_console.capture() as err, common.console.capture() as out:
        common.error_line(text)
        print_refresh(result)
    assert_clean(err.get() + out.get(), terminal=False)
    assert err.get().count("\n") == 1  # one line, whatever the message holds


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory) -> Path:
    from yenflow.store import Store

    path = tmp_path_factory.mktemp("term") / "s.duckdb"
    Store(path).close()
    return path


@settings(max_examples=25, deadline=None)
@given(text=fragments.filter(lambda s: s.strip() and not s.startswith("-")))
def test_commands_echoing_an_argument(empty_store, text):
    runner = CliRunner()
    for args in (["show", text], ["trace", text, "2025-04-05"], ["series", "--source", text]):
        out = runner.invoke(app, [*args, "--store", str(empty_store)])
        assert out.exit_code in (1, 2), out.output
        assert ("Traceback" not in out.output and out.exception is None) or isinstance(
            out.exception, SystemExit
        )
        assert_clean(out.output, terminal=False)


@settings(max_examples=40, deadline=None)
@given(text=fragments)
def test_the_report_terminal_summary(text):
    import pandas as pd

    from yenflow.report import render_terminal
    from yenflow.report.model import Column, Fact, Note, Report, Section
    from yenflow.report.model import Table as ReportTable

    section = Section(
        key="latest_week",
        title=text,
        facts=(Fact("f", text),),
        tables=(ReportTable("t", text, (Column("c", text),), ((text,),)),),
        notes=(Note("info", text),),
    )
    report = Report(
        as_of=None, generated_at=pd.Timestamp("2025-04-17", tz="UTC"), sections=(section,)
    )
    con = SafeConsole(width=100, color_system=None)
    with con.capture() as cap:
        render_terminal(report, con)
    assert_clean(cap.get(), terminal=False)
    assert "[bold]yenflow report" not in cap.get() and "yenflow report" in cap.get()
