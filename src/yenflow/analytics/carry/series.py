"""The series the carry monitor reads, and its fixed conventions."""

from __future__ import annotations

from yenflow.analytics.inputs import USDJPY_ID

__all__ = [
    "CFTC_OPEN_INTEREST_ID",
    "CFTC_PREFIX",
    "FX_ID",
    "JPY_FUTURES_CONTRACT_JPY",
    "JP_3M_ID",
    "JP_10Y_IDS",
    "US_3M_IDS",
    "US_10Y_ID",
    "carry_series",
]

#: USD/JPY (yen per dollar, noon New York): the one constant of :mod:`yenflow.analytics.inputs`.
FX_ID = USDJPY_ID
US_3M_IDS = {"DGS3MO": "fred.DGS3MO", "DTB3": "fred.DTB3"}
JP_3M_ID = "fred.IR3TIB01JPM156N"
US_10Y_ID = "fred.DGS10"
JP_10Y_IDS = {"jgb": "jgb.yield.10y", "oecd": "fred.IRLTLT01JPM156N"}
CFTC_PREFIX = {
    "noncommercial": "cftc.jpy.noncommercial",
    "leveraged_funds": "cftc.jpy.leveraged_funds",
}
CFTC_OPEN_INTEREST_ID = "cftc.jpy.open_interest"

JPY_FUTURES_CONTRACT_JPY = 12_500_000.0
"""Size of one CME Japanese yen futures contract, in yen."""
TRADING_DAYS_PER_YEAR = 252
VOL_1M_DAYS = 21
VOL_3M_DAYS = 63
TBILL_DAYS_TO_MATURITY = 91
#: a monthly rate is used for at most this many days after its month ends.
MONTHLY_STALE_DAYS = 92
#: a CFTC report is used for at most this many days after its Tuesday as-of date (a release
#: delayed by a holiday to the Monday is 13 days old on that Monday).
POSITIONING_STALE_DAYS = 14
FX_STALE_DAYS = 7


def carry_series(trader: str = "noncommercial") -> tuple[str, ...]:
    """Every series the carry monitor may read for ``trader`` (present ones are used)."""
    cftc = tuple(f"{CFTC_PREFIX[trader]}.{leg}" for leg in ("long", "short", "net"))
    return (
        FX_ID,
        *US_3M_IDS.values(),
        JP_3M_ID,
        US_10Y_ID,
        *JP_10Y_IDS.values(),
        *cftc,
        CFTC_OPEN_INTEREST_ID,
    )
