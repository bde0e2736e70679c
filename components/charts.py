"""Figure builders shared by the sections: pure functions, DataFrame/values in, a plain-dict figure (plotdict.Fig) out.

Money comes in as Figures (components/figures.py), and every data label and hover text shows each
one as printed: its printed value and decimals (1.775 stays 1.775, 11.6131 stays 11.6131, a printed
0 stays 0), converted exactly and rounded half up only into another display unit (4.50 亿元 is
45000 万元). A figure not stated is not drawn and has no label; its hover says 未公布, never 0.
Only the bar heights are floats: drawing needs no exact decimals.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from components import palette, vocab
from components.figures import COMPUTED, Figure, card_text
from components.plotdict import Fig
from components.theme import BAR_GAP, MISSING, axis_format, base_figure, count_ticks, is_missing, plain, shown_in


def in_chart(value, unit: str) -> Figure | None:
    """A money value as the chart shows it: the Figure in the chart's unit, or None when not stated."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, Figure):
        raise TypeError(f"a chart's money is a Figure, shown as printed, not {type(value).__name__} ({value!r})")
    return shown_in(value, unit) if value.stated else None


def drawn(figure: Figure | None) -> float | None:
    """How high a bar is drawn (a float in the chart's unit), None where not stated."""
    return None if figure is None else float(figure.value)


def label(figure: Figure | None, signed: bool = False) -> str:
    """A bar's label: 1,722 · 60.71 · 0 · 11.6131, as printed; nothing for a figure not stated."""
    return "" if figure is None else figure.text(with_unit=False, thousands=True, signed=signed)


def hover(figure: Figure | None, signed: bool = False, marked: bool = True) -> str:
    """A figure in hover text: 1,722 万元 (with 按分项计算 where computed, if `marked`), or 未公布."""
    return MISSING if figure is None else card_text(figure, signed=signed, how=COMPUTED if marked else "")


LEGEND_KEY = "legend-key"  # `meta` of a trace drawn only as a legend entry


def bar_marker(colours: list[str], style: str = "") -> dict:
    """Solid bars in their colours; "prior" bars outlined and hatched in them, the chart's
    background showing between the hatch lines (so the hatch holds the colour's own contrast)."""
    if style != "prior":
        return dict(color=colours, line=dict(color=colours, width=1.5))
    # With a colour per bar Plotly draws the hatch in marker.color over nothing ("replace").
    return dict(color=colours, line=dict(color=colours, width=2), pattern=dict(fgcolor=colours, **palette.PRIOR_HATCH))


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Figure | None], Sequence[str], str]],
    unit: str,
    height: int = 380,
    y_title: str = "金额",
    details: Sequence[str] | None = None,
) -> Fig:
    """Bars per label, one trace per series; a missing value is labelled 未公布, never drawn.

    Each series is (name, Figures, colour per label, style): style "" is solid, "prior"
    outlined and hatched over a pale fill (last year's figure in the category's own colour).
    A series coloured by category is keyed in the legend in grey, solid or hatched: Plotly
    would key it in its first bar's colour, that of one category only.
    `details` adds a line per label to the hover text (the change and its stated reason).
    """
    fig = base_figure(height)
    n = len(series)
    keys = []
    for s, (name, values, colours, style) in enumerate(series):
        values = [in_chart(v, unit) for v in values]
        by_category = len(set(colours)) > 1
        fig.add_bar(
            name=name,
            x=list(labels),
            y=[drawn(v) for v in values],
            marker=bar_marker(list(colours), style),
            text=[label(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            customdata=[[hover(v), d] for v, d in zip(values, details or [""] * len(values), strict=True)],
            hovertemplate=f"%{{x}}<br>{name}：%{{customdata[0]}}%{{customdata[1]}}<extra></extra>",
            offsetgroup=str(s),
            legendgroup=name,
            showlegend=not by_category,
        )
        if by_category:
            keys.append((s, name, style))
        for i, value in enumerate(values):
            if value is None:
                # Grouped bars sit at offsets inside the category's 1 − bargap width.
                offset = (s - (n - 1) / 2) * ((1 - BAR_GAP) / n) if n > 1 else 0
                fig.add_annotation(
                    x=i + offset,
                    y=0,
                    yanchor="bottom",
                    text=MISSING,
                    showarrow=False,
                    textangle=-90 if n > 2 else 0,
                    font=dict(color="#6B7280", size=13),
                )
    for s, name, style in keys:
        # A legend key only: no bar, no hover; `meta` tells the tests' figure readers it draws nothing.
        fig.add_bar(
            name=name,
            x=[None],
            y=[None],
            marker=bar_marker([vocab.NEUTRAL], style),
            offsetgroup=str(s),
            legendgroup=name,
            hoverinfo="skip",
            meta=LEGEND_KEY,
        )
    fig.update_layout(barmode="group", showlegend=n > 1)
    fig.update_yaxes(title_text=f"{y_title}（{unit}）", tickformat=axis_format(unit), rangemode="tozero")
    fig.update_xaxes(type="category")
    if all(in_chart(v, unit) is None for _, values, _, _ in series for v in values):
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
    expected: Sequence[str] = (),
) -> Fig:
    """One bar per x, stacked by `stack`, a colour per stack value (the same on every chart).
    With a `unit`, the `value` column holds money Figures (shown as printed); without, counts.
    `expected`: the stack values a whole bar has; a bar without some says which (「专项转移支付未列」)."""
    fig = base_figure(height)
    stacks = vocab.ordered(frame[stack], canonical)
    xs = list(x_order) if x_order is not None else list(dict.fromkeys(frame[x]))
    for name in stacks:
        part = frame[frame[stack] == name].set_index(x)[value]
        values = [part.get(k) for k in xs]
        if unit:
            figures = [in_chart(v, unit) for v in values]
            shown, text = [drawn(f) for f in figures], [hover(f) for f in figures]
        else:
            shown, text = values, [MISSING if is_missing(v) else f"{v:g}" for v in values]
        fig.add_bar(
            name=plain(name),
            x=[plain(k) for k in xs],
            y=shown,
            marker_color=vocab.colour_of(name, tuple(stacks)),
            customdata=[[t, plain(name)] for t in text],
            hovertemplate="%{x}<br>%{customdata[1]}：%{customdata[0]}<extra></extra>",
        )
    # A stated-as-missing part is not drawn; the bar's label says so, so its height is not read as whole.
    unstated = frame[value].map(lambda v: in_chart(v, unit) is None) if unit else frame[value].isna()
    missing = frame[unstated].groupby(x, sort=False)[stack].agg(lambda s: "、".join(map(plain, s)))
    listed = frame.groupby(x, sort=False)[stack].agg(set)
    notes = {k: [f"{missing[k]}{MISSING}"] if k in missing.index else [] for k in xs}
    for k in xs:
        if k in listed.index and (absent := [plain(n) for n in expected if n not in listed[k]]):
            notes[k].append(f"{'、'.join(absent)}未列")
    ticks = [plain(k) + (f"<br><sub>{'；'.join(notes[k])}</sub>" if notes[k] else "") for k in xs]
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(type="category", tickvals=[plain(k) for k in xs], ticktext=ticks)
    if unit:
        fig.update_yaxes(title_text=f"{y_title}（{unit}）", tickformat=axis_format(unit), rangemode="tozero")
    else:
        fig.update_yaxes(title_text=y_title, rangemode="tozero", **count_ticks(frame.groupby(x)[value].sum().max()))
    return fig


def donut(
    labels: Sequence[str], values: Sequence[Figure | None], unit: str, centre: str, height: int = 360, whole: bool = True
) -> Fig:
    """Composition of a whole (Figures); parts that are not stated are listed, not drawn as zero slices.
    Shares only of a whole: not where a part is unstated, nor where the parts are not all (`whole`)."""
    fig = base_figure(height)
    figures = [in_chart(v, unit) for v in values]
    shown = [(lab, f) for lab, f in zip(labels, figures, strict=True) if f is not None]
    shares = whole and len(shown) == len(figures)
    fig.add_pie(
        labels=[lab for lab, _ in shown],
        values=[drawn(f) for _, f in shown],
        hole=0.55,
        sort=False,
        direction="clockwise",
        marker=dict(colors=[vocab.colour_of(lab) for lab, _ in shown], line=dict(color="white", width=2)),
        customdata=[hover(f) for _, f in shown],
        texttemplate="%{label}<br>%{customdata}" + ("<br>%{percent}" if shares else ""),
        textposition="outside",
        automargin=True,
        hovertemplate="%{label}：%{customdata}" + ("（占%{percent}）" if shares else "") + "<extra></extra>",
        textfont=dict(size=14),
    )
    missing = [lab for lab, f in zip(labels, figures, strict=True) if f is None]
    text = centre + (f"<br><span style='font-size:12px'>{'、'.join(missing)}：{MISSING}</span>" if missing else "")
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=16))
    fig.update_layout(
        showlegend=False,  # every slice carries its own label
        margin=dict(t=60, b=60, l=80, r=80),
    )
    return fig
