"""GPIF's published holdings, the trades they imply, and the check against MoF's flows.

**Holdings.** :func:`gpif_holdings` reads GPIF's market value of each asset class at each fiscal
quarter end (¥ billion) and its total assets, with the report each figure comes from. The
project ships its own table (package data ``data/gpif_holdings.csv``, FY2020 Q1 to FY2026 Q1,
compiled from GPIF's quarterly and annual reports, whose addresses are in ``source_url``).
Point at a newer table with ``path=`` or the environment variable ``YENFLOW_GPIF_HOLDINGS``;
it may be in this layout (``quarter_end,asset_class,market_value_jpy_bn,total_assets_jpy_bn,
source_url``) or in the compilation layout (``fiscal_quarter,quarter_end,asset_class,
market_value_jpy_bn,share_pct,aum_jpy_tn,source_url`` with classes spelled "Foreign bonds").
Caveat: for FY2026 Q1 another compilation swaps the domestic-equity and foreign-bond values.
``available_from`` estimates, conservatively, when each quarter's figures became public; use
:meth:`GpifHoldings.latest_known` for anything as of a date.

**Implied trades.** GPIF does not publish its trades. Its disclosures imply them: the change in
a class's market value minus the return on the previous value,
``trade_q = MV_q - MV_(q-1) * (1 + r_q)``, ¥ bn, net purchase > 0, with ``r_q`` the class's
yen return over the quarter from market proxies (:class:`MarketReturns`). This includes
GPIF's net cash flows with the pension special account, not only rebalancing.

**Validation.** :func:`gpif_validation` sets, per fiscal quarter, GPIF's implied trades in
foreign equities and foreign bonds against MoF's net purchases by the trust accounts of banks
and trust banks (where pension money sits; ``mof.monthly.investor.trust_accounts.<asset>.net``,
¥100 million, summed over the quarter's three months) and against the model's implied trades
(:func:`~yenflow.analytics.rebalance.model.trade_range` started each quarter from the published
holdings), and reports correlations and sign agreement for every pair.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yenflow.analytics.rebalance.market import MarketReturns
from yenflow.analytics.rebalance.model import DEFAULT_FRACTIONS, DEFAULT_RULES, trade_range
from yenflow.analytics.rebalance.policy import PolicyPortfolio, Rule, gpif_plans
from yenflow.analytics.records import json_value
from yenflow.analytics.results import ResultBase
from yenflow.errors import DataError, ParseError
from yenflow.frame import AsOfLike, to_cutoff

__all__ = [
    "ASSET_CLASSES",
    "HOLDINGS_ENV",
    "MOF_ASSET",
    "GpifHoldings",
    "GpifValidation",
    "available_from",
    "gpif_holdings",
    "gpif_validation",
    "implied_trades",
]

HOLDINGS_ENV = "YENFLOW_GPIF_HOLDINGS"
ASSET_CLASSES: tuple[str, ...] = (
    "domestic_bonds",
    "foreign_bonds",
    "domestic_equities",
    "foreign_equities",
)
#: MoF's asset (monthb2: equity and investment fund shares; monthb3: long-term debt) per class.
MOF_ASSET: Mapping[str, str] = {"foreign_equities": "equity", "foreign_bonds": "long_term_debt"}
_LABELS = {
    "domestic bonds": "domestic_bonds",
    "foreign bonds": "foreign_bonds",
    "domestic equities": "domestic_equities",
    "foreign equities": "foreign_equities",
}
_COLUMNS = [
    "quarter_end",
    "asset_class",
    "market_value_jpy_bn",
    "total_assets_jpy_bn",
    "source_url",
]
_WHAT = "GPIF quarterly holdings"


def _fail(location: str, row: int | None, expected: str, found: str) -> ParseError:
    return ParseError(
        _WHAT, source="gpif", location=location, row=row, expected=expected, found=found
    )


@dataclass(frozen=True, eq=False, repr=False)
class GpifHoldings(ResultBase):
    """GPIF's market values per asset class and quarter end (¥ bn), with their sources."""

    table: pd.DataFrame
    location: str

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def wide(self) -> pd.DataFrame:
        """Market values (¥ bn): one row per quarter end, one column per asset class."""
        return self._wide.copy()

    @cached_property
    def _wide(self) -> pd.DataFrame:
        return self.table.pivot(
            index="quarter_end", columns="asset_class", values="market_value_jpy_bn"
        )[list(ASSET_CLASSES)]

    def at(self, quarter_end: pd.Timestamp | str) -> dict[str, float]:
        """The four market values (¥ bn) at one quarter end."""
        day = pd.Timestamp(quarter_end)
        wide = self._wide
        if day not in wide.index:
            msg = f"{_WHAT} ({self.location}) have no quarter end {day:%Y-%m-%d}"
            raise DataError(msg)
        return {k: float(v) for k, v in wide.loc[day].items()}

    def latest_known(
        self, as_of: AsOfLike, *, before: pd.Timestamp | str | None = None
    ) -> tuple[pd.Timestamp, dict[str, float]]:
        """The latest quarter end whose figures were public by ``as_of`` (see
        :func:`available_from`) and, with ``before``, that lies before that day; and its four
        market values (¥ bn)."""
        cut = to_cutoff(as_of).tz_convert(None)
        t = self.table
        mask = t["available_from"] <= cut
        if before is not None:
            mask &= t["quarter_end"] < pd.Timestamp(before)
        known = t.loc[mask, "quarter_end"]
        if known.empty:
            first = t["available_from"].min()
            limit = "" if before is None else f" for a quarter end before {before}"
            msg = (
                f"{_WHAT} ({self.location}): nothing public by {cut:%Y-%m-%d}{limit} "
                f"(the first figures came out about {first:%Y-%m-%d})"
            )
            raise DataError(msg)
        day = known.max()
        return day, self.at(day)

    def headline(self) -> str:
        ends = self.table["quarter_end"]
        return f"{ends.nunique()} quarter ends, {ends.min():%Y-%m-%d}..{ends.max():%Y-%m-%d}"

    def summary(self) -> dict[str, Any]:
        ends = self.table["quarter_end"]
        return {
            "analysis": "gpif_holdings",
            "unit": "JPY bn",
            "location": self.location,
            "first_quarter_end": json_value(ends.min()),
            "last_quarter_end": json_value(ends.max()),
            "quarters": int(ends.nunique()),
        }


def _read(path: str | Path | None) -> tuple[str, str]:
    chosen = path if path is not None else os.environ.get(HOLDINGS_ENV) or None
    if chosen is None:
        ref = resources.files("yenflow.analytics.rebalance").joinpath("data", "gpif_holdings.csv")
        return ref.read_text(encoding="utf-8"), "package data gpif_holdings.csv"
    p = Path(chosen)
    if not p.is_file():
        where = "path=" if path is not None else f"{HOLDINGS_ENV}="
        msg = f"{_WHAT}: no such file {p} (given by {where}); expected a CSV of GPIF's holdings"
        raise DataError(msg)
    return p.read_text(encoding="utf-8-sig"), str(p)


def gpif_holdings(path: str | Path | None = None) -> GpifHoldings:
    """GPIF's quarterly holdings: the shipped table, ``path``, or ``$YENFLOW_GPIF_HOLDINGS``.

    Raises:
        ParseError: a row is not in either layout (named by file and row), a value is not a
            positive number of ¥ bn, a quarter lacks one of the four classes or has one twice.
    """
    text, location = _read(path)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    ours = set(_COLUMNS) <= set(header)
    theirs = {
        "quarter_end",
        "asset_class",
        "market_value_jpy_bn",
        "aum_jpy_tn",
        "source_url",
    } <= set(header)
    if not (ours or theirs):
        raise _fail(location, 1, f"a header with {','.join(_COLUMNS)}", ",".join(header))
    rows = []
    for n, rec in enumerate(reader, start=2):
        label = (rec.get("asset_class") or "").strip()
        cls = label if label in ASSET_CLASSES else _LABELS.get(label.lower())
        if cls is None:
            raise _fail(location, n, f"an asset class among {list(ASSET_CLASSES)}", label)
        try:
            day = pd.Timestamp(rec["quarter_end"])
            value = float(rec["market_value_jpy_bn"])
            total = float(rec["total_assets_jpy_bn"]) if ours else float(rec["aum_jpy_tn"]) * 1000
        except (TypeError, ValueError) as exc:
            raise _fail(location, n, "a date and numbers in ¥ bn", ",".join(rec.values())) from exc
        if not (value > 0 and total >= value):
            raise _fail(
                location, n, "a positive market value within total assets", f"{value}, {total}"
            )
        rows.append((day, cls, value, total, (rec.get("source_url") or "").strip()))
    table = pd.DataFrame(rows, columns=_COLUMNS)
    counts = table.groupby("quarter_end")["asset_class"].agg(lambda s: sorted(s))
    for day, classes in counts.items():
        if classes != sorted(ASSET_CLASSES):
            raise _fail(
                location, None, f"the four classes once each at {day:%Y-%m-%d}", str(classes)
            )
    table = table.sort_values(["quarter_end", "asset_class"], ignore_index=True)
    table["available_from"] = available_from(table["quarter_end"])
    return GpifHoldings(table=table, location=location)


def available_from(quarter_end: pd.Series) -> pd.Series:
    """A conservative first day on which GPIF's figures for a quarter end were public.

    GPIF publishes its quarterly results about five weeks after a June, September or December
    quarter end (2024-08-02, 2025-11-07, 2026-02-06) and its annual results in early July
    (2025-07-04 for March 2025). Taken as: quarter end + 42 days (mid-August, -November,
    -February), and + 100 days for the March year end (about 9 July).
    """
    ends = pd.to_datetime(quarter_end)
    lag = np.where(ends.dt.month == 3, 100, 42)
    return ends + pd.to_timedelta(lag, unit="D")


def implied_trades(holdings: GpifHoldings, returns: MarketReturns) -> pd.DataFrame:
    """Trades GPIF's disclosures imply per quarter and class (¥ bn, net purchase > 0).

    Columns: ``quarter_start`` (the day after the previous quarter end), ``quarter_end``,
    ``asset_class``, ``value_prev_jpy_bn``, ``value_jpy_bn``, ``return_pct`` (the class's yen
    return over the quarter, percent), ``implied_trade_jpy_bn``. Quarters the returns do not
    cover entirely are left out. Each class takes the returns of the sleeve of the same name.
    """
    wide = holdings.wide()
    missing = [c for c in ASSET_CLASSES if c not in returns.sleeves]
    if missing:
        msg = (
            f"implied GPIF trades need returns for {missing}; "
            f"the returns have {list(returns.sleeves)}"
        )
        raise DataError(msg)
    first, last = returns.dates.min(), returns.dates.max()
    rows = []
    ends = list(wide.index)
    for prev, end in itertools.pairwise(ends):
        # the returns must start by the previous quarter end and reach this one
        if prev < first - pd.Timedelta(days=4) or end > last:
            continue
        r = returns.compounded(prev, end)
        for c in ASSET_CLASSES:
            v0, v1 = float(wide.loc[prev, c]), float(wide.loc[end, c])
            rows.append(
                (prev + pd.Timedelta(days=1), end, c, v0, v1, 100 * r[c], v1 - v0 * (1 + r[c]))
            )
    return pd.DataFrame(
        rows,
        columns=[
            "quarter_start",
            "quarter_end",
            "asset_class",
            "value_prev_jpy_bn",
            "value_jpy_bn",
            "return_pct",
            "implied_trade_jpy_bn",
        ],
    )


def _mof_quarterly(obs: pd.DataFrame, investor: str, quarters: pd.DataFrame) -> pd.DataFrame:
    """MoF net purchases (¥ bn) of the investor per class and quarter (NaN: a month missing)."""
    out = []
    for cls, asset in MOF_ASSET.items():
        sid = f"mof.monthly.investor.{investor}.{asset}.net"
        sub = obs.loc[obs["series_id"] == sid, ["period_start", "value"]]
        if sub.empty:
            msg = (
                f"no MoF series {sid} in the observations: the GPIF validation needs MoF's "
                "monthly flows by type of investor (monthb2.csv, monthb3.csv)"
            )
            raise DataError(msg)
        months = sub.assign(month=pd.DatetimeIndex(sub["period_start"]).to_period("M"))
        monthly = months.groupby("month")["value"].last()
        for q in quarters.itertuples(index=False):
            span = pd.period_range(q.quarter_start, q.quarter_end, freq="M")
            vals = monthly.reindex(span)
            total = float(vals.sum()) / 10.0 if vals.notna().all() else np.nan  # ¥100 mn -> ¥ bn
            out.append((q.quarter_end, cls, total))
    return pd.DataFrame(out, columns=["quarter_end", "asset_class", "mof_net_jpy_bn"])


def _stats(x: np.ndarray, y: np.ndarray) -> tuple[int, float, int, float]:
    """(quarters with both, Pearson r, quarters with both non-zero, share of same signs)."""
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    corr = np.nan
    if len(x) >= 3 and x.std() > 0 and y.std() > 0:
        corr = float(np.corrcoef(x, y)[0, 1])
    signed = (x != 0) & (y != 0)
    agree = float((np.sign(x[signed]) == np.sign(y[signed])).mean()) if signed.any() else np.nan
    return len(x), corr, int(signed.sum()), agree


def _pair_stats(table: pd.DataFrame, x: str, y: str, label: str) -> list[dict[str, Any]]:
    out = []
    for cls, part in table.groupby("asset_class", sort=False):
        n, corr, n_signed, agree = _stats(part[x].to_numpy(float), part[y].to_numpy(float))
        out.append(
            {
                "pair": label,
                "asset_class": cls,
                "n_quarters": n,
                "correlation": corr,
                "n_signed": n_signed,
                "sign_agreement": agree,
            }
        )
    return out


@dataclass(frozen=True, eq=False, repr=False)
class GpifValidation(ResultBase):
    """GPIF-implied trades, MoF trust-account flows and model trades, per fiscal quarter.

    ``table`` columns: ``quarter_start``, ``quarter_end``, ``asset_class`` (foreign equities,
    foreign bonds), ``gpif_implied_jpy_bn``, ``mof_net_jpy_bn`` (the trust accounts' net
    purchases), ``model_low_jpy_bn``, ``model_median_jpy_bn``, ``model_high_jpy_bn``, and
    ``return_pct`` (the class's yen return that quarter); all ¥ bn, net purchase > 0.
    ``stats``: per pair and class: quarters, Pearson correlation, quarters where both are
    non-zero and the share of those with the same sign. Pairs: ``gpif~mof``, ``model~gpif`` and
    ``model~mof`` (the model's median over the rules), and ``model[<rule>]~gpif`` /
    ``model[<rule>]~mof`` for each rule. ``by_rule``: each rule's trades per quarter and class
    (``quarter_end``, ``asset_class``, ``rule``, ``model_jpy_bn``).
    """

    table: pd.DataFrame
    stats: pd.DataFrame
    by_rule: pd.DataFrame
    investor: str
    rules: tuple[str, ...]
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def in_range(self) -> dict[str, float]:
        """Per class, the share of quarters whose GPIF-implied trade lies inside the model's
        range over the rules."""
        t = self.table.dropna(subset=["gpif_implied_jpy_bn"])
        inside = (t["gpif_implied_jpy_bn"] >= t["model_low_jpy_bn"]) & (
            t["gpif_implied_jpy_bn"] <= t["model_high_jpy_bn"]
        )
        return {str(k): float(v) for k, v in inside.groupby(t["asset_class"]).mean().items()}

    def pair(self, pair: str, asset_class: str) -> dict[str, Any]:
        """One row of :attr:`stats` as a dict (e.g. ``pair("gpif~mof", "foreign_bonds")``)."""
        hit = self.stats.loc[
            (self.stats["pair"] == pair) & (self.stats["asset_class"] == asset_class)
        ]
        if hit.empty:
            known = sorted(set(self.stats["pair"]))
            msg = f"no validation pair {pair!r} for {asset_class!r}; pairs: {known}"
            raise DataError(msg)
        return {k: json_value(v) for k, v in hit.iloc[0].items()}

    def summary(self) -> dict[str, Any]:
        return {
            "analysis": "gpif_rebalance_validation",
            "gpif_in_model_range": self.in_range(),
            "unit": "JPY bn; net purchase > 0",
            "investor": self.investor,
            "quarters": int(self.table["quarter_end"].nunique()),
            "first_quarter_end": json_value(self.table["quarter_end"].min()),
            "last_quarter_end": json_value(self.table["quarter_end"].max()),
            "rules": list(self.rules),
            "stats": [
                {k: json_value(v) for k, v in row.items()} for row in self.stats.to_dict("records")
            ],
            "notes": list(self.notes),
        }

    def headline(self) -> str:
        parts = [
            f"{r.pair} {r.asset_class}: r={r.correlation:.2f}, signs {r.sign_agreement:.0%}"
            for r in self.stats.itertuples(index=False)
            if not r.pair.startswith("model[")
        ]
        return f"{self.table['quarter_end'].nunique()} quarters; " + "; ".join(parts)


def gpif_validation(
    obs: pd.DataFrame,
    returns: MarketReturns,
    *,
    holdings: GpifHoldings | None = None,
    investor: str = "trust_accounts",
    policies: Sequence[PolicyPortfolio] | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> GpifValidation:
    """GPIF's implied quarterly trades against MoF's trust-account flows and the model.

    Args:
        obs: canonical observations with ``mof.monthly.investor.<investor>.equity.net`` and
            ``...long_term_debt.net`` (¥100 million, monthly).
        returns: daily market returns with sleeves named as GPIF's four classes.
        holdings: GPIF's holdings (default :func:`gpif_holdings`).
        investor: MoF investor group (default the trust accounts of banks and trust banks).
        policies: the policy schedule for the model (default GPIF's 4th then 5th plan).
        rules, fractions: the model's rules (see :func:`trade_range`).
    """
    holdings = holdings or gpif_holdings()
    schedule = list(policies) if policies is not None else list(gpif_plans())
    implied = implied_trades(holdings, returns)
    if implied.empty:
        msg = (
            f"the market returns ({returns.dates.min():%Y-%m-%d} to "
            f"{returns.dates.max():%Y-%m-%d}) "
            "cover no quarter between two of GPIF's published quarter ends"
        )
        raise DataError(msg)
    quarters = implied[["quarter_start", "quarter_end"]].drop_duplicates()
    mof = _mof_quarterly(obs, investor, quarters)
    model_rows = []
    rule_rows = []
    rule_labels: tuple[str, ...] = ()
    for q in quarters.itertuples(index=False):
        prev = q.quarter_start - pd.Timedelta(days=1)
        rng = trade_range(
            schedule,
            returns,
            rules=rules,
            fractions=fractions,
            freq="quarter",
            holdings=holdings.at(prev),
            start=prev,
            end=q.quarter_end,
        )
        rule_labels = tuple(r.label for r in rng.rules)
        sums = rng.totals()
        for cls in MOF_ASSET:
            col = sums[cls]
            model_rows.append((q.quarter_end, cls, col.min(), col.median(), col.max()))
            rule_rows.extend((q.quarter_end, cls, label, float(x)) for label, x in col.items())
    model = pd.DataFrame(
        model_rows,
        columns=[
            "quarter_end",
            "asset_class",
            "model_low_jpy_bn",
            "model_median_jpy_bn",
            "model_high_jpy_bn",
        ],
    )
    table = (
        implied.loc[implied["asset_class"].isin(list(MOF_ASSET))]
        .rename(columns={"implied_trade_jpy_bn": "gpif_implied_jpy_bn"})
        .merge(mof, on=["quarter_end", "asset_class"], how="left")
        .merge(model, on=["quarter_end", "asset_class"], how="left")
    )
    table = table[
        [
            "quarter_start",
            "quarter_end",
            "asset_class",
            "gpif_implied_jpy_bn",
            "mof_net_jpy_bn",
            "model_low_jpy_bn",
            "model_median_jpy_bn",
            "model_high_jpy_bn",
            "return_pct",
        ]
    ].sort_values(["asset_class", "quarter_end"], ignore_index=True)
    by_rule = pd.DataFrame(
        rule_rows, columns=["quarter_end", "asset_class", "rule", "model_jpy_bn"]
    )
    pairs = [
        *_pair_stats(table, "gpif_implied_jpy_bn", "mof_net_jpy_bn", "gpif~mof"),
        *_pair_stats(table, "model_median_jpy_bn", "gpif_implied_jpy_bn", "model~gpif"),
        *_pair_stats(table, "model_median_jpy_bn", "mof_net_jpy_bn", "model~mof"),
    ]
    wide = by_rule.pivot_table(
        index=["quarter_end", "asset_class"], columns="rule", values="model_jpy_bn"
    )
    joined = table.set_index(["quarter_end", "asset_class"]).join(wide).reset_index()
    for label in rule_labels:
        for other, tag in (("gpif_implied_jpy_bn", "gpif"), ("mof_net_jpy_bn", "mof")):
            pairs += _pair_stats(joined, label, other, f"model[{label}]~{tag}")
    stats = pd.DataFrame(pairs)
    notes = (
        "GPIF-implied trades include its net cash flows with the pension special account",
        "MoF trust accounts hold all trust-banked pension money (GPIF, corporate pensions...), "
        "and MoF's equity includes investment fund shares",
        "GPIF counts FX-hedged foreign bonds as domestic bonds; MoF counts them as foreign bonds",
        "returns are market proxies, not GPIF's benchmarks (see the returns' provenance)",
    )
    return GpifValidation(
        table=table,
        stats=stats,
        by_rule=by_rule.sort_values(["asset_class", "rule", "quarter_end"], ignore_index=True),
        investor=investor,
        rules=rule_labels,
        notes=notes,
    )
