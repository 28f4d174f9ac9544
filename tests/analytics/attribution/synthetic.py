"""Synthetic observation frames whose answer is known by construction.

Noise everywhere (seeded): MoF weekly flows N(0, 4,000) ¥100 million per week since 2014;
investor-type monthly flows N(0, 3,000); USD/JPY, S&P 500 random walks (0.6 %, 1 % daily);
US 2- and 10-year yields random walks (5 bp daily); CFTC net positions AR(1) (0.9,
8,000-contract shocks) around +50,000 contracts (net long yen). Publication times follow
the sources' rules roughly (weekly MoF: Thursday after the week; monthly: 10 days after
the month; daily: the next day; CFTC: the Friday after the Tuesday).

Scenarios planted on the episode ``EPISODE`` (two weeks in June 2023, far from April):

* ``rebalancing``: the S&P 500 falls 0.6 % a day for five weeks up to the episode's end; trust
  accounts net buy ¥2.5 tn of foreign equities and net sell ¥2.5 tn of foreign bonds that
  month; all-investor foreign-bond flows -20,000 a week in the episode. FX, CFTC normal.
* ``unwind``: CFTC traders net short 100,000 contracts before the episode and covering
  40,000 a week during it; USD/JPY falls 1 % a day with 1.5 % daily noise during it; foreign
  equities and bonds both net sold (-15,000 a week each). Equities normal.
* ``noise``: nothing planted.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

EPISODE = ("2023-06-04", "2023-06-17")
Scenario = Literal["noise", "rebalancing", "unwind"]

_WEEKLY = [
    "mof.weekly.outward.equity.net",
    "mof.weekly.outward.long_term_debt.net",
    "mof.weekly.inward.equity.net",
]
_MONTHLY = [
    "mof.monthly.investor.trust_accounts.equity.net",
    "mof.monthly.investor.trust_accounts.long_term_debt.net",
    "mof.monthly.investor.banks.long_term_debt.net",
    "mof.monthly.investor.life_insurers.long_term_debt.net",
]


def _frame(sid: str, starts, ends, values, published) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": sid,
            "period_start": pd.DatetimeIndex(starts),
            "period_end": pd.DatetimeIndex(ends),
            "value": np.asarray(values, dtype="float64"),
            "published_at": pd.DatetimeIndex(published).tz_localize("UTC"),
        }
    )


def _ar1(shocks: np.ndarray, phi: float) -> np.ndarray:
    out = np.zeros(len(shocks))
    for i in range(1, len(shocks)):
        out[i] = phi * out[i - 1] + shocks[i]
    return out


def synthetic_obs(scenario: Scenario, *, seed: int = 7, last: str = "2024-12-31") -> pd.DataFrame:
    """The canonical observation frame of a scenario (see the module docstring)."""
    rng = np.random.default_rng(seed)
    start, end = pd.Timestamp(EPISODE[0]), pd.Timestamp(EPISODE[1])
    parts = []

    weeks_end = pd.date_range("2014-01-11", last, freq="W-SAT")
    weeks_start = weeks_end - pd.Timedelta(days=6)
    in_ep = (weeks_start >= start) & (weeks_end <= end)
    for sid in _WEEKLY:
        v = rng.normal(0, 4000, len(weeks_end))
        if scenario == "rebalancing" and sid == "mof.weekly.outward.long_term_debt.net":
            v[in_ep] = -20000
        if scenario == "unwind" and sid.startswith("mof.weekly.outward"):
            v[in_ep] = -15000
        pub = weeks_end + pd.Timedelta(days=5, hours=23, minutes=50)
        parts.append(_frame(sid, weeks_start, weeks_end, v, pub))

    months = pd.date_range("2014-01-01", last, freq="MS")
    month_ends = months + pd.offsets.MonthEnd(0)
    june = months == pd.Timestamp("2023-06-01")
    for sid in _MONTHLY:
        v = rng.normal(0, 3000, len(months))
        if scenario == "rebalancing" and "trust_accounts.equity" in sid:
            v[june] = 25000
        if scenario == "rebalancing" and "trust_accounts.long_term_debt" in sid:
            v[june] = -25000
        parts.append(_frame(sid, months, month_ends, v, month_ends + pd.Timedelta(days=10)))

    days = pd.bdate_range("2010-01-04", last)
    window = (days >= start) & (days <= end)
    pub = days + pd.Timedelta(days=1, hours=21)
    fx_r = rng.normal(0, 0.006, len(days))
    if scenario == "unwind":
        fx_r[window] = -0.01 + rng.normal(0, 0.015, int(window.sum()))
    parts.append(_frame("fred.DEXJPUS", days, days, 130 * np.exp(np.cumsum(fx_r)), pub))
    spx_r = rng.normal(0, 0.01, len(days))
    if scenario == "rebalancing":
        spx_r[(days >= start - pd.Timedelta(days=28)) & (days <= end)] = -0.006
    parts.append(_frame("fred.SP500", days, days, 3000 * np.exp(np.cumsum(spx_r)), pub))
    for sid, level in (("fred.DGS10", 3.0), ("fred.DGS2", 2.5)):
        parts.append(
            _frame(sid, days, days, level + np.cumsum(rng.normal(0, 0.05, len(days))), pub)
        )

    tuesdays = pd.date_range("2010-01-05", last, freq="W-TUE")
    covering = (tuesdays >= start) & (tuesdays <= end)
    for sid in ("cftc.jpy.noncommercial.net", "cftc.jpy.leveraged_funds.net"):
        steps = rng.normal(0, 8000, len(tuesdays))
        level = 50000 + _ar1(steps, 0.9)
        if scenario == "unwind":
            level = np.where(tuesdays < start, -100000 + steps, level)
            level[covering] = -100000 + 40000 * np.arange(1, int(covering.sum()) + 1)
        fri = tuesdays + pd.Timedelta(days=3, hours=19, minutes=30)
        parts.append(_frame(sid, tuesdays, tuesdays, level, fri))
    return pd.concat(parts, ignore_index=True)


#: an investor-type episode (two MoF weeks inside April 2023: its month is April 2023).
APRIL_EPISODE = ("2023-04-02", "2023-04-15")
#: the planted April flow of trust accounts' foreign bonds (¥100 million) and its noise sd.
APRIL_SALE, APRIL_SD = -20000.0, 1500.0


def seasonal_investor_obs(*, seed: int = 7, first_month: str = "2014-01-01") -> pd.DataFrame:
    """The ``noise`` frame with trust accounts' foreign-bond flows seasonal by construction:
    every April ``APRIL_SALE`` + N(0, ``APRIL_SD``) (April 2023 exactly ``APRIL_SALE``), other
    months N(0, 3,000); that series starts at ``first_month``. Nothing else is seasonal (the
    all-investor weekly flows are noise)."""
    obs = synthetic_obs("noise", seed=seed)
    sid = "mof.monthly.investor.trust_accounts.long_term_debt.net"
    rng = np.random.default_rng(seed + 100)
    months = pd.date_range(first_month, "2024-12-01", freq="MS")
    values = rng.normal(0, 3000, len(months))
    april = months.month == 4
    values[april] = APRIL_SALE + rng.normal(0, APRIL_SD, int(april.sum()))
    values[months == pd.Timestamp("2023-04-01")] = APRIL_SALE
    ends = months + pd.offsets.MonthEnd(0)
    planted = _frame(sid, months, ends, values, ends + pd.Timedelta(days=10))
    return pd.concat([obs[obs["series_id"] != sid], planted], ignore_index=True)
