"""MoF's investor-type breakdown of residents' foreign securities flows (``monthb2-4.csv``).

投資家部門別対外証券投資: residents' acquisition, disposition and net acquisition of
foreign securities by type of investor, **¥100 million**, calendar months since
January 2005 (designated major investors, contract basis, the same survey as
``montha1.csv``). One file per asset class:

==============  =================================  =====================
file            asset class                        series ``<asset>``
==============  =================================  =====================
``monthb2.csv``  equity and investment fund shares  ``equity``
``monthb3.csv``  long-term debt securities          ``long_term_debt``
``monthb4.csv``  short-term debt securities         ``short_term_debt``
==============  =================================  =====================

(``monthb1.csv``, all securities, is not read: no copy of it was available.)

Each file has 17 investor columns (acquisition, disposition, net) forming a tree:
:data:`INVESTORS` lists them in file order with their parts. Series ids are
``mof.monthly.investor.<investor>.<asset>.<measure>`` (measure: ``acquisition``,
``disposition``, ``net``; net = acquisition − disposition, **net purchase > 0**).
Aggregates (``total``, ``public_sector``, ``deposit_taking``, ``other_sectors``,
``other_financial``, ``trust_accounts``) are stored too; :data:`LEAF_INVESTORS`
are the categories that do not overlap and cover the whole history. ``-`` in
the file (not reported: the central bank and general government before 2014,
the two trust-account sub-columns before 2014) is no observation.

This module holds the taxonomy, the series specs and the cross-file check
(:func:`check_investor_totals`, the total against ``montha1.csv``); the parser is
in :mod:`yenflow.sources.mof`, which shares its mechanics with ``montha1.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from yenflow.frame import SeriesSpec
from yenflow.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "AGGREGATE_TOLERANCE",
    "ASSET_FILES",
    "INVESTORS",
    "LEAF_INVESTORS",
    "MEASURES",
    "InvestorGroup",
    "InvestorTotalCheck",
    "check_investor_totals",
    "investor_series_id",
    "investor_specs",
]

InvestorAsset = Literal["equity", "long_term_debt", "short_term_debt"]
MEASURES: tuple[str, ...] = ("acquisition", "disposition", "net")
UNIT = "JPY 100 million"
NET_SIGN = "net acquisition (net purchase) > 0"

#: file name -> (asset key, the asset words of the file's Japanese title).
ASSET_FILES: dict[str, tuple[InvestorAsset, str]] = {
    "monthb2.csv": ("equity", "株式・投資ファンド持分"),
    "monthb3.csv": ("long_term_debt", "中長期債"),
    "monthb4.csv": ("short_term_debt", "短期債"),
}
_ASSET_TITLES: dict[str, str] = {
    "equity": "equity and investment fund shares",
    "long_term_debt": "long-term debt securities",
    "short_term_debt": "short-term debt securities",
}

#: Aggregate columns: MoF adds rounded components ("totals may not add due to
#: rounding"), so an aggregate's net differs from its acquisition - disposition,
#: and from the sum of its parts, by more than one unit: up to 4 (other financial
#: corporations' net, October 2006, equity) and 3 (other sectors' sum) in the files.
#: Leaf columns keep the +-1 of a single rounding.
AGGREGATE_TOLERANCE = 4.0


@dataclass(frozen=True)
class InvestorGroup:
    """One investor column of the monthb files.

    Attributes:
        key: the ``<investor>`` part of the series ids.
        title: English name as in the file's header.
        title_jp: Japanese name as in the file's header.
        parts: keys of the columns this one is the sum of (empty for a leaf).
        note: coverage notes (breaks, not-reported periods).
    """

    key: str
    title: str
    title_jp: str
    parts: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_aggregate(self) -> bool:
        return bool(self.parts)


#: the 17 columns in file order (column index 3 + 3 * position holds the acquisition).
INVESTORS: tuple[InvestorGroup, ...] = (
    InvestorGroup(
        "total",
        "Total (a+b+c+d)",
        "各部門計",
        ("public_sector", "deposit_taking", "other_sectors"),
        "All designated investors; equals montha1.csv's outward figures.",
    ),
    InvestorGroup(
        "public_sector", "Public Sector", "公的部門", ("central_bank", "general_government")
    ),
    InvestorGroup("central_bank", "Central Bank (a)", "中央銀行", (), "Not reported before 2014."),
    InvestorGroup(
        "general_government", "General Government (c)", "一般政府", (), "Not reported before 2014."
    ),
    InvestorGroup(
        "deposit_taking",
        "Deposit-taking Corporations (b)",
        "預金取扱機関",
        ("banks", "trust_banks"),
    ),
    InvestorGroup("banks", "Banks (Banking Accounts)", "銀行等（銀行勘定）"),
    InvestorGroup("trust_banks", "Trust Banks (Banking Accounts)", "信託銀行（銀行勘定）"),
    InvestorGroup(
        "other_sectors", "Other Sectors (d)", "その他部門", ("other_financial", "others")
    ),
    InvestorGroup(
        "other_financial",
        "Other Financial Corporations",
        "その他金融機関",
        (
            "trust_accounts",
            "financial_instruments_firms",
            "life_insurers",
            "non_life_insurers",
            "investment_trusts",
        ),
    ),
    InvestorGroup(
        "trust_accounts",
        "Banks and Trust Banks (Trust Accounts)",
        "銀行等及び信託銀行（信託勘定）",
        ("banks_trust_accounts", "trust_banks_trust_accounts"),
        "Trust accounts hold pension money (GPIF and corporate pensions) among others; "
        "split into banks' and trust banks' trust accounts from 2014 only.",
    ),
    InvestorGroup(
        "banks_trust_accounts", "Banks (Trust Accounts)", "銀行等（信託勘定）", (), "From 2014."
    ),
    InvestorGroup(
        "trust_banks_trust_accounts",
        "Trust Banks (Trust Accounts)",
        "信託銀行（信託勘定）",
        (),
        "From 2014.",
    ),
    InvestorGroup(
        "financial_instruments_firms",
        "Financial Instruments Firms",
        "金融商品取引業者",
        (),
        "Securities companies until September 2007 (MoF note 3).",
    ),
    InvestorGroup("life_insurers", "Life Insurance Companies", "生命保険会社"),
    InvestorGroup("non_life_insurers", "Non-Life Insurance Companies", "損害保険会社"),
    InvestorGroup(
        "investment_trusts",
        "Investment Trust Management Companies",
        "投資信託委託会社等",
        (),
        "Includes asset management companies (MoF note 4); investment trust managers "
        "until September 2007 (note 3).",
    ),
    InvestorGroup("others", "Others", "その他"),
)
_BY_KEY: dict[str, InvestorGroup] = {g.key: g for g in INVESTORS}

#: categories that do not overlap, add up to the total and are reported over the
#: whole history: the public sector and the trust accounts count once each, because
#: their splits (central bank / general government, banks' / trust banks' trust
#: accounts) start only in 2014.
LEAF_INVESTORS: tuple[str, ...] = (
    "public_sector",
    "banks",
    "trust_banks",
    "trust_accounts",
    "financial_instruments_firms",
    "life_insurers",
    "non_life_insurers",
    "investment_trusts",
    "others",
)


def investor_series_id(investor: str, asset: str, measure: str = "net") -> str:
    """``mof.monthly.investor.<investor>.<asset>.<measure>``."""
    return f"mof.monthly.investor.{investor}.{asset}.{measure}"


def investor_keys(asset: str) -> tuple[str, ...]:
    """The 51 value-column keys of one monthb file, in file order.

    Keys are ``investor.<investor>.<asset>.<measure>`` (the series id without ``mof.monthly.``).
    """
    return tuple(f"investor.{g.key}.{asset}.{m}" for g in INVESTORS for m in MEASURES)


def _spec(group: InvestorGroup, asset: str, measure: str) -> SeriesSpec:
    if measure == "net":
        what, sign = "net acquisition", NET_SIGN
    else:
        what, sign = f"gross {measure}", "gross amount, >= 0"
    parts = (
        " Sum of: " + ", ".join(_BY_KEY[p].title for p in group.parts) + "." if group.parts else ""
    )
    file_name = next(f for f, (a, _) in ASSET_FILES.items() if a == asset)
    return SeriesSpec(
        id=investor_series_id(group.key, asset, measure),
        source="mof",
        title=f"MoF monthly by investor: {group.title}, foreign {_ASSET_TITLES[asset]}, {what}",
        unit=UNIT,
        frequency="monthly",
        sign=sign,
        description=(
            f"Residents' transactions in foreign {_ASSET_TITLES[asset]} by type of investor "
            f"({group.title_jp}), {file_name}, designated major investors, contract basis, "
            f"calendar months. Net = acquisition - disposition.{parts} {group.note}"
        ).strip(),
    )


def investor_specs() -> tuple[SeriesSpec, ...]:
    """Every series of the three monthb files."""
    return tuple(
        _spec(group, asset, measure)
        for asset, _ in ASSET_FILES.values()
        for group in INVESTORS
        for measure in MEASURES
    )


# --------------------------------------------------------------------------- cross-file check


@dataclass(frozen=True, eq=False)
class InvestorTotalCheck:
    """The monthb total against montha1.csv's outward figures, month by month.

    ``table`` has one row per (asset, measure, month) present in both files:
    the two values, their difference (¥100 million) and ``ok`` (within ±tolerance).
    """

    table: pd.DataFrame
    tolerance: float

    @property
    def ok(self) -> bool:
        return bool(self.table["ok"].all()) and len(self.table) > 0

    def mismatches(self) -> pd.DataFrame:
        return self.table.loc[~self.table["ok"]].copy()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> dict[str, Any]:
        bad = self.mismatches()
        return {
            "check": "mof_investor_total_vs_montha1",
            "unit": UNIT,
            "tolerance": self.tolerance,
            "compared": len(self.table),
            "mismatches": len(bad),
            "first_mismatch": None
            if bad.empty
            else {k: str(v) for k, v in bad.iloc[0].to_dict().items()},
        }


def check_investor_totals(obs: pd.DataFrame, *, tolerance: float = 1.0) -> InvestorTotalCheck:
    """Compare ``mof.monthly.investor.total.<asset>.<measure>`` with montha1's
    ``mof.monthly.outward.<asset>.<measure>`` on every month both hold.

    The two files are separate releases (monthb may be a vintage older), so
    only common months are compared; a revision between vintages shows as a
    mismatch, which is what a caller wants to know.
    """
    parts = []
    for asset, _ in ASSET_FILES.values():
        for measure in MEASURES:
            ours = obs.loc[obs["series_id"] == investor_series_id("total", asset, measure)]
            theirs = obs.loc[obs["series_id"] == f"mof.monthly.outward.{asset}.{measure}"]
            merged = ours[["period_start", "value"]].merge(
                theirs[["period_start", "value"]],
                on="period_start",
                suffixes=("_investor_total", "_montha1"),
            )
            merged.insert(0, "measure", measure)
            merged.insert(0, "asset", asset)
            parts.append(merged)
    table = pd.concat(parts, ignore_index=True)
    table["difference"] = table["value_investor_total"] - table["value_montha1"]
    table["ok"] = np.abs(table["difference"].to_numpy(dtype="float64")) <= tolerance + 1e-9
    return InvestorTotalCheck(table=table, tolerance=tolerance)
