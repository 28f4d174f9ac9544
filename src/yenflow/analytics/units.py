"""Currency and unit conversions between yen amounts and dollar amounts.

Every function names its units: the argument is in the unit before ``_to_``,
the result in the unit after it. The units are

``jpy_100m``
    100 million yen (億円), MoF's unit: 1 = ¥100,000,000.
``jpy_tn``
    trillion yen (兆円): 1 = ¥1,000,000,000,000 = 10,000 × ¥100 million.
``usd_bn``
    billion US dollars, TIC's unit.

Dollar conversions take ``usdjpy``, the exchange rate in **yen per US dollar**
(FRED's DEXJPUS, e.g. 147.5). With amounts ``x`` in ¥100 million,
``x × 10^8 / usdjpy`` dollars, i.e. ``x / (10 × usdjpy)`` USD bn.

All functions accept a float, a numpy array or a pandas Series (``usdjpy`` may
be an aligned array or Series, e.g. a window-average rate per row); NaN passes
through as NaN. Each ``a_to_b`` has an inverse ``b_to_a`` so that converting
there and back returns the input (up to float rounding, ~1e-15 relative).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "JPY_100M_PER_JPY_TN",
    "JPY_100M_PER_USD_BN_PER_USDJPY",
    "jpy_100m_to_jpy_tn",
    "jpy_100m_to_usd_bn",
    "jpy_tn_to_jpy_100m",
    "jpy_tn_to_usd_bn",
    "usd_bn_to_jpy_100m",
    "usd_bn_to_jpy_tn",
]

#: ¥1 trillion = 10,000 × ¥100 million.
JPY_100M_PER_JPY_TN = 10_000.0
#: USD 1 bn at 1 yen per dollar = ¥1 bn = 10 × ¥100 million.
JPY_100M_PER_USD_BN_PER_USDJPY = 10.0

Amount = TypeVar("Amount", float, np.ndarray, pd.Series)
Rate = float | np.ndarray | pd.Series


def _checked_rate(usdjpy: Rate) -> Rate:
    """The rate, after rejecting zero, negative and infinite values (NaN is allowed)."""
    values = np.asarray(usdjpy, dtype="float64")
    bad = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0))
    if bad.any():
        found = values[bad].ravel()[0]
        msg = f"usdjpy must be a positive number of yen per US dollar (e.g. 147.5), got {found}"
        raise ValueError(msg)
    return usdjpy


def jpy_100m_to_jpy_tn(x: Amount) -> Amount:
    """¥100 million to ¥ trillion (÷ 10,000): -30,845 → -3.0845."""
    return x / JPY_100M_PER_JPY_TN


def jpy_tn_to_jpy_100m(x: Amount) -> Amount:
    """¥ trillion to ¥100 million (× 10,000): 1.5 → 15,000."""
    return x * JPY_100M_PER_JPY_TN


def jpy_100m_to_usd_bn(x: Amount, usdjpy: Rate) -> Amount:
    """¥100 million to USD bn at ``usdjpy`` yen per dollar: 15,000 at 150 → 10.0."""
    return x / (JPY_100M_PER_USD_BN_PER_USDJPY * _checked_rate(usdjpy))


def usd_bn_to_jpy_100m(x: Amount, usdjpy: Rate) -> Amount:
    """USD bn to ¥100 million at ``usdjpy`` yen per dollar: 10.0 at 150 → 15,000."""
    return x * (JPY_100M_PER_USD_BN_PER_USDJPY * _checked_rate(usdjpy))


def jpy_tn_to_usd_bn(x: Amount, usdjpy: Rate) -> Amount:
    """¥ trillion to USD bn at ``usdjpy`` yen per dollar: 1.5 at 150 → 10.0."""
    return x * (1_000.0 / _checked_rate(usdjpy))


def usd_bn_to_jpy_tn(x: Amount, usdjpy: Rate) -> Amount:
    """USD bn to ¥ trillion at ``usdjpy`` yen per dollar: 10.0 at 150 → 1.5."""
    return x * (_checked_rate(usdjpy) / 1_000.0)
