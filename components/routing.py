"""Routing and URL sync: which page a path shows, each page's one drawing callback, live
data updates, and the URL and links kept in step with the filters on the client."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, html, no_update
from dash.dependencies import DashDependency
from dash.exceptions import PreventUpdate
from flask import jsonify
from plotly.io.json import to_json_plotly

from components import boot, ids
from components.data import Dataset, DataSource
from components.layout import VERSION_ROUTE, make_empty_state
from components.page_end import make_data_banner, make_footer, make_page_end, page_findings
from components.pages import BY_KEY, BY_PATH, EXPORTS, PRESENT_PATH
from components.state import ViewState


def register_view(
    app, source: DataSource, page: str, outputs: Mapping[str, DashDependency], view: Callable, filters=None
) -> None:
    """A page's one drawing callback: its filters (pages.Page) → a ViewState → `view(dataset, state)`,
    a dict keyed like `outputs` plus "query", the view's URL query. Remembered per snapshot and view.
    `filters`: (names, state_of) for a page with filters beyond its params, `state_of(**values)` its
    ViewState; by default year, region, unit and the page's params.

    Only what changed goes back: the page keeps a digest of each output it drew, and an output
    whose digest is the same is not sent or drawn again. The finding markers are asked for only
    where the data has findings for the page (the cue), not after every change. The unit is read,
    not listened to: a pick is drawn in the browser where it can be (register_units)."""
    f = lambda name: Input(ids.page_filter(page, name), "value")  # noqa: E731
    names, state_of = filters or (("year", "region", "unit", *BY_KEY[page].params), partial(ViewState.of, page))
    inputs = {name: f(name) for name in names if name != "unit"} | {
        "data_changed": Input(ids.page_data(page), "data"),
        "asked": Input(ids.unit_asked(page), "data"),
    }
    state = {
        "unit": State(ids.page_filter(page, "unit"), "value"),
        "shown": State(ids.view_digests(page), "data"),
        "cued": State(ids.marker_cue(page), "data"),
    }
    extra = {
        "query": Output(ids.query_store(page), "data"),
        "digests": Output(ids.view_digests(page), "data"),
        "cue": Output(ids.marker_cue(page), "data"),
    }

    def digested(dataset: Dataset, view_state: ViewState) -> tuple[dict, dict]:
        drawn = view(dataset, view_state)
        digests = {k: digest(v) for k, v in drawn.items() if k != "query"}
        return drawn, digests | {STAMP: digest(f"{dataset.version}|{drawn['query']}")}

    def answer(dataset: Dataset, view_state: ViewState, shown, cued) -> dict:
        drawn, digests = dataset.cached(digested, view_state)
        shown = shown if isinstance(shown, dict) else {}
        out = {k: no_update if shown.get(k) == digests[k] else v for k, v in drawn.items() if k != "query"}
        marked = dataset.derived(("has-findings", page), lambda d: bool(page_findings(d, page)[0]))  # once a snapshot
        # Markers are for the year, region and selection, in any unit: a unit pick needs none.
        cue = f"{dataset.version}|{view_state.with_(unit=None).query()}" if marked else dataset.version
        fresh = cue != cued and (cued is not None or "|" in cue)  # markers start empty: nothing to clear
        return out | {"query": drawn["query"], "digests": digests, "cue": cue if fresh else no_update}

    app.server.extensions.setdefault(VIEWS, {})[page] = (names, state_of, outputs, digested)
    drawing = {**outputs, **extra}

    @app.callback(output=drawing, inputs=inputs, state=state)
    def update(data_changed, asked, shown, cued, **values):
        return answer(source.get(), state_of(**values), shown, cued)

    register_units(app, source, page, drawing, (names, state_of), digested, answer)
    register_choices(app, page)


STAMP = "_view"  # in a page's digests: which data version and query it shows (register_units)


def register_units(app, source: DataSource, page: str, outputs: Mapping, filters: tuple, digested, answer) -> None:
    """A unit switch drawn in the browser, with no request at the pick.

    The pointer or focus reaching the switch (assets/clientside.js; on a touch screen, each view
    drawn, since no pointer comes before the tap) asks, once for each view, for
    the view in every other unit the switch offers: each as the drawing callback would answer it
    for the view on screen (only outputs that differ, digests, query, cue), stamped with that view.
    A pick then draws from it when the stamp is the page's (same data version and view drawn) and
    the filters on screen are those it was asked for (not a change whose answer is on its way).
    Else, or if nothing has arrived yet, the pick asks the drawing callback, as any filter would."""
    f = lambda name: State(ids.page_filter(page, name), "value")  # noqa: E731
    names, state_of = filters
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="wantUnits"),
        Output(ids.unit_request(page), "data"),
        Input(ids.unit_intent(page), "data"),
        Input(ids.view_digests(page), "data"),  # a view drawn: on a touch screen, the cue to ask
        State(ids.unit_views(page), "data"),
        State(ids.unit_request(page), "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        output=Output(ids.unit_views(page), "data"),
        inputs={"request": Input(ids.unit_request(page), "data")},
        state={name: f(name) for name in names} | {"cued": State(ids.marker_cue(page), "data")},
        prevent_initial_call=True,
    )
    def other_units(request, cued, **values):
        wanted = [u for u in (request or {}).get("units") or () if u != values["unit"]]
        if not wanted:
            raise PreventUpdate
        dataset = source.get()
        shown = dataset.cached(digested, state_of(**values))[1]  # the view on screen
        views = {}
        for u in wanted:
            got = answer(dataset, state_of(**(values | {"unit": u})), shown, cued)
            views[u] = [None if v is no_update else v for v in (got[k] for k in outputs)]  # None: as on screen
        on_screen = [values[n] for n in names if n != "unit"]  # the browser draws only for these filters
        return {"view": shown[STAMP], "filters": on_screen, "keys": list(outputs), "units": views}

    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="switchUnit"),
        *(Output(o.component_id, o.component_property, allow_duplicate=True) for o in outputs.values()),
        Output(ids.unit_asked(page), "data"),
        Input(ids.page_filter(page, "unit"), "value"),
        State(ids.unit_views(page), "data"),
        State(ids.view_digests(page), "data"),
        State(ids.unit_asked(page), "data"),
        *(f(name) for name in names if name != "unit"),
        prevent_initial_call=True,
    )


VIEWS = "dashboard-views"  # app.server.extensions[VIEWS][page]: what render() needs to draw a view in the page


def prefill(
    content, dataset: Dataset, page: str, names: tuple, state_of, outputs: Mapping[str, DashDependency], digested
):
    """The page as its drawing callback would leave it, for the view its filters show: its charts,
    sentences and tables in the layout itself, so the first chart is drawn with the page, one round
    trip sooner. The digests say so, and the callback's first call then sends nothing to draw."""
    found: dict = {}
    _index(content, found)
    filters = [found.get(_key(ids.page_filter(page, name))) for name in names]
    if any(f is None for f in filters):
        return content
    values = dict(zip(names, (f.value for f in filters), strict=True))
    drawn, digests = dataset.cached(digested, state_of(**values))
    shown = {}
    for name, output in outputs.items():
        target = found.get(_key(output.component_id))
        if target is not None:
            setattr(target, output.component_property, drawn[name])
            shown[name] = digests[name]
    found[_key(ids.view_digests(page))].data = shown | {STAMP: digests[STAMP]}
    return content


def _key(component_id):
    """A component id as a dict key (a pattern-matching id is a dict)."""
    return tuple(sorted(component_id.items())) if isinstance(component_id, dict) else component_id


def _index(node, found: dict, depth: int = 0) -> None:
    """Components of a layout by id (a layout is a few levels deep; the bound stops a cycle)."""
    if depth > 60:
        return
    if isinstance(node, list | tuple):
        for child in node:
            _index(child, found, depth + 1)
        return
    if not hasattr(node, "to_plotly_json"):
        return
    component_id = getattr(node, "id", None)
    if component_id is not None:
        found[_key(component_id)] = node
    _index(getattr(node, "children", None), found, depth + 1)


def digest(value) -> str:
    """What Dash would send for an output, hashed: equal digests, equal drawing."""
    return hashlib.blake2b(to_json_plotly(value).encode(), digest_size=8).hexdigest()


def register_choices(app, page: str) -> None:
    """The buttons beside a chart (layout.make_choice_buttons) show which values its filter holds."""
    for name in BY_KEY[page].params:
        filter_id = ids.page_filter(page, name)
        app.clientside_callback(
            ClientsideFunction(namespace="dashboard", function_name="pressedChoices"),
            Output(ids.chart_choice(ALL, filter_id, ALL), "aria-pressed"),
            Input(filter_id, "value"),
        )


@dataclass(frozen=True)
class CrossFilter:
    """A page's cross-filter, run in the browser (assets/clientside.js crossFilter): a click on a
    chart's mark, or a button beside it (layout.make_choice_buttons), selects only that value of the
    chart's filter, or clears it when it was the selection; the clear button empties every filter.
    `charts`: graph id → (filter name, where the value is in a clicked point, values that are none,
    such as the waterfall's two totals). One request fewer than a server callback: the filter's
    change is the page's only request."""

    page: str
    filters: tuple[str, ...]
    clear: str
    charts: Mapping[str, tuple[str, tuple[str | int, ...], tuple[str, ...]]]

    def spec(self) -> dict:
        f = lambda name: ids.page_filter(self.page, name)  # noqa: E731
        charts = {g: {"filter": f(n), "point": list(at), "none": list(no)} for g, (n, at, no) in self.charts.items()}
        return {"clear": self.clear, "charts": charts}


def cross_filter_config(*filters: CrossFilter) -> dict:
    """What crossFilter reads of each page's, keyed by the first filter it sets."""
    return {"cross_filters": {ids.page_filter(c.page, c.filters[0]): c.spec() for c in filters}}


def register_cross_filter(app, cross: CrossFilter) -> None:
    f = lambda name: ids.page_filter(cross.page, name)  # noqa: E731
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="crossFilter"),
        [Output(f(name), "value") for name in cross.filters],
        *(Input(graph_id, "clickData") for graph_id in cross.charts),
        Input(cross.clear, "n_clicks"),
        *(Input(ids.chart_choice(ALL, f(name), ALL), "n_clicks") for name in cross.filters),
        *(State(f(name), "value") for name in cross.filters),
        State(ids.CLIENT_CONFIG, "data"),
        prevent_initial_call=True,
    )


def register_callbacks(app, source: DataSource, pages: dict[str, Callable[[Dataset, str], object]]) -> None:
    """Render the page for the path; keep the URL, the nav links and the page in step.

    `pages` maps a page key (and "present") to its layout factory (dataset, search) -> component.
    """

    # The page writes its own filter state into the URL; re-rendering on that echo would reset
    # it, so the route changes only for another path or a search the page did not write (Back,
    # a pasted link). Decided in the browser: an echo costs no request.
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="route"),
        Output(ids.ROUTE, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        State(ids.LAST_QUERY, "data"),
    )

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.PAGE_FOOTER, "children"),
        Output(ids.RENDERED_VERSION, "data"),
        Input(ids.ROUTE, "data"),
        prevent_initial_call=True,  # the page arrives drawn (boot.py), or the route's first answer asks
    )
    def render_page(route):
        if not isinstance(route, dict):
            raise PreventUpdate
        dataset = source.get()
        views = app.server.extensions.get(VIEWS, {})
        return *render(dataset, route.get("path"), route.get("search"), pages, views), dataset.version

    boot.install(app, source, lambda dataset, path, search: render(dataset, path, search, pages, app.server.extensions.get(VIEWS)))

    @app.callback(
        Output(ids.DATA_BANNER, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.DATA_CHANGED, "data"),
    )
    def data_banner(path, _changed):
        # Redrawn with each page and each data change (the poll notices a file fixed or broken).
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
        Output(ids.page_footer(ALL), "children"),
        Output(ids.RENDERED_VERSION, "data", allow_duplicate=True),
        Input(ids.DATA_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def redraw_page_end(_changed):
        dataset = source.get()
        pages_shown = [o["id"]["page"] for o in ctx.outputs_list[0]]
        ends = [make_page_end(dataset, page) for page in pages_shown]
        return ends, [make_footer(dataset, page) for page in pages_shown], dataset.version

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

    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="pageTitle"),
        Output(ids.DOC_TITLE, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        Input(ids.query_store(ALL), "data"),
        State(ids.CLIENT_CONFIG, "data"),
    )


def render(dataset: Dataset, pathname: str | None, search: str | None, pages, views=None) -> tuple[list, list]:
    """(the main content, the footer that follows the main landmark) of a path; a filtered page
    drawn for its view when `views` (register_view's) has it."""
    if pathname == PRESENT_PATH:
        return [pages["present"](dataset, search or "")], []
    page = BY_PATH.get(pathname or "/")
    if page is None:
        return [make_empty_state(f"没有这个页面：{pathname}。请从上方导航进入。")], []
    content = pages[page.key](dataset, search or "")
    if page.key in (views or {}):
        content = prefill(content, dataset, page.key, *views[page.key])
    if not page.filtered:
        return [content], [make_footer(dataset, page.key)]
    end = html.Div(make_page_end(dataset, page.key), id=ids.page_end(page.key))
    return [content, end], [html.Div(make_footer(dataset, page.key), id=ids.page_footer(page.key))]
