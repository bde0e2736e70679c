"""The palette, computed: every mark holds 3:1 against the chart's background (WCAG 1.4.11) and
more in the projector theme, categories shown together stay apart in greyscale (CIELAB lightness)
and for colour-blind viewers (simulated), and the prior-year hatch stands out from what is under it.

`problems` is the whole check; it is run on the palette and on the one it replaced, which it
must reject (良 and 中 at the same lightness, #E69F00 and #56B4E9 at 2.3:1, a hatch at 1.5:1).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import plotly.graph_objects as go
import pytest

from components import briefing, charts, debt, palette, performance, transfers, vocab
from components.data import load_folder
from components.palette import BLACK, WHITE, contrast, lightness
from components.sections import debt as debt_model
from components.sections import transfers as transfers_model

DATA = Path(__file__).resolve().parents[1] / "data"
REGION = "株洲经开区"

MIN_STANDARD = 3.0  # WCAG 1.4.11 against the chart's white
MIN_PROJECTOR = 6.0  # the projector theme, against black: twice that
MIN_HATCH = 3.0  # a prior-year bar's hatch against what shows between its lines
MIN_LIGHTNESS_STEP = 10.0  # ΔL* between categories shown together
MIN_CVD_DELTA_E = 12.0  # CIE76 ΔE between them as a protan, deutan or tritan viewer sees them

# Shown together in one chart (优良 is printed instead of 优 and 良, beside 中 and 差).
GROUPS = {
    "categories": vocab.CATEGORIES,
    "debt types": vocab.DEBT_TYPES,
    "grades": ("优", "良", "中", "差"),
    "combined grade": ("优良", "中", "差"),
}
PRIOR_STYLED = vocab.CATEGORIES + vocab.DEBT_TYPES  # drawn hatched for last year / the limit

OLD = {
    "standard": {
        "税收返还": "#E69F00",
        "一般性转移支付": "#0072B2",
        "专项转移支付": "#009E73",
        "一般债务": "#56B4E9",
        "专项债务": "#D55E00",
        "优": "#009E73",
        "优良": "#2FA8A0",
        "良": "#56B4E9",
        "中": "#E69F00",
        "差": "#D55E00",
    },
    "ground": lambda c, _background: palette.mix(c, WHITE, 0.55),  # the old fill, charts.lighten(c, 0.55)
}

# Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB.
CVD = {
    "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _linear(colour: str) -> list[float]:
    return [
        (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4) for c in (x / 255 for x in palette.rgb(colour))
    ]


def _lab(linear: list[float]) -> tuple[float, float, float]:
    r, g, b = (min(max(v, 0.0), 1.0) for v in linear)
    x, y, z = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = lambda t: t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116  # noqa: E731
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen_as(colour: str, kind: str) -> tuple[float, float, float]:
    """CIELAB of the colour as a viewer with that colour-vision deficiency sees it."""
    v = _linear(colour)
    return _lab([sum(m * c for m, c in zip(row, v, strict=True)) for row in CVD[kind]])


def delta_e(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def problems(
    colours: dict[str, str], background: str, least: float, ground=lambda _c, background: background
) -> list[str]:
    """Every way a theme's colours (by name) fail on `background`; `ground(c, background)` shows
    between a prior-year bar's hatch lines (the background itself, now)."""
    found = []
    for name, c in colours.items():
        if contrast(c, background) < least:
            found.append(f"{name} {c}: {contrast(c, background):.2f}:1 against {background}")
    for name in PRIOR_STYLED:
        c = colours[name]
        if contrast(c, ground(c, background)) < MIN_HATCH:
            found.append(f"{name}'s hatch {c} on its fill: {contrast(c, ground(c, background)):.2f}:1")
    for group, names in GROUPS.items():
        for a, b in itertools.combinations(names, 2):
            step = abs(lightness(colours[a]) - lightness(colours[b]))
            if step < MIN_LIGHTNESS_STEP:
                found.append(f"{group}: {a} and {b} differ by L* {step:.1f} in grey")
            for kind in CVD:
                d = delta_e(seen_as(colours[a], kind), seen_as(colours[b], kind))
                if d < MIN_CVD_DELTA_E:
                    found.append(f"{group}: {a} and {b} ΔE {d:.1f} to a {kind} viewer")
    return found


def test_the_contrast_arithmetic_is_wcags():
    assert contrast(WHITE, BLACK) == pytest.approx(21)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the well-known 4.5:1 grey
    assert lightness("#777777") == pytest.approx(50, abs=0.5) and lightness(WHITE) == pytest.approx(100)


def test_the_standard_palette_holds_3_to_1_on_white_and_steps_in_grey():
    colours = {name: vocab.COLOURS[name] for name in vocab.COLOURS_ON_DARK}
    assert problems(colours, WHITE, MIN_STANDARD) == []


def test_the_projector_palette_holds_6_to_1_on_black_and_steps_in_grey():
    assert problems(dict(vocab.COLOURS_ON_DARK), BLACK, MIN_PROJECTOR) == []


def test_the_old_palette_fails_the_same_check():
    found = problems(OLD["standard"], WHITE, MIN_STANDARD, OLD["ground"])
    assert "税收返还 #E69F00: 2.25:1 against #FFFFFF" in found
    assert "一般债务 #56B4E9: 2.31:1 against #FFFFFF" in found
    assert "grades: 良 and 中 differ by L* 0.8 in grey" in found
    assert any(f.startswith("税收返还's hatch #E69F00 on its fill: 1.5") for f in found)


def test_spare_and_neutral_colours_hold_the_same_contrast():
    for light, dark in zip(vocab.OKABE_ITO, vocab.ON_DARK_PALETTE, strict=True):
        assert contrast(light, WHITE) >= 3.5 and contrast(dark, BLACK) >= MIN_PROJECTOR, (light, dark)
    assert contrast(vocab.NEUTRAL, WHITE) >= 4.5 and contrast(vocab.NEUTRAL_ON_DARK, BLACK) >= MIN_PROJECTOR


def test_every_standard_colour_has_its_projector_counterpart():
    for name, colour in vocab.COLOURS.items():
        assert palette.ON_DARK[colour] == vocab.COLOURS_ON_DARK[name]


# ---------------------------------------------------------------- in the charts as drawn


def marks(fig) -> list[tuple[str, str]]:
    """(what, colour) of every drawn bar's fill, outline and hatch, and every slice."""
    out = []
    for t in fig.data:
        m = t.marker
        fills = m.colors if t.type == "pie" else m.color
        for what, value in (("fill", fills), ("outline", m.line.color if t.type == "bar" else None)):
            out += [(what, c) for c in ([value] if isinstance(value, str) else value or [])]
        if t.type == "bar" and m.pattern.fgcolor is not None:
            out += [
                ("hatch", c) for c in ([m.pattern.fgcolor] if isinstance(m.pattern.fgcolor, str) else m.pattern.fgcolor)
            ]
    return out


@pytest.fixture(scope="module")
def charts_of_the_seed():
    seed = load_folder(DATA)
    cats = transfers_model.chart_frame(transfers_model.model(seed, 2023, REGION))
    m = debt_model.model(seed, 2022, REGION)
    perf = performance.model(seed, 2022, REGION)
    return [
        transfers.fig_budget_vs_prior(cats),
        transfers.fig_waterfall(cats),
        debt.fig_limit(m),
        debt.fig_composition(m),
        debt.fig_flows(m),
        # Cross-filtered: the marks not chosen keep their contrast too.
        performance.fig_target_types(perf, ["项目支出"]),
        performance.fig_grades(perf, ["良"]),
    ]


@pytest.mark.parametrize("contrast_theme", [False, True], ids=["standard", "projector"])
def test_every_mark_of_the_charts_holds_its_contrast(charts_of_the_seed, contrast_theme):
    background, least = (BLACK, MIN_PROJECTOR) if contrast_theme else (WHITE, MIN_STANDARD)
    for fig in charts_of_the_seed:
        fig = go.Figure(briefing.projector(fig, contrast_theme))  # read with go.Figure's defaults
        for what, colour in marks(fig):
            assert contrast(colour, background) >= least, (fig.layout.yaxis.title.text, what, colour)
        for t in fig.data:
            assert t.opacity in (None, 1), "a faded mark loses its contrast"
            if t.type == "bar" and t.marker.pattern.shape:  # hatched: nothing under the lines but the paper
                assert t.marker.pattern.fillmode == "replace" and t.marker.pattern.bgcolor is None
                assert t.marker.pattern.solidity >= 0.4 and list(t.marker.pattern.fgcolor) == list(t.marker.color)


def test_a_series_coloured_by_category_is_keyed_in_grey(charts_of_the_seed):
    """预算数 was keyed in 税收返还's orange: Plotly keys a bar trace in its first bar's colour."""
    bars = charts_of_the_seed[0]
    keys = {t.name: t for t in bars.data if t.showlegend is not False}
    assert set(keys) == {"上年执行数", "预算数"}
    assert tuple(keys["预算数"].marker.color) == (vocab.NEUTRAL,) and keys["预算数"].meta == charts.LEGEND_KEY
    assert tuple(keys["上年执行数"].marker.pattern.fgcolor) == (vocab.NEUTRAL,)
    drawn = [t for t in bars.data if t.meta != charts.LEGEND_KEY]
    assert [t.legendgroup for t in drawn] == ["上年执行数", "预算数"]  # the key shows and hides them
    assert [t.offsetgroup for t in drawn] == [k.offsetgroup for k in keys.values()]  # no gap for the key


def test_marks_left_out_by_a_cross_filter_keep_their_colour_dotted(charts_of_the_seed):
    """/performance greyed the types not chosen to #D1D5DB (1.5:1 on white) and faded the grades
    to 30%: now they keep their colour, outlined and dotted, and the chosen ones stay solid."""
    types, grades = charts_of_the_seed[-2:]
    (bars,) = types.data
    shapes = dict(zip(bars.x, bars.marker.pattern.shape, strict=True))
    assert shapes == {"部门整体支出": ".", "项目支出": ""}
    assert {t.name: t.marker.pattern.shape for t in grades.data} == {"良": ("",), "中": (".",)}
    for fig in (types, grades):
        for t in fig.data:
            for colour in (*t.marker.line.color, *t.marker.pattern.fgcolor):
                assert contrast(colour, WHITE) >= MIN_STANDARD
