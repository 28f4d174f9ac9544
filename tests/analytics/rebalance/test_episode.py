"""Model-implied rebalancing over an episode, point in time, on the hand-made fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.analytics.rebalance.test_gpif import fixture_holdings, fixture_returns
from yenflow.analytics.rebalance.episode import episode_trades
from yenflow.errors import DataError


def test_episode_trades_by_hand(tmp_path: Path) -> None:
    holdings = fixture_holdings(tmp_path)
    # by 2024-08-31 the June figures (public from 2024-08-11) are known: start there
    # (102, 100, 100, 107). Monthly in full: end-July back to 102.25 each; the yen's 5 % rise
    # on 5 August leaves both foreign classes at 97.1375 of 398.775; end-August buys them back.
    ep = episode_trades(fixture_returns(), start="2024-08-01", end="2024-08-31", holdings=holdings)
    assert str(ep.holdings_date) == "2024-06-30"
    rules = ep.by_rule.set_index(["rule", "asset_class"])
    monthly = rules.loc[("calendar/month/target/1", "foreign_equities")]
    assert monthly["trade_jpy_bn"] == pytest.approx(398.775 / 4 - 97.1375)
    assert monthly["deviation_pp"] == pytest.approx(0.0, abs=1e-9)  # rebalanced end-July
    # the quarterly and fiscal-year rules have no period end inside August: no trade
    assert rules.loc[("calendar/quarter/target/1", "foreign_equities"), "trade_jpy_bn"] == 0
    fe = ep.row("foreign_equities")
    assert fe["trade_high_jpy_bn"] == pytest.approx(398.775 / 4 - 97.1375)
    assert fe["trade_high_jpy_100m"] == pytest.approx(10 * (398.775 / 4 - 97.1375))
    # a quarter of the drift each month: end-July FE 107 - 4.75 / 4 = 105.8125 (DB 102.0625,
    # FB and DE 100.5625); after the yen's rise FE 100.521875 of 398.68125, still overweight:
    # end-August sells a quarter of the gap
    total = 102.0625 + 100.5625 * 0.95 + 100.5625 + 105.8125 * 0.95
    assert fe["trade_low_jpy_bn"] == pytest.approx(0.25 * (total / 4 - 105.8125 * 0.95))
    # on the eve, without rebalancing since June: 107 of 409 -> +1.16 pp
    assert fe["deviation_high_pp"] == pytest.approx(100 * 107 / 409 - 25)
    assert ep.summary()["holdings_date"] == "2024-06-30"


def test_episode_trades_use_only_what_was_known(tmp_path: Path) -> None:
    holdings = fixture_holdings(tmp_path)
    early = episode_trades(
        fixture_returns(),
        start="2024-08-01",
        end="2024-08-31",
        as_of="2024-08-10",
        holdings=holdings,
    )
    # the June figures were not public yet; the returns stop on 9 August (10th is a Saturday)
    assert str(early.holdings_date) == "2024-03-31"
    assert str(early.last_return_date) == "2024-08-09"
    assert early.to_frame()["trade_high_jpy_bn"].max() == 0.0  # no month end reached yet
    with pytest.raises(DataError, match="nothing public"):
        episode_trades(fixture_returns(), start="2024-05-01", end="2024-05-31", holdings=holdings)
    with pytest.raises(DataError, match="before its start"):
        episode_trades(fixture_returns(), start="2024-08-31", end="2024-08-01", holdings=holdings)


@pytest.mark.parametrize("as_of", ["2024-08-12", "2024-08-20", "2024-09-02", "2024-12-31"])
def test_episode_trades_do_not_move_when_the_data_are_cut_at_as_of(tmp_path: Path, as_of) -> None:
    holdings = fixture_holdings(tmp_path)
    full = fixture_returns()
    cut = full.between(None, as_of)
    kwargs = {"start": "2024-08-01", "end": "2024-09-30", "as_of": as_of, "holdings": holdings}
    a, b = episode_trades(full, **kwargs), episode_trades(cut, **kwargs)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.last_return_date <= pd.Timestamp(as_of).date()
