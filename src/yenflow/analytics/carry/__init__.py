"""The yen carry-trade monitor: rate differentials, USD/JPY risk, a carry index, CFTC positioning
and dated unwind episodes, every daily and weekly frame release-dated.

Modules, one per seam: :mod:`.series` (the series ids and conventions), :mod:`.rates` (US
minus Japan differentials), :mod:`.fx` (USD/JPY volatility), :mod:`.index` (the carry index),
:mod:`.positioning` (CFTC), :mod:`.unwinds` (carry-unwind episodes on the generic detector of
:mod:`yenflow.analytics.episodes`) and :mod:`.monitor` (everything on one calendar). The
alignment by publication time is :mod:`yenflow.analytics.align`'s.

Signs (be careful): ``diff_*_pct = US minus Japan`` (> 0 means the dollar yields more, the
carry a long-USD/short-JPY position earns). A speculator *net long* yen futures
(``net_long_jpy_contracts > 0``) is long the yen: the *opposite* of a carry trade.
"""

from yenflow.analytics.carry._common import Latest
from yenflow.analytics.carry.fx import FxVolatility, fx_volatility
from yenflow.analytics.carry.index import CarryIndex, build_carry_index
from yenflow.analytics.carry.monitor import (
    CarryMonitor,
    LowDistance,
    LowPeriod,
    carry_monitor,
    distance_from_low,
)
from yenflow.analytics.carry.positioning import Positioning, Trader, positioning
from yenflow.analytics.carry.rates import (
    RateDifferentials,
    jp_10y_id,
    rate_differentials,
    tbill_bond_equivalent_pct,
    us_3m_id,
)
from yenflow.analytics.carry.series import (
    CFTC_OPEN_INTEREST_ID,
    CFTC_PREFIX,
    FX_ID,
    JP_3M_ID,
    JP_10Y_IDS,
    JPY_FUTURES_CONTRACT_JPY,
    US_3M_IDS,
    US_10Y_ID,
    carry_series,
)
from yenflow.analytics.carry.unwinds import (
    UnwindEpisode,
    UnwindEpisodes,
    UnwindParams,
    detect_unwinds,
)

__all__ = [
    "CFTC_OPEN_INTEREST_ID",
    "CFTC_PREFIX",
    "FX_ID",
    "JPY_FUTURES_CONTRACT_JPY",
    "JP_3M_ID",
    "JP_10Y_IDS",
    "US_3M_IDS",
    "US_10Y_ID",
    "CarryIndex",
    "CarryMonitor",
    "FxVolatility",
    "Latest",
    "LowDistance",
    "LowPeriod",
    "Positioning",
    "RateDifferentials",
    "Trader",
    "UnwindEpisode",
    "UnwindEpisodes",
    "UnwindParams",
    "build_carry_index",
    "carry_monitor",
    "carry_series",
    "detect_unwinds",
    "distance_from_low",
    "fx_volatility",
    "jp_10y_id",
    "positioning",
    "rate_differentials",
    "tbill_bond_equivalent_pct",
    "us_3m_id",
]
