"""A first visit arrives drawn (components/boot.py): the page's HTML holds the renderer's layout,
with the page for the URL asked already in it, and its callbacks, exactly as their routes give them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

import app as app_module
from components import ids

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    return app_module.create_app(ROOT / "data").server.test_client()


def boot(client, url: str) -> tuple[dict | None, list | None, str]:
    page = client.get(url).get_data(as_text=True)
    found = {}
    for name in ("layout", "dependencies"):
        m = re.search(rf'<script type="application/json" id="dash-boot-{name}"([^>]*)>(.*?)</script>', page, re.S)
        found[name] = (json.loads(m.group(2)), m.group(1)) if m else (None, "")
    return found["layout"][0], found["dependencies"][0], found["layout"][1] + page


def component(node, component_id, depth=0):
    if depth > 60 or not isinstance(node, dict | list):
        return None
    if isinstance(node, list):
        return next((c for c in (component(n, component_id, depth + 1) for n in node) if c), None)
    props = node.get("props", {})
    if props.get("id") == component_id:
        return node
    return component(props.get("children"), component_id, depth + 1)


def figures(node, depth=0) -> list[dict]:
    if depth > 80 or not isinstance(node, dict | list):
        return []
    if isinstance(node, list):
        return [f for n in node for f in figures(n, depth + 1)]
    props = node.get("props", {})
    own = [props["figure"]] if node.get("type") == "Graph" and props.get("figure") else []
    return own + figures(props.get("children"), depth + 1)


def test_the_html_holds_the_drawn_page_for_its_url(client):
    layout, dependencies, _ = boot(client, "/transfers?unit=%E4%BA%BF%E5%85%83")
    assert dependencies == client.get("/_dash-dependencies").get_json()
    page = component(layout, ids.PAGE)["props"]["children"]
    unit = component(page, ids.page_filter("transfers", "unit"))
    assert unit["props"]["value"] == "亿元"
    drawn = figures(page)
    # The seed's charts with their data, in 亿元 (its one region and year leave the comparison empty).
    bars = next(f for f in drawn if f.get("data") and f["data"][0].get("name") == "上年执行数")
    assert bars["data"][0]["y"] == [0.333, 0.4215, 0.4851]
    assert component(layout, ids.ROUTE)["props"]["data"]["path"] == "/transfers"
    assert component(layout, ids.RENDERED_VERSION)["props"]["data"]
    # Without it, the layout route still gives the empty shell the renderer fills by itself.
    assert component(client.get("/_dash-layout").get_json(), ids.PAGE)["props"].get("children") in (None, [])


def test_the_boot_says_which_path_and_search_it_drew(client):
    _, _, page = boot(client, "/debt?year=2023&unit=%E4%BA%BF%E5%85%83")
    assert 'data-path="/debt"' in page and 'data-search="?year=2023&amp;unit=%E4%BA%BF%E5%85%83"' in page


def test_no_boot_for_a_path_without_a_page_and_the_page_says_so(client):
    layout, dependencies, page = boot(client, "/no-such-page")
    assert layout is None and dependencies is None
    assert "DashRenderer" in page


def test_json_in_the_page_cannot_close_its_script_element(client, tmp_path):
    # A region named with markup reaches the page inside the layout's JSON: it must stay text.
    layout, _, page = boot(client, "/transfers?region=" + "</script><script>alert(1)</script>")
    assert "<script>alert(1)" not in page
    assert layout is not None


def test_a_page_drawn_with_a_grid_brings_the_grid_script_before_the_renderer(client):
    _, _, page = boot(client, "/performance")
    grid = page.find("dash_ag_grid.v")
    if '"namespace":"dash_ag_grid"' not in html.unescape(page) and '"namespace": "dash_ag_grid"' not in page:
        pytest.skip("the seed's performance page shows no grid")
    assert 0 <= grid < page.index("new DashRenderer")
    assert page.index("dash_core_components") < grid  # after React and dcc


def test_a_failing_boot_serves_the_plain_page(client, monkeypatch):
    from components import boot as boot_module

    monkeypatch.setattr(boot_module, "boot_html", lambda *a: 1 / 0)
    app = app_module.create_app(ROOT / "data")
    response = app.server.test_client().get("/transfers")
    assert response.status_code == 200
    assert "DashRenderer" in response.get_data(as_text=True)
    assert "dash-boot-layout" not in response.get_data(as_text=True)
