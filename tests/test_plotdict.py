"""The dict figures (components/plotdict.py) are what go.Figure would have made of them: every
chart of every page, on the seed and on real documents, passes Plotly's validation unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly

from components import briefing, debt, monitor, overview, palette, performance, transfers
from components.data import load_folder
from components.pages import BY_KEY
from components.plotdict import Fig, expand
from components.state import ViewState
from tests.test_trust import walk_graphs

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "data", *sorted((ROOT / "tests" / "fixtures" / "realdocs").iterdir())]
VIEWS = {"overview": overview.view, "transfers": transfers.view, "debt": debt.view, "performance": performance.view}


def charts_of(folder: Path) -> list[tuple[str, Fig]]:
    dataset = load_folder(folder)
    out = []
    for page, view in VIEWS.items():
        frames = [dataset.frame(name) for name in BY_KEY[page].files]
        for year in sorted({int(y) for frame in frames if "year" in frame for y in frame["year"].dropna().unique()}):
            drawn = view(dataset, ViewState.of(page, year, None))
            out += [(f"{page} {year} {k}", v) for k, v in drawn.items() if isinstance(v, Fig)]
            out += [(f"{page} {year} extra", g.figure) for g in walk_graphs(list(drawn.values()))]
    return out


def plain(value) -> object:
    return json.loads(to_json_plotly(value))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_chart_is_what_go_figure_makes_of_it(folder):
    charts = charts_of(folder)
    assert len(charts) >= 3
    for name, fig in charts:
        validated = go.Figure(fig)  # raises on any property Plotly does not know
        assert plain(validated) == plain(fig), name  # and changes nothing: same data, same layout keys


def test_the_monitor_charts_are_what_go_figure_makes_of_them():
    dataset = load_folder(ROOT / "examples" / "monitor")
    years = sorted({int(y) for y in dataset.frame("targets")["year"].unique()})
    charts = [
        v
        for year in years
        for v in monitor.view(dataset, monitor.state_of(year, None, None, [], None, None, None)).values()
        if isinstance(v, Fig)
    ]
    assert charts
    for fig in charts:
        assert plain(go.Figure(fig)) == plain(fig)


def test_underscore_paths_expand_as_go_figure_reads_them():
    props = {"yaxis_title_text": "金额", "legend": {"title_text": ""}, "paper_bgcolor": "white", "title": "标题"}
    assert expand(props) == {
        "yaxis": {"title": {"text": "金额"}},
        "legend": {"title": {"text": ""}},
        "paper_bgcolor": "white",
        "title": {"text": "标题"},
    }
    fig = Fig().add_bar(x=["a"], marker_color="#000000").update_traces(marker_line_width=2, selector={"type": "bar"})
    assert fig.data[0].marker.line.width == 2 and fig.data[0].marker.color == "#000000"
    assert plain(go.Figure(fig))["data"] == plain(fig)["data"]


def go_projector(fig, contrast: bool) -> go.Figure:
    """briefing.projector as it was written on go.Figure, before it worked on the dicts."""
    fig = go.Figure(fig)
    size = briefing.MIN_FONT
    fig.update_layout(font=dict(family=briefing.FONT, size=size), legend_font_size=size)
    fig.update_traces(textfont_size=size, selector=lambda t: t.type in ("bar", "pie"))
    fig.update_xaxes(tickfont_size=size, title_font_size=size)
    fig.update_yaxes(tickfont_size=size, title_font_size=size)
    for note in fig.layout.annotations:
        note.font.size = max(note.font.size or 0, size)
        note.text = note.text.replace("font-size:12px", f"font-size:{size}px")
    if contrast:
        ink, paper, grid = briefing.CONTRAST["ink"], briefing.CONTRAST["paper"], briefing.CONTRAST["grid"]
        fig.update_layout(paper_bgcolor=paper, plot_bgcolor=paper, font_color=ink)
        fig.update_xaxes(linecolor=ink, gridcolor=grid)
        fig.update_yaxes(linecolor=ink, gridcolor=grid, zerolinecolor=ink)
        for note in fig.layout.annotations:
            note.font.color = ink
        for trace in fig.data:
            marker = trace.marker
            for name in ("color", "colors"):
                if name in marker and marker[name] is not None:
                    marker[name] = palette._swap(marker[name], palette.ON_DARK)
            if marker.line.color is not None:
                marker.line.color = palette._swap(marker.line.color, palette.ON_DARK)
            if getattr(marker, "pattern", None) is not None and marker.pattern.fgcolor is not None:
                marker.pattern.fgcolor = palette._swap(marker.pattern.fgcolor, palette.ON_DARK)
        fig.update_traces(marker_line_color=paper, selector=dict(type="pie"))
    return fig


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_projector_copies_are_what_go_figure_made_of_them_and_leave_the_view_alone(folder):
    slides = [s for s in briefing.deck(load_folder(folder), "").slides if s.figure is not None]
    assert slides
    for slide in slides:
        before = plain(slide.figure)
        for contrast in (False, True):
            projected = briefing.projector(slide.figure, contrast)
            assert plain(go.Figure(projected)) == plain(projected) == plain(go_projector(slide.figure, contrast))
        assert plain(slide.figure) == before, slide.title  # the deck's own figure (a remembered view's) unchanged
