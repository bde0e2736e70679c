"""A chart's 数据表: the figures a chart draws, as a table one key away (WCAG 1.1.1: a text
alternative to a chart that its sentences only summarise).

Read from the figure the page draws, which the section model built: every cell is the text the
chart's hover shows for that mark (its customdata: the figure as printed, with its unit and
how it was obtained, or 未公布), so the table says exactly what the chart says.
"""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from components.charts import LEGEND_KEY
from components.theme import MISSING

TAGS = re.compile(r"<[^>]+>")


def plain_text(value) -> str:
    """A label as text: Plotly's <br> and <sub> markup out (a tick's 未公布 note stays as words)."""
    return TAGS.sub(" ", str(value)).replace("  ", " ").strip()


def _cell(trace, i: int, value) -> str:
    data = trace.customdata
    if data is not None and i < len(data):
        first = data[i][0] if isinstance(data[i], (list, tuple)) else data[i]
        if isinstance(first, str) and first:
            return plain_text(first)
    if value is None:
        return MISSING
    return f"{value:,.10g}" if isinstance(value, (int, float)) else plain_text(value)


def _axis_title(fig: go.Figure, horizontal: bool) -> str:
    axis = fig.layout.xaxis if horizontal else fig.layout.yaxis
    return plain_text(axis.title.text or "") if axis and axis.title else ""


def table_rows(fig: go.Figure) -> tuple[list[str], list[list[str]]]:
    """(column heads, rows): a row per category (bar) or slice, a column per series."""
    pies = [t for t in fig.data if t.type == "pie"]
    if pies:
        pie = pies[0]
        labels = list(pie.labels or ())
        return ["项目", "数值"], [
            [plain_text(lab), _cell(pie, i, v)] for i, (lab, v) in enumerate(zip(labels, pie.values or (), strict=True))
        ]
    bars = [t for t in fig.data if t.type in ("bar", "waterfall") and t.meta != LEGEND_KEY]
    if not bars:
        return [], []
    horizontal = bars[0].orientation == "h"
    categories: list = []
    cells: dict[tuple[int, str], str] = {}
    for s, trace in enumerate(bars):
        keys, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
        for i, key in enumerate(keys or ()):
            if key not in categories:
                categories.append(key)
            cells[(s, key)] = _cell(trace, i, values[i] if values is not None and i < len(values) else None)
    value_title = _axis_title(fig, horizontal)
    # One series: the value axis names it with its unit (评价对象数（个）); several: their own names.
    names = (
        [value_title or plain_text(bars[0].name or "数值")] if len(bars) == 1 else [plain_text(t.name) for t in bars]
    )
    head = ["类别" if not horizontal else "项目"] + names
    rows = [[plain_text(key)] + [cells.get((s, key), "—") for s in range(len(bars))] for key in categories]
    return head, rows


def make_chart_table(fig: go.Figure | dict | None) -> list:
    """The 数据表's content for a figure: its unit (the value axis's title) and the table."""
    if fig is None:
        return []
    fig = fig if isinstance(fig, go.Figure) else go.Figure(fig)
    head, rows = table_rows(fig)
    if not rows:  # an empty chart says why on itself (暂无…数据, …未公布): so does its table
        said = [plain_text(a.text) for a in fig.layout.annotations if a.text]
        return [
            html.P("；".join(said) or "这张图没有可列出的数字。", className="small text-muted mb-0 chart-table-empty")
        ]
    bars = [t for t in fig.data if t.type in ("bar", "waterfall")]
    axis = _axis_title(fig, bool(bars) and bars[0].orientation == "h")
    out = [html.P(f"数值轴：{axis}" if axis else "金额单位见各数值。", className="small text-muted mb-1")]
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody(
                [html.Tr([html.Th(r[0], scope="row")] + [html.Td(c, className="num") for c in r[1:]]) for r in rows]
            ),
        ],
        size="sm",
        bordered=False,
        responsive=True,
        className="data-table chart-data-table mb-0",
    )
    return out + [table]
