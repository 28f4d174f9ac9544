"""From observations to one bundle of analyses: every result computed once, on demand.

:func:`analyse` turns a canonical observation frame (the store's point-in-time read "as of" a
cut-off) into an :class:`Analyses` bundle. Each analysis is one :class:`Entry` of
:data:`ENTRIES`: a name, the series it needs (:class:`Needs`: required ids, optional ids and id
prefixes) and a function of the bundle that computes its typed result. A result is computed the
first time it is asked for and then kept (a lock makes that safe across threads); an analysis
whose data are missing raises :class:`~yenflow.errors.DataError` every time it is asked for,
so each reader can turn it into a visible note.

Every entry declares exactly what its result depends on (:class:`CacheInputs`: the series
whose observations it reads, e.g. a flow and the DEXJPUS days of its conversion; for the
attribution every series and the as-of cut; and its code), so it can be cached across runs:
give :func:`analyse` an :class:`~yenflow.analysis_cache.AnalysisCache` and its result is read
back when those series' observations, its code and the libraries are the same as when it was
stored (a content key; see :mod:`yenflow.analysis_cache`). A second report on an unchanged
store recomputes nothing; after a fetch that changed some series, only the analyses that read
them are recomputed. Cached and computed results are equal, so the report is byte for byte
the same.

The report's sections, the terminal summary and the JSON read the bundle and only format; the
CLI asks :func:`required_series` which series to read from the store, so the report reads only
what its analyses declare (a future analysis, the attribution scorecard or the Bitcoin lab,
is one more entry, with its needs).
"""

from __future__ import annotations

import hashlib
import importlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from yenflow.analytics.attribution.scorecard import SERIES_IDS, SERIES_PREFIXES
from yenflow.analytics.carry import (
    CarryMonitor,
    FxVolatility,
    Positioning,
    UnwindEpisodes,
    carry_monitor,
    carry_series,
    detect_unwinds,
    fx_volatility,
    positioning,
)
from yenflow.analytics.carry.series import CFTC_PREFIX, FX_ID, JP_3M_ID
from yenflow.analytics.flows import (
    DailyRates,
    Direction,
    FlowWindows,
    InvestorFlows,
    flow_windows,
    investor_flows,
    monthly_total_id,
    weekly_series_id,
)
from yenflow.analytics.holdings import (
    COUNTRY_PREFIX,
    GRAND_TOTAL,
    HOLDERS,
    TreasuryHoldings,
    treasury_holdings,
)
from yenflow.analytics.inputs import USDJPY_ID
from yenflow.errors import DataError
from yenflow.frame import to_cutoff

if TYPE_CHECKING:
    from yenflow.analysis_cache import AnalysisCache

__all__ = [
    "ENTRIES",
    "FLOW_PAIRS",
    "Analyses",
    "CacheInputs",
    "Entry",
    "FrameAnalysis",
    "Needs",
    "analyse",
    "required_series",
]

#: the weekly MoF flows the bundle analyses (direction, asset).
FLOW_PAIRS: tuple[tuple[Direction, str], ...] = (
    ("outward", "long_term_debt"),
    ("outward", "equity"),
    ("inward", "long_term_debt"),
    ("inward", "equity"),
)
#: the CFTC trader group of the carry monitor.
CFTC_TRADER = "noncommercial"


@dataclass(frozen=True)
class Needs:
    """The series an analysis reads: ``required`` (it cannot run without them), ``optional``
    (used when present), ``prefixes`` (every series whose id starts so, e.g. all TIC
    countries for the ranks) and ``patterns`` (regular expressions a whole id must match)."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def matches(self, series_id: str) -> bool:
        """Whether ``series_id`` is one of the series matched by a prefix or a pattern."""
        return any(series_id.startswith(p) for p in self.prefixes) or any(
            re.fullmatch(p, series_id) for p in self.patterns
        )

    def resolve(self, available: Iterable[str]) -> list[str]:
        """The concrete ids among ``available`` (ids, prefix and pattern matches), plus the
        explicit ids even when not available (a missing one then shows as missing)."""
        ids = dict.fromkeys((*self.required, *self.optional))
        for sid in available:
            if self.matches(sid):
                ids[sid] = None
        return list(ids)


@dataclass(frozen=True)
class CacheInputs:
    """Everything a cacheable analysis's result depends on: the code of ``module``'s import
    closure, ``detail`` (its function, parameters, the as-of cut: whatever else it reads)
    and the observations of ``series`` (those present, in this order: the frame
    ``Analyses.frame(*series)`` it reads)."""

    module: str
    detail: str
    series: tuple[str, ...]


@dataclass(frozen=True)
class FrameAnalysis:
    """An analysis that is a pure function of the frame of ``series`` (those present):
    ``module.function(frame)``, imported on first use. Its result depends only on that frame
    and on the code of ``module``'s import closure, so it can be cached by their digests."""

    module: str
    function: str
    series: tuple[str, ...]

    def run(self, frame: pd.DataFrame) -> Any:
        return getattr(importlib.import_module(self.module), self.function)(frame)

    def __call__(self, a: Analyses) -> Any:
        return self.run(a.frame(*self.series))

    def cache_inputs(self, a: Analyses) -> CacheInputs:
        return CacheInputs(self.module, self.function, self.series)


@dataclass(frozen=True)
class Entry:
    """One analysis of the bundle: what it needs and how it is computed from the bundle;
    ``cache_inputs`` (None: never cached) says exactly what its result depends on."""

    name: str
    needs: Needs
    compute: Callable[[Analyses], Any] = field(repr=False)
    doc: str = ""
    cache_inputs: Callable[[Analyses], CacheInputs] | None = field(default=None, repr=False)


def _reads(
    name: str, series: Callable[[Analyses], Iterable[str]]
) -> Callable[[Analyses], CacheInputs]:
    """The cache inputs of an entry that is a pure function of the frame of ``series(a)``
    (every series it reads, e.g. a flow and the DEXJPUS days its conversion uses): that frame,
    and the pipeline's import closure as its code (the entry's function is here, the analysis
    in the modules it imports). It does not read the as-of cut (the frame is already cut)."""

    def inputs(a: Analyses) -> CacheInputs:
        return CacheInputs(__name__, name, tuple(series(a)))

    return inputs


def _flows(direction: Direction, asset: str) -> Callable[[Analyses], FlowWindows]:
    def compute(a: Analyses) -> FlowWindows:
        sid = weekly_series_id(direction, asset)  # type: ignore[arg-type]
        return flow_windows(
            a.frame(sid),
            directions=(direction,),
            assets=(asset,),
            rates=a.usdjpy_rates,  # type: ignore[arg-type]
        )

    return compute


def _flow_inputs(direction: Direction, asset: str) -> Callable[[Analyses], CacheInputs]:
    """A flow's windows read its weekly series and the DEXJPUS days of the conversion."""
    sid = weekly_series_id(direction, asset)  # type: ignore[arg-type]
    return _reads(f"flow_windows {direction} {asset}", lambda _: (sid, USDJPY_ID))


#: the by-investor series the investor-type analysis reads (net purchases of long-term debt).
INVESTOR_PATTERN = r"mof\.monthly\.investor\.[a-z0-9_]+\.long_term_debt\.net"


def _investor_ids(a: Analyses) -> list[str]:
    ids = sorted(s for s in a.series if re.fullmatch(INVESTOR_PATTERN, s))
    return [*ids, monthly_total_id("long_term_debt")]


def _investors(a: Analyses) -> InvestorFlows:
    return investor_flows(a.frame(*_investor_ids(a)), rates=a.usdjpy_rates)


def _tic_ids(a: Analyses) -> list[str]:
    return sorted(s for s in a.series if s.startswith("tic."))


def _holdings(a: Analyses) -> TreasuryHoldings:
    return treasury_holdings(a.frame(*_tic_ids(a)))


def _carry(a: Analyses) -> CarryMonitor:
    return carry_monitor(a.frame(*carry_series(CFTC_TRADER)), trader=CFTC_TRADER)


def _unwinds(a: Analyses) -> UnwindEpisodes:
    """The unwind episodes: the carry monitor's, or from USD/JPY alone without the rates."""
    try:
        return a.carry.episodes
    except DataError:
        return detect_unwinds(a.usdjpy_closes)


def _positioning(a: Analyses) -> Positioning:
    try:
        pos = a.carry.positioning
    except DataError:
        pos = None
    return pos if pos is not None else positioning(a.frame(*carry_series(CFTC_TRADER)))


_BTC_CHAIN = ("fred.DEXJPUS", "fred.DGS10", "fred.WALCL")
_BTC_OPTIONAL = ("btc.coinbase.close", "btc.yahoo.close", "fred.CBBTCUSD")


def _btc(name: str) -> FrameAnalysis:
    """The Bitcoin lab's entry ``name`` (imported on first use: numba loads only then)."""
    return FrameAnalysis(
        "yenflow.analytics.bitcoin.lab", f"lab_{name}", (*_BTC_CHAIN, *_BTC_OPTIONAL)
    )


_CFTC = tuple(f"{CFTC_PREFIX[CFTC_TRADER]}.{leg}" for leg in ("net", "long", "short"))
_CARRY_OPTIONAL = tuple(s for s in carry_series(CFTC_TRADER) if s not in (FX_ID, JP_3M_ID))


def _attribution(a: Analyses) -> Any:
    from yenflow.analytics.attribution.notable import explain_notable

    return explain_notable(a.observations, a.flows("outward", "long_term_debt"), as_of=a.as_of)


def _attribution_inputs(a: Analyses) -> CacheInputs:
    """The attribution reads every observation of the bundle (its flows are computed from
    them) and the as-of cut; its code is the pipeline's import closure."""
    return CacheInputs(__name__, f"explain_notable as of {a.as_of!r}", a.all_series)


#: every analysis of the bundle, by name.
ENTRIES: dict[str, Entry] = {
    **{
        f"flows.{d}.{a}": Entry(
            f"flows.{d}.{a}",
            Needs(required=(weekly_series_id(d, a),), optional=(USDJPY_ID,)),  # type: ignore[arg-type]
            _flows(d, a),
            "MoF weekly rolling windows, ranks and records (flows.flow_windows)",
            _flow_inputs(d, a),
        )
        for d, a in FLOW_PAIRS
    },
    "investors": Entry(
        "investors",
        Needs(
            optional=(monthly_total_id("long_term_debt"), USDJPY_ID), patterns=(INVESTOR_PATTERN,)
        ),
        _investors,
        "monthly net purchases of foreign long-term bonds by investor type",
        _reads("investor_flows long_term_debt", lambda a: (*_investor_ids(a), USDJPY_ID)),
    ),
    "holdings": Entry(
        "holdings",
        Needs(
            required=(*(f"{COUNTRY_PREFIX}{h}" for h in HOLDERS), GRAND_TOTAL),
            prefixes=("tic.",),
        ),
        _holdings,
        "TIC Treasury holdings, ranks and shares",
        _reads("treasury_holdings", _tic_ids),
    ),
    "carry": Entry(
        "carry",
        Needs(required=(FX_ID, JP_3M_ID), optional=_CARRY_OPTIONAL),
        _carry,
        "the carry monitor (differentials, volatility, carry index, positioning, unwinds)",
        _reads(f"carry_monitor {CFTC_TRADER}", lambda _: carry_series(CFTC_TRADER)),
    ),
    "fx": Entry(
        "fx",
        Needs(required=(FX_ID,)),
        lambda a: fx_volatility(a.frame(FX_ID)),
        "USD/JPY and its realized volatility",
        _reads("fx_volatility", lambda _: (FX_ID,)),
    ),
    "unwinds": Entry(
        "unwinds",
        Needs(required=(FX_ID,)),
        _unwinds,
        "carry-unwind episodes of USD/JPY",
        _reads(f"unwinds {CFTC_TRADER}", lambda _: carry_series(CFTC_TRADER)),
    ),
    "attribution": Entry(
        "attribution",
        Needs(
            required=(weekly_series_id("outward", "long_term_debt"),),
            optional=SERIES_IDS,
            prefixes=SERIES_PREFIXES,
        ),
        _attribution,
        "the attribution scorecard of the latest notable and the chosen flow episode",
        _attribution_inputs,
    ),
    **{
        f"btc.{name}": Entry(
            f"btc.{name}",
            Needs(required=required, optional=_BTC_OPTIONAL),
            _btc(name),
            doc,
            _btc(name).cache_inputs,
        )
        for name, required, doc in (
            ("chain", _BTC_CHAIN, "the yen → 10y yield → Fed assets → BTC chain, link by link"),
            ("events", (USDJPY_ID,), "BTC after yen-appreciation shocks (event study)"),
            ("sweep", (USDJPY_ID,), "the yen-signal rule sweep, walk-forward and SPA"),
        )
    },
    "positioning": Entry(
        "positioning",
        Needs(required=(_CFTC[0],), optional=(*_CFTC[1:], carry_series(CFTC_TRADER)[-1], FX_ID)),
        _positioning,
        "CFTC yen futures positioning",
        _reads(f"positioning {CFTC_TRADER}", lambda _: carry_series(CFTC_TRADER)),
    ),
}


def required_series(available: Iterable[str], *, names: Sequence[str] | None = None) -> list[str]:
    """The series ids the bundle's analyses (``names``, default all) read, among ``available``
    (the store's series ids) and the ones they require: what the report reads from the store."""
    available = list(available)
    wanted: dict[str, None] = {}
    for name in names if names is not None else ENTRIES:
        wanted.update(dict.fromkeys(ENTRIES[name].needs.resolve(available)))
    present = set(available)
    return [sid for sid in wanted if sid in present]


class _Segments:
    """Observations sorted once by series, each series a slice (cheaper than a groupby)."""

    def __init__(self, obs: pd.DataFrame) -> None:
        self._digests: dict[str, str] | None = None
        if obs.empty:
            self.frame, self.bounds = obs, {}
            return
        codes, names = pd.factorize(obs["series_id"], sort=False)
        ids = [str(n) for n in names]
        # sorted by series: each id in one run (codes never fall) and the runs in id order
        # (checked on the codes and the few ids: faster than a check of every text value)
        if not (bool((codes[1:] >= codes[:-1]).all()) and ids == sorted(ids)):
            obs = obs.sort_values("series_id", kind="stable", ignore_index=True)
            codes, names = pd.factorize(obs["series_id"], sort=False)
        starts = (codes[1:] != codes[:-1]).nonzero()[0] + 1
        lo = [0, *starts.tolist()]
        hi = [*starts.tolist(), len(codes)]
        self.frame = obs
        self.bounds = {str(names[codes[a]]): (a, b) for a, b in zip(lo, hi, strict=True)}

    def digests(self) -> dict[str, str]:
        """Each series' digest (:func:`yenflow.analysis_cache.segment_digests`), computed on
        first use."""
        if self._digests is None:
            from yenflow.analysis_cache import segment_digests

            self._digests = segment_digests(self.frame, self.bounds)
        return self._digests

    def take(self, series_ids: Iterable[str]) -> pd.DataFrame:
        parts = [self.frame.iloc[slice(*self.bounds[s])] for s in series_ids if s in self.bounds]
        if not parts:
            return self.frame.iloc[:0]
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


class Analyses:
    """The frozen bundle: the observations known at ``as_of`` and every analysis of them,
    each computed once when first asked for.

    Typed accessors: :meth:`flows`, :attr:`investors`, :attr:`holdings`, :attr:`carry`,
    :attr:`unwinds`, :attr:`positioning`, :attr:`usdjpy_rates`; :meth:`get` by entry name.
    Each raises :class:`~yenflow.errors.DataError` when its data are missing.
    """

    __slots__ = ("_cache", "_lock", "_results", "_segments", "as_of", "series")

    def __init__(
        self,
        obs: pd.DataFrame,
        *,
        as_of: pd.Timestamp | None,
        cache: AnalysisCache | None = None,
    ) -> None:
        object.__setattr__(self, "as_of", as_of)
        object.__setattr__(self, "_cache", cache)
        segments = _Segments(obs)
        object.__setattr__(self, "_segments", segments)
        object.__setattr__(self, "series", frozenset(segments.bounds))
        object.__setattr__(self, "_results", {})
        object.__setattr__(self, "_lock", threading.RLock())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Analyses is frozen")

    def __repr__(self) -> str:
        done = sorted(k for k in self._results if not isinstance(self._results[k], Exception))
        as_of = "latest" if self.as_of is None else f"{self.as_of:%Y-%m-%d %H:%M} UTC"
        return f"<Analyses as of {as_of}: {len(self.series)} series; computed {done}>"

    @property
    def observations(self) -> pd.DataFrame:
        """Every observation of the bundle (sorted by series)."""
        return self._segments.frame

    @property
    def all_series(self) -> tuple[str, ...]:
        """Every series of the bundle in the order of :attr:`observations` (whose frame is
        therefore ``frame(*all_series)``)."""
        return tuple(self._segments.bounds)

    def data_digest(self, series_ids: Iterable[str]) -> str:
        """SHA-256 (hex) of the observations of ``series_ids`` (those present, in order): of
        each one's id and digest (:func:`yenflow.analysis_cache.segment_digests`, computed
        once for the bundle), so it differs whenever ``frame(*series_ids)`` does."""
        with self._lock:
            digests = self._segments.digests()
        h = hashlib.sha256()
        for sid in series_ids:
            if sid in digests:
                h.update(f"{sid}\0{digests[sid]}\0".encode())
        return h.hexdigest()

    def frame(self, *series_ids: str) -> pd.DataFrame:
        """The observations of the given series (those present), one canonical frame."""
        return self._segments.take(series_ids)

    def needs(self, name: str) -> Needs:
        """What entry ``name`` reads."""
        return ENTRIES[name].needs

    def get(self, name: str) -> Any:
        """The result of entry ``name``, computed on first use (DataError if it cannot be)."""
        with self._lock:
            if name not in self._results:
                missing = [s for s in ENTRIES[name].needs.required if s not in self.series]
                try:
                    if missing:
                        msg = (
                            f"{ENTRIES[name].doc or name} needs series {', '.join(missing)}, "
                            "which the store does not have (run `yenflow fetch` for their "
                            "sources, or check the as-of date)"
                        )
                        raise DataError(msg)
                    self._results[name] = self._compute(ENTRIES[name])
                except DataError as exc:
                    self._results[name] = exc
            result = self._results[name]
        if isinstance(result, DataError):
            raise result
        return result

    def _compute(self, entry: Entry) -> Any:
        """The entry's result: from the cache when the entry declares its inputs and their
        key is stored, else computed (and then stored). Errors are never cached."""
        if self._cache is None or entry.cache_inputs is None:
            return entry.compute(self)
        inputs = entry.cache_inputs(self)
        key = self._cache.key_of_digest(
            entry.name, inputs.module, inputs.detail, self.data_digest(inputs.series)
        )
        found, result = self._cache.load(key)
        if not found:
            result = entry.compute(self)
            self._cache.store(key, result)
        return result

    # -------------------------------------------------------------- typed results

    @property
    def usdjpy_rates(self) -> DailyRates | None:
        """DEXJPUS by day, prepared once for every flow conversion (None without it)."""
        with self._lock:
            if "usdjpy_rates" not in self._results:
                self._results["usdjpy_rates"] = DailyRates.from_obs(self.frame(USDJPY_ID))
            return self._results["usdjpy_rates"]

    def flows(self, direction: Direction, asset: str) -> FlowWindows:
        """The rolling windows of one weekly MoF flow."""
        return self.get(f"flows.{direction}.{asset}")

    @property
    def investors(self) -> InvestorFlows:
        """Monthly flows by investor type (or the all-investor total, saying so)."""
        return self.get("investors")

    @property
    def holdings(self) -> TreasuryHoldings:
        """TIC Treasury holdings of the report's holders."""
        return self.get("holdings")

    @property
    def carry(self) -> CarryMonitor:
        """The carry monitor."""
        return self.get("carry")

    @property
    def fx(self) -> FxVolatility:
        """USD/JPY closes and realized volatility."""
        return self.get("fx")

    @property
    def usdjpy_closes(self) -> pd.Series:
        """DEXJPUS closes, yen per dollar, on their dates."""
        return self.fx.frame["usdjpy_jpy_per_usd"]

    @property
    def unwinds(self) -> UnwindEpisodes:
        """Carry-unwind episodes (needs only USD/JPY)."""
        return self.get("unwinds")

    @property
    def attribution(self) -> Any:
        """Scorecards of the latest notable and the chosen episode
        (:class:`~yenflow.analytics.attribution.notable.NotableExplanations`)."""
        return self.get("attribution")

    @property
    def positioning(self) -> Positioning:
        """CFTC yen positioning (needs only the CFTC series)."""
        return self.get("positioning")

    def computed(self) -> Mapping[str, Any]:
        """The results computed so far, by entry name (failed ones left out)."""
        with self._lock:
            return {
                k: v
                for k, v in self._results.items()
                if k in ENTRIES and not isinstance(v, Exception)
            }


def analyse(
    obs: pd.DataFrame, *, as_of: Any = None, cache: AnalysisCache | None = None
) -> Analyses:
    """The bundle of analyses of ``obs`` (the store's read as of ``as_of``; None = latest).

    ``obs`` is trusted to be point in time already: the store's ``observations(as_of=...)``
    counts a value only once it was available; nothing is filtered here. ``cache`` (None: no
    cache) keeps the results of the frame analyses across runs (:mod:`yenflow.analysis_cache`).
    """
    return Analyses(obs, as_of=None if as_of is None else to_cutoff(as_of), cache=cache)
