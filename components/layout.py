"""The page shell (navigation, routing, URL sync) and small named layout factories."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, dcc, html
from dash.dependencies import DashDependency
from dash.exceptions import PreventUpdate
from flask import jsonify

from components import checks, ids
from components.data import SCHEMAS, Dataset, DataSource, Problem
from components.figures import card_text
from components.filters import select
from components.pages import BY_KEY, BY_PATH, EXPORTS, FILTER_LABELS, PAGES, PRESENT_PATH
from components.sections.performance import indicator_figure
from components.state import ViewState
from components.theme import AS_PRINTED, UNITS, fmt_datetime, graph_config

TITLE = "财政预算公开看板"
POLL_MS = 2000  # how often an open page asks whether the data changed (a tiny GET)
VERSION_ROUTE = "/_data-version"


def make_navbar() -> dbc.Navbar:
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


def client_config(app) -> dict:
    """What the shell's clientside functions (assets/clientside.js) need to know of the app."""
    return {
        "version_url": app.get_relative_path(VERSION_ROUTE),
        "page_paths": [page.path for page in PAGES],
        "filtered": [page.path for page in PAGES if page.filtered],  # the pages that take year, region and unit
        "page_keys": {page.path: page.key for page in PAGES},
        "export_paths": [path for path, _ in EXPORTS.values()],
        "present": PRESENT_PATH,
    }


def make_shell(config: Mapping | None = None) -> html.Div:
    """`config`: the values the clientside functions read (client_config and the sections' own)."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.CLIENT_CONFIG, data=dict(config or {})),
            dcc.Store(id=ids.LAST_QUERY),
            dcc.Interval(id=ids.DATA_POLL, interval=POLL_MS),
            dcc.Store(id=ids.RENDERED_VERSION),
            dcc.Store(id=ids.DATA_CHANGED),
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
    state: ViewState,
    extra: Sequence[tuple[str, str, list[str]]] = (),
    clear_id: str | None = None,
    unit: str | None = None,
    notices: Sequence[str] = (),
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
    bar += [dbc.Alert(n, color="warning", className="py-1 my-1 small") for n in notices]
    bar.append(dcc.Store(id=ids.query_store(page)))
    bar.append(dcc.Store(id=ids.page_data(page)))
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
    header = [html.H2(title, className="page-title")]
    if not years:
        return html.Div(header + [make_empty_state(empty)])
    state, notices = view
    extra = [(name, FILTER_LABELS[name], options[name]) for name in BY_KEY[page].params]
    bar = make_filter_bar(page, years, regions, state, extra, clear_id, unit, notices)
    return html.Div(header + [bar, *body])


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


def make_chart_card(title: str, graph_id: str, filename: str, hint: str = "") -> dbc.Card:
    """A chart with its explanation beneath; the explanation is also the chart's accessible description."""
    header = [html.Span(title, className="fw-semibold")]
    if hint:
        header.append(html.Span(hint, className="small text-muted ms-2 no-print"))
    header.append(html.Span(id=ids.finding_marker(graph_id)))
    return dbc.Card(
        [dbc.CardHeader(header), dbc.CardBody(described_graph(graph_id, title, filename))],
        className="mb-3 chart-card",
    )


def described_graph(graph_id: str, title: str, filename: str) -> list:
    """The graph and the sentences beneath it that describe it (filled by the page's callback)."""
    return [
        html.Div(
            dcc.Graph(id=graph_id, config=graph_config(filename)),
            role="figure",
            **{"aria-label": title, "aria-describedby": ids.caption(graph_id)},
        ),
        html.Div(id=ids.caption(graph_id), className="chart-caption"),
    ]


def make_caption(sentences: Sequence[str]) -> list:
    return [html.P(s, className="mb-1") for s in sentences]


def make_graph(graph_id: str, figure, filename: str, title: str) -> dbc.Card:
    """A chart made inside a callback (comparisons and trends)."""
    graph = dcc.Graph(id=graph_id, figure=figure, config=graph_config(filename))
    return dbc.Card(
        [
            dbc.CardHeader(title, className="fw-semibold"),
            dbc.CardBody(html.Div(graph, role="figure", **{"aria-label": title})),
        ],
        className="mb-3 chart-card",
    )


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
        html.Div([html.H6(row.title, className="fw-semibold mb-1"), html.P(row.text, className="mb-3 note-text")])
        for row in rows.itertuples()
    ]
    return [dbc.Card([dbc.CardHeader(title, className="fw-semibold"), dbc.CardBody(paragraphs)], className="mb-3")]


def make_data_banner(dataset: Dataset) -> list:
    """Which files were left out and why; which replaced files were rejected."""
    alerts = []
    for state in dataset.files.values():
        if state.notice:  # a newer version held back: it looks cut short
            alerts.append(
                dbc.Alert(f"{state.schema.file}（{state.schema.label}）的{state.notice}", color="warning", className="data-held")
            )
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


def page_frames(dataset: Dataset, page: str) -> dict[str, pd.DataFrame]:
    """The rows a page shows, per file (indicators.csv and notes.csv: its section's rows only)."""
    section = BY_KEY[page].section
    frames = {name: dataset.frame(name) for name in BY_KEY[page].files}
    if section:
        for name in ("indicators", "notes"):
            rows = dataset.frame(name)
            rows = rows[rows["section"] == section]
            if len(rows):
                frames[name] = rows
    return frames


def described(dataset: Dataset, sources) -> list[str]:
    """Each source document with its 发布机关 and 发布日期 as sources.csv gives them (only what it states)."""
    known = {row["source"]: row for row in dataset.frame("sources").to_dict("records")}
    out = []
    for source in sources:
        row = known.get(source, {})
        date = row.get("published_text") or row.get("published") or ""
        said = [x for x in (row.get("publisher") or "", f"{date}发布" if date else "") if x]
        out.append(source + (f"（{'，'.join(said)}）" if said else ""))
    return out


def make_footer(dataset: Dataset, page: str = "overview") -> html.Footer:
    """When the page's own files were last changed and which documents its rows cite."""
    if not BY_KEY[page].filtered:
        text = "上传的文件只用于本次检查：不保存，也不改变看板正在使用的数据。"
        return html.Footer(html.Small(text, className="text-muted"), className="mt-4 page-footer")
    frames = page_frames(dataset, page)
    states = [dataset.files[name] for name in frames]
    updated = max((s.modified for s in states if s.modified is not None and s.status != "rejected"), default=None)
    sources = dict.fromkeys(s for frame in frames.values() for s in frame["source"].unique() if s)  # first-seen order
    parts = [f"数据文件修改时间：{fmt_datetime(updated)}" if updated else "数据文件修改时间：无数据文件"]
    if sources:
        parts.append("来源：" + "；".join(described(dataset, sources)))
    return html.Footer(html.Small(" ｜ ".join(parts), className="text-muted"), className="mt-4 page-footer")


# ---------------------------------------------------------------- checks of the published figures


def make_finding_marker(target: str, findings: Sequence[Problem]) -> list:
    """A small warning beside a card or chart; hovering, focusing or tapping it explains (as text)."""
    if not findings:
        return []
    badge = ids.finding_badge(target)
    count = f" {len(findings)} 处" if len(findings) > 1 else ""
    return [
        html.Button(
            f"⚠ 数字不一致{count}",
            id=badge,
            type="button",
            className="finding-marker",
            title="数据核验：点击或悬停查看",
        ),
        dbc.Popover(
            [
                dbc.PopoverHeader("数据核验：文件所列数字之间不一致"),
                dbc.PopoverBody(
                    [
                        html.Ul([html.Li(str(f)) for f in findings], className="mb-1 ps-3"),
                        html.Div("已考虑四舍五入；数据照常显示，请核对原文件。", className="text-muted"),
                    ]
                ),
            ],
            target=badge,
            trigger="hover focus",
            placement="bottom",
            className="finding-popover",
        ),
    ]


def page_findings(dataset: Dataset, page: str) -> tuple[list[Problem], list[Problem]]:
    """(findings, loader warnings) about the files a page shows."""
    files = {dataset.names.get(n, SCHEMAS[n].file) for n in page_frames(dataset, page)}
    findings = [f for f in checks.findings(dataset) if page == "overview" or f.section == page]
    return findings, [w for w in dataset.warnings if w.file in files]


def make_findings_panel(dataset: Dataset, page: str) -> html.Details:
    """数据核验: every finding about the page's files, with file and line; collapsed to one line."""
    findings, warnings = page_findings(dataset, page)
    checked = "；".join(text for key, text in checks.CHECKED.items() if page == "overview" or key == page)
    said = f"发现 {len(findings)} 处数字不一致" if findings else "未发现数字不一致"
    summary = [f"数据核验：{said}", html.Span("（点击展开）", className="expand-hint")]
    body = [
        html.P(
            f"核对内容：{checked}。比较时考虑了四舍五入：只有原文件的数字无论怎样舍入都对不上时才列出。",
            className="small",
        )
    ]
    if findings:
        body.append(make_problem_table(findings))
    if warnings:
        body += [html.Div("文件提示", className="fw-semibold small mt-2"), make_problem_table(warnings)]
    return html.Details(
        [html.Summary(summary, className="card-header"), html.Div(body, className="card-body")],
        id=ids.FINDINGS_PANEL,
        className="card mb-3 findings-panel" + (" has-findings" if findings else ""),
    )


def make_problem_table(problems: Sequence[Problem], with_file: bool = True) -> dbc.Table:
    """(File,) line, column and message per problem, as plain text."""
    rows = [
        html.Tr(
            ([html.Td(p.file)] if with_file else [])
            + [
                html.Td("、".join(map(str, getattr(p, "lines", ()) or ([p.line] if p.line else []))) or "—"),
                html.Td(p.column or "—"),
                html.Td(p.message),
            ]
        )
        for p in problems
    ]
    heads = (["文件"] if with_file else []) + ["行", "列", "说明"]
    head = html.Thead(html.Tr([html.Th(h) for h in heads]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", bordered=False, responsive=True, className="problem-table")


# ---------------------------------------------------------------- routing


def register_view(app, source: DataSource, page: str, outputs: Mapping[str, DashDependency], view: Callable) -> None:
    """A page's one drawing callback: its filters (pages.Page) → a ViewState → `view(dataset, state)`,
    a dict keyed like `outputs` plus "query", the view's URL query. Remembered per snapshot and view."""
    f = lambda name: Input(ids.page_filter(page, name), "value")  # noqa: E731
    names = ("year", "region", "unit", *BY_KEY[page].params)
    inputs = {name: f(name) for name in names} | {"data_changed": Input(ids.page_data(page), "data")}

    @app.callback(output={**outputs, "query": Output(ids.query_store(page), "data")}, inputs=inputs)
    def update(year, region, unit, data_changed, **picks):
        return source.get().cached(view, ViewState.of(page, year, region, unit, **picks))


def register_callbacks(app, source: DataSource, pages: dict[str, Callable[[Dataset, str], object]]) -> None:
    """Render the page for the path; keep the URL, the nav links and the page in step.

    `pages` maps a page key (and "present") to its layout factory (dataset, search) -> component.
    """

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.RENDERED_VERSION, "data"),
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
        dataset = source.get()
        return render(dataset, pathname, search, pages), dataset.version

    @app.callback(
        Output(ids.DATA_BANNER, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.query_store(ALL), "data"),
        Input(ids.DATA_CHANGED, "data"),
    )
    def data_banner(path, _queries, _changed):
        # Redrawn with every view change, so a file fixed or broken meanwhile is reported at once.
        # Not on 数据检查: there it would read as a verdict on the upload.
        page = BY_PATH.get(path or "/")
        if page is None or not page.filtered:
            return []
        return make_data_banner(source.get())

    def data_version():
        response = jsonify(version=source.get().version)
        response.headers["Cache-Control"] = "no-store"
        return response

    # A GET of a few bytes rather than a callback: cheap for many open pages, and it
    # leaves the page alone unless the data really changed. Several workers agree on
    # the version (see DataSource), so a viewer is not sent back and forth.
    app.server.add_url_rule(app.config.routes_pathname_prefix + VERSION_ROUTE.lstrip("/"), view_func=data_version)
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="pollDataVersion"),
        Output(ids.DATA_CHANGED, "data"),
        Input(ids.DATA_POLL, "n_intervals"),
        State(ids.RENDERED_VERSION, "data"),
        State(ids.DATA_CHANGED, "data"),
        State(ids.CLIENT_CONFIG, "data"),
        prevent_initial_call=True,
    )

    # New data redraws the view in place, from the filters on screen: the viewer keeps
    # filters, scroll position and open panels (re-rendering the page would reset them).
    # The page's own callback does the drawing; this only gives it its cue.
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="redrawCue"),
        Output(ids.page_data(ALL), "data"),
        Input(ids.DATA_CHANGED, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.page_end(ALL), "children"),
        Output(ids.RENDERED_VERSION, "data", allow_duplicate=True),
        Input(ids.DATA_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def redraw_page_end(_changed):
        dataset = source.get()
        pages_shown = [o["id"]["page"] for o in ctx.outputs_list[0]]
        return [make_page_end(dataset, page) for page in pages_shown], dataset.version

    # The URL and the nav links follow the page's filter state without a server trip. A
    # filter change pushes a history entry (Back undoes it). When the URL on screen is not
    # the one the page last wrote (opened bare, pasted, Back, a nav link), the normal form
    # replaces it instead, or Back would land on it and be rewritten forever.
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="syncUrl"),
        Output(ids.URL, "search"),
        Output(ids.URL, "href"),
        Output(ids.LAST_QUERY, "data"),
        Output(ids.nav_link(ALL), "href"),
        Output(ids.NAV_BRAND, "href"),
        Output(ids.PRESENT_LINK, "href"),
        *(Output(ids.export_link(kind), "href") for kind in EXPORTS),
        Input(ids.query_store(ALL), "data"),
        State(ids.LAST_QUERY, "data"),
        State(ids.CLIENT_CONFIG, "data"),
        prevent_initial_call=True,
    )


def render(dataset: Dataset, pathname: str | None, search: str | None, pages) -> list:
    if pathname == PRESENT_PATH:
        return [pages["present"](dataset, search or "")]
    page = BY_PATH.get(pathname or "/")
    if page is None:
        return [make_empty_state(f"没有这个页面：{pathname}。请从上方导航进入。")]
    content = pages[page.key](dataset, search or "")
    if not page.filtered:
        return [content, make_footer(dataset, page.key)]
    return [content, html.Div(make_page_end(dataset, page.key), id=ids.page_end(page.key))]


def make_page_end(dataset: Dataset, page: str) -> list:
    return [make_findings_panel(dataset, page), make_footer(dataset, page)]
