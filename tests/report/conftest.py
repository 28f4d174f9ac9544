"""Fixtures for the report tests: a small synthetic observation frame and the real data.

``small_obs`` is built in code (seeded), in the canonical frame layout, with the publication
times of :mod:`yenflow.releases`, and holds every series the report reads:

- MoF weekly net flows (¥100 million), 80 Sunday–Saturday weeks from 2023-01-01; the last
  week (2024-07-07..2024-07-13) of outward long-term debt is a net sale of 30,000, larger than
  any other week (|others| < 20,000), so it ranks 1st and is "the largest since the data begin";
- the MoF monthly outward long-term debt total;
- FRED DEXJPUS (business days from 2022-07-01): up from 130 to 150 by 2023-06-30, down to 132
  by 2023-09-29 (a 12 % fall: one unwind episode, trough 132.0), then up to 158 by 2024-07-10;
  DTB3 5.0 %, DGS10 4.0 %, IR3TIB01JPM156N 0.1 %, JGB 10-year 0.8 %;
- CFTC non-commercial yen positions (weekly Tuesdays) and open interest;
- TIC holdings (USD bn) of Japan, mainland China, the UK and Belgium, and the grand total.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import load_payload
from yenflow import releases
from yenflow.config import Settings
from yenflow.frame import FRAME_COLUMNS
from yenflow.sources import REGISTRY, get_source_class

SMALL_LAST_WEEK_END = pd.Timestamp("2024-07-13")
SMALL_LAST_WEEK_NET = -30_000.0
SMALL_TROUGH = 132.0


def frame(
    series_id: str,
    starts: pd.DatetimeIndex,
    ends: pd.DatetimeIndex,
    values: np.ndarray,
    published: pd.Series,
) -> pd.DataFrame:
    """A canonical frame for one series."""
    return pd.DataFrame(
        {
            "series_id": series_id,
            "period_start": pd.DatetimeIndex(starts).as_unit("ns"),
            "period_end": pd.DatetimeIndex(ends).as_unit("ns"),
            "value": np.asarray(values, dtype="float64"),
            "published_at": pd.DatetimeIndex(published).as_unit("ns"),
        }
    )


def daily(series_id: str, days: pd.DatetimeIndex, values: np.ndarray) -> pd.DataFrame:
    """A daily series published the next US business day."""
    return frame(series_id, days, days, values, releases.us_next_business_day(pd.Series(days)))


def monthly(series_id: str, months: pd.DatetimeIndex, values: np.ndarray, rule) -> pd.DataFrame:
    """A monthly series (``months`` are month starts) published by ``rule(month_end)``."""
    ends = months + pd.offsets.MonthEnd(0)
    return frame(series_id, months, ends, values, rule(pd.Series(ends)))


def _weekly_flows(rng: np.random.Generator) -> list[pd.DataFrame]:
    starts = pd.date_range("2023-01-01", periods=80, freq="7D")
    ends = starts + pd.Timedelta(days=6)
    published = releases.mof_weekly(pd.Series(ends))
    out = []
    for direction in ("outward", "inward"):
        for asset in ("equity", "long_term_debt", "short_term_debt"):
            values = np.round(rng.uniform(-19_000, 19_000, len(starts)))
            if (direction, asset) == ("outward", "long_term_debt"):
                values[-1] = SMALL_LAST_WEEK_NET
            sid = f"mof.weekly.{direction}.{asset}.net"
            out.append(frame(sid, starts, ends, values, published))
    months = pd.date_range("2023-01-01", "2024-06-01", freq="MS")
    values = np.round(rng.uniform(-40_000, 40_000, len(months)))
    out.append(
        monthly("mof.monthly.outward.long_term_debt.net", months, values, releases.mof_monthly)
    )
    return out


def _usdjpy() -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.bdate_range("2022-07-01", "2024-07-10")
    anchors = pd.Series(
        [130.0, 150.0, SMALL_TROUGH, 158.0],
        index=pd.DatetimeIndex(["2022-07-01", "2023-06-30", "2023-09-29", "2024-07-10"]),
    )
    path = anchors.reindex(anchors.index.union(days)).interpolate(method="time").reindex(days)
    wiggle = 0.3 * np.sin(np.arange(len(days)) / 3.0)
    values = path.to_numpy() + wiggle
    values[days == pd.Timestamp("2023-09-29")] = SMALL_TROUGH
    return days, np.round(values, 2)


def _rates_and_fx() -> list[pd.DataFrame]:
    days, usdjpy = _usdjpy()
    out = [daily("fred.DEXJPUS", days, usdjpy)]
    out[0]["published_at"] = releases.fed_h10_weekly(pd.Series(days)).to_numpy()
    out.append(daily("fred.DTB3", days, np.full(len(days), 5.0)))
    out.append(daily("fred.DGS10", days, np.full(len(days), 4.0)))
    jgb = frame(
        "jgb.yield.10y", days, days, np.full(len(days), 0.8), releases.jgb_daily(pd.Series(days))
    )
    out.append(jgb)
    months = pd.date_range("2022-01-01", "2024-06-01", freq="MS")
    out.append(
        monthly(
            "fred.IR3TIB01JPM156N",
            months,
            np.full(len(months), 0.1),
            lambda ends: releases.monthly_with_lag(ends, days=45),
        )
    )
    return out


def _cftc(rng: np.random.Generator) -> list[pd.DataFrame]:
    tuesdays = pd.date_range("2022-07-05", "2024-07-02", freq="7D")
    published = releases.cftc_weekly(pd.Series(tuesdays))
    long = np.round(rng.uniform(20_000, 60_000, len(tuesdays)))
    short = np.round(rng.uniform(40_000, 160_000, len(tuesdays)))
    oi = np.round(long + short + rng.uniform(100_000, 150_000, len(tuesdays)))
    prefix = "cftc.jpy.noncommercial"
    return [
        frame(f"{prefix}.long", tuesdays, tuesdays, long, published),
        frame(f"{prefix}.short", tuesdays, tuesdays, short, published),
        frame(f"{prefix}.net", tuesdays, tuesdays, long - short, published),
        frame("cftc.jpy.open_interest", tuesdays, tuesdays, oi, published),
    ]


def _tic() -> list[pd.DataFrame]:
    months = pd.date_range("2022-01-01", "2024-04-01", freq="MS")
    n = len(months)
    step = np.arange(n, dtype="float64")
    levels = {
        "tic.holdings.japan": 1_100.0 + 2.0 * step,
        "tic.holdings.china_mainland": 900.0 - 5.0 * step,
        "tic.holdings.united_kingdom": 650.0 + 4.0 * step,
        "tic.holdings.belgium": 300.0 + 0.5 * step,
        "tic.aggregate.grand_total": 7_500.0 + 10.0 * step,
    }
    return [monthly(sid, months, v, releases.tic_monthly) for sid, v in levels.items()]


@pytest.fixture(scope="session")
def small_obs() -> pd.DataFrame:
    """The synthetic observation frame described in the module docstring."""
    rng = np.random.default_rng(20250418)
    parts = [*_weekly_flows(rng), *_rates_and_fx(), *_cftc(rng), *_tic()]
    obs = pd.concat(parts, ignore_index=True)
    return obs[list(FRAME_COLUMNS)]


def parse_real(real_data: Path) -> pd.DataFrame:
    """Every real file every registered source recognizes, parsed into one frame.

    Where two files hold the same series and period (DEXJPUS.csv and the long pandas copy),
    the row of the file read last is kept, as a store keeps one current value.
    """
    settings = Settings.from_env({})
    frames = []
    for name in REGISTRY:
        source = get_source_class(name)(settings)
        folder = real_data / name
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if source.recognizes(relative):
                frames.append(source.parse(load_payload(real_data, f"{name}/{relative}")).frame)
    obs = pd.concat(frames, ignore_index=True)
    return obs.drop_duplicates(subset=["series_id", "period_start"], keep="last").reset_index(
        drop=True
    )


@pytest.fixture(scope="session")
def real_obs(real_data: Path) -> pd.DataFrame:
    """Every real file parsed by the source parsers (the store's content after a fetch)."""
    return parse_real(real_data)
