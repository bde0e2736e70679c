"""Briefing mode (/present): full-screen slides in report order, driven by a clicker's keys.

Every slide is rendered at once, so moving between them is instant and works with the
network cable pulled; assets/present.js handles the keys and keeps `slide` in the URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from components import ids
from components.briefing import Deck, Slide, deck, projector
from components.data import Dataset
from components.pages import EXPORTS, PRESENT_PATH
from components.state import parse_query

SHOW_ONLY = ("slide", "theme")  # how briefing mode shows the deck, not which deck it is
VIEW_ONLY = (*SHOW_ONLY, "start")  # start: the page it was opened from, which names the deck's year


def view_query(query: dict[str, list[str]], drop: tuple[str, ...] = VIEW_ONLY) -> str:
    """The view's own query (year, region, unit, filters) without the slide and theme (and start)."""
    return urlencode([(k, v) for k, values in query.items() if k not in drop for v in values])


def slide_number(query: dict[str, list[str]], slides: list[Slide]) -> int:
    """`slide=N` (1-based), else the first slide of the section named by `start=<page>`."""
    start = (query.get("start") or [None])[0]
    first = next((i for i, s in enumerate(slides, start=1) if s.page.key == start), 1)
    try:
        wanted = int((query.get("slide") or [first])[0])
    except ValueError:
        wanted = first
    return min(max(wanted, 1), len(slides))


def make_slide(index: int, slide: Slide, the_deck: Deck, contrast: bool, active: bool, back: str) -> html.Section:
    head = [html.Div(slide.section, className="slide-section"), html.H2(slide.title, className="slide-title")]
    text = [html.P(s) for s in slide.sentences]
    if slide.points:
        text += [html.P([html.Strong(f"{heading}："), point]) for heading, point in slide.points]
    if slide.figure is not None:
        graph = dcc.Graph(
            id=f"{ids.PRESENT}-graph-{index}",
            figure=projector(slide.figure, contrast),
            config={"displayModeBar": False, "responsive": True, "locale": "zh-CN"},
            className="slide-graph",
        )
        body = [
            html.Div(graph, className="slide-chart", role="figure", **{"aria-label": slide.title}),
            html.Div(text, className="slide-text"),
        ]
    else:
        body = [html.Div(text, className="slide-text slide-text-only")]
    foot = f"来源：{slide.source or '—'} ｜ 数据文件修改时间：{the_deck.data_date}"
    return html.Section(
        head + [html.Div(body, className="slide-body"), html.Div(foot, className="slide-source")],
        className="slide active" if active else "slide",
        **{"data-back": back, "aria-hidden": "false" if active else "true"},
    )


def layout(dataset: Dataset, search: str) -> html.Div:
    query = parse_query(search)
    the_deck = deck(dataset, search)
    contrast = (query.get("theme") or [""])[0] == "contrast"
    current = slide_number(query, the_deck.slides)
    view = view_query(query)
    suffix = f"?{view}" if view else ""
    deck_query = view_query(query, SHOW_ONLY)  # the exports make this same deck
    slides = [
        make_slide(i, s, the_deck, contrast, i == current, s.page.path + suffix)
        for i, s in enumerate(the_deck.slides, start=1)
    ]
    button = lambda label, go, title: html.Button(label, title=title, className="present-btn", **{"data-go": go})  # noqa: E731
    bar = [
        html.Span(f"{current} / {len(slides)}", className="slide-counter", id=ids.PRESENT_COUNTER),
        button("◀ 上一页", "prev", "← / PageUp"),
        button("下一页 ▶", "next", "→ / PageDown / 空格"),
        button("标准配色" if contrast else "高对比度", "theme", "C"),
        button("全屏", "fullscreen", "F"),
        button("退出", "exit", "Esc"),
        html.Span(
            [
                html.A(label.split("（")[1].rstrip("）"), href=f"{path}?{deck_query}", className="present-export")
                for path, label in EXPORTS.values()
            ],
            className="ms-auto",
        ),
    ]
    # Said by a screen reader when the slide changes (assets/present.js writes it): 第 3 页，共 8 页：….
    live = html.Div(
        className="present-live visually-hidden", role="status", **{"aria-live": "polite", "aria-atomic": "true"}
    )
    return html.Div(
        [
            html.H1(f"演示模式：{the_deck.title}", className="visually-hidden"),  # the page's one h1; slides are h2
            html.Div(slides, className="deck"),
            html.Div(bar, className="present-bar", role="group", **{"aria-label": "演示控制"}),
            live,
        ],
        id=ids.PRESENT,
        className="present contrast" if contrast else "present",
        role="region",
        **{"aria-label": f"演示模式：{the_deck.title}", "data-slide": str(current), "data-path": PRESENT_PATH},
    )
