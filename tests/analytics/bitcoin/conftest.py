"""Real observations for the Bitcoin lab's tests, parsed from YENFLOW_TEST_DATA's files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import load_payload
from yenflow.config import Settings

REAL_FILES = (
    "fred/DEXJPUS.csv",
    "fred/DGS10.csv",
    "fred/WALCL_2002-2026_pandas.csv",
    "fred/CBBTCUSD.csv",
    "btc/BTC-USD_yahoo_daily.csv",
)


@pytest.fixture(scope="session")
def real_btc_obs(real_data: Path) -> pd.DataFrame:
    from yenflow.sources.btc import BitcoinSource
    from yenflow.sources.fred import FredSource

    env = Settings.from_env({})
    sources = {"fred": FredSource(env), "btc": BitcoinSource(env)}
    frames = [
        sources[rel.split("/")[0]].parse(load_payload(real_data, rel)).frame for rel in REAL_FILES
    ]
    return pd.concat(frames, ignore_index=True)
