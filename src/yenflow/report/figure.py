"""A chart as plain data, written as plotly.js JSON without building a plotly figure.

The report's charts are specified as dicts (traces and a layout; :mod:`yenflow.report.charts`).
Validating them into :class:`plotly.graph_objects.Figure` objects only to write them out again
costs more than the rest of the HTML (and importing plotly's figure classes more still), so a
:class:`Figure` writes its JSON directly, in exactly the form plotly writes a validated figure
(:meth:`plotly.graph_objects.Figure.to_html`), byte for byte:

* every object's keys in alphabetical order, a trace's ``type`` last (plotly sets a figure's
  properties in that order);
* numeric numpy arrays as plotly.js typed arrays (``{"dtype": "f8", "bdata": <base64>}``, a
  ``shape`` for 2-D blocks; ``int64`` narrowed to the smallest integer type that holds it),
  except under the keys plotly leaves as lists (``range``...); other arrays as lists;
* compact JSON with NaN and infinities as ``null`` and ``<``, ``>``, ``/`` escaped; the same
  ``<div>`` and ``Plotly.newPlot`` script around it.

The tests compare every chart of the report with plotly's own output. :meth:`Figure.to_plotly`
gives the validated plotly figure (for notebooks and tests; it imports plotly).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["Figure"]

#: keys whose arrays plotly writes as lists, never as typed arrays
_LIST_KEYS = frozenset({"geojson", "layer", "layers", "range"})
#: numpy dtype -> plotly.js typed-array type
_TYPED = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}
_NARROW = {
    "int64": ("int8", "int16", "int32"),
    "uint64": ("uint8", "uint16", "uint32"),
}
_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))
# plotly's own templates (plotly.io._html.to_html), without frames, MathJax or plotly.js
_SCRIPT = """\
                if (document.getElementById("{id}")) {{\
                    Plotly.newPlot(\
                        "{id}",\
                        {data},\
                        {layout},\
                        {config}\
                    )\
                }}"""
_DIV = """\
<div style="height:{height}; width:{width};">\
                \
            <div id="{id}" class="plotly-graph-div" \
style="height:100%; width:100%;"></div>\
            <script>\
                window.PLOTLYENV=window.PLOTLYENV || {{}};\
                {script};\
            </script>\
        </div>"""


def _typed(values: np.ndarray) -> Any:
    """A numeric array as a plotly.js typed array; any other array as a list."""
    if values.size == 0:
        return values.tolist()
    narrow = _NARROW.get(str(values.dtype))
    if narrow is not None:
        lo, hi = values.min(), values.max()
        for name in narrow:
            info = np.iinfo(name)
            if info.min <= lo and hi <= info.max:
                values = values.astype(name)
                break
        else:
            return values.tolist()
    kind = _TYPED.get(str(values.dtype))
    if kind is None:
        return values.tolist()
    spec = {"dtype": kind, "bdata": base64.b64encode(np.ascontiguousarray(values)).decode("ascii")}
    if values.ndim > 1:
        spec["shape"] = str(values.shape)[1:-1]
    return spec


def _plain(value: Any, key: str = "") -> Any:
    """``value`` in plotly's written form (see the module docstring)."""
    if isinstance(value, Mapping):
        return {k: _plain(value[k], k) for k in sorted(value)}
    if isinstance(value, np.ndarray):
        return value.tolist() if key in _LIST_KEYS else _typed(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _trace(trace: Mapping[str, Any]) -> dict[str, Any]:
    """A trace's written form: its properties sorted, ``type`` last (where plotly puts it)."""
    out = {k: _plain(trace[k], k) for k in sorted(trace) if k != "type"}
    out["type"] = trace.get("type", "scatter")
    return out


def _default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy scalars inside object arrays
        return obj.tolist()
    msg = f"cannot write {type(obj).__name__} as chart JSON"
    raise TypeError(msg)


def _strict(const: str) -> None:
    return None  # NaN, Infinity, -Infinity -> null


def _json(value: Any) -> str:
    """Compact JSON as plotly writes it: NaN/Infinity as null, ``<>/`` escaped."""
    out = json.dumps(value, separators=(",", ":"), default=_default)
    if "NaN" in out or "Infinity" in out:
        out = json.dumps(json.loads(out, parse_constant=_strict), separators=(",", ":"))
    for unsafe, safe in _UNSAFE:
        if unsafe in out:
            out = out.replace(unsafe, safe)
    return out


def _css_size(value: Any) -> str:
    try:
        float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value}px"


class Figure:
    """A plotly figure as plain data: ``data`` (trace dicts) and ``layout`` (a dict).

    Values are what plotly accepts: numbers, strings, lists, dicts and numpy arrays.
    """

    __slots__ = ("data", "layout")

    def __init__(self, data: list[dict[str, Any]], layout: dict[str, Any]) -> None:
        self.data = data
        self.layout = layout

    def __repr__(self) -> str:
        title = self.layout.get("title", {})
        text = title.get("text", "") if isinstance(title, Mapping) else title
        return f"<Figure {text!r}: {len(self.data)} traces>"

    def to_dict(self) -> dict[str, Any]:
        """The figure as plotly writes it (``plotly.graph_objects.Figure.to_dict()``)."""
        return {"data": [_trace(t) for t in self.data], "layout": _plain(self.layout)}

    def to_html(
        self,
        *,
        div_id: str,
        config: Mapping[str, Any],
        default_width: str = "100%",
        default_height: str = "100%",
    ) -> str:
        """The chart's ``<div>`` with its ``Plotly.newPlot`` script, as
        ``to_html(full_html=False, include_plotlyjs=False, include_mathjax=False)`` writes
        it for the validated figure (plotly.js must be loaded by the page)."""
        figure = self.to_dict()
        layout = figure["layout"]
        template = layout.get("template", {}).get("layout", {})
        width = _css_size(layout.get("width", template.get("width", default_width)))
        height = _css_size(layout.get("height", template.get("height", default_height)))
        jconfig = dict(config)
        jconfig.setdefault("responsive", True)
        if not jconfig.get("showSendToCloud", False):
            jconfig.pop("plotlyServerURL", None)
        script = _SCRIPT.format(
            id=div_id, data=_json(figure["data"]), layout=_json(layout), config=json.dumps(jconfig)
        )
        return _DIV.format(id=div_id, width=width, height=height, script=script).strip()

    def to_plotly(self) -> go.Figure:
        """The validated plotly figure (imports plotly)."""
        import plotly.graph_objects as go

        return go.Figure({"data": self.data, "layout": self.layout})
