"""Figures as plain dicts, built with the few go.Figure methods the sections use (issue 12).

A go.Figure validates every property as it is set: for the five bars of a view that is most
of the time a view takes (the template alone is deep-copied into each figure). The builders
here write the dict Plotly.js reads, in the same shape go.Figure would give (underscore paths
such as `yaxis_title_text` expanded, a bare `title` string as `title.text`), and
tests/test_plotdict.py checks every builder's output against go.Figure's validation of it.
Dash sends a dict as it is; kaleido and go.Figure accept one too.

Reading works like a go.Figure's (`fig.data[0].x`, `fig.layout.yaxis.title.text`; arrays read
as tuples, a property not set reads None), so tests read both alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


class Node(dict):
    """A dict whose keys read as attributes; a missing one reads None, a nested dict as a Node."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _node(self.get(name))

    def __setattr__(self, name: str, value) -> None:
        self[name] = value

    @property
    def values(self):  # a pie's values, the one property named like a dict method
        return self.get("values")


def _node(value):
    if isinstance(value, Node) or not isinstance(value, dict | list):
        return value
    if isinstance(value, dict):
        return Node(value)
    return tuple(_node(v) for v in value)  # arrays read as tuples, as go.Figure gives them


def expand(props: Mapping) -> dict:
    """`{"yaxis_title_text": "x", "legend": {"title_text": ""}}` → nested dicts, as go.Figure reads them
    (Plotly's property names have no underscores but UNDERSCORED); a `title` given as text is `title.text`;
    a None is left out."""
    out: dict = {}
    for key, value in props.items():
        if value is None:
            continue  # go.Figure reads None as "not set"
        if isinstance(value, Mapping):
            value = expand(value)
        *path, last = split(key)
        target = out
        for part in path:
            target = target.setdefault(part, {})
        if last == "title" and isinstance(value, str):
            value = {"text": value}
        if isinstance(value, dict) and isinstance(target.get(last), dict):
            merge(target[last], value)
        else:
            target[last] = value
    return out


UNDERSCORED = {"paper_bgcolor", "plot_bgcolor", "error_x", "error_y", "error_z"}  # Plotly's names that have one


def split(key: str) -> list[str]:
    """`paper_bgcolor` is one name, `yaxis_title_text` three."""
    parts = key.split("_")
    out: list[str] = []
    for part in parts:
        if out and f"{out[-1]}_{part}" in UNDERSCORED:
            out[-1] = f"{out[-1]}_{part}"
        else:
            out.append(part)
    return out


def merge(into: dict, update: Mapping) -> dict:
    """`update` merged into `into` in place, nested dicts key by key (go.Figure's update)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value
    return into


class Fig(dict):
    """{"data": [...], "layout": {...}} with add_*/update_* like go.Figure's, without validation."""

    def __init__(self, layout: Mapping | None = None):
        super().__init__(data=[], layout=expand(layout or {}))

    @property
    def data(self) -> tuple:
        return _node(self["data"])

    def copy(self) -> Fig:
        """The same traces under a layout of its own (to set a layout property without touching this one)."""
        out = Fig()
        out["data"], out["layout"] = self["data"], dict(self["layout"])
        return out

    @property
    def layout(self) -> Node:
        return _node(self["layout"])

    def add_trace(self, kind: str, **props) -> Fig:
        self["data"].append({"type": kind, **expand(props)})
        return self

    def add_bar(self, **props) -> Fig:
        return self.add_trace("bar", **props)

    def add_pie(self, **props) -> Fig:
        return self.add_trace("pie", **props)

    def add_scatter(self, **props) -> Fig:
        return self.add_trace("scatter", **props)

    def add_vline(self, x, **props) -> Fig:
        """A vertical line across the plot at `x`, as go.Figure draws it."""
        line = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
        self["layout"].setdefault("shapes", []).append(merge(line, expand(props)))
        return self

    def add_hline(self, y, **props) -> Fig:
        line = {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"}
        self["layout"].setdefault("shapes", []).append(merge(line, expand(props)))
        return self

    def add_annotation(self, **props) -> Fig:
        self["layout"].setdefault("annotations", []).append(expand(props))
        return self

    def update_layout(self, **props) -> Fig:
        merge(self["layout"], expand(props))
        return self

    def update_xaxes(self, **props) -> Fig:
        return self._update_axes("xaxis", props)

    def update_yaxes(self, **props) -> Fig:
        return self._update_axes("yaxis", props)

    def _update_axes(self, name: str, props: Mapping) -> Fig:
        axes = [k for k in self["layout"] if k == name or (k.startswith(name) and k[len(name) :].isdigit())]
        for axis in axes or [name]:
            merge(self["layout"].setdefault(axis, {}), expand(props))
        return self

    def update_traces(self, selector: Mapping | Callable | None = None, **props) -> Fig:
        for trace in self["data"]:
            if selector is None or (
                selector(_node(trace)) if callable(selector) else all(trace.get(k) == v for k, v in selector.items())
            ):
                merge(trace, expand(props))
        return self
