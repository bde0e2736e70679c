"""The page shell (navigation, filter bar) and small named layout factories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, dcc, html

from components import ids
from components.data import Dataset
from components.figures import card_text
from components.filters import select
from components.pages import BY_KEY, EXPORTS, FILTER_LABELS, PAGES, PRESENT_PATH
from components.sections.performance import indicator_figure
from components.state import ViewState
from components.theme import AS_PRINTED, UNITS, file_stem, graph_config

TITLE = "财政预算公开看板"
POLL_MS = 2000  # how often an open page asks whether the data changed (a tiny GET)
VERSION_ROUTE = "/_data-version"


def make_navbar() -> html.Header:
    """The banner landmark: the site's name, the pages, briefing mode and the exports."""
    links = [
        dbc.NavItem(dbc.NavLink(page.title, href=page.path, id=ids.nav_link(page.key), active="exact"))
        for page in PAGES
    ]
    # Briefing mode and the exports follow the view on screen: their hrefs are set with the URL.
    actions = dbc.Nav(
        [
            dbc.NavItem(dbc.NavLink("演示模式", href=PRESENT_PATH, id=ids.PRESENT_LINK)),
            dbc.DropdownMenu(
                [
                    dbc.DropdownMenuItem(label, href=path, id=ids.export_link(kind), external_link=True)
                    for kind, (path, label) in EXPORTS.items()
                ],
                label="导出",
                nav=True,
                align_end=True,
                id=ids.EXPORT_MENU,
            ),
        ],
        navbar=True,
    )
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(TITLE, href="/", id=ids.NAV_BRAND),
                dbc.Nav(links, navbar=True, className="me-auto"),
                actions,
            ],
            fluid=True,
        ),
        id=ids.NAVBAR,
        color="#0B4F8A",
        dark=True,
        className="mb-3 no-print",
    )
    return html.Header(navbar)


def client_config(app) -> dict:
    """What the shell's clientside functions (assets/clientside.js) need to know of the app."""
    return {
        "version_url": app.get_relative_path(VERSION_ROUTE),
        "page_paths": [page.path for page in PAGES],
        "filtered": [page.path for page in PAGES if page.filtered],  # the pages that take year, region and unit
        "page_keys": {page.path: page.key for page in PAGES},
        "export_paths": [path for path, _ in EXPORTS.values()],
        "present": PRESENT_PATH,
        "site_title": TITLE,
        "page_titles": {page.path: page.title for page in PAGES} | {PRESENT_PATH: "演示模式"},
        "filter_labels": FILTER_LABELS,
    }


def make_shell(config: Mapping | None = None) -> html.Div:
    """`config`: the values the clientside functions read (client_config and the sections' own)."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.CLIENT_CONFIG, data=dict(config or {})),
            dcc.Store(id=ids.LAST_QUERY),
            dcc.Store(id=ids.ROUTE),
            dcc.Interval(id=ids.DATA_POLL, interval=POLL_MS),
            dcc.Store(id=ids.RENDERED_VERSION),
            dcc.Store(id=ids.DATA_CHANGED),
            dcc.Store(id=ids.DOC_TITLE),
            # The first thing Tab reaches: past the navigation to the page's own content.
            html.A("跳到正文", href="#" + ids.MAIN, className="skip-link visually-hidden-focusable", id=ids.SKIP_LINK),
            make_navbar(),
            html.Main(
                dbc.Container([html.Div(id=ids.DATA_BANNER), html.Div(id=ids.PAGE)], fluid=True, className="pb-4"),
                id=ids.MAIN,
                tabIndex="-1",
            ),
            # The footer follows the main landmark, so it is the page's one contentinfo landmark.
            dbc.Container(id=ids.PAGE_FOOTER, fluid=True, className="pb-3"),
        ]
    )


# ---------------------------------------------------------------- factories


def make_filter(page: str, name: str, label: str, options: list, value, multi: bool = False) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=ids.page_filter(page, name), className="small text-muted mb-0"),
            dcc.Dropdown(
                id=ids.page_filter(page, name),
                options=options,
                value=value,
                multi=multi,
                clearable=multi,
                searchable=True,
                placeholder="全部" if multi else "请选择",
                labels={
                    "select_all": "全选",
                    "deselect_all": "取消全选",
                    "selected_count": "已选 {num_selected} 项",
                    "search": "搜索",
                    "clear_search": "清除搜索",
                    "clear_selection": "清除选择",
                    "no_options_found": "没有匹配的选项",
                },
            ),
        ],
        xs=12,
        sm=6,
        lg=2,
        className="mb-2",
    )


def make_filter_bar(
    page: str,
    years: list[int],
    regions: list[str],
    state: ViewState,
    extra: Sequence[tuple[str, str, list[str]]] = (),
    clear_id: str | None = None,
    unit: str | None = None,
    notices: Sequence[str] = (),
) -> html.Div:
    """年度 and 地区 from the data, the page's own multi-select filters, then the display unit.

    `unit` is the page's own unit, checked when the URL names none (None: each section its own).
    The stores after it are routing.register_view's: what the page drew, and the other units a
    pick can be drawn from in the browser."""
    cols = [
        make_filter(page, "year", "年度", [{"label": f"{y}年", "value": y} for y in years], state.year),
        make_filter(page, "region", "地区", [{"label": r, "value": r} for r in regions], state.region),
    ]
    for name, label, values in extra:
        cols.append(
            make_filter(
                page, name, label, [{"label": v, "value": v} for v in values], list(state.get(name)), multi=True
            )
        )
    cols.append(
        dbc.Col(
            [
                dbc.Label(
                    "金额单位",
                    html_for=ids.page_filter(page, "unit"),
                    className="small text-muted mb-0 unit-switch-label",
                ),
                dbc.RadioItems(
                    id=ids.page_filter(page, "unit"),
                    options=([] if unit else [{"label": "各按原文单位", "value": AS_PRINTED}])
                    + [{"label": u, "value": u} for u in UNITS],
                    value=state.unit or unit or AS_PRINTED,
                    inline=True,
                    # unit-switch-here: the browser draws a pick itself (routing.register_units)
                    className="unit-switch unit-switch-here",
                ),
            ],
            width="auto",
            className="mb-2 align-self-end",
        )
    )
    if clear_id:
        cols.append(
            dbc.Col(
                dbc.Button("清除筛选", id=clear_id, color="secondary", outline=True, size="sm"),
                width="auto",
                className="mb-2 align-self-end",
            )
        )
    bar = [dbc.Row(cols, className="g-2 filter-bar")]
    bar += [dbc.Alert(n, color="warning", className="py-1 my-1 small") for n in notices]
    bar += [dcc.Store(id=ids.query_store(page)), dcc.Store(id=ids.view_digests(page)), dcc.Store(id=ids.marker_cue(page))]
    bar.append(dcc.Store(id=ids.page_data(page)))
    bar += [dcc.Store(id=make(page)) for make in (ids.unit_intent, ids.unit_request, ids.unit_views, ids.unit_asked)]
    return html.Div(bar, className="mb-3 no-print-controls")


def make_section_page(
    page: str,
    title: str,
    years: list[int],
    regions: list[str],
    view: tuple[ViewState, Sequence[str]],
    options: Mapping[str, list[str]],
    unit: str | None,
    clear_id: str,
    body: list,
    empty: str,
) -> html.Div:
    """A section page: its title, then either why it is empty or its filter bar (年度, 地区, the
    page's own filters as the registry lists them, 金额单位, 清除筛选) above `body`."""
    header = [make_page_heading(title)]
    if not years:
        return html.Div(header + [make_empty_state(empty)])
    state, notices = view
    extra = [(name, FILTER_LABELS[name], options[name]) for name in BY_KEY[page].params]
    bar = make_filter_bar(page, years, regions, state, extra, clear_id, unit, notices)
    return html.Div(header + [bar, *body])


def make_page_heading(title: str) -> html.H1:
    """The page's one <h1>."""
    return html.H1(title, className="page-title")


def make_kpi_card(
    title: str, value: str, detail: Sequence | str = "", href: str | None = None, card_id: str | None = None
) -> dbc.Col:
    title_row = [title, html.Span(id=ids.finding_marker(card_id))] if card_id else title
    body = [html.Div(title_row, className="kpi-title"), html.Div(value, className="kpi-value")]
    if detail:
        body.append(html.Div(detail, className="kpi-detail"))
    if href:
        body.append(dcc.Link("查看详情 →", href=href, className="kpi-link stretched-link"))
    kwargs = {"id": card_id} if card_id else {}
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="kpi-card h-100", **kwargs), xs=12, sm=6, xl=3, className="mb-3"
    )


def make_chart_card(
    title: str, graph_id: str, filename: str, hint: str = "", choices: tuple[str, str, Sequence[str]] | None = None
) -> dbc.Card:
    """A chart with its explanation beneath; the explanation is also the chart's accessible description.

    `choices` (page, filter name, values): buttons that do what clicking the chart's bars or
    slices does, for the keyboard and screen readers (routing.register_choices keeps them pressed)."""
    header = [html.Span(title, id=ids.chart_title(graph_id), className="fw-semibold")]
    if hint:
        header.append(html.Span(hint, className="small text-muted ms-2 no-print"))
    header.append(html.Span(id=ids.finding_marker(graph_id)))
    body = ([make_choice_buttons(title, graph_id, *choices)] if choices else []) + described_graph(
        graph_id, title, filename
    )
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className="mb-3 chart-card")


def make_choice_buttons(title: str, graph_id: str, page: str, name: str, values: Sequence[str]) -> html.Div:
    filter_id = ids.page_filter(page, name)
    label = FILTER_LABELS[name]
    buttons = [
        html.Button(
            v,
            id=ids.chart_choice(graph_id, filter_id, v),
            type="button",
            className="chart-choice",
            **{"aria-pressed": "false"},
        )
        for v in values
    ]
    return html.Div(
        [html.Span(f"按{label}筛选：", className="chart-choices-label", **{"aria-hidden": "true"}), *buttons],
        role="group",
        className="chart-choices no-print",
        **{"aria-label": f"{title}：按{label}筛选，与点击图形相同"},
    )


def described_graph(graph_id: str, title: str, filename: str, figure=None) -> list:
    """The graph, the sentences beneath it that describe it (filled by the page's callback) and
    its 数据表 (built in the browser from the drawn figure when opened: assets/chart-table.js).
    A chart card's graph is named by the card's title (ids.chart_title), which a view may redraw."""
    if figure is None:
        graph = dcc.Graph(id=graph_id, config=graph_config(filename))
        named = {"aria-labelledby": ids.chart_title(graph_id), "aria-describedby": ids.caption(graph_id)}
        described = [
            html.Div(graph, role="figure", **named),
            html.Div(id=ids.caption(graph_id), className="chart-caption"),
        ]
    else:  # drawn in a callback, without sentences
        graph = dcc.Graph(id=graph_id, figure=figure, config=graph_config(filename))
        described = [html.Div(graph, role="figure", **{"aria-label": title})]
    return described + [data_table(graph_id)]


def data_table(graph_id: str) -> html.Details:
    """A chart's 数据表, closed; assets/chart-table.js builds it from the drawn figure when opened."""
    return html.Details(
        [
            html.Summary("数据表", className="chart-table-toggle"),
            html.Div(id=ids.chart_table(graph_id), className="chart-table-box"),
        ],
        className="chart-table no-print",
    )


def make_caption(sentences: Sequence[str]) -> list:
    return [html.P(s, className="mb-1") for s in sentences]


def make_graph(graph_id: str, figure, filename: str, title: str) -> dbc.Card:
    """A chart made inside a callback (comparisons and trends), with its 数据表."""
    return dbc.Card(
        [
            dbc.CardHeader(title, className="fw-semibold"),
            dbc.CardBody(described_graph(graph_id, title, filename, figure)),
        ],
        className="mb-3 chart-card",
    )


EMPTY_FIGURE = {"data": [], "layout": {}}  # an empty slot's: nothing to draw
SLOT, SLOT_EMPTY = "chart-slot", "chart-slot chart-slot-empty"  # assets/app.css folds the empty one away


def chart_slot(graph_id: str) -> html.Div:
    """A region comparison or trend (a page's trend_charts): its card stays on the page, folded away
    while the view has none, so that a filter change redraws it in place (Plotly.react, not a new
    plot) and only when its own figure changed (routing.register_view sends only changed outputs).
    Folded, not display:none: a graph drawn in a box of no size keeps no size when shown.

    Its config never changes (a new config makes Plotly plot anew): the PNG's file name travels in
    the figure (layout.meta.filename, read by assets/chart-image.js), and the figure is named by
    the card's title (aria-labelledby), which the view fills."""
    graph = dcc.Graph(id=graph_id, figure=EMPTY_FIGURE, config=graph_config("图表"))
    named = {"aria-labelledby": ids.chart_title(graph_id)}
    body = [html.Div(graph, id=ids.chart_figure(graph_id), role="figure", **named), data_table(graph_id)]
    card = dbc.Card(
        [dbc.CardHeader(id=ids.chart_title(graph_id), className="fw-semibold"), dbc.CardBody(body)],
        className="mb-3 chart-card",
    )
    return html.Div(card, id=ids.chart_slot(graph_id), className=SLOT_EMPTY)


def chart_slot_outputs(slots: Mapping[str, str]) -> dict[str, Output]:
    """A page's OUTPUTS for its chart slots ({output name: graph id})."""
    out = {}
    for name, graph_id in slots.items():
        out |= {
            name: Output(graph_id, "figure"),
            f"{name}_title": Output(ids.chart_title(graph_id), "children"),
            f"{name}_slot": Output(ids.chart_slot(graph_id), "className"),
        }
    return out


def chart_slot_values(slots: Mapping[str, str], charts: Sequence[tuple]) -> dict:
    """What the slots show for a view's (graph id, figure, file name, title) charts; a slot whose
    chart the view has not is emptied and folded away."""
    by_id = {chart[0]: chart for chart in charts}
    out = {}
    for name, graph_id in slots.items():
        if graph_id in by_id:
            _, figure, filename, title = by_id[graph_id]
            figure = figure.copy().update_layout(meta={"filename": file_stem(filename)})
            out |= {name: figure, f"{name}_title": title, f"{name}_slot": SLOT}
        else:
            out |= {name: EMPTY_FIGURE, f"{name}_title": "", f"{name}_slot": SLOT_EMPTY}
    return out


def make_empty_state(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="light", className="empty-state text-center text-muted my-3")


def make_indicator_cards(rows: pd.DataFrame, unit: str | None = None) -> list:
    """Headline figures as cards, in file order, as printed; a missing value says so; money in
    `unit` when the viewer chose one."""
    return [
        make_kpi_card(r["indicator"], card_text(indicator_figure(r, unit)), r.get("note") or "")
        for r in rows.to_dict("records")
    ]


def section_rows(dataset: Dataset, name: str, section: str, year, region) -> pd.DataFrame:
    """indicators.csv or notes.csv rows of one section (转移支付 · 政府债务 · 绩效管理) for the view."""
    frame = dataset.frame(name)
    return select(frame[frame["section"] == section], year, region)


def make_section_extras(dataset: Dataset, section: str, year, region, unit: str | None = None) -> list:
    """The section's headline indicators and narrative notes, when the data has any."""
    indicators = section_rows(dataset, "indicators", section, year, region)
    rows = [dbc.Row(make_indicator_cards(indicators, unit))] if len(indicators) else []
    return rows + make_notes_card(section_rows(dataset, "notes", section, year, region))


def make_notes_card(rows: pd.DataFrame, title: str = "文字说明") -> list:
    """Narrative paragraphs as plain text (Dash escapes it: never HTML); nothing when there are none."""
    if rows.empty:
        return []
    paragraphs = [
        html.Div([html.H2(row.title, className="h6 fw-semibold mb-1"), html.P(row.text, className="mb-3 note-text")])
        for row in rows.itertuples()
    ]
    return [dbc.Card([dbc.CardHeader(title, className="fw-semibold"), dbc.CardBody(paragraphs)], className="mb-3")]


