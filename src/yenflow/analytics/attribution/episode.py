"""A flow episode (a date window and a flow) and the point-in-time data a scorecard reads.

An :class:`Episode` is a window of days ``start..end`` (inclusive) and a flow: a direction
(``outward``: residents' trades in foreign securities; ``inward``: non-residents' trades in
Japanese ones), an asset (``equity``, ``long_term_debt``, ``short_term_debt``) and an
investor type (``None`` = all investors). All-investor flows are MoF's weekly series
(Sunday–Saturday weeks; a week belongs to the episode when its Wednesday falls inside the
window); investor-type flows are monthly (``mof.monthly.investor.<investor>.<asset>.net``),
and the episode's months are those holding at least a quarter of its days (at least the one
holding most). Amounts are ¥100 million, net purchase > 0.

:class:`Evidence` is what every fingerprint reads: the observations public at the cut-off
(``published_at <= as_of``), the episode, the seed, and small accessors that raise
:class:`~yenflow.analytics.attribution.evidence.Missing` (never an invented value) when a
series is absent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from yenflow.analytics.attribution.evidence import Missing
from yenflow.analytics.inputs import latest_per_period
from yenflow.errors import DataError

__all__ = [
    "FLOW_HISTORY_START",
    "INVESTOR_ALIASES",
    "UNIT_FLOW",
    "Episode",
    "Evidence",
    "SeriesBook",
    "episode_weeks",
    "months_label",
    "parse_flow",
    "require_frame",
    "weeks_label",
]

Direction = Literal["outward", "inward"]
FlowAsset = Literal["equity", "long_term_debt", "short_term_debt"]

#: MoF moved investment funds from debt to equity in January 2014: flow histories start here.
FLOW_HISTORY_START = pd.Timestamp("2014-01-01")
UNIT_FLOW = "JPY 100 million"

#: Canonical investor keys and the series-name spellings a parser may use for them.
INVESTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "banks": ("banks", "banks_banking_accounts", "banks_banking_account"),
    "trust_banks": ("trust_banks", "trust_banks_banking_accounts", "trust_banks_banking_account"),
    "trust_accounts": (
        "trust_accounts",
        "banks_and_trust_banks_trust_accounts",
        "banks_trust_banks_trust_accounts",
        "trust_accounts_of_banks_and_trust_banks",
    ),
    "life_insurers": ("life_insurers", "life_insurance", "life_insurance_companies"),
    "non_life_insurers": ("non_life_insurers", "nonlife_insurers", "non_life_insurance"),
    "investment_trusts": (
        "investment_trusts",
        "investment_trust_management_companies",
        "investment_trust_companies",
    ),
    "total": ("total", "all", "all_investors"),
}


def parse_flow(flow: str) -> tuple[Direction, FlowAsset]:
    """``"outward.long_term_debt"`` → ``("outward", "long_term_debt")`` (ValueError if not)."""
    parts = flow.split(".")
    directions, assets = ("outward", "inward"), ("equity", "long_term_debt", "short_term_debt")
    if len(parts) != 2 or parts[0] not in directions or parts[1] not in assets:
        msg = (
            f"flow must be <direction>.<asset> with direction in {directions} and asset in "
            f"{assets}, e.g. outward.long_term_debt; got {flow!r}"
        )
        raise ValueError(msg)
    return parts[0], parts[1]  # type: ignore[return-value]


def _day(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return (ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts).normalize()


@dataclass(frozen=True)
class Episode:
    """A flow episode: days ``start..end`` (inclusive) and the flow that moved.

    ``investor`` is a key of :data:`INVESTOR_ALIASES` (or a series-name part), or None for
    all investors.
    """

    start: dt.date
    end: dt.date
    direction: Direction = "outward"
    asset: FlowAsset = "long_term_debt"
    investor: str | None = None

    @classmethod
    def of(
        cls,
        start: dt.date | str,
        end: dt.date | str,
        *,
        flow: str = "outward.long_term_debt",
        investor: str | None = None,
    ) -> Episode:
        """An episode from dates and a ``direction.asset`` flow string."""
        direction, asset = parse_flow(flow)
        first, last = _day(start).date(), _day(end).date()
        if last < first:
            msg = f"the episode ends ({last}) before it starts ({first})"
            raise ValueError(msg)
        return cls(first, last, direction, asset, investor)

    @property
    def flow(self) -> str:
        return f"{self.direction}.{self.asset}"

    @property
    def weekly_id(self) -> str:
        """MoF's all-investor weekly net series of this flow."""
        return f"mof.weekly.{self.direction}.{self.asset}.net"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> tuple[pd.Timestamp, ...]:
        """First days of the calendar months that hold ≥ 25 % of the episode's days."""
        days = pd.date_range(self.start, self.end, freq="D")
        counts = pd.Series(1, index=days).groupby(days.to_period("M")).sum()
        chosen = counts[counts >= 0.25 * len(days)]
        if chosen.empty:
            chosen = counts[[counts.idxmax()]]
        return tuple(p.to_timestamp() for p in chosen.index)

    def label(self) -> str:
        who = self.investor.replace("_", " ") if self.investor else "all investors"
        what = f"{self.direction} {self.asset.replace('_', ' ')}"
        return f"{what} ({who}), {self.start}..{self.end}"


class SeriesBook:
    """The observations cut at ``as_of``, with each series built once on demand.

    Share one book between several episodes (:func:`~.scorecard.explain_many`): every series
    is read out of the long frame only once.
    """

    def __init__(self, obs: pd.DataFrame, as_of: pd.Timestamp | None = None) -> None:
        require_frame(obs)
        if as_of is not None:
            obs = obs.loc[obs["published_at"] <= as_of]
        self.obs = obs
        self.as_of = as_of
        self._positions = {
            str(k): v for k, v in obs.groupby("series_id", sort=False).indices.items()
        }
        self._cache: dict[tuple[str, str], pd.Series] = {}
        self._memo: dict[tuple[str, str], object] = {}

    def memo(self, kind: str, key: str, compute):
        """``compute()`` once per (kind, key) for every episode read from this book; a Missing
        it raises is remembered too."""
        return _memo(self._memo, (kind, key), compute)

    def rows(self, series_id: str) -> pd.DataFrame:
        where = self._positions.get(series_id)
        if where is None or len(where) == 0:
            when = f" public by {self.as_of:%Y-%m-%d %H:%M} UTC" if self.as_of is not None else ""
            msg = f"{series_id} is not in the store{when} (run `yenflow fetch` for its source)"
            raise Missing(msg)
        return self.obs.iloc[where]

    def has(self, series_id: str) -> bool:
        return len(self._positions.get(series_id, ())) > 0

    def series(self, series_id: str, *, index: Literal["period_start", "period_end"]) -> pd.Series:
        """One series (float, sorted), indexed by its period start or end."""
        key = (series_id, index)
        if key not in self._cache:
            rows = latest_per_period(self.rows(series_id))
            out = pd.Series(
                rows["value"].to_numpy(dtype="float64"),
                index=pd.DatetimeIndex(rows[index]).as_unit("ns"),
                name=series_id,
            ).sort_index()
            self._cache[key] = out[~out.index.duplicated(keep="last")]
        return self._cache[key]


@dataclass(eq=False)
class Evidence:
    """What one evaluation reads: the episode, the book of point-in-time series, options.

    Not a result: an internal working object (its caches fill as fingerprints read series).
    """

    book: SeriesBook
    episode: Episode
    seed: int = 0
    level: float = 0.90
    history_years: int = 10
    n_windows: int = 2000
    _memo: dict[tuple[str, str], object] = field(default_factory=dict, repr=False)

    @property
    def as_of(self) -> pd.Timestamp | None:
        return self.book.as_of

    @property
    def obs(self) -> pd.DataFrame:
        return self.book.obs

    def has(self, series_id: str) -> bool:
        return self.book.has(series_id)

    def series(self, series_id: str, *, index: Literal["period_start", "period_end"]) -> pd.Series:
        """One series (float, sorted), indexed by its period start or end."""
        return self.book.series(series_id, index=index)

    def memo(self, kind: str, key: str, compute):
        """``compute()`` once per (kind, key); a Missing it raises is remembered too."""
        return _memo(self._memo, (kind, key), compute)

    def investor_id(self, investor: str, asset: str) -> str:
        """The monthly series id of an investor type (any known spelling); Missing if none."""
        spellings = INVESTOR_ALIASES.get(investor, (investor,))
        for name in spellings:
            sid = f"mof.monthly.investor.{name}.{asset}.net"
            if self.has(sid):
                return sid
        wanted = f"mof.monthly.investor.{spellings[0]}.{asset}.net"
        msg = f"{wanted} (MoF flows by type of investor, monthb*.csv) is not in the store" + (
            f" public by {self.as_of:%Y-%m-%d}" if self.as_of is not None else ""
        )
        raise Missing(msg)

    @property
    def frequency(self) -> Literal["weekly", "monthly"]:
        """The episode's own flow: ``monthly`` for an investor type (MoF's monthb files),
        ``weekly`` for all investors."""
        return "monthly" if self.episode.investor else "weekly"

    def flow_id(self) -> str:
        """The series of the episode's own flow: the investor type's monthly net
        (:meth:`investor_id`) or the all-investor weekly net; Missing if not in the store."""
        e = self.episode
        return self.investor_id(e.investor, e.asset) if e.investor else e.weekly_id

    def flow_window(self, series_id: str | None = None) -> tuple[pd.Series, pd.Series]:
        """(the episode's periods, the comparable periods before them) of the episode's own
        flow at its own frequency (:meth:`monthly_flow` or :meth:`weekly_flow`)."""
        sid = self.flow_id() if series_id is None else series_id
        return self.monthly_flow(sid) if self.frequency == "monthly" else self.weekly_flow(sid)

    def flow_period(self) -> str:
        """The period the episode's own flow covers, in words (see :func:`months_label`,
        :func:`weeks_label`); Missing if its periods are not public."""
        window, _ = self.flow_window()
        if self.frequency == "monthly":
            return months_label(window.index)
        return weeks_label(window.index)

    def side(self) -> Literal["sale", "purchase"] | None:
        """The episode's own flow: ``sale`` (net < 0), ``purchase`` (> 0); None if unknown."""
        try:
            window, _ = self.flow_window()
        except Missing:
            return None
        total = float(window.sum())
        return "sale" if total < 0 else "purchase" if total > 0 else None

    # ------------------------------------------------------------------ episode windows
    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.episode.start)

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.episode.end)

    def comparable_mask(self, period_starts: pd.DatetimeIndex) -> np.ndarray:
        """Periods (by start) on the episode's side of MoF's January 2014 break (investment
        funds moved from debt to equity): from 2014 for a later episode, before for earlier."""
        after = np.asarray(period_starts >= FLOW_HISTORY_START)
        return after if self.start >= FLOW_HISTORY_START else ~after

    def comparable_period(self) -> str:
        """``"since 2014"`` or ``"before 2014"`` (see :meth:`comparable_mask`)."""
        return "since 2014" if self.start >= FLOW_HISTORY_START else "before 2014"

    def history_start(self) -> pd.Timestamp:
        return self.start - pd.DateOffset(years=self.history_years)

    def weekly_flow(self, series_id: str) -> tuple[pd.Series, pd.Series]:
        return self.memo("weekly_flow", series_id, lambda: self._weekly_flow(series_id))

    def monthly_flow(self, series_id: str) -> tuple[pd.Series, pd.Series]:
        return self.memo("monthly_flow", series_id, lambda: self._monthly_flow(series_id))

    def _weekly_flow(self, series_id: str) -> tuple[pd.Series, pd.Series]:
        """(the episode's weeks, the comparable weeks before it: :meth:`comparable_mask`).

        Indexed by week end (Saturday). Missing if a week of the episode is not published.
        """
        weekly = self.series(series_id, index="period_end")
        weekly = weekly[self.comparable_mask(weekly.index - pd.Timedelta(days=6))]
        wednesday = weekly.index - pd.Timedelta(days=3)
        inside = (wednesday >= self.start) & (wednesday <= self.end)
        expected = _weeks_in(self.start, self.end)
        if int(inside.sum()) < expected:
            msg = (
                f"{series_id}: {int(inside.sum())} of the episode's {expected} weeks are public"
                + (f" by {self.as_of:%Y-%m-%d}" if self.as_of is not None else "")
            )
            raise Missing(msg)
        return weekly[inside], weekly[weekly.index < self.start]

    def _monthly_flow(self, series_id: str) -> tuple[pd.Series, pd.Series]:
        """(the episode's months, the comparable months before them), by month start."""
        monthly = self.series(series_id, index="period_start")
        monthly = monthly[self.comparable_mask(monthly.index)]
        months = pd.DatetimeIndex(self.episode.months()).as_unit("ns")
        present = monthly.reindex(months)
        if present.isna().any():
            gone = [f"{m:%Y-%m}" for m in months[present.isna().to_numpy()]]
            msg = f"{series_id}: month(s) {', '.join(gone)} not public" + (
                f" by {self.as_of:%Y-%m-%d}" if self.as_of is not None else ""
            )
            raise Missing(msg)
        return present, monthly[monthly.index < months[0]]

    def daily_window(
        self, series_id: str, *, lead_days: int = 0
    ) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(the value just before the window, the window's days, the history before it).

        The window is ``start - lead_days .. end``; the history covers ``history_years``
        before the window.
        """
        daily = self.series(series_id, index="period_start").dropna()
        first = self.start - pd.Timedelta(days=lead_days)
        before = daily[daily.index < first]
        window = daily[(daily.index >= first) & (daily.index <= self.end)]
        if before.empty or window.empty:
            msg = f"{series_id} has no value before {first:%Y-%m-%d} or none in the window"
            raise Missing(msg)
        hist = before[before.index >= first - pd.DateOffset(years=self.history_years)]
        return before.iloc[-1:], window, hist


def _day_month(day: pd.Timestamp, *, year: bool = False) -> str:
    return f"{day.day} {day:%B}" + (f" {day.year}" if year else "")


def months_label(months: pd.DatetimeIndex | tuple[pd.Timestamp, ...]) -> str:
    """Calendar months (by first day) in words with their days: ``April 2025 (1–30 April)``,
    ``March–April 2025 (1 March–30 April)``."""
    first, last = pd.Timestamp(months[0]), pd.Timestamp(months[-1])
    end = last + pd.offsets.MonthEnd(0)
    if first == last:
        return f"{first:%B %Y} (1–{end.day} {first:%B})"
    if first.year == last.year:
        return f"{first:%B}–{last:%B %Y} (1 {first:%B}–{_day_month(end)})"
    return f"{first:%B %Y}–{last:%B %Y} (1 {first:%B %Y}–{_day_month(end, year=True)})"


def weeks_label(week_ends: pd.DatetimeIndex) -> str:
    """MoF weeks (by their Saturday end) in words: ``2 MoF weeks, 30 March–12 April 2025
    (Sunday–Saturday)``."""
    first = pd.Timestamp(week_ends[0]) - pd.Timedelta(days=6)
    last = pd.Timestamp(week_ends[-1])
    n = len(week_ends)
    return (
        f"{n} MoF week{'s' if n != 1 else ''}, "
        f"{_day_month(first, year=first.year != last.year)}–{_day_month(last, year=True)}"
        " (Sunday–Saturday)"
    )


def _memo(store: dict, slot: tuple[str, str], compute):
    if slot not in store:
        try:
            store[slot] = compute()
        except Missing as gone:
            store[slot] = gone
    value = store[slot]
    if isinstance(value, Missing):
        raise value
    return value


def _weeks_in(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Sunday–Saturday weeks whose Wednesday lies in ``start..end``."""
    days = pd.date_range(start, end, freq="D")
    return int((days.day_of_week == 2).sum())


def episode_weeks(weekly: pd.Series, start: pd.Timestamp, length: int) -> pd.Series | None:
    """The ``length`` consecutive weeks of ``weekly`` (by week end) from the first week whose
    Wednesday is on or after ``start``; None if they are not all there."""
    wednesday = weekly.index - pd.Timedelta(days=3)
    first = int(np.searchsorted(wednesday.to_numpy(), start.to_datetime64(), side="left"))
    chunk = weekly.iloc[first : first + length]
    if len(chunk) < length or chunk.isna().any():
        return None
    span = (chunk.index[-1] - chunk.index[0]).days
    return chunk if span == 7 * (length - 1) else None


def require_frame(obs: pd.DataFrame) -> None:
    """DataError unless ``obs`` has the canonical columns."""
    need = {"series_id", "period_start", "period_end", "value", "published_at"}
    if not need <= set(obs.columns):
        msg = f"the observation frame lacks columns {sorted(need - set(obs.columns))}"
        raise DataError(msg)
