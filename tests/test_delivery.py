"""A first visit, in-process: compressed answers are the same bytes, versioned files are cached for
a year and nothing else is, AG Grid's script comes only with a grid, plotly.js from assets/."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import brotli
import pytest

import app as app_module
from components import delivery
from components.theme import graph_config

ROOT = Path(__file__).resolve().parents[1]
BOTH = {"Accept-Encoding": "gzip, br"}
PLOTLY_ASSET = "plotly-finance-4.1.1.min.js"


@pytest.fixture(scope="module")
def client():
    return app_module.create_app(ROOT / "data").server.test_client()


def page_urls(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def router_payload(client, path: str) -> dict:
    """The request the browser sends to render the page at `path` (from the app's own dependencies)."""
    spec = next(d for d in client.get("/_dash-dependencies").get_json() if d["output"].startswith("..page.children"))
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in spec["output"][2:-2].split("...")]
    values = {"route.data": {"path": path, "search": "", "at": 0}}  # as assets/clientside.js route sets it
    items = [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in spec["inputs"]]
    return {
        "output": spec["output"],
        "outputs": outputs,
        "inputs": items,
        "changedPropIds": ["route.data"],
        "state": [{**d, "value": None} for d in spec.get("state", [])],
    }


def same_page(data: bytes) -> bytes:
    """The page without the token Dash writes anew into each copy of it."""
    return re.sub(rb'"end_id":"[^"]*"', b'"end_id":""', data)


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    data = response.get_data()
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda d: d}[encoding](data)


# ---------------------------------------------------------------- compression


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_every_file_of_a_first_visit_decompresses_to_the_same_bytes(client, encoding):
    urls = ["/", "/_dash-layout", "/_dash-dependencies", *page_urls(client)]
    for url in urls:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": encoding})
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain.headers, url
        if len(plain.get_data()) >= 500:  # smaller answers are not worth it
            assert packed.headers["Content-Encoding"] == encoding, url
            assert len(packed.get_data()) < len(plain.get_data()), url
        assert same_page(decoded(packed)) == same_page(plain.get_data()), url
        assert "Accept-Encoding" in packed.headers.get("Vary", ""), url


def test_a_versioned_file_asked_again_is_sent_compressed_the_same(client):
    url = next(u for u in page_urls(client) if "dash_renderer" in u)
    first, again = (client.get(url, headers=BOTH) for _ in range(2))
    assert first.headers["Content-Encoding"] == "br"
    assert first.get_data() == again.get_data()  # the second one from the worker's cache
    assert brotli.decompress(again.get_data()) == client.get(url).get_data()


def test_a_callback_answer_decompresses_to_the_same_json(client):
    body = router_payload(client, "/transfers")
    plain = client.post("/_dash-update-component", json=body)
    packed = client.post("/_dash-update-component", json=body, headers=BOTH)
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "br"
    assert json.loads(decoded(packed)) == plain.get_json()
    assert packed.headers["Cache-Control"] == "no-cache"


def test_the_data_version_poll_still_answers_uncached_json(client):
    response = client.get("/_data-version", headers=BOTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "version" in json.loads(decoded(response))


def test_an_exported_workbook_is_sent_as_it_is(client):
    # XLSX (like PPTX and PDF) is compressed inside already: never compressed twice, HEAD unchanged.
    response = client.get("/export/data.xlsx?year=2023", headers=BOTH)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "Content-Encoding" not in response.headers
    assert response.get_data()[:2] == b"PK"
    assert response.headers["Cache-Control"] == "no-cache"
    head = client.head("/export/data.xlsx?year=2023", headers=BOTH)
    assert head.status_code == 200 and "Content-Encoding" not in head.headers
    assert int(head.headers["Content-Length"]) == len(response.get_data())


# ---------------------------------------------------------------- cache headers


def test_versioned_files_are_cached_for_a_year(client):
    chunks = tuple(delivery.CHUNKS)  # named by dcc's own loader: no version in their URL
    versioned = [u for u in page_urls(client) if ("/_dash-component-suites/" in u or "?m=" in u) and not u.endswith(chunks)]
    assert any(PLOTLY_ASSET in u for u in versioned) and any("dash_renderer" in u for u in versioned)
    for url in versioned:
        assert client.get(url, headers=BOTH).headers["Cache-Control"] == delivery.IMMUTABLE, url


def test_the_page_loads_dccs_graph_and_dropdown_chunks_itself(client):
    # Else dcc's loader asks for them only once the page is drawn: a round trip before the first chart.
    page = client.get("/").get_data(as_text=True)
    renderer = page.index("new DashRenderer")
    for chunk in delivery.CHUNKS:
        url = f"/_dash-component-suites/{chunk}"
        assert 0 <= page.find(f'<script src="{url}"></script>') < renderer
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache", url


def test_unversioned_urls_are_asked_again_every_time(client):
    for url in ("/", "/transfers", "/_dash-layout", "/_dash-dependencies", "/assets/app.css"):
        response = client.get(url)
        response.close()  # a file of assets/ is sent from the open file
        assert response.status_code == 200, url
        assert "max-age=31536000" not in response.headers.get("Cache-Control", ""), url
    # Dash's own unversioned plotly.js URL keeps its ETag check, not a year.
    plotly = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js")
    assert plotly.status_code == 200 and "immutable" not in plotly.headers.get("Cache-Control", "")
    assert client.get("/").headers["Cache-Control"] == "no-cache"


def test_a_missing_versioned_file_is_not_cached(client):
    response = client.get("/assets/nothing-here.js?m=1")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_static_cache_keeps_versioned_files_within_its_bytes():
    cache = delivery.StaticCache(limit=10)
    cache.set("br;", b"callback")  # not versioned: never kept
    assert cache.get("br;") is None
    cache.set("br;/a?m=1", b"12345")
    cache.set("br;/b?m=1", b"123456")
    assert cache.get("br;/a?m=1") is None and cache.get("br;/b?m=1") == b"123456"
    assert cache.used == 6


# ---------------------------------------------------------------- scripts a page needs


def test_the_page_loads_no_grid_script_and_no_plotly_of_dash(client):
    urls = page_urls(client)
    assert not [u for u in urls if "ag_grid" in u]
    assert [u for u in urls if PLOTLY_ASSET in u]
    assert not [u for u in urls if "package_data/plotly" in u]


def test_the_page_names_no_dash_table_script_and_no_layout_has_a_data_table(client):
    assert not [u for u in page_urls(client) if "dash_table" in u]
    for path in ("/", "/transfers", "/debt", "/performance", "/check", "/present"):
        answer = client.post("/_dash-update-component", json=router_payload(client, path)).get_json()
        assert '"namespace": "dash_table"' not in json.dumps(answer), path  # nothing would draw it


def test_the_polyfill_is_only_for_browsers_without_modules(client):
    html = client.get("/").get_data(as_text=True)
    tags = [t for t in re.findall(r"<script[^>]*>", html) if "polyfill@" in t]
    assert len(tags) == 1 and 'nomodule=""' in tags[0]
    url = re.search(r'src="([^"]+)"', tags[0]).group(1)
    assert client.get(url).status_code == 200  # still served to the browsers that ask


def test_a_page_with_a_grid_names_the_grid_script_and_others_do_not(client):
    with_grid = client.post("/_dash-update-component", json=router_payload(client, "/performance")).get_json()
    dist = with_grid["dist"]
    assert [d["type"] for d in dist] == ["_js_dist"] and "dash_ag_grid" in dist[0]["url"]
    script = client.get(dist[0]["url"], headers=BOTH)
    assert script.status_code == 200 and script.headers["Cache-Control"] == delivery.IMMUTABLE
    for path in ("/", "/transfers", "/debt"):
        answer = client.post("/_dash-update-component", json=router_payload(client, path)).get_json()
        assert "dist" not in answer, path


def test_the_plotly_bundle_is_plotly_js_4_1_1_with_the_traces_the_dashboard_draws():
    text = (ROOT / "assets" / PLOTLY_ASSET).read_text(encoding="utf-8")
    assert text.startswith("/**\n* plotly.js (finance - minified) v4.1.1")
    assert "Licensed under the MIT license" in text[:300]
    assert (ROOT / "assets" / "LICENSE-plotly.js.txt").read_text().startswith("MIT License")
    for trace in ("bar", "pie", "waterfall", "scatter"):
        assert f'moduleType:"trace",name:"{trace}"' in text, trace


def test_no_asset_names_a_cdn_or_a_cloud_service():
    """Offline meeting rooms: no script, stylesheet or locale in assets/ may point at a CDN or at
    Plotly Cloud (plotly.js's own defaults did: topojsonURL on cdn.plot.ly, plotlyServerURL)."""
    hosts = re.compile(r"https?://[^\s\"'`)]*(?:cdn|cloud\.plotly|jsdelivr|unpkg|googleapis|mapbox)[^\s\"'`)]*", re.I)
    found = {
        path.name: sorted(set(hosts.findall(path.read_text(encoding="utf-8", errors="replace"))))
        for path in (ROOT / "assets").rglob("*")
        if path.is_file() and path.suffix in (".js", ".css", ".json", ".html")
    }
    assert {name: urls for name, urls in found.items() if urls} == {}
    config = graph_config("x")
    assert config["topojsonURL"].startswith("/assets/") and config["plotlyServerURL"] == ""
