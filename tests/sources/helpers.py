"""Helpers shared by the parsers' tests: byte mutations, the parse-or-ParseError check.

A parser given any bytes must return a Dataset that keeps the frame contract, or raise
ParseError naming its source and file; nothing else may escape. The property tests of
every source state that with :func:`mutated` and :func:`parsed_or_parse_error`, and the
bad-input tests catch the error with :func:`parse_error`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from yenflow.errors import ParseError
from yenflow.frame import FRAME_COLUMNS, Dataset
from yenflow.payload import RawPayload
from yenflow.sources.base import Source

__all__ = ["EDITS", "PROPERTY", "mutated", "parse_error", "parsed_or_parse_error"]

#: the single-byte edits :func:`mutated` applies; "cut" truncates the content there.
EDITS = ("insert", "delete", "replace", "cut")

#: hypothesis settings of the property tests: fast, no deadline (a parse may take a while).
PROPERTY = hyp_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def mutated(draw: st.DrawFn, base: bytes, alphabet: bytes, edits: Sequence[str] = EDITS) -> bytes:
    """``base`` after one to four random edits, each with a byte drawn from ``alphabet``.

    Choose ``alphabet`` from the bytes that matter to the format (separators, digits,
    quotes, line ends, a NUL and a non-ASCII byte), so that the edits reach the checks.
    """
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(list(edits)))
        byte = draw(st.sampled_from(list(alphabet)))
        if action == "insert":
            data[position:position] = bytes([byte])
        elif action == "delete":
            del data[position : position + 1]
        elif action == "replace" and position < len(data):
            data[position] = byte
        elif action == "cut":
            del data[position:]
    return bytes(data)


def parsed_or_parse_error(source: Source, payload: RawPayload) -> Dataset | None:
    """The parsed dataset, checked against the frame contract; None if ParseError was raised.

    Any other exception fails the test. The checks: a Dataset, the canonical columns,
    finite values, at most one row per (series, period).
    """
    try:
        dataset = source.parse(payload)
    except ParseError as error:
        assert error.source == source.name
        return None
    assert isinstance(dataset, Dataset)
    frame = dataset.frame
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert np.isfinite(frame["value"].to_numpy(dtype="float64")).all()
    assert not frame.duplicated(["series_id", "period_start"]).any()
    return dataset


def parse_error(source: Source, payload: RawPayload) -> ParseError:
    """The ParseError ``source`` raises on ``payload``, after checking that it names both."""
    with pytest.raises(ParseError) as info:
        source.parse(payload)
    error = info.value
    assert error.source == source.name
    assert error.location == payload.location
    assert payload.location in str(error)
    return error
