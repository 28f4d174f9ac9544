"""The market input of the rebalancing model: daily returns per sleeve, local price and FX apart.

:class:`MarketReturns` wraps one frame (the contract):

- index ``date``: trading days, tz-naive midnight, strictly increasing; the row of day *d* is the
  return from the close of the previous row to the close of *d*;
- columns: a two-level index ``(sleeve, component)`` with ``component`` one of ``"local"``
  (price return in the sleeve's own currency) and ``"fx"`` (return of the yen value of one unit
  of that currency: USD/JPY up 1 % -> +0.01); both simple returns as **fractions** (0.01 = 1 %);
- no NaN: a market holiday is a zero return, not a gap.

The return in yen is ``(1 + local) * (1 + fx) - 1``. A domestic sleeve has ``fx = 0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from yenflow.errors import DataError

__all__ = ["COMPONENTS", "MarketReturns"]

COMPONENTS: tuple[str, str] = ("local", "fx")


@dataclass(frozen=True, eq=False)
class MarketReturns:
    """Validated daily returns (fractions) per sleeve, split into local price and FX."""

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        f = self.frame
        where = "market returns for the rebalancing model"
        if not isinstance(f.index, pd.DatetimeIndex):
            got = type(f.index).__name__
            msg = f"{where}: the index must be a DatetimeIndex of trading days, got {got}"
            raise DataError(msg)
        if f.index.tz is not None:
            msg = f"{where}: dates must be tz-naive calendar days, got tz {f.index.tz}"
            raise DataError(msg)
        if not f.index.is_monotonic_increasing or f.index.has_duplicates:
            msg = f"{where}: dates must be strictly increasing (sort and drop duplicate days)"
            raise DataError(msg)
        if not isinstance(f.columns, pd.MultiIndex) or f.columns.nlevels != 2:
            msg = (
                f"{where}: columns must be (sleeve, component) pairs; "
                "use MarketReturns.from_components"
            )
            raise DataError(msg)
        bad = sorted(set(f.columns.get_level_values(1)) - set(COMPONENTS))
        if bad:
            msg = f"{where}: unknown components {bad}; expected 'local' and 'fx'"
            raise DataError(msg)
        values = f.to_numpy(dtype=float)
        if np.isnan(values).any():
            row, col = np.argwhere(np.isnan(values))[0]
            msg = (
                f"{where}: missing return at {f.index[row]:%Y-%m-%d} for {f.columns[col]}; "
                "a market holiday is a zero return, fill it before passing the frame"
            )
            raise DataError(msg)
        if (values <= -1.0).any():
            row, col = np.argwhere(values <= -1.0)[0]
            msg = (
                f"{where}: return {values[row, col]:g} at {f.index[row]:%Y-%m-%d} for "
                f"{f.columns[col]} is -100 % or worse; returns are fractions (0.01 = 1 %)"
            )
            raise DataError(msg)

    @classmethod
    def from_components(
        cls, local: pd.DataFrame, fx: pd.DataFrame | Mapping[str, pd.Series] | None = None
    ) -> MarketReturns:
        """Build from a frame of local returns (one column per sleeve) and FX returns.

        ``fx`` has a column per foreign-currency sleeve (others get 0); it is aligned on
        ``local``'s dates, and a date missing from ``fx`` is an error, not a zero.
        """
        local = local.sort_index()
        fx_frame = pd.DataFrame(fx) if fx is not None else pd.DataFrame(index=local.index)
        unknown = sorted(set(fx_frame.columns) - set(local.columns))
        if unknown:
            msg = f"FX returns given for sleeves {unknown} that have no local returns"
            raise DataError(msg)
        fx_frame = fx_frame.reindex(index=local.index)
        pieces = {}
        for sleeve in local.columns:
            pieces[(sleeve, "local")] = local[sleeve].astype(float)
            if sleeve in fx_frame.columns:
                pieces[(sleeve, "fx")] = fx_frame[sleeve].astype(float)
            else:
                pieces[(sleeve, "fx")] = pd.Series(0.0, index=local.index)
        frame = pd.DataFrame(pieces, index=pd.DatetimeIndex(local.index, name="date"))
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["sleeve", "component"])
        return cls(frame)

    @classmethod
    def from_levels(
        cls,
        levels: Mapping[str, pd.Series],
        *,
        fx: Mapping[str, pd.Series] | None = None,
        calendar: pd.DatetimeIndex | None = None,
    ) -> MarketReturns:
        """Build from daily price levels (closes in each sleeve's currency) and FX levels.

        ``levels``: sleeve -> close levels (any positive index or price); ``fx``: sleeve -> the
        yen price of one unit of its currency (e.g. USD/JPY, yen per dollar) for the foreign
        sleeves. Every series is put on ``calendar`` (default: the days on which every series
        has a value, so no return spans a gap of one series only); a day a market was shut
        carries its last close forward (a zero return).
        """
        fx = dict(fx or {})
        named = {
            **{(k, "local"): v for k, v in levels.items()},
            **{(k, "fx"): v for k, v in fx.items()},
        }
        if calendar is None:
            common = None
            for series in named.values():
                idx = pd.DatetimeIndex(series.dropna().index)
                common = idx if common is None else common.intersection(idx)
            calendar = common if common is not None else pd.DatetimeIndex([])
        calendar = pd.DatetimeIndex(calendar).sort_values()
        local_r, fx_r = {}, {}
        for (sleeve, comp), series in named.items():
            s = series.dropna().astype(float)
            s = s[~s.index.duplicated(keep="last")].sort_index()
            if (s <= 0).any():
                day = s.index[int(np.flatnonzero((s <= 0).to_numpy())[0])]
                msg = f"{comp} level of {sleeve} is not positive on {day:%Y-%m-%d}: {s[day]!r}"
                raise DataError(msg)
            aligned = s.reindex(s.index.union(calendar)).ffill().reindex(calendar)
            if aligned.isna().any():
                first = calendar[int(np.flatnonzero(aligned.isna().to_numpy())[0])]
                msg = (
                    f"{comp} level of {sleeve} starts on {s.index.min():%Y-%m-%d}, after the "
                    f"calendar day {first:%Y-%m-%d}; start the calendar later"
                )
                raise DataError(msg)
            r = aligned.pct_change().iloc[1:]
            (local_r if comp == "local" else fx_r)[sleeve] = r
        return cls.from_components(pd.DataFrame(local_r), pd.DataFrame(fx_r) if fx_r else None)

    @classmethod
    def _trusted(cls, frame: pd.DataFrame) -> MarketReturns:
        """A slice of an already validated frame (no second check)."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "frame", frame)
        return obj

    @cached_property
    def _columns(self) -> dict[tuple[str, str], np.ndarray]:
        values = self.frame.to_numpy(dtype=float)
        return {key: values[:, j] for j, key in enumerate(self.frame.columns)}

    @property
    def sleeves(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.frame.columns.get_level_values(0)))

    @property
    def dates(self) -> pd.DatetimeIndex:
        return self.frame.index  # type: ignore[return-value]

    def component(self, sleeve: str, component: str) -> np.ndarray:
        """One sleeve's returns (fractions) as an array; zeros when the column is absent."""
        found = self._columns.get((sleeve, component))
        return found.copy() if found is not None else np.zeros(len(self.frame))

    def _yen_array(self) -> np.ndarray:
        return np.column_stack(
            [
                (1 + self.component(s, "local")) * (1 + self.component(s, "fx")) - 1
                for s in self.sleeves
            ]
        ).reshape(len(self.frame), len(self.sleeves))

    def yen(self) -> pd.DataFrame:
        """Returns in yen, one column per sleeve: ``(1 + local) * (1 + fx) - 1``."""
        return pd.DataFrame(self._yen_array(), index=self.frame.index, columns=list(self.sleeves))

    def between(self, start: pd.Timestamp | None, end: pd.Timestamp | None) -> MarketReturns:
        """The rows after ``start`` (exclusive: holdings are at its close) up to ``end``
        (inclusive)."""
        idx = self.frame.index
        lo = 0 if start is None else int(idx.searchsorted(pd.Timestamp(start), side="right"))
        hi = len(idx) if end is None else int(idx.searchsorted(pd.Timestamp(end), side="right"))
        return MarketReturns._trusted(self.frame.iloc[lo:hi])

    def compounded(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
        """Yen return (fraction) of every sleeve from the close of ``start`` to that of ``end``."""
        part = self.between(start, end)
        return pd.Series((1 + part._yen_array()).prod(axis=0) - 1, index=list(part.sleeves))
