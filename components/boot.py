"""A first visit arrives drawn: the page's HTML carries the layout of the view its URL asks for.

Dash's page is an empty shell: its renderer boots, asks `/_dash-layout` and `/_dash-dependencies`,
runs the route callback, and only then asks the server for the page (render_page), three round
trips before the first chart. Here the HTML itself holds both answers, the shell with the page,
its footer and its data banner already rendered for the path and query asked (routing.render,
with the view prefilled), and `assets/boot.js` hands them to the renderer in place of the two
requests. The route callback then sees that the page it would ask for is on screen already.

The shell is the same for every path; what is filled differs per request, so nothing here is
remembered but the shell's and the callbacks' JSON. Whatever fails, the page is served without
the boot and the renderer asks as it always did.
"""

from __future__ import annotations

import html as html_text
import json
import logging
from collections.abc import Callable

from dash import Dash
from dash._utils import to_json
from flask import request

from components import ids
from components.data import DataSource
from components.delivery import GRID_LIBRARY, holds_grid
from components.page_end import make_data_banner
from components.pages import BY_PATH, PRESENT_PATH

log = logging.getLogger(__name__)
MAX_DEPTH = 40  # the shell is a few levels deep: the walk stops at a cycle or a surprise


def install(app: Dash, source: DataSource, render: Callable) -> None:
    """Fill the page's HTML for each request. `render(dataset, path, search)` → (page, footer)."""
    plain = app.interpolate_index
    memo: dict[str, str] = {}

    def interpolate_index(**parts):
        try:
            boot, scripts = boot_html(app, source, render, memo)
        except Exception:  # the page still works, one round trip slower: never a broken page
            log.exception("页面预先绘制失败：%s", request.path)
            boot, scripts = "", ""
        return plain(**{**parts, "config": parts.get("config", "") + boot, "scripts": parts.get("scripts", "") + scripts})

    app.interpolate_index = interpolate_index


def boot_html(app: Dash, source: DataSource, render: Callable, memo: dict[str, str]) -> tuple[str, str]:
    """(the two answers as JSON elements, the scripts the drawn page needs beyond the page's own)."""
    prefix = app.config.requests_pathname_prefix
    path = "/" + request.path[len(prefix) :] if request.path.startswith(prefix) else request.path
    if path not in BY_PATH and path != PRESENT_PATH:
        return "", ""  # a path with no page: the renderer's own way says so
    query = request.query_string.decode("utf-8", "replace")
    search = "?" + query if query else ""
    if "shell" not in memo:
        memo["shell"] = to_json(app.layout)
        memo["dependencies"] = to_json(app._callback_list)
    dataset = source.get()
    content, footer = render(dataset, path, search)
    page = BY_PATH.get(path)  # None: briefing mode
    filled = {
        (ids.PAGE, "children"): content,
        (ids.PAGE_FOOTER, "children"): footer,
        (ids.RENDERED_VERSION, "data"): dataset.version,
        (ids.ROUTE, "data"): {"path": path, "search": search, "at": 0},
        # As the browser will say, so that the location's first report is no change.
        (ids.URL, "pathname"): request.path,
        (ids.URL, "search"): search,
        (ids.DATA_BANNER, "children"): make_data_banner(dataset) if page is not None and page.filtered else [],
    }
    shell = json.loads(memo["shell"])
    if _fill(shell, filled) != len(filled):
        return "", ""
    layout = to_json(shell)
    grid = ""
    if holds_grid(layout.encode()):
        # The grid's script is not in the page (delivery.defer_grid_script): a page drawn with a
        # grid brings it, as a callback answer holding one would.
        grid = "".join(f'<script src="{html_text.escape(d["url"])}"></script>' for d in app.get_dist([GRID_LIBRARY]))
    attrs = f'data-path="{html_text.escape(path)}" data-search="{html_text.escape(search)}"'
    return (
        f'<script type="application/json" id="dash-boot-layout" {attrs}>{_safe(layout)}</script>'
        f'<script type="application/json" id="dash-boot-dependencies">{_safe(memo["dependencies"])}</script>'
    ), grid


def _safe(text: str) -> str:
    """JSON inside a <script> element: no "</script>" or "<!--" can end it early."""
    return text.replace("<", "\\u003c")


def _fill(node, filled: dict, depth: int = 0) -> int:
    """Set the props named in `filled` on the shell's components (JSON form); how many were set."""
    if depth > MAX_DEPTH:
        return 0
    if isinstance(node, list):
        return sum(_fill(child, filled, depth + 1) for child in node)
    if not isinstance(node, dict) or "props" not in node:
        return 0
    props = node["props"]
    count = 0
    for (component_id, prop), value in filled.items():
        if props.get("id") == component_id:
            props[prop] = value
            count += 1
    return count + _fill(props.get("children"), filled, depth + 1)
