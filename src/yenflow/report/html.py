"""The report as ONE self-contained HTML file.

plotly.js is inlined exactly once, in the page head (plotly's bundled ``plotly.min.js``, read
as package data: plotly's Python modules are not imported); each chart is a ``<div>`` from
:meth:`yenflow.report.figure.Figure.to_html`, the same bytes as plotly's
``Figure.to_html(include_plotlyjs=False, include_mathjax=False)``. There is no external URL to
load: no CDN, no web font (a system font stack), no image. The page has a header with the as-of
date and the generation time, one ``<section>`` per report section (with its freshness line and
notes), and the risk warning at the end."""

from __future__ import annotations

import html
import pkgutil
from functools import lru_cache

from yenflow.report.formatting import format_time
from yenflow.report.model import Fact, Note, Report, Section, Table

__all__ = ["render_html"]

#: plotly.js config for every chart: no logo, no link to an online editor, no MathJax.
PLOT_CONFIG: dict[str, object] = {
    "displaylogo": False,
    "showSendToCloud": False,
    "responsive": True,
    "typesetMath": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}

CSS = """
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6472; --rule: #d9dde3;
  --accent: #1f4e79; --warn: #8a5a00; --warnbg: #fff6e0; --err: #9b1c1c; --errbg: #fdecec; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Hiragino Sans", "Yu Gothic", sans-serif; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; border-bottom: 2px solid var(--accent); }
h1 { font-size: 1.7rem; margin: 0 0 4px; color: var(--accent); }
h2 { font-size: 1.3rem; margin: 0 0 6px; color: var(--accent); }
h3 { font-size: 1.02rem; margin: 18px 0 6px; }
.meta { color: var(--muted); margin: 0; font-size: 0.92rem; }
nav ol { margin: 10px 0 6px; padding-left: 20px; columns: 2; font-size: 0.92rem; }
nav a { color: var(--accent); }
section { padding: 22px 0 18px; border-bottom: 1px solid var(--rule); }
.intro { margin: 4px 0 8px; }
.fresh { color: var(--muted); font-size: 0.82rem; margin: 4px 0 10px; }
ul.notes { list-style: none; padding: 0; margin: 8px 0; }
ul.notes li { padding: 6px 10px; margin: 4px 0; border-left: 4px solid var(--warn);
  background: var(--warnbg); font-size: 0.92rem; }
ul.notes li.missing, ul.notes li.error { border-color: var(--err); background: var(--errbg); }
ul.notes li.info { border-color: var(--rule); background: #f5f6f8; }
ul.facts { padding-left: 20px; margin: 8px 0 12px; }
ul.facts li { margin: 3px 0; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 0.9rem;
  font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
td { white-space: nowrap; }
td.long { white-space: normal; min-width: 18em; }
th { text-align: left; background: #f5f6f8; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.tablenote { color: var(--muted); font-size: 0.82rem; margin: -8px 0 12px; }
.tablewrap { overflow-x: auto; }
figure { margin: 10px 0 18px; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 2px; }
.chart { width: 100%; height: 440px; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
footer { padding: 18px 24px 40px; }
.risk { border: 1px solid var(--warn); background: var(--warnbg); padding: 12px 16px;
  border-radius: 4px; }
.risk h2 { color: var(--warn); }
.risk p { margin: 6px 0; font-size: 0.92rem; }
"""

#: tables longer than this are folded in a <details> element.
FOLD_ROWS = 25


@lru_cache(maxsize=1)
def _plotlyjs() -> str:
    """plotly.js as bundled with plotly (what ``plotly.offline.get_plotlyjs()`` returns)."""
    data = pkgutil.get_data("plotly", "package_data/plotly.min.js")
    assert data is not None, "plotly's package data has no plotly.min.js"
    return data.decode("utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (str, UTF-8 when written)."""
    as_of = format_time(report.as_of, with_time=True) if report.as_of is not None else "latest data"
    generated = format_time(report.generated_at, with_time=True)
    body_sections = [s for s in report.sections if s.key != "risk"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>yenflow report — as of {_e(as_of)}</title>",
        f"<style>{CSS}</style>",
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>",
        f'<script type="text/javascript">{_plotlyjs()}</script>',
        "</head><body>",
        "<header>",
        "<h1>yenflow: Japan's cross-border flows and the yen carry trade</h1>",
        f'<p class="meta">As of <strong>{_e(as_of)}</strong> · generated {_e(generated)}'
        " · from official public data in the local store</p>",
        _toc(body_sections),
        "</header><main>",
        *(_section(s) for s in body_sections),
        "</main>",
        _risk(report),
        "</body></html>",
    ]
    return "\n".join(parts)


def _toc(sections: list[Section]) -> str:
    items = "".join(f'<li><a href="#{_e(s.key)}">{_e(s.title)}</a></li>' for s in sections)
    return f"<nav><ol>{items}</ol></nav>"


def _section(section: Section) -> str:
    parts = [f'<section id="{_e(section.key)}">', f"<h2>{_e(section.title)}</h2>"]
    if section.intro:
        parts.append(f'<p class="intro">{_e(section.intro)}</p>')
    if section.key != "data":
        parts.append(f'<p class="fresh">{_e(section.freshness_text())}</p>')
    if section.notes:
        parts.append(_notes(section.notes))
    if section.facts:
        parts.append(_facts(section.facts))
    parts.extend(f"<p>{_e(p)}</p>" for p in section.paragraphs)
    for chart in section.charts:
        div = chart.spec().to_html(
            div_id=f"chart-{section.key}-{chart.key}",
            config=PLOT_CONFIG,
            default_width="100%",
            default_height="440px",
        )
        caption = f"<figcaption>{_e(chart.caption)}</figcaption>" if chart.caption else ""
        parts.append(f'<figure class="chart-figure">{div}{caption}</figure>')
    parts.extend(_table(t) for t in section.tables)
    parts.append("</section>")
    return "\n".join(parts)


def _notes(notes: tuple[Note, ...]) -> str:
    items = "".join(f'<li class="{_e(n.kind)}">{_e(n.text)}</li>' for n in notes)
    return f'<ul class="notes">{items}</ul>'


def _facts(facts: tuple[Fact, ...]) -> str:
    items = "".join(f"<li>{_e(f.text)}</li>" for f in facts)
    return f'<ul class="facts">{items}</ul>'


def _table(table: Table) -> str:
    head = "".join(f"<th>{_e(c.label)}</th>" for c in table.shown_columns)
    numeric = [c.right for c in table.shown_columns]
    body = "".join(
        "<tr>" + "".join(_td(v, num) for v, num in zip(row, numeric, strict=True)) + "</tr>"
        for row in table.formatted()
    )
    out = (
        f'<div class="tablewrap"><table id="table-{_e(table.key)}">'
        f"<caption>{_e(table.title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
    if table.caption:
        out += f'<p class="tablenote">{_e(table.caption)}</p>'
    if len(table.rows) > FOLD_ROWS:
        out = (
            f"<details><summary>{_e(table.title)} ({len(table.rows)} rows)</summary>{out}</details>"
        )
    return out


#: text cells longer than this may wrap; shorter ones (dates, labels) stay on one line.
WRAP_CHARS = 40


def _td(text: str, numeric: bool) -> str:
    if numeric:
        return f'<td class="num">{_e(text)}</td>'
    if len(text) > WRAP_CHARS:
        return f'<td class="long">{_e(text)}</td>'
    return f"<td>{_e(text)}</td>"


def _risk(report: Report) -> str:
    try:
        paragraphs = report.section("risk").paragraphs
    except KeyError:
        paragraphs = report.risk_warning
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    return f'<footer id="risk"><div class="risk"><h2>Risk warning</h2>{body}</div></footer>'
