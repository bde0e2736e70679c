"""The page shell (navigation, routing, URL sync) and small named layout factories."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from components import ids
from components.dataset import Dataset, DataSource
from components.filters import Resolved, select
from components.theme import UNITS, fmt_datetime, fmt_quantity, graph_config

PAGES = {  # path → (page key, label); report order
    "/": ("overview", "总览"),
    "/transfers": ("transfers", "转移支付"),
    "/debt": ("debt", "政府债务"),
    "/performance": ("performance", "绩效管理"),
}
PATH_OF = {page: path for path, (page, _) in PAGES.items()}
TITLE = "财政预算公开看板"
PRESENT_PATH = "/present"
EXPORTS = {  # kind → (path, label); each takes the page's own query
    "pptx": ("/export/slides.pptx", "演示文稿（PPTX）"),
    "pdf": ("/export/report.pdf", "A4 报告（PDF）"),
    "xlsx": ("/export/data.xlsx", "数据表（Excel）"),
}


def make_navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(label, href=path, id=ids.nav_link(page), active="exact"))
        for path, (page, label) in PAGES.items()
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
    return dbc.Navbar(
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


def make_shell() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LAST_QUERY),
            make_navbar(),
            dbc.Container([html.Div(id=ids.DATA_BANNER), html.Div(id=ids.PAGE)], fluid=True, className="pb-4"),
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
    state: Resolved,
    extra: Sequence[tuple[str, str, list[str]]] = (),
    clear_id: str | None = None,
    unit: str | None = None,
) -> html.Div:
    """年度 and 地区 from the data, the page's own multi-select filters, then the display unit.

    `unit` is the page's own unit, checked when the URL names none (None: each section its own)."""
    cols = [
        make_filter(page, "year", "年度", [{"label": f"{y}年", "value": y} for y in years], state.year),
        make_filter(page, "region", "地区", [{"label": r, "value": r} for r in regions], state.region),
    ]
    for name, label, values in extra:
        cols.append(
            make_filter(
                page, name, label, [{"label": v, "value": v} for v in values], state.filters.get(name, []), multi=True
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
                    options=[{"label": u, "value": u} for u in UNITS],
                    value=state.unit or unit,
                    inline=True,
                    className="unit-switch",
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
    bar += [dbc.Alert(n, color="warning", className="py-1 my-1 small") for n in state.notices]
    bar.append(dcc.Store(id=ids.query_store(page)))
    return html.Div(bar, className="mb-3 no-print-controls")


def make_kpi_card(
    title: str, value: str, detail: Sequence | str = "", href: str | None = None, card_id: str | None = None
) -> dbc.Col:
    body = [html.Div(title, className="kpi-title"), html.Div(value, className="kpi-value")]
    if detail:
        body.append(html.Div(detail, className="kpi-detail"))
    if href:
        body.append(dcc.Link("查看详情 →", href=href, className="kpi-link stretched-link"))
    kwargs = {"id": card_id} if card_id else {}
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="kpi-card h-100", **kwargs), xs=12, sm=6, xl=3, className="mb-3"
    )


def make_chart_card(title: str, graph_id: str, filename: str, hint: str = "") -> dbc.Card:
    """A chart with its explanation beneath; the explanation is also the chart's accessible description."""
    header = [html.Span(title, className="fw-semibold")]
    if hint:
        header.append(html.Span(hint, className="small text-muted ms-2 no-print"))
    return dbc.Card(
        [dbc.CardHeader(header), dbc.CardBody(described_graph(graph_id, title, filename))],
        className="mb-3 chart-card",
    )


def described_graph(graph_id: str, title: str, filename: str, figure=None, sentences: Sequence[str] = ()) -> list:
    graph = dcc.Graph(id=graph_id, config=graph_config(filename), **({"figure": figure} if figure else {}))
    return [
        html.Div(graph, role="figure", **{"aria-label": title, "aria-describedby": ids.caption(graph_id)}),
        html.Div(make_caption(sentences), id=ids.caption(graph_id), className="chart-caption"),
    ]


def make_caption(sentences: Sequence[str]) -> list:
    return [html.P(s, className="mb-1") for s in sentences]


def make_graph(graph_id: str, figure, filename: str, title: str, sentences: Sequence[str] = ()) -> dbc.Card:
    """A chart made inside a callback (comparisons and trends)."""
    return dbc.Card(
        [
            dbc.CardHeader(title, className="fw-semibold"),
            dbc.CardBody(described_graph(graph_id, title, filename, figure, sentences)),
        ],
        className="mb-3 chart-card",
    )


def make_empty_state(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="light", className="empty-state text-center text-muted my-3")


def make_indicator_cards(rows: pd.DataFrame, unit: str = "万元") -> list:
    """Headline figures as cards, in file order; a missing value says so; money in the display unit."""
    return [
        make_kpi_card(row.indicator, fmt_quantity(row.value, row.unit, unit), row.note or "")
        for row in rows.itertuples()
    ]


def section_rows(dataset: Dataset, name: str, section: str, year, region) -> pd.DataFrame:
    """indicators.csv or notes.csv rows of one section (转移支付 · 政府债务 · 绩效管理) for the view."""
    frame = dataset.frame(name)
    return select(frame[frame["section"] == section], year, region)


def make_section_extras(dataset: Dataset, section: str, year, region, unit: str = "万元") -> list:
    """The section's headline indicators and narrative notes, when the data has any."""
    indicators = section_rows(dataset, "indicators", section, year, region)
    rows = [dbc.Row(make_indicator_cards(indicators, unit))] if len(indicators) else []
    return rows + make_notes_card(section_rows(dataset, "notes", section, year, region))


def make_notes_card(rows: pd.DataFrame, title: str = "文字说明") -> list:
    """Narrative paragraphs as plain text (Dash escapes it: never HTML); nothing when there are none."""
    if rows.empty:
        return []
    paragraphs = [
        html.Div([html.H6(row.title, className="fw-semibold mb-1"), html.P(row.text, className="mb-3 note-text")])
        for row in rows.itertuples()
    ]
    return [dbc.Card([dbc.CardHeader(title, className="fw-semibold"), dbc.CardBody(paragraphs)], className="mb-3")]


def make_data_banner(dataset: Dataset) -> list:
    """Which files were left out and why; which replaced files were rejected."""
    alerts = []
    for state in dataset.files.values():
        if state.status not in ("rejected", "stale"):
            continue
        errors = [p for p in dataset.errors if p.file == state.schema.file]
        head = (
            f"{state.schema.file}（{state.schema.label}）未载入：文件有错误，这部分暂不显示。"
            if state.status == "rejected"
            else f"{state.schema.file}（{state.schema.label}）的新版本有错误，仍显示上一版数据。"
        )
        alerts.append(
            dbc.Alert(
                [
                    html.Div(head, className="fw-semibold"),
                    html.Ul(
                        [html.Li(str(p)) for p in errors[:10]]
                        + (
                            [html.Li(f"……另有 {len(errors) - 10} 处错误，运行 python app.py check 查看全部")]
                            if len(errors) > 10
                            else []
                        ),
                        className="mb-0 small",
                    ),
                ],
                color="danger",
                className="data-error",
            )
        )
    return alerts


def make_footer(dataset: Dataset) -> html.Footer:
    sources = dataset.sources()
    loaded = [s for s in dataset.files.values() if s.modified is not None and s.status != "rejected"]
    updated = max((s.modified for s in loaded), default=None)
    parts = [f"数据更新：{fmt_datetime(updated)}" if updated else "数据更新：无数据文件"]
    if sources:
        parts.append("来源：" + "；".join(sources))
    return html.Footer(html.Small(" ｜ ".join(parts), className="text-muted"), className="mt-4 page-footer")


# ---------------------------------------------------------------- routing


def register_callbacks(app, source: DataSource, pages: dict[str, Callable[[Dataset, str], object]]) -> None:
    """Render the page for the path; keep the URL, the nav links and the page in step.

    `pages` maps a page key (and "present") to its layout factory (dataset, search) -> component.
    """

    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        State(ids.LAST_QUERY, "data"),
    )
    def render_page(pathname, search, last_query):
        # The page writes its own filter state into the URL; re-rendering on that
        # echo would reset it. A different search (back button, pasted link) re-renders.
        if (
            ctx.triggered_id == ids.URL
            and ctx.triggered_prop_ids
            and all(k.endswith(".search") for k in ctx.triggered_prop_ids)
            and (search or "").lstrip("?") == (last_query or "")
        ):
            raise PreventUpdate
        return render(source.get(), pathname, search, pages)

    @app.callback(Output(ids.DATA_BANNER, "children"), Input(ids.URL, "pathname"), Input(ids.query_store(ALL), "data"))
    def data_banner(_path, _queries):
        # Redrawn with every view change, so a file fixed or broken meanwhile is reported at once.
        return make_data_banner(source.get())

    # The URL and the nav links follow the page's filter state without a server trip. A
    # filter change pushes a history entry (Back undoes it). When the URL on screen is not
    # the one the page last wrote (opened bare, pasted, Back, a nav link), the normal form
    # replaces it instead, or Back would land on it and be rewritten forever.
    app.clientside_callback(
        """
        function(queries, last) {
            const none = window.dash_clientside.no_update;
            const q = (queries && queries.length) ? queries[0] : null;
            if (q === null || q === undefined) { return Array(N_OUTPUTS).fill(none); }
            const target = q ? '?' + q : '';
            const written = (last === null || last === undefined) ? null : (last ? '?' + last : '');
            if (window.location.search !== written) {
                window.history.replaceState(window.history.state, '',
                                            window.location.pathname + target + window.location.hash);
            }
            const params = new URLSearchParams(q);
            const keep = new URLSearchParams();
            ['year', 'region', 'unit'].forEach(k => { if (params.get(k)) keep.set(k, params.get(k)); });
            const common = keep.toString();
            const hrefs = PAGE_PATHS.map(p => p + (common ? '?' + common : ''));
            // href too: dcc.Location pushes its href prop whenever it differs from the window's.
            const href = window.location.origin + window.location.pathname + target + window.location.hash;
            // Briefing mode starts at this page's section; exports take the whole view.
            const present = new URLSearchParams(q);
            present.set('start', PAGE_KEYS[window.location.pathname] || 'overview');
            const exports = EXPORT_PATHS.map(p => p + target);
            return [target, href, q, hrefs, hrefs[0], PRESENT + '?' + present.toString(), ...exports];
        }
        """.replace("PAGE_PATHS", json.dumps(list(PAGES)))
        .replace("PAGE_KEYS", json.dumps({path: page for path, (page, _) in PAGES.items()}))
        .replace("EXPORT_PATHS", json.dumps([path for path, _ in EXPORTS.values()]))
        .replace("PRESENT", json.dumps(PRESENT_PATH))
        .replace("N_OUTPUTS", str(6 + len(EXPORTS))),
        Output(ids.URL, "search"),
        Output(ids.URL, "href"),
        Output(ids.LAST_QUERY, "data"),
        Output(ids.nav_link(ALL), "href"),
        Output(ids.NAV_BRAND, "href"),
        Output(ids.PRESENT_LINK, "href"),
        *(Output(ids.export_link(kind), "href") for kind in EXPORTS),
        Input(ids.query_store(ALL), "data"),
        State(ids.LAST_QUERY, "data"),
        prevent_initial_call=True,
    )


def render(dataset: Dataset, pathname: str | None, search: str | None, pages) -> list:
    if pathname == PRESENT_PATH:
        return [pages["present"](dataset, search or "")]
    page, _label = PAGES.get(pathname or "/", (None, None))
    if page is None:
        return [make_empty_state(f"没有这个页面：{pathname}。请从上方导航进入。")]
    return [pages[page](dataset, search or ""), make_footer(dataset)]
