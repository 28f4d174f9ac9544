"""build_report: sections, figures, notes for missing data, the as-of cut, JSON summary."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.report.conftest import SMALL_LAST_WEEK_END, SMALL_LAST_WEEK_NET, SMALL_TROUGH
from yenflow.errors import DataError
from yenflow.frame import empty_frame
from yenflow.report import RISK_WARNING, Report, build_report, render_html
from yenflow.report import build as build_module
from yenflow.report.build import report_from_store
from yenflow.report.freshness import freshness_table

GENERATED = pd.Timestamp("2024-07-20 12:00", tz="UTC")
SECTION_KEYS = [
    "latest_week",
    "foreign_bonds",
    "investors",
    "treasuries",
    "carry",
    "why",
    "bitcoin",
    "data",
    "risk",
]
ANALYSIS_KEYS = ["latest_week", "foreign_bonds", "investors", "treasuries", "carry"]


def report_of(obs: pd.DataFrame, **kwargs) -> Report:
    kwargs.setdefault("generated_at", GENERATED)
    kwargs.setdefault("on_error", "raise")
    return build_report(obs, **kwargs)


def strict_json(report: Report) -> dict:
    """The summary round-tripped through strict JSON (no NaN, no numpy, no timestamps)."""
    return json.loads(json.dumps(report.summary(), allow_nan=False))


def note_texts(report: Report, key: str, kind: str | None = None) -> list[str]:
    return [n.text for n in report.section(key).notes if kind is None or n.kind == kind]


# ------------------------------------------------------------------------------ small fixture


@pytest.fixture(scope="module")
def small(small_obs: pd.DataFrame) -> Report:
    return report_of(small_obs)


def test_sections_in_order_and_complete(small: Report) -> None:
    assert [s.key for s in small.sections] == SECTION_KEYS
    for key in ("latest_week", "foreign_bonds", "treasuries", "carry"):
        section = small.section(key)
        assert section.status == "ok", (key, section.notes)
        assert section.series, key
        assert not note_texts(small, key, "missing"), key
    # no investor-type files: the section says so and falls back to the monthly total
    investors = small.section("investors")
    assert any("investor types not available" in t for t in note_texts(small, "investors"))
    assert investors.table("latest_month").rows[0][0] == "all investors"
    assert small.section("risk").paragraphs == RISK_WARNING


def test_latest_week_figures(small: Report, small_obs: pd.DataFrame) -> None:
    section = small.section("latest_week")
    fact = section.fact("outward.long_term_debt.latest_week")
    assert fact.value == SMALL_LAST_WEEK_NET
    assert "2024-07-07 to 2024-07-13" in fact.text and "net sold ¥3.00 tn" in fact.text
    table = section.table("outward.long_term_debt")
    by_weeks = {
        row[0]: dict(zip([c.key for c in table.columns], row, strict=True)) for row in table.rows
    }
    assert sorted(by_weeks) == [1, 2, 4, 8, 13]
    week = by_weeks[1]
    assert week["period_end"] == SMALL_LAST_WEEK_END.date()
    assert week["rank"] == 1 and week["n_windows"] == 80 and week["largest_since"] is None
    # the 4-week window = the sum of the last four weeks, computed here from the frame
    sid = "mof.weekly.outward.long_term_debt.net"
    weekly = small_obs.loc[small_obs["series_id"] == sid].sort_values("period_end")["value"]
    assert by_weeks[4]["net_jpy_100m"] == pytest.approx(weekly.tail(4).sum())
    # USD at the average DEXJPUS of the week's days
    fx = small_obs.loc[small_obs["series_id"] == "fred.DEXJPUS"].set_index("period_end")["value"]
    rate = fx.loc["2024-07-07":"2024-07-13"].mean()
    assert week["net_usd_bn"] == pytest.approx(SMALL_LAST_WEEK_NET / (10 * rate))
    record = section.fact("outward.long_term_debt.record")
    assert "largest since the weekly data begin" in record.text
    freshness = section.freshness_text()
    sid = "mof.weekly.outward.long_term_debt.net"
    assert f"{sid}: last 2024-07-13, published 2024-07-17" in freshness


def test_treasuries_figures(small: Report) -> None:
    table = small.section("treasuries").table("latest")
    rows = {row[0]: row for row in table.rows}
    japan = rows["Japan"]
    # April 2024 is month 28 of the fixture (index 27): 1,100 + 2 x 27
    assert japan[1] == "2024-04" and japan[2] == pytest.approx(1_154.0)
    assert japan[3] == pytest.approx(2.0) and japan[5] == pytest.approx(24.0)
    assert japan[6] == 1 and japan[7] == 4
    assert japan[8] == pytest.approx(100 * 1_154.0 / (7_500.0 + 270.0))
    assert rows["UK"][6] == 3 and rows["China (mainland)"][6] == 2


def test_carry_distance_statement(small: Report, small_obs: pd.DataFrame) -> None:
    carry = small.section("carry")
    fact = carry.fact("usdjpy_vs_last_unwind_low")
    fx = small_obs.loc[small_obs["series_id"] == "fred.DEXJPUS"].sort_values("period_end")
    latest = fx["value"].iloc[-1]
    expected = 100 * (latest / SMALL_TROUGH - 1)
    assert fact.value == pytest.approx(expected)
    assert f"stands {expected:.1f}% above the low of the last unwind episode" in fact.text
    assert f"({SMALL_TROUGH:.2f} on 2023-09-29" in fact.text
    state = {row[0]: row for row in carry.table("state").rows}
    assert state["diff_3m_pct"][5] == pytest.approx(
        100 * 365 * 0.05 / (360 - 0.05 * 91) - 0.1, abs=1e-9
    )
    assert state["net_long_jpy_contracts"][5] is not None
    assert [c.key for c in carry.charts] == ["usdjpy", "carry", "positioning"]


def test_summary_is_strict_json_with_every_shown_figure(small: Report) -> None:
    data = strict_json(small)
    assert list(data["sections"]) == SECTION_KEYS
    week = data["sections"]["latest_week"]
    assert week["facts"]["outward.long_term_debt.latest_week"]["value"] == SMALL_LAST_WEEK_NET
    rows = week["tables"]["outward.long_term_debt"]["rows"]
    assert rows[0]["period_end"] == "2024-07-13" and rows[0]["rank"] == 1
    assert data["sections"]["carry"]["results"]["carry_monitor"]["state"]["usdjpy_jpy_per_usd"]
    assert data["generated_at"].startswith("2024-07-20T12:00")
    assert data["risk_warning"] == list(RISK_WARNING)


def test_no_fred_gives_visible_notes_and_keeps_other_sections(
    small: Report, small_obs: pd.DataFrame
) -> None:
    report = report_of(small_obs.loc[~small_obs["series_id"].str.startswith("fred.")])
    carry = report.section("carry")
    missing = note_texts(report, "carry", "missing")
    for sid in ("fred.DEXJPUS", "fred.DTB3", "fred.IR3TIB01JPM156N", "fred.DGS10"):
        assert f"missing: {sid} — not in the store; run `yenflow fetch fred`" in missing
    assert carry.status == "partial"  # CFTC positioning still shows
    assert [c.key for c in carry.charts] == ["positioning"]
    assert carry.fact("cftc_net_long_jpy").unit == "contracts"
    for key in ("latest_week", "foreign_bonds", "treasuries"):
        before, after = small.section(key), report.section(key)
        assert [f.key for f in after.facts] == [f.key for f in before.facts], key
        assert [t.key for t in after.tables] == [t.key for t in before.tables], key
        assert [c.key for c in after.charts] == [c.key for c in before.charts], key
    # ¥ figures unchanged, USD gone (and said so)
    week_before = small.section("latest_week").table("outward.long_term_debt")
    week_after = report.section("latest_week").table("outward.long_term_debt")
    assert [r[3] for r in week_after.rows] == [r[3] for r in week_before.rows]
    assert all(r[5] is None for r in week_after.rows)
    assert report.section("treasuries").status == "ok"
    strict_json(report)
    render_html(report)


def test_empty_store_renders_everything_as_notes() -> None:
    report = report_of(empty_frame())
    for key in ANALYSIS_KEYS:
        section = report.section(key)
        assert section.status == "missing", key
        assert any(t.startswith("missing: ") for t in note_texts(report, key, "missing")), key
    assert "the store has no observations; run `yenflow fetch` first" in note_texts(report, "data")
    html = render_html(report)
    assert "missing: mof.weekly.outward.long_term_debt.net" in html
    strict_json(report)


class _StoreLike:
    """The three reads the report makes of a store, on a frame, with the store's as-of rule."""

    def __init__(self, obs: pd.DataFrame) -> None:
        self.obs = obs
        self.asked: list[str] | None = None

    def _known(self, as_of: pd.Timestamp | None) -> pd.DataFrame:
        return self.obs if as_of is None else self.obs.loc[self.obs["published_at"] <= as_of]

    def freshness(self, *, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
        return freshness_table(self._known(as_of))

    def observations(self, series_ids=None, *, as_of=None) -> pd.DataFrame:
        self.asked = list(series_ids)
        known = self._known(as_of)
        return known.loc[known["series_id"].isin(self.asked)]

    def source_status(self, *, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=["source", "last_fetch_at", "status", "error", "rows"])


def test_report_trusts_the_store_read_and_reads_only_what_it_needs(
    small_obs: pd.DataFrame,
) -> None:
    as_of = pd.Timestamp("2024-06-01", tz="UTC")
    known = small_obs.loc[small_obs["published_at"] <= as_of]
    direct = report_of(known, as_of=as_of, sources=_StoreLike(known).source_status())
    store = _StoreLike(small_obs.assign(series_id=small_obs["series_id"]))
    extra = known.iloc[:5].assign(series_id="fred.UNUSED")  # a series no analysis reads
    store.obs = pd.concat([store.obs, extra], ignore_index=True)
    via_store = report_from_store(store, as_of=as_of, generated_at=GENERATED, on_error="raise")
    assert "fred.UNUSED" not in store.asked  # the read asked only for the analyses' series
    assert set(store.asked) >= {"fred.DEXJPUS", "mof.weekly.outward.long_term_debt.net"}
    a, b = strict_json(direct), strict_json(via_store)
    # the data section lists every stored series (one more here); all else is identical
    a["sections"].pop("data"), b["sections"].pop("data")
    assert a == b
    data = via_store.section("data").table("series")
    assert "fred.UNUSED" in [row[0] for row in data.rows]
    for section in via_store.sections:
        for fresh in section.series:
            assert fresh.last_published_at <= as_of
    week = via_store.section("latest_week").fact("outward.long_term_debt.latest_week")
    assert week.extra["window"]["period_end"] == "2024-05-25"


def test_report_does_not_filter_its_input_again(small_obs: pd.DataFrame) -> None:
    # the store's point-in-time read is the one cut: rows given to build_report are all used
    as_of = pd.Timestamp("2024-06-01", tz="UTC")
    report = report_of(small_obs, as_of=as_of)
    week = report.section("latest_week").fact("outward.long_term_debt.latest_week")
    assert week.extra["window"]["period_end"] == "2024-07-13"


def test_series_only_published_after_as_of_is_named(small_obs: pd.DataFrame) -> None:
    cut = pd.Timestamp("2022-12-31 23:59:59.999999", tz="UTC")
    report = report_of(small_obs.loc[small_obs["published_at"] <= cut], as_of="2022-12-31")
    missing = note_texts(report, "latest_week", "missing")
    sid = "mof.weekly.outward.long_term_debt.net"
    assert any(t.startswith(f"missing: {sid} — nothing published by 2022-12-31") for t in missing)


def test_sources_table_and_failed_fetch_note(small_obs: pd.DataFrame) -> None:
    sources = pd.DataFrame(
        {
            "source": ["mof", "fred"],
            "last_fetch_at": pd.to_datetime(["2024-07-11 00:00", "2024-07-11 00:01"], utc=True),
            "status": ["ok", "failed"],
            "error": [None, "HTTP 503 from fred.stlouisfed.org"],
            "rows": [100, 0],
        }
    )
    report = report_of(small_obs, sources=sources)
    data = report.section("data")
    table = data.table("sources")
    assert [row[0] for row in table.rows] == ["mof", "fred"]
    assert "source fred: last fetch failed — HTTP 503 from fred.stlouisfed.org" in note_texts(
        report, "data", "error"
    )
    assert {row[0] for row in data.table("by_source").rows} == {"cftc", "fred", "jgb", "mof", "tic"}


def test_stale_series_are_flagged(small_obs: pd.DataFrame) -> None:
    report = report_of(small_obs, generated_at=pd.Timestamp("2025-01-31", tz="UTC"))
    stale = note_texts(report, "treasuries", "stale")
    assert len(stale) == 1 and stale[0].startswith("stale: tic.holdings.japan (to 2024-04-30)")
    assert "run `yenflow fetch tic`" in stale[0]
    assert report.section("treasuries").status == "ok"  # stale data are shown, with the note


def test_unexpected_error_is_a_note_or_raises(
    small_obs: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(inputs, out) -> None:
        raise ZeroDivisionError("boom")

    sections = tuple(
        (key, title, broken if key == "investors" else builder)
        for key, title, builder in build_module.SECTIONS
    )
    monkeypatch.setattr(build_module, "SECTIONS", sections)
    report = build_report(small_obs, generated_at=GENERATED, on_error="note")
    errors = note_texts(report, "investors", "error")
    assert errors and "ZeroDivisionError: boom" in errors[0]
    assert report.section("latest_week").status == "ok"
    with pytest.raises(ZeroDivisionError):
        build_report(small_obs, generated_at=GENERATED, on_error="raise")


def test_data_error_in_an_analysis_is_a_note(small_obs: pd.DataFrame) -> None:
    # a week whose period is not Sunday-Saturday makes flow_windows raise DataError
    bad = small_obs.copy()
    sid = "mof.weekly.inward.equity.net"
    first = bad.index[bad["series_id"] == sid][0]
    bad.loc[first, "period_start"] = bad.loc[first, "period_start"] + pd.Timedelta(days=1)
    report = report_of(bad)
    notes = note_texts(report, "latest_week", "missing")
    assert any(sid in t and "Sunday" in t for t in notes), notes
    assert report.section("latest_week").fact("outward.long_term_debt.latest_week")


def test_bad_frame_is_a_data_error() -> None:
    with pytest.raises(DataError, match="lacks columns"):
        build_report(pd.DataFrame({"series_id": ["x"]}))


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def real_report(real_obs: pd.DataFrame) -> Report:
    return report_of(real_obs, generated_at=pd.Timestamp("2026-11-25", tz="UTC"))


@pytest.mark.realdata
def test_real_report_figures(real_report: Report) -> None:
    for key in ANALYSIS_KEYS:
        assert real_report.section(key).facts or real_report.section(key).tables, key
    troubles = [n.text for _, n in real_report.notes if n.kind in ("missing", "error")]
    assert troubles == []
    # TIC: Japan held USD 1,185.5 bn in December 2025 (PROVENANCE.md)
    japan = real_report.section("treasuries").fact("japan.latest")
    assert japan.value == pytest.approx(1_185.5)
    # the largest 2-week net sale of foreign bonds ends 2024-11-02
    top = real_report.section("foreign_bonds").table("top_2week_sales").rows[0]
    assert top[0] == 1 and pd.Timestamp(top[2]) == pd.Timestamp("2024-11-02")
    strict_json(real_report)


@pytest.mark.realdata
def test_real_as_of_2025_04_18(real_obs: pd.DataFrame) -> None:
    """The MoF week to 12 April 2025 (published Thursday 17 April) is in; the week to 19 April
    (published 24 April) is not; USD/JPY is compared with the 2024 unwind low."""
    as_of = pd.Timestamp("2025-04-18 23:59:59.999999", tz="UTC")
    report = report_of(real_obs.loc[real_obs["published_at"] <= as_of], as_of="2025-04-18")
    week = report.section("latest_week")
    fact = week.fact("outward.long_term_debt.latest_week")
    assert fact.value == -5_119.0
    assert "2025-04-06 to 2025-04-12" in fact.text
    rows = week.table("outward.long_term_debt").rows
    assert rows[1][0] == 2 and rows[1][3] == -30_845.0  # 2 weeks: -25,726 - 5,119
    ends = {pd.Timestamp(r[2]) for r in rows}
    assert ends == {pd.Timestamp("2025-04-12")}
    assert "2025-04-19" not in json.dumps(report.summary())
    # independent check of the distance statement, from the parsed frame
    fx = real_obs.loc[
        (real_obs["series_id"] == "fred.DEXJPUS") & (real_obs["published_at"] <= as_of)
    ].sort_values("period_end")
    latest = fx["value"].iloc[-1]
    carry = report.section("carry").fact("usdjpy_vs_last_unwind_low")
    assert carry.value == pytest.approx(100 * (latest / 140.66 - 1))
    assert "(140.66 on 2024-09-13" in carry.text
    assert report.section("carry").fact("unwind_active").value is True


@pytest.mark.realdata
def test_real_report_size(real_obs: pd.DataFrame) -> None:
    """The HTML of the real report stays small enough to mail (< 6 MB; timing: benchmarks/)."""
    html = render_html(build_report(real_obs, generated_at=GENERATED))
    assert len(html.encode("utf-8")) < 6_100_000  # with the Bitcoin section's three charts
