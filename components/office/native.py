"""A slide's Plotly chart as a native PowerPoint chart, so that 编辑数据 opens its figures.

The deck's charts are drawn from the section models; this reads what each trace draws (the
categories, the bar heights as the model gives them, the colours and the labels as printed) and
writes the same chart with python-pptx's chart API: grouped bars as clustered columns, stacks as
stacked columns or bars, a donut as a doughnut, and the waterfall as a stacked column whose first
series (the base) is invisible. A figure not stated stays an empty point, never 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import plotly.graph_objects as go
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_PATTERN
from pptx.util import Pt

from components.charts import LEGEND_KEY
from components.theme import plain

DECIMALS = re.compile(r"\d\.(\d+)")
LABEL = re.compile(r"^[-+]?\d+(?:\.(\d+))?$")
BASE = "基数"
NEUTRAL = "#6B7280"  # the waterfall's invisible series: where each step starts


@dataclass
class Series:
    name: str
    values: list[float | None]
    colours: list[str]  # one per point
    hatched: list[bool] = field(default_factory=list)  # per point: last year's figures, hatched as on the page
    labels: list[str] = field(default_factory=list)  # as printed, where not the number format's ("": the format's)
    invisible: bool = False


@dataclass
class NativeChart:
    kind: XL_CHART_TYPE
    categories: list[str]
    series: list[Series]
    axis_title: str = ""
    number_format: str = "#,##0"


def decimals_in(texts) -> int:
    """The most decimals any label prints (「60.71」: 2), so the chart's labels print as many."""
    found = [len(m) for t in texts if isinstance(t, str) for m in DECIMALS.findall(t.replace(",", ""))]
    return max(found, default=0)


def _label_decimals(text) -> int | None:
    """Decimals of a bar's label as the page prints it (「0.0027」: 4, 「1,722」: 0); None if not a number."""
    m = LABEL.match(text.replace(",", "")) if isinstance(text, str) else None
    return None if m is None else len(m.group(1) or "")


def common_decimals(traces) -> tuple[int, list[list[str]]]:
    """(the decimals most bar labels print, for the chart's number format; per trace, the labels
    that print other decimals, to be written as they are: a 0.0027 among 6.95s is neither 6.9500 nor 0.00)."""
    texts = [list(t.text) if isinstance(t.text, list | tuple) else [] for t in traces]
    counts: dict[int, int] = {}
    for d in (_label_decimals(x) for ts in texts for x in ts):
        if d is not None:
            counts[d] = counts.get(d, 0) + 1
    if not counts:
        return decimals_in(x for t in traces for x in _texts(t)), [[] for _ in traces]
    common = max(counts, key=lambda d: (counts[d], d))
    return common, [[x if _label_decimals(x) not in (None, common) else "" for x in ts] for ts in texts]


def _slice_labels(pie, names: list[str]) -> list[str]:
    """Each slice as printed (「专项债务 12.62」 beside 「一般债务 6.6116」, not 12.6200) where the
    slices print different decimals, one number format for all cannot; else none (the format's)."""
    numbers = [t.split()[0].replace(",", "") if isinstance(t, str) and t.strip() else "" for t in pie.customdata or ()]
    decimals = [_label_decimals(n) for n in numbers]  # 「6.6116 亿元」: 4
    if len(numbers) != len(names) or None in decimals or len(set(decimals)) < 2:
        return []
    return [f"{name} {n}" for name, n in zip(names, numbers, strict=True)]


def _format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _colours(marker_colour, n: int) -> list[str]:
    if isinstance(marker_colour, list | tuple):
        return [str(c) for c in marker_colour] + ["#6B7280"] * (n - len(marker_colour))
    return [str(marker_colour or "#0B4F8A")] * n


def _hatches(shape, n: int) -> list[bool]:
    """Which points are hatched: a pattern's shape is the trace's, or one per point ("" for none:
    a per-point [""] is no hatch at all)."""
    if isinstance(shape, list | tuple):
        return [bool(x) for x in shape][:n] + [False] * (n - len(shape))
    return [bool(shape)] * n


def _texts(trace) -> list[str]:
    texts = list(trace.text) if isinstance(trace.text, list | tuple) else []
    custom = [c[0] if isinstance(c, list | tuple) else c for c in (trace.customdata or ())]
    return [t for t in texts + custom if isinstance(t, str)]


def from_figure(fig: go.Figure | None) -> NativeChart | None:
    """The chart a PowerPoint chart can be, or None for a figure that draws nothing (a message)."""
    if fig is None:
        return None
    traces = [t for t in fig.data if getattr(t, "meta", None) != LEGEND_KEY and t.type in ("bar", "pie")]
    if not traces:
        return None
    if traces[0].type == "pie":
        pie = traces[0]
        labels = [plain(str(x)) for x in pie.labels]
        values = [float(v) for v in pie.values]
        kind = XL_CHART_TYPE.DOUGHNUT if (pie.hole or 0) > 0 else XL_CHART_TYPE.PIE
        colours = _colours(pie.marker.colors, len(values))
        return NativeChart(kind, labels, [Series("", values, colours, labels=_slice_labels(pie, labels))], "", _format(decimals_in(_texts(pie))))
    horizontal = traces[0].orientation == "h"
    cats_of = (lambda t: t.y) if horizontal else (lambda t: t.x)  # noqa: E731
    vals_of = (lambda t: t.x) if horizontal else (lambda t: t.y)  # noqa: E731
    categories = list(dict.fromkeys(plain(str(c)) for t in traces for c in (cats_of(t) or ()) if c is not None))
    axis = fig.layout.xaxis if horizontal else fig.layout.yaxis
    axis_title = plain(axis.title.text or "") if axis.title else ""
    if len(traces) == 1 and traces[0].base is not None:
        return _waterfall(traces[0], categories, axis_title, _format(decimals_in(_texts(traces[0]))))
    stacked = fig.layout.barmode in ("stack", "relative")
    kind = {
        (True, True): XL_CHART_TYPE.BAR_STACKED,
        (True, False): XL_CHART_TYPE.BAR_CLUSTERED,
        (False, True): XL_CHART_TYPE.COLUMN_STACKED,
        (False, False): XL_CHART_TYPE.COLUMN_CLUSTERED,
    }[(horizontal, stacked)]
    decimals, odd = common_decimals(traces)
    series = []
    for t, labels in zip(traces, odd, strict=True):
        cats = [plain(str(c)) for c in cats_of(t) or ()]
        by_cat = dict(zip(cats, vals_of(t) or (), strict=False))
        values = [None if by_cat.get(c) is None else float(by_cat[c]) for c in categories]
        label_of = dict(zip(cats, labels, strict=False))
        hatched = _hatches(t.marker.pattern.shape if t.marker.pattern else None, len(categories))
        colours = _colours(t.marker.color, len(categories))
        series.append(Series(plain(t.name or ""), values, colours, hatched, [label_of.get(c, "") for c in categories]))
    return NativeChart(kind, categories, series, axis_title, _format(decimals))


def _waterfall(trace, categories: list[str], axis_title: str, number_format: str) -> NativeChart:
    """Steps on an invisible base: a fall is drawn from its lower end, with its own signed label."""
    bases, heights = [], []
    for base, step in zip(trace.base, trace.y, strict=True):
        if step is None:
            bases.append(None)
            heights.append(None)
        else:
            low = float(base) + min(float(step), 0.0)
            bases.append(low)
            heights.append(abs(float(step)))
    labels = [str(t) for t in trace.text] if trace.text is not None else []
    colours = _colours(trace.marker.color, len(categories))
    return NativeChart(
        XL_CHART_TYPE.COLUMN_STACKED,
        categories,
        [Series(BASE, bases, colours, invisible=True), Series("增减", heights, colours, labels=labels)],
        axis_title,
        number_format,
    )


def rgb(colour: str) -> RGBColor:
    colour = colour.strip()
    if colour.startswith("rgb"):
        parts = [int(float(x)) for x in re.findall(r"[\d.]+", colour)[:3]]
        return RGBColor(*parts)
    return RGBColor.from_string(colour.lstrip("#")[:6].upper())


def add_chart(shapes, chart: NativeChart, left, top, width, height, alt_text: str, font_size: int = 14):
    """The chart on the slide, labelled as printed, with its alt text; returns the graphic frame."""
    data = CategoryChartData(number_format=chart.number_format)
    data.categories = chart.categories
    for s in chart.series:
        data.add_series(s.name, s.values)
    frame = shapes.add_chart(chart.kind, left, top, width, height, data)
    frame._element.nvGraphicFramePr.cNvPr.set("descr", alt_text)
    c = frame.chart
    c.font.size = Pt(font_size)
    pie = chart.kind in (XL_CHART_TYPE.DOUGHNUT, XL_CHART_TYPE.PIE)
    visible = [s for s in chart.series if not s.invisible]
    c.has_legend = pie or len(visible) > 1
    if c.has_legend:
        c.legend.position = XL_LEGEND_POSITION.BOTTOM
        c.legend.include_in_layout = False
    if not pie:
        if chart.axis_title:
            c.value_axis.has_title = True
            c.value_axis.axis_title.text_frame.text = chart.axis_title
        c.value_axis.tick_labels.number_format = chart.number_format
        c.value_axis.tick_labels.number_format_is_linked = False
        c.value_axis.has_major_gridlines = True
        c.value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xD1, 0xD5, 0xDB)
        if len(chart.series) > 1 and chart.kind in (XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED):
            c.plots[0].gap_width, c.plots[0].overlap = 80, -10
        elif chart.kind != XL_CHART_TYPE.COLUMN_CLUSTERED:
            c.plots[0].gap_width, c.plots[0].overlap = 60, 100
    for s, plotted in zip(chart.series, c.plots[0].series, strict=True):
        _style(s, plotted, pie, chart.kind, chart.number_format)
    return frame


def _fill(fill, colour: str, hatched: bool) -> None:
    if hatched:
        fill.patterned()
        fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
        fill.fore_color.rgb = rgb(colour)
        fill.back_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    else:
        fill.solid()
        fill.fore_color.rgb = rgb(colour)


def _style(s: Series, plotted, pie: bool, kind, number_format: str) -> None:
    if s.invisible:
        plotted.format.fill.background()
        plotted.format.line.fill.background()
        return
    colours = s.colours[: len(s.values)]
    hatched = (s.hatched or [False] * len(colours))[: len(colours)]
    # The series' own fill is its legend key: its one colour, or grey where each point has its own.
    one = len(set(colours)) == 1 and len(set(hatched)) <= 1
    if not pie:
        _fill(plotted.format.fill, colours[0] if one and colours else NEUTRAL, all(hatched) and bool(hatched))
        plotted.format.line.color.rgb = rgb(colours[0] if len(set(colours)) == 1 and colours else NEUTRAL)
    for i, colour in enumerate(colours):
        if s.values[i] is None or (one and not pie):
            continue
        point = plotted.points[i]
        _fill(point.format.fill, colour, hatched[i])
        point.format.line.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if pie else rgb(colour)
    labels = plotted.data_labels
    labels.show_value = True
    labels.number_format, labels.number_format_is_linked = number_format, False  # as printed: 4.50
    labels.font.size = Pt(14)
    if pie:
        labels.show_category_name = True  # the share is not labelled: the label's format is the value's
        if kind == XL_CHART_TYPE.PIE:
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
    elif kind == XL_CHART_TYPE.COLUMN_CLUSTERED:
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
    else:
        labels.position = XL_LABEL_POSITION.CENTER
        labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)  # inside a dark segment
    # The signed steps of a waterfall, and a bar whose label prints other decimals, as the page labels them.
    for i, text in enumerate(s.labels):
        if text and i < len(s.values) and s.values[i] is not None:
            plotted.points[i].data_label.text_frame.text = text
