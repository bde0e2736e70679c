"""Figure builders shared by the sections: pure functions, DataFrame/values in, go.Figure out."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from components import vocab
from components.theme import MISSING, axis_format, base_figure, count_ticks, fmt_amount, in_unit, is_missing, plain


def lighten(hex_colour: str, amount: float = 0.55) -> str:
    """The colour mixed with white: the same hue reads as "the same category, last year"."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], Sequence[str], str]],
    unit: str,
    height: int = 380,
    y_title: str = "金额",
    details: Sequence[str] | None = None,
) -> go.Figure:
    """Bars per label, one trace per series; a missing value is labelled 未公布, never drawn.

    Each series is (name, values, colour per label, style): style "" is solid, "prior"
    lightened and hatched (last year's figure in the category's own colour).
    `details` adds a line per label to the hover text (the change and its stated reason).
    """
    fig = base_figure(height)
    n = len(series)
    for s, (name, values, colours, style) in enumerate(series):
        shown = [in_unit(v, unit) for v in values]
        marker = dict(color=list(colours), line=dict(color=list(colours), width=1.5))
        if style == "prior":
            marker.update(
                color=[lighten(c) for c in colours], pattern=dict(shape="/", fgcolor=list(colours), solidity=0.2)
            )
        fig.add_bar(
            name=name,
            x=list(labels),
            y=shown,
            marker=marker,
            text=[fmt_amount(v, unit, with_unit=False) if not is_missing(v) else "" for v in values],
            textposition="outside",
            cliponaxis=False,
            customdata=[[fmt_amount(v, unit), d] for v, d in zip(values, details or [""] * len(values), strict=True)],
            hovertemplate=f"%{{x}}<br>{name}：%{{customdata[0]}}%{{customdata[1]}}<extra></extra>",
        )
        for i, value in enumerate(values):
            if is_missing(value):
                # Grouped bars sit at offsets inside the category's 1 − bargap width.
                offset = (s - (n - 1) / 2) * (0.7 / n) if n > 1 else 0
                fig.add_annotation(
                    x=i + offset,
                    y=0,
                    yanchor="bottom",
                    text=MISSING,
                    showarrow=False,
                    textangle=-90 if n > 2 else 0,
                    font=dict(color="#6B7280", size=13),
                )
    fig.update_layout(barmode="group", showlegend=n > 1)
    fig.update_yaxes(title_text=f"{y_title}（{unit}）", tickformat=axis_format(unit), rangemode="tozero")
    fig.update_xaxes(type="category")
    if all(is_missing(v) for _, values, _, _ in series for v in values):
        fig.update_yaxes(range=[0, 1])
    return fig


def wrap(text: str, width: int = 24) -> str:
    """Plain text broken into hover-sized lines (Plotly does not wrap hover text itself)."""
    text = plain(text)
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width))


def stacked_bars(
    frame: pd.DataFrame,
    x: str,
    stack: str,
    value: str,
    unit: str | None,
    canonical: tuple[str, ...] = (),
    height: int = 360,
    y_title: str = "金额",
    x_order: Sequence | None = None,
) -> go.Figure:
    """One bar per x, stacked by `stack`, a colour per stack value (the same on every chart)."""
    fig = base_figure(height)
    stacks = vocab.ordered(frame[stack], canonical)
    xs = list(x_order) if x_order is not None else list(dict.fromkeys(frame[x]))
    for name in stacks:
        part = frame[frame[stack] == name].set_index(x)[value]
        values = [part.get(k) for k in xs]
        shown = [in_unit(v, unit) if unit else v for v in values]
        text = [fmt_amount(v, unit) if unit else ("" if is_missing(v) else f"{v:g}") for v in values]
        fig.add_bar(
            name=plain(name),
            x=[plain(k) for k in xs],
            y=shown,
            marker_color=vocab.colour_of(name, tuple(stacks)),
            customdata=[[t, plain(name)] for t in text],
            hovertemplate="%{x}<br>%{customdata[1]}：%{customdata[0]}<extra></extra>",
        )
    # A stated-as-missing part is not drawn; the bar's label says so, so its height is not read as whole.
    missing = frame[frame[value].isna()].groupby(x, sort=False)[stack].agg(lambda s: "、".join(map(plain, s)))
    ticks = [plain(k) + (f"<br><sub>{missing[k]}{MISSING}</sub>" if k in missing.index else "") for k in xs]
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(type="category", tickvals=[plain(k) for k in xs], ticktext=ticks)
    if unit:
        fig.update_yaxes(title_text=f"{y_title}（{unit}）", tickformat=axis_format(unit), rangemode="tozero")
    else:
        fig.update_yaxes(title_text=y_title, rangemode="tozero", **count_ticks(frame.groupby(x)[value].sum().max()))
    return fig


def donut(
    labels: Sequence[str], values: Sequence[float | None], unit: str, centre: str, height: int = 360
) -> go.Figure:
    """Composition of a whole; parts that are not stated are listed, not drawn as zero slices."""
    fig = base_figure(height)
    shown = [(lab, v) for lab, v in zip(labels, values, strict=True) if not is_missing(v)]
    fig.add_pie(
        labels=[lab for lab, _ in shown],
        values=[in_unit(v, unit) for _, v in shown],
        hole=0.55,
        sort=False,
        direction="clockwise",
        marker=dict(colors=[vocab.colour_of(lab) for lab, _ in shown], line=dict(color="white", width=2)),
        customdata=[fmt_amount(v, unit) for _, v in shown],
        texttemplate="%{label}<br>%{customdata}<br>%{percent}",
        textposition="outside",
        automargin=True,
        hovertemplate="%{label}：%{customdata}（占%{percent}）<extra></extra>",
        textfont=dict(size=14),
    )
    missing = [lab for lab, v in zip(labels, values, strict=True) if is_missing(v)]
    text = centre + (f"<br><span style='font-size:12px'>{'、'.join(missing)}：{MISSING}</span>" if missing else "")
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=16))
    fig.update_layout(
        showlegend=False,  # every slice carries its own label
        margin=dict(t=60, b=60, l=80, r=80),
    )
    return fig
