"""The Python API: read series as pandas objects, list the catalog, refresh the store.

>>> import yenflow
>>> usdjpy = yenflow.series("fred.DEXJPUS", start="2024-07-01")      # doctest: +SKIP
>>> usdjpy.attrs["unit"]                                              # doctest: +SKIP
'JPY per USD'
>>> ids = ["mof.weekly.outward.long_term_debt.net", "mof.weekly.inward.long_term_debt.net"]
>>> flows = yenflow.series(ids, as_of="2025-04-18")                   # doctest: +SKIP

Every object returned carries its metadata in ``.attrs`` (unit, title, sign
convention, frequency), so a number never travels without its unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from yenflow.config import Settings
from yenflow.errors import DataError
from yenflow.lazy import lazy_module
from yenflow.sources import get_source_class, source_names
from yenflow.store import Store

if TYPE_CHECKING:  # the refresh pipeline (and the HTTP stack) is imported only to fetch
    import pandas as pd

    from yenflow.refresh import RefreshResult
else:
    pd = lazy_module("pandas")

__all__ = ["catalog", "fetch", "observations", "open_store", "series"]

#: a date or instant (a ``pd.Timestamp`` is a ``datetime``)
DateLike = str | datetime


def open_store(path: Path | str | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``path`` (default: ``YENFLOW_STORE`` or the user data dir)."""
    return Store(Path(path) if path else Settings.from_env().store_path, read_only=read_only)


def catalog(source: str | None = None) -> pd.DataFrame:
    """The series each source provides (from the sources' catalogs; no store needed).

    Columns: series_id, source, title, unit, frequency, sign, description.
    """
    names = [source] if source else source_names()
    rows = []
    for name in names:
        for spec in get_source_class(name).catalog:
            rows.append(
                {
                    "series_id": spec.id,
                    "source": spec.source,
                    "title": spec.title,
                    "unit": spec.unit,
                    "frequency": spec.frequency,
                    "sign": spec.sign,
                    "description": spec.description,
                }
            )
    return pd.DataFrame(
        rows, columns=["series_id", "source", "title", "unit", "frequency", "sign", "description"]
    )


def observations(
    series_ids: Sequence[str] | None = None,
    *,
    prefix: str | None = None,
    as_of: DateLike | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    store: Store | Path | str | None = None,
) -> pd.DataFrame:
    """Observations in the canonical long frame (series_id, period_start, period_end, value,
    published_at), optionally as known at ``as_of``."""
    if isinstance(store, Store):
        return store.observations(series_ids, prefix=prefix, as_of=as_of, start=start, end=end)
    with open_store(store, read_only=True) as opened:
        return opened.observations(series_ids, prefix=prefix, as_of=as_of, start=start, end=end)


def _metadata(store: Store | Path | str | None, ids: Sequence[str]) -> pd.DataFrame:
    if isinstance(store, Store):
        return store.series_table(ids)
    with open_store(store, read_only=True) as opened:
        return opened.series_table(ids)


@overload
def series(
    ids: str,
    *,
    as_of: DateLike | None = ...,
    start: DateLike | None = ...,
    end: DateLike | None = ...,
    index: Literal["period_end", "period_start"] = ...,
    store: Store | Path | str | None = ...,
) -> pd.Series: ...


@overload
def series(
    ids: Sequence[str],
    *,
    as_of: DateLike | None = ...,
    start: DateLike | None = ...,
    end: DateLike | None = ...,
    index: Literal["period_end", "period_start"] = ...,
    store: Store | Path | str | None = ...,
) -> pd.DataFrame: ...


def series(
    ids: str | Sequence[str],
    *,
    as_of: DateLike | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    index: Literal["period_end", "period_start"] = "period_end",
    store: Store | Path | str | None = None,
) -> pd.Series | pd.DataFrame:
    """One series as a pandas Series, or several as a DataFrame (one column each).

    The index is each period's end date (or start, with ``index="period_start"``).
    ``.attrs`` holds the metadata: for a Series ``unit``, ``title``, ``sign``,
    ``frequency``, ``source``; for a DataFrame ``units`` (id -> unit) and
    ``meta`` (id -> dict). ``as_of`` gives the values as known at that instant.
    Raises :class:`DataError` naming any id the store does not hold.
    """
    single = isinstance(ids, str)
    wanted = [ids] if isinstance(ids, str) else list(ids)
    obs = observations(wanted, as_of=as_of, start=start, end=end, store=store)
    meta = _metadata(store, wanted).set_index("series_id")
    missing = [s for s in wanted if s not in meta.index]
    if missing:
        msg = (
            f"the store has no series {', '.join(missing)}; `yenflow series` lists what it "
            "holds and `yenflow fetch SOURCE` adds a source"
        )
        raise DataError(msg)
    info = {
        sid: {k: meta.at[sid, k] for k in ("title", "unit", "sign", "frequency", "source")}
        for sid in wanted
    }
    wide = (
        obs.pivot(index=index, columns="series_id", values="value")
        if len(obs)
        else pd.DataFrame(index=pd.DatetimeIndex([], name=index))
    )
    wide = wide.reindex(columns=wanted).sort_index()
    wide.columns.name = None
    if single:
        out = wide[wanted[0]].dropna()
        out.attrs.update(info[wanted[0]])
        out.attrs["series_id"] = wanted[0]
        return out
    wide.attrs["units"] = {sid: info[sid]["unit"] for sid in wanted}
    wide.attrs["meta"] = info
    return wide


def fetch(
    sources: Sequence[str] | None = None,
    *,
    from_dir: Path | str | None = None,
    save_raw: Path | str | None = None,
    store: Store | Path | str | None = None,
    settings: Settings | None = None,
) -> RefreshResult:
    """Refresh the store from the network (or a raw snapshot folder with ``from_dir``)."""
    from yenflow.refresh import refresh

    settings = settings or Settings.from_env()
    kwargs = {
        "settings": settings,
        "snapshot_dir": Path(from_dir) if from_dir else None,
        "save_raw": Path(save_raw) if save_raw else None,
    }
    if isinstance(store, Store):
        return refresh(sources, store=store, **kwargs)  # type: ignore[arg-type]
    with Store(Path(store) if store else settings.store_path) as opened:
        return refresh(sources, store=opened, **kwargs)  # type: ignore[arg-type]
