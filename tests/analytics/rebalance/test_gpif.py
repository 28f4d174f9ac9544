"""GPIF holdings, their implied trades and the validation table, on hand-made fixtures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yenflow.analytics.rebalance import MarketReturns
from yenflow.analytics.rebalance.gpif import (
    HOLDINGS_ENV,
    gpif_holdings,
    gpif_validation,
    implied_trades,
)
from yenflow.errors import DataError, ParseError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "rebalance" / "gpif_holdings_small.csv"
CLASSES = ["domestic_bonds", "foreign_bonds", "domestic_equities", "foreign_equities"]


def fixture_returns() -> MarketReturns:
    """Zero everywhere but: foreign equities +10 % (local) on 2024-05-15; the yen +5 % stronger
    (fx -5 % on both foreign sleeves) on 2024-08-05."""
    idx = pd.bdate_range("2024-03-29", "2024-12-31")
    local = pd.DataFrame(0.0, index=idx, columns=CLASSES)
    local.loc["2024-05-15", "foreign_equities"] = 0.10
    fx = pd.DataFrame(0.0, index=idx, columns=["foreign_bonds", "foreign_equities"])
    fx.loc["2024-08-05"] = -0.05
    return MarketReturns.from_components(local, fx)


def fixture_holdings(tmp_path: Path):
    # the fixture's three quarter ends plus a fourth (Oct-Dec: zero returns)
    text = FIXTURE.read_text() + "".join(
        f"2024-12-31,{c},{v},420.0,https://example.test/q3.pdf\n"
        for c, v in zip(CLASSES, [103.0, 99.0, 100.0, 104.5], strict=True)
    )
    path = tmp_path / "holdings.csv"
    path.write_text(text)
    return gpif_holdings(path)


def mof_obs() -> pd.DataFrame:
    """Trust accounts' monthly net purchases, ¥100 million."""
    months = pd.date_range("2024-04-01", "2024-12-01", freq="MS")
    equity = [-10, -10, -10, 10, 10, 8.5, 0, 0, 0]
    bonds = [5, 5, 0, 0, 10, 0, 0, -10, 0]
    rows = []
    for asset, values in (("equity", equity), ("long_term_debt", bonds)):
        for m, v in zip(months, values, strict=True):
            rows.append(
                {
                    "series_id": f"mof.monthly.investor.trust_accounts.{asset}.net",
                    "period_start": m,
                    "period_end": m + pd.offsets.MonthEnd(0),
                    "value": float(v),
                    "published_at": pd.Timestamp(m + pd.DateOffset(months=1, days=8), tz="UTC"),
                }
            )
    return pd.DataFrame(rows)


def test_shipped_holdings_read_with_sources() -> None:
    h = gpif_holdings()
    t = h.to_frame()
    assert t["quarter_end"].nunique() == 25
    assert h.at("2025-03-31")["domestic_bonds"] == pytest.approx(71150.0)
    assert h.at("2025-03-31")["foreign_equities"] == pytest.approx(61918.8)
    assert t["source_url"].str.startswith("https://www.gpif.go.jp/").all()
    assert h.summary()["first_quarter_end"] == "2020-06-30"


def test_latest_known_holdings_are_point_in_time() -> None:
    h = gpif_holdings()
    # FY2025 Q1 (June 2025) came out on 2025-08-01; the estimate waits until 2025-08-11
    day, values = h.latest_known("2025-08-10")
    assert day == pd.Timestamp("2025-03-31") and values["domestic_bonds"] == 71150.0
    assert h.latest_known("2025-08-11")[0] == pd.Timestamp("2025-06-30")
    # the March 2025 annual figures (2025-07-04) are taken as public from 2025-07-09
    assert h.latest_known("2025-07-08")[0] == pd.Timestamp("2024-12-31")
    # truncation: whatever the cut, the answer was public by then
    public = h.to_frame().groupby("quarter_end")["available_from"].first()
    for cut in pd.date_range("2020-08-11", "2026-12-31", freq="23D"):
        day, _ = h.latest_known(cut.date())
        assert public[day] <= cut + pd.Timedelta(days=1)
        later = public.loc[public.index > day]
        assert later.empty or later.iloc[0] > cut + pd.Timedelta(days=1) - pd.Timedelta("1us")
    with pytest.raises(DataError, match="nothing public"):
        h.latest_known("2020-07-01")


def test_holdings_from_env_and_compilation_layout(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "newer.csv"
    path.write_text(
        "fiscal_quarter,quarter_end,asset_class,market_value_jpy_bn,share_pct,aum_jpy_tn,source_url\n"
        + "".join(
            f"FY2026 2Q,2026-09-30,{c},{v},25.0,330.0,https://www.gpif.go.jp/x.pdf\n"
            for c, v in zip(
                ["Domestic bonds", "Foreign bonds", "Domestic equities", "Foreign equities"],
                [80000.0, 81000.0, 82000.0, 83000.0],
                strict=True,
            )
        )
    )
    monkeypatch.setenv(HOLDINGS_ENV, str(path))
    h = gpif_holdings()
    assert h.location == str(path)
    assert h.at("2026-09-30")["foreign_bonds"] == 81000.0
    assert h.to_frame()["total_assets_jpy_bn"].iloc[0] == pytest.approx(330000.0)


def test_bad_holdings_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(FIXTURE.read_text().replace("foreign_bonds,97.0", "gold,97.0"))
    with pytest.raises(ParseError, match=r"row 11.*asset class.*'gold'"):
        gpif_holdings(bad)
    short = tmp_path / "short.csv"
    short.write_text("\n".join(FIXTURE.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(ParseError, match="four classes once each at 2024-09-30"):
        gpif_holdings(short)
    with pytest.raises(ParseError, match="header"):
        gpif_holdings(FIXTURE.parent / "README.md")
    with pytest.raises(DataError, match="no such file"):
        gpif_holdings(tmp_path / "absent.csv")


def test_implied_trades_by_hand(tmp_path: Path) -> None:
    t = implied_trades(fixture_holdings(tmp_path), fixture_returns()).set_index(
        ["quarter_end", "asset_class"]
    )["implied_trade_jpy_bn"]
    q1, q2, q3 = (pd.Timestamp(d) for d in ("2024-06-30", "2024-09-30", "2024-12-31"))
    assert t[(q1, "foreign_equities")] == pytest.approx(107 - 100 * 1.10)  # -3
    assert t[(q1, "domestic_bonds")] == pytest.approx(2.0)
    assert t[(q2, "foreign_bonds")] == pytest.approx(97 - 100 * 0.95)  # +2
    assert t[(q2, "foreign_equities")] == pytest.approx(104.5 - 107 * 0.95)  # +2.85
    assert t[(q3, "foreign_bonds")] == pytest.approx(2.0)
    assert t[(q3, "foreign_equities")] == pytest.approx(0.0)


def test_validation_table_by_hand(tmp_path: Path) -> None:
    v = gpif_validation(mof_obs(), fixture_returns(), holdings=fixture_holdings(tmp_path))
    t = v.to_frame().set_index(["asset_class", "quarter_end"])
    q1 = pd.Timestamp("2024-06-30")
    assert t.loc[("foreign_equities", q1), "mof_net_jpy_bn"] == pytest.approx(-3.0)
    # the model: back to target at a quarter end sells 110 - 410/4 = 7.5; threshold rules
    # see no breach (26.8 % inside 25 ± 7) and trade nothing
    assert t.loc[("foreign_equities", q1), "model_low_jpy_bn"] == pytest.approx(-7.5)
    assert t.loc[("foreign_equities", q1), "model_high_jpy_bn"] == pytest.approx(0.0)
    assert t.loc[("foreign_equities", q1), "model_median_jpy_bn"] == pytest.approx(0.0)
    s = v.stats.set_index(["pair", "asset_class"])
    fe = s.loc[("gpif~mof", "foreign_equities")]
    assert fe["n_quarters"] == 3 and fe["correlation"] == pytest.approx(1.0)
    assert fe["n_signed"] == 2 and fe["sign_agreement"] == 1.0
    fb = s.loc[("gpif~mof", "foreign_bonds")]
    # implied (0, 2, 2) against MoF (1, 1, -1): r = -0.5 by hand; signs agree in 1 of 2
    assert fb["correlation"] == pytest.approx(-0.5)
    assert fb["n_signed"] == 2 and fb["sign_agreement"] == 0.5
    # per rule: back to target at every quarter end, in full
    full = v.by_rule.query(
        "rule == 'calendar/quarter/target/1' and asset_class == 'foreign_equities'"
    )
    assert full["model_jpy_bn"].iloc[0] == pytest.approx(-7.5)
    assert v.pair("model[threshold/edge]~gpif", "foreign_equities")["n_signed"] == 0
    # Q2 starts off target (FE 107 of 409). Monthly, in full: end-July sells 107 - 102.25;
    # the yen's 5 % rise leaves FE 97.1375 of 398.775, bought back to a quarter at end-August.
    # The quarterly rule sells 101.65 - 398.65 / 4 once.
    q2 = t.loc[("foreign_equities", pd.Timestamp("2024-09-30"))]
    assert q2["model_low_jpy_bn"] == pytest.approx(-4.75 + (398.775 / 4 - 97.1375))
    br = v.by_rule
    rules_q2 = br.loc[
        (br["quarter_end"] == pd.Timestamp("2024-09-30"))
        & (br["asset_class"] == "foreign_equities")
    ]
    quarterly = rules_q2.set_index("rule").loc["calendar/quarter/target/1", "model_jpy_bn"]
    assert quarterly == pytest.approx(398.65 / 4 - 101.65)
    # GPIF's -3 lies inside the model's [-7.5, 0] in Q1, its +2.85 above the range in Q2, its
    # 0 inside [-3.375, 0] in Q3
    assert q2["model_high_jpy_bn"] == pytest.approx(0.0)
    assert v.in_range()["foreign_equities"] == pytest.approx(2 / 3)
    summary = v.summary()
    assert summary["quarters"] == 3 and len(summary["stats"]) == 6 + 4 * len(v.rules)
    assert "gpif~mof" in repr(v)


def test_validation_needs_the_mof_series(tmp_path: Path) -> None:
    obs = mof_obs()
    obs = obs.loc[~obs["series_id"].str.contains("equity")]
    with pytest.raises(DataError, match=r"trust_accounts\.equity\.net"):
        gpif_validation(obs, fixture_returns(), holdings=fixture_holdings(tmp_path))
    missing_month = mof_obs().iloc[1:]
    v = gpif_validation(missing_month, fixture_returns(), holdings=fixture_holdings(tmp_path))
    t = v.to_frame().set_index(["asset_class", "quarter_end"])
    assert np.isnan(t.loc[("foreign_equities", pd.Timestamp("2024-06-30")), "mof_net_jpy_bn"])
