"""Release rules: publication instants of known dates, NaT, DST and what a Series keeps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yenflow import releases


def _utc(*stamps: str | None) -> list[pd.Timestamp | None]:
    return [None if s is None else pd.Timestamp(s, tz="UTC") for s in stamps]


@pytest.mark.parametrize(
    ("rule", "dates", "expected"),
    [
        # Saturday 12 April -> Thursday 17 April 08:50 Tokyo
        (releases.mof_weekly, ["2025-04-12"], ["2025-04-16 23:50"]),
        # 1 April + 7 = Tuesday 8 April; 1 June + 7 = Sunday 8 June -> Monday 9 June
        (
            releases.mof_monthly,
            ["2025-03-31", "2025-05-31"],
            ["2025-04-07 23:50", "2025-06-08 23:50"],
        ),
        (releases.jgb_daily, ["2025-01-06"], ["2025-01-06 09:00"]),
        # the 18th of the second month after, 16:00 New York (summer time from 9 March)
        (releases.tic_monthly, ["2025-01-31"], ["2025-03-18 20:00"]),
        # the Friday after the Tuesday, 15:30 New York
        (releases.cftc_weekly, ["2025-04-08"], ["2025-04-11 19:30"]),
        # Friday -> Saturday -> Monday 16:15 New York
        (releases.us_next_business_day, ["2025-01-03"], ["2025-01-06 21:15"]),
        # the Monday strictly after
        (
            releases.fed_h10_weekly,
            ["2025-01-03", "2025-01-06"],
            ["2025-01-06 21:15", "2025-01-13 21:15"],
        ),
        (releases.fed_h41_weekly, ["2025-01-08"], ["2025-01-09 21:30"]),
        (releases.utc_day_close, ["2025-01-03 13:00"], ["2025-01-04 00:00"]),
    ],
)
def test_rules_give_the_published_instants(rule, dates: list[str], expected: list[str]) -> None:
    got = rule(pd.Series(pd.to_datetime(dates)))
    assert got.tolist() == _utc(*expected)
    assert str(got.dtype).endswith(", UTC]")


def test_monthly_with_lag_and_roll_to_weekday() -> None:
    ends = pd.Series(pd.to_datetime(["2025-01-31"]))
    assert releases.monthly_with_lag(ends, days=45).tolist() == _utc("2025-03-17 12:00")
    days = pd.Series(pd.to_datetime(["2025-01-03", "2025-01-04", "2025-01-05"]))
    assert releases.roll_to_weekday(days).tolist() == list(
        pd.to_datetime(["2025-01-03", "2025-01-06", "2025-01-06"])
    )


def test_summer_time_gaps_shift_forward_and_repeated_hours_are_not_guessed() -> None:
    days = pd.Series(pd.to_datetime(["2024-03-10", "2024-11-03"]))
    got = releases.at_local_time(days, time="02:30", tz=releases.NEW_YORK)
    assert got.tolist()[0] == pd.Timestamp("2024-03-10 07:00", tz="UTC")  # 02:30 does not exist
    assert releases.at_local_time(days, time="01:30", tz=releases.NEW_YORK).isna().tolist() == [
        False,
        True,
    ]


def test_a_series_keeps_its_index_and_name_and_nat_stays_nat() -> None:
    dates = pd.Series(
        np.array(["2025-04-12T10:00", "NaT"], dtype="datetime64[ns]"), index=[7, 3], name="end"
    )
    for rule in (releases.mof_weekly, releases.mof_monthly, releases.us_next_business_day):
        got = rule(dates)
        assert got.index.tolist() == [7, 3] and got.name == "end"
        assert pd.isna(got.iloc[1]) and not pd.isna(got.iloc[0])
    index = pd.DatetimeIndex(["2025-04-12"], name="day")
    got = releases.jgb_daily(index)
    assert got.name == "day" and got.index.tolist() == [0]
    aware = pd.Series(pd.to_datetime(["2025-04-12 23:00"]).tz_localize(releases.TOKYO))
    assert releases.jgb_daily(aware).tolist() == _utc("2025-04-12 09:00")
