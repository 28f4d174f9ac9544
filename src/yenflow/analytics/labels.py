"""Words for MoF's flows, the one home: directions, asset classes, who trades what.

Sentences, table titles, chart titles and JSON summaries all take their wording from here.
"""

from __future__ import annotations

__all__ = ["ASSET_WORDS", "DIRECTION_LABEL", "WHO", "flow_label", "flow_object"]

#: asset class -> what is traded, in words.
ASSET_WORDS: dict[str, str] = {
    "equity": "equities and fund shares",
    "long_term_debt": "long-term bonds",
    "short_term_debt": "short-term bills",
    "subtotal": "equities and long-term bonds",
    "total": "all securities",
}
#: direction -> the balance-of-payments side (MoF's wording).
DIRECTION_LABEL: dict[str, str] = {
    "outward": "residents' trades in foreign securities",
    "inward": "non-residents' trades in Japanese securities",
}
#: direction -> (who trades, whose securities).
WHO: dict[str, tuple[str, str]] = {
    "outward": ("Japanese investors", "foreign"),
    "inward": ("Foreign investors", "Japanese"),
}


def asset_words(asset: str) -> str:
    """``long-term bonds``; an unknown asset with its underscores as spaces."""
    return ASSET_WORDS.get(asset, asset.replace("_", " "))


def flow_object(direction: str, asset: str) -> str:
    """What is traded: ``foreign long-term bonds``, ``Japanese equities and fund shares``."""
    return f"{WHO[direction][1]} {asset_words(asset)}"


def flow_label(direction: str, asset: str) -> str:
    """``Japanese investors' net purchases of foreign long-term bonds``."""
    return f"{WHO[direction][0]}' net purchases of {flow_object(direction, asset)}"
