"""Market proxies for GPIF's four asset classes, built from the real raw files for the tests.

Interim test helper: the project's ``markets`` source and its returns module (in yen and local
currency, JGB yield-to-return) are being built elsewhere; once they are in the library this
helper should call them instead of reading the third-party CSVs itself.

- domestic equities: TOPIX price index (``markets/TOPIX_2016-2026.csv``; no dividends);
- foreign equities: ACWI ETF adjusted close (``markets/ACWI_2008-2026.csv``, USD) x USD/JPY;
- foreign bonds: half AGG, half BWX adjusted closes (USD; GPIF's benchmark is FTSE WGBI
  ex-Japan, unhedged) x USD/JPY;
- domestic bonds: the 10-year JGB yield (``jgb/jgbcm_all.csv``) as a bond of modified
  duration 9 and convexity 100: ``r = y_prev * days / 365 - 9 dy + 50 dy^2`` (yields as
  fractions);
- USD/JPY: FRED DEXJPUS (``fred/DEXJPUS_1971-2026_pandas.csv``, yen per dollar, noon New York).

The calendar is the days on which TOPIX, ACWI and DEXJPUS all have a value, from 2020-01-06.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import load_payload
from yenflow.analytics.rebalance import MarketReturns
from yenflow.config import Settings
from yenflow.sources.fred import FredSource
from yenflow.sources.jgb import JgbSource

DURATION = 9.0
CONVEXITY = 100.0


def _close(path: Path, date: str, value: str) -> pd.Series:
    frame = pd.read_csv(path, parse_dates=[date])
    return frame.set_index(date)[value].astype(float)


def _series(frame: pd.DataFrame, series_id: str) -> pd.Series:
    sub = frame.loc[frame["series_id"] == series_id]
    return pd.Series(sub["value"].to_numpy(), index=pd.DatetimeIndex(sub["period_start"]))


def gpif_proxy_returns(real_data: Path, settings: Settings) -> MarketReturns:
    markets = real_data / "markets"
    topix = _close(markets / "TOPIX_2016-2026.csv", "date", "value")
    acwi = _close(markets / "ACWI_2008-2026.csv", "Date", "Close")
    agg = _close(markets / "AGG_2003-2026.csv", "Date", "Close")
    bwx = _close(markets / "BWX_2007-2026.csv", "Date", "Close")
    fred = FredSource(settings).parse(load_payload(real_data, "fred/DEXJPUS_1971-2026_pandas.csv"))
    usdjpy = _series(fred.frame, "fred.DEXJPUS")
    jgb = JgbSource(settings).parse(load_payload(real_data, "jgb/jgbcm_all.csv"))
    y10 = _series(jgb.frame, "jgb.yield.10y") / 100.0

    calendar = topix.index.intersection(acwi.index).intersection(usdjpy.index)
    calendar = calendar[calendar >= "2020-01-06"]
    y = y10.reindex(y10.index.union(calendar)).ffill().reindex(calendar)
    dy = y.diff()
    days = pd.Series(calendar, index=calendar).diff().dt.days
    jgb_r = (y.shift() * days / 365 - DURATION * dy + 0.5 * CONVEXITY * dy**2).fillna(0.0)
    bonds_r = 0.5 * agg.pct_change() + 0.5 * bwx.pct_change()
    bonds = (1 + bonds_r.reindex(bonds_r.index.union(calendar)).fillna(0.0)).cumprod()
    return MarketReturns.from_levels(
        {
            "domestic_bonds": (1 + jgb_r).cumprod(),
            "foreign_bonds": bonds,
            "domestic_equities": topix,
            "foreign_equities": acwi,
        },
        fx={"foreign_bonds": usdjpy, "foreign_equities": usdjpy},
        calendar=calendar,
    )
