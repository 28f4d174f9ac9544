"""Investor-type episodes read that investor's own monthly series everywhere: the observed
flow, the seasonal distribution, the decomposition's regression and the residual's rank
(fixtures whose answer is known by construction, point in time, and the real April 2025
monthb figures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.analytics.attribution.synthetic import (
    APRIL_EPISODE,
    APRIL_SALE,
    seasonal_investor_obs,
)
from yenflow.analytics.attribution import explain
from yenflow.errors import DataError

START, END = APRIL_EPISODE
TA_LTD = "mof.monthly.investor.trust_accounts.long_term_debt.net"
BANKS_LTD = "mof.monthly.investor.banks.long_term_debt.net"


def _fingerprint(card, hypothesis: str, key: str):
    return next(f for f in card.hypothesis(hypothesis).fingerprints if f.key == key)


@pytest.fixture(scope="module")
def seasonal_obs() -> pd.DataFrame:
    return seasonal_investor_obs(seed=2)


@pytest.fixture(scope="module")
def card(seasonal_obs):
    return explain(seasonal_obs, start=START, end=END, investor="trust_accounts", n_windows=500)


def test_investor_episode_reads_its_own_month(card):
    assert card.observed_jpy_100m == APRIL_SALE
    d = card.flow_detail
    assert d["series_id"] == TA_LTD and d["frequency"] == "monthly"
    assert d["months"] == ["2023-04"] and d["period"] == "April 2023 (1–30 April)"


def test_a_seasonal_investor_series_is_classified_as_seasonal(card):
    season = card.hypothesis("fiscal_year_seasonality")
    assert season.verdict == "supported"
    within = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    m = within.measurement
    # the same month (April) in 2014..2024 except 2023, all near the planted sale
    assert m.detail["series_id"] == TA_LTD and m.detail["frequency"] == "monthly"
    assert m.detail["years"] == [y for y in range(2014, 2025) if y != 2023]
    assert m.detail["months"] == 1 and m.detail["period"] == "April 2023 (1–30 April)"
    assert all(v < -15000 for v in m.detail["values"])
    assert abs(m.observed) < 2.0
    tendency = _fingerprint(card, "fiscal_year_seasonality", "seasonal_tendency")
    assert tendency.verdict == "supported" and tendency.measurement.high < 0


def test_the_all_investor_flow_of_the_same_window_is_not_seasonal(seasonal_obs):
    # the weekly all-investor flows are noise: the seasonal verdict above is the investor's
    card = explain(seasonal_obs, start=START, end=END, n_windows=500)
    assert card.hypothesis("fiscal_year_seasonality").verdict != "supported"
    assert card.flow_detail["frequency"] == "weekly"
    assert card.decomposition.frequency == "weekly"


def test_investor_decomposition_is_monthly_and_adds_up(card):
    d = card.decomposition
    assert d.series_id == TA_LTD and d.frequency == "monthly"
    assert d.period == "April 2023 (1–30 April)"
    assert d.observed == APRIL_SALE
    assert sum(v for _, v in d.parts()) == pytest.approx(d.observed)
    within = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    assert d.seasonal == pytest.approx(np.mean(within.measurement.detail["values"]))
    # fitted on the months before April 2023 since January 2014 (the first month is lost to
    # the lagged yield change)
    assert d.regression["frequency"] == "monthly" and d.regression["series_id"] == TA_LTD
    assert d.regression["n_months"] == (2023 - 2014) * 12 + 3 - 2
    # the planted April is ordinary for an April: its residual is not an extreme sale
    assert d.residual_rank is not None and d.residual_rank > 5
    summary = d.summary()
    assert summary["frequency"] == "monthly" and summary["series_id"] == TA_LTD
    assert not any("all-investor weekly" in n for n in card.notes)


def test_rebalancing_part_is_not_applied_to_banks(seasonal_obs):
    card = explain(seasonal_obs, start=START, end=END, investor="banks", n_windows=300)
    d = card.decomposition
    assert d.series_id == BANKS_LTD and d.rebalancing is None
    assert any("not applied: GPIF's trades go through trust accounts" in n for n in d.notes)
    assert sum(v for _, v in d.parts()) == pytest.approx(d.observed)


def test_too_few_comparable_years_are_inconclusive():
    obs = seasonal_investor_obs(seed=2, first_month="2021-01-01")
    card = explain(obs, start=START, end=END, investor="trust_accounts", n_windows=300)
    within = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    assert within.verdict == "inconclusive" and within.measurement is None
    assert "too few comparable observations" in within.reason
    assert "3 comparable years of " + TA_LTD in within.reason
    assert card.hypothesis("fiscal_year_seasonality").verdict == "inconclusive"
    d = card.decomposition
    assert d.rates_hedging is None
    # January 2021..March 2023 is 27 months; the lagged yield change costs the first two
    assert any("25 months of history, at least 36" in n for n in d.notes)
    assert sum(v for _, v in d.parts()) == pytest.approx(d.observed)


def test_investor_episode_point_in_time(seasonal_obs):
    """Truncation: investor months published after the cut-off (even absurd ones) change no
    figure; before April's publication (10 May) the episode cannot be explained."""
    cut = pd.Timestamp("2023-05-15", tz="UTC")
    past = seasonal_obs[seasonal_obs["published_at"] <= cut + pd.Timedelta(hours=23, minutes=59)]
    future = seasonal_obs[seasonal_obs["published_at"] > cut + pd.Timedelta(days=1)]
    opts = {"start": START, "end": END, "investor": "trust_accounts", "n_windows": 300}
    a = explain(pd.concat([past, future.assign(value=-1e9)]), as_of="2023-05-15", **opts)
    b = explain(past, **opts)
    figures = ["hypothesis", "fingerprint", "verdict", "observed", "estimate", "low", "high"]
    pd.testing.assert_frame_equal(a.to_frame()[figures], b.to_frame()[figures])
    assert a.decomposition.summary() == b.decomposition.summary()
    # as of mid-May 2023 the Aprils of 2024 are not known: fewer years than with everything
    within = _fingerprint(a, "fiscal_year_seasonality", "within_seasonal_range")
    assert within.measurement.detail["years"] == list(range(2014, 2023))
    with pytest.raises(DataError, match=r"month\(s\) 2023-04 not public by 2023-05-05"):
        explain(seasonal_obs, as_of="2023-05-05", **opts)


# ----------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_obs(real_data: Path) -> pd.DataFrame:
    from tests.report.conftest import parse_real

    return parse_real(real_data)


@pytest.mark.realdata
def test_real_april_2025_trust_accounts_foreign_bonds(real_obs):
    card = explain(real_obs, start="2025-03-30", end="2025-04-12", investor="trust_accounts")
    # monthb3.csv, banks and trust banks (trust accounts), April 2025: 43,983 acquired,
    # 51,751 disposed, net -7,768 (¥100 million)
    assert card.observed_jpy_100m == -7768.0
    assert card.flow_detail["period"] == "April 2025 (1–30 April)"
    within = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    detail = within.measurement.detail
    assert detail["series_id"] == TA_LTD and detail["frequency"] == "monthly"
    # every April net from monthb3.csv since 2014 except 2025 (2026 is public in the data)
    aprils = dict(zip(detail["years"], detail["values"], strict=True))
    assert aprils[2014] == 5098.0 and aprils[2020] == -7293.0 and aprils[2024] == -1021.0
    assert 2025 not in aprils and len(aprils) >= 11
    assert detail["rank_sale"] == 1  # the largest April sale of foreign bonds since 2014
    d = card.decomposition
    assert d.frequency == "monthly" and d.series_id == TA_LTD
    assert d.seasonal == pytest.approx(np.mean(detail["values"]))
    assert sum(v for _, v in d.parts()) == pytest.approx(-7768.0)
    assert d.regression["n_months"] >= 120


@pytest.mark.realdata
def test_real_april_2025_banks_foreign_bonds_is_a_usual_april(real_obs):
    card = explain(real_obs, start="2025-03-30", end="2025-04-12", investor="banks")
    # monthb3.csv, banks (banking accounts), April 2025: 86,358 - 111,871 = -25,513
    assert card.observed_jpy_100m == -25513.0
    within = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    detail = within.measurement.detail
    aprils = dict(zip(detail["years"], detail["values"], strict=True))
    assert aprils[2015] == -41994.0 and aprils[2017] == -54590.0 and aprils[2024] == -13319.0
    assert abs(within.measurement.observed) < 1.0  # banks sell foreign bonds most Aprils
    assert card.hypothesis("fiscal_year_seasonality").verdict == "supported"
    d = card.decomposition
    assert d.series_id == BANKS_LTD and d.rebalancing is None
    assert sum(v for _, v in d.parts()) == pytest.approx(-25513.0)


@pytest.mark.realdata
def test_real_april_2025_investor_as_of_uses_only_published_months(real_obs):
    opts = {"start": "2025-03-30", "end": "2025-04-12", "investor": "trust_accounts"}
    # April 2025's monthb figures came out on 8 May 2025 08:50 JST (7 May 23:50 UTC)
    with pytest.raises(DataError, match="2025-04 not public by 2025-05-06"):
        explain(real_obs, as_of="2025-05-06", **opts)
    card = explain(real_obs, as_of="2025-06-01", **opts)
    assert card.observed_jpy_100m == -7768.0
    within = _fingerprint(card, "fiscal_year_seasonality", "within_seasonal_range")
    assert within.measurement.detail["years"] == [y for y in range(2014, 2025)]
    d = card.decomposition
    later = explain(real_obs, **opts).decomposition
    assert d.seasonal != later.seasonal  # April 2026 was not known in June 2025
