"""Colours, fonts, the Plotly template, and number, unit and date formatting."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime

from components import vocab
from components.figures import Figure, exact, round_half_up
from components.plotdict import Fig

MISSING = "未公布"
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
INK = "#1F2937"
GRID = "#E5E7EB"  # gridlines only guide the eye: the axis line and bars carry the contrast
AXIS = "#6B7280"  # 4.8:1 on white

# Display units; money is held in 万元 internally.
UNIT_FACTORS = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}
UNITS = tuple(UNIT_FACTORS)
# The overview's sections are printed in different units (transfers 万元, debt 亿元): its switch
# offers each section's own, checked by default, so that no unit is shown as chosen that is not.
AS_PRINTED = "按原文"
UNIT_DECIMALS = {"元": 0, "万元": 2, "亿元": 2}
TRANSFERS_UNIT = "万元"
DEBT_UNIT = "亿元"
PERFORMANCE_UNIT = "万元"


def unit_or(chosen: str | None, default: str) -> str:
    """The viewer's chosen display unit, or the section's own."""
    return chosen if chosen in UNIT_FACTORS else default


def shown_in(figure: Figure, unit: str | None) -> Figure:
    """The figure in the viewer's unit: as printed in its own unit; converted exactly into another,
    then rounded (四舍五入, by the renderer) to at most that unit's usual decimals (4.50 亿元 → 45000 万元),
    unless that rounding would show a figure that is not zero as 0."""
    if unit is None or figure.unit == unit or figure.unit == "%":
        return figure
    out = figure.to(unit)
    usual = min(out.decimals, UNIT_DECIMALS.get(unit, out.decimals))
    if out.value and not round_half_up(out.value, max(usual, 0)):
        return out  # it would read 0.00 亿元: a printed 27 万元 is shown exactly, 0.0027 亿元
    return replace(out, decimals=usual)


BAR_GAP = 0.24  # between categories (charts.py places 未公布 marks by it)

# The template as Plotly.js reads it. A plain dict: building a go.Layout would load plotly's
# validators (~10 MB a process); tests/test_plotdict.py checks every chart, template and all.
TEMPLATE = {
    "layout": {
        "font": {"family": FONT, "size": 15, "color": INK},
        "title": {"font": {"size": 18}, "x": 0, "xanchor": "left"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": list(vocab.OKABE_ITO[:6]),
        "xaxis": {"showgrid": False, "linecolor": AXIS, "ticks": "", "automargin": True},
        "yaxis": {"gridcolor": GRID, "zerolinecolor": AXIS, "automargin": True, "separatethousands": True},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": {"text": ""}},
        "hoverlabel": {"font": {"family": FONT, "size": 14}},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "separators": ".,",
        "bargap": BAR_GAP,
        # A gap between the bars of a group: each label is as wide as its bar at most, and
        # side by side they ran together at a projector's width (「4,942.275,004.36」).
        "bargroupgap": 0.1,
    }
}


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def in_unit(value_wan: float | None, unit: str) -> float | None:
    """A 万元 amount expressed in the display unit (None stays None)."""
    if is_missing(value_wan):
        return None
    return value_wan / UNIT_FACTORS[unit]


def fmt_number(value: float | None, decimals: int = 2, trim: bool = True) -> str:
    """1,722 or 34,832.52; trailing zeros trimmed unless `trim` is False."""
    if is_missing(value):
        return MISSING
    # 四舍五入 on the value's shortest decimal text: f"{1.775:.2f}" would print 1.77.
    text = f"{round_half_up(exact(value), decimals):,}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_amount(value_wan: float | None, unit: str, with_unit: bool = True) -> str:
    """An amount in the display unit: 1,722 万元, 60.71 亿元, or 未公布."""
    if is_missing(value_wan):
        return MISSING
    # 亿元 keeps two decimals as the budget tables print them (4.50, not 4.5).
    text = fmt_number(in_unit(value_wan, unit), UNIT_DECIMALS[unit], trim=unit != "亿元")
    return f"{text} {unit}" if with_unit else text


def fmt_change(value_wan: float | None, unit: str) -> str:
    if is_missing(value_wan):
        return MISSING
    sign = "+" if value_wan > 0 else ""
    return sign + fmt_amount(value_wan, unit)


def fmt_pct(value: float | None, signed: bool = False) -> str:
    if is_missing(value):
        return MISSING
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{fmt_number(value, 2)}%"


def fmt_datetime(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def count_ticks(largest: float | None) -> dict:
    """Axis settings for counts: whole numbers only (ticks at 0.5 read "0 1 1 2 2 3 3")."""
    top = 0 if is_missing(largest) else float(largest)
    return {"tickformat": ",d", "tick0": 0, "dtick": max(1, math.ceil(top / 6))}


def axis_format(unit: str) -> str:
    """d3 tick format: thousands separators, 亿元 with fixed decimals."""
    return ",.2f" if unit == "亿元" else ",~f"


UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def file_stem(name: str) -> str:
    """A name a saved chart can have on Windows too: a region named with / or < would not save."""
    return UNSAFE_IN_FILE_NAMES.sub("", name).strip() or "图表"


def graph_config(filename: str) -> dict:
    """Plotly config: Chinese toolbar, no Plotly logo, PNG saved under a Chinese name."""
    return {
        "locale": "zh-CN",
        "displaylogo": False,
        "responsive": True,
        # sendChartToCloud would upload the chart to Plotly Cloud: never from a finance bureau.
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendChartToCloud"],
        "showSendToCloud": False,
        # Offline: plotly.js would look for map outlines on cdn.plot.ly and name Plotly Cloud as its
        # server by default (assets/plotly-finance-*.js has both defaults changed too).
        "topojsonURL": "/assets/topojson/",
        "plotlyServerURL": "",
        "toImageButtonOptions": {"filename": file_stem(filename), "format": "png", "scale": 2},
    }


def base_figure(height: int = 380) -> Fig:
    """An empty figure on the dashboard's template, as a plain dict (components/plotdict.py)."""
    return Fig({"template": template_dict(), "height": height})


def template_dict() -> dict:
    """The template (figures share it and never change it)."""
    return TEMPLATE


def empty_figure(message: str, height: int = 300) -> Fig:
    """A blank chart that says why it is blank (never an empty axis drawn as zero)."""
    fig = base_figure(height)
    fig.add_annotation(
        text=plain(message),  # may name categories from a CSV file
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font=dict(size=16, color="#6B7280"),
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def plain(text) -> str:
    """Text from a CSV file as Plotly will show it: its tag-like markup is neutralised.

    Plotly renders a subset of HTML in labels and hover text; data is never markup.
    """
    return str(text).replace("<", "＜").replace(">", "＞")
