"""The bits of the result protocol the Bitcoin lab's results share: a short repr, an HTML repr.

Every result is a frozen dataclass with ``to_frame()`` (a tidy DataFrame) and ``summary()``
(plain sentences); this mixin derives the notebook views from those two.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["ResultViews"]


class ResultViews:
    """Mixin: ``repr`` = class name and the first line of ``summary()``; HTML = the frame."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        first = self.summary().splitlines()[0] if self.summary() else ""
        return f"<{type(self).__name__}: {first}>"

    def _repr_html_(self) -> str:
        head = f"<p><b>{type(self).__name__}</b>: {self.summary()}</p>"
        return head + self.to_frame().head(50).to_html()
