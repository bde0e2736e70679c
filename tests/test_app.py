"""The app as a whole, without a browser: the check command, routing, serving."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import app as app_module
from components import datacheck, page_end, routing
from components.data import load_folder
from components.pages import PAGES
from tests.test_delivery import router_payload

ROOT = Path(__file__).resolve().parents[1]


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "check", *args], capture_output=True, text=True, timeout=60, cwd="/"
    )


def test_check_passes_on_the_seed_data_from_any_working_directory():
    result = run_check()
    assert result.returncode == 0, result.stdout
    assert "transfers.csv" in result.stdout and "5 行" in result.stdout


def test_check_fails_with_file_line_and_column(tmp_path):
    (tmp_path / "debt.csv").write_text(
        "年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n2022,A,专项债务,五十\n", encoding="utf-8"
    )
    result = run_check(str(tmp_path))
    assert result.returncode == 1
    assert "debt.csv 第3行 「余额」列" in result.stdout and "五十" in result.stdout


def test_check_passes_with_warnings_only(tmp_path):
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,余额,备注\n2022,A,一般债务,4.5,x\n", encoding="utf-8")
    result = run_check(str(tmp_path))
    assert result.returncode == 0 and "备注" in result.stdout


def test_check_on_a_missing_folder_fails(tmp_path):
    assert run_check(str(tmp_path / "nope")).returncode == 1


def test_importing_app_has_no_side_effects_and_gunicorn_gets_a_server(monkeypatch, tmp_path):
    assert "server" not in vars(app_module)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    server = app_module.server
    assert server.name and server.debug is False


def test_pages_are_served_with_security_headers_and_no_debugger():
    dash_app = app_module.create_app(ROOT / "data")
    client = dash_app.server.test_client()
    response = client.get("/debt?year=2022")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "/assets/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    assert not dash_app.server.debug


def test_router_renders_each_page_and_an_unknown_path_politely():
    dataset = load_folder(ROOT / "data")
    pages = {name: module.layout for name, module in app_module.SECTIONS.items()}
    for page in PAGES:
        _content, footer = routing.render(dataset, page.path, "", pages)
        assert "page-footer" in json.dumps(footer[-1].to_plotly_json(), default=lambda c: c.to_plotly_json())
    missing, _footer = routing.render(dataset, "/nowhere", "", pages)
    assert "没有这个页面" in json.dumps(missing[0].to_plotly_json(), ensure_ascii=False, default=str)


def test_data_banner_names_the_rejected_file_and_line(tmp_path):
    (tmp_path / "transfers.csv").write_text("年度,地区,类别,预算数\n2023,A,税收返还,x\n", encoding="utf-8")
    banner = page_end.make_data_banner(load_folder(tmp_path))
    text = json.dumps([b.to_plotly_json() for b in banner], ensure_ascii=False, default=str)
    assert "transfers.csv" in text and "第2行" in text and "预算数" in text


def view_request(callback: dict, values: dict, shown: dict | None = None) -> dict:
    """The body the browser sends for a page's view callback, built from the app's own dependency list;
    `shown`: the digests of what the page drew last (None: nothing drawn yet)."""
    outputs = callback["output"].strip(".").split("...")
    return {
        "output": callback["output"],
        "outputs": [
            {
                "id": json.loads(o.rsplit(".", 1)[0]) if o.startswith("{") else o.rsplit(".", 1)[0],
                "property": o.rsplit(".", 1)[1],
            }
            for o in outputs
        ],
        "inputs": [{**i, "value": values.get(i["id"])} for i in callback["inputs"]],
        "changedPropIds": ["transfers-category.value"],
        "state": [{**s, "value": shown if "view-digests" in s["id"] else None} for s in callback["state"]],
    }


def test_a_callback_over_http_returns_the_filtered_figure():
    dash_app = app_module.create_app(ROOT / "data")
    client = dash_app.server.test_client()
    callback = next(c for c in client.get("/_dash-dependencies").get_json() if "transfers-bars.figure" in c["output"])
    values = {"transfers-year": 2023, "transfers-region": "株洲经开区", "transfers-category": ["专项转移支付"]}
    response = client.post("/_dash-update-component", json=view_request(callback, values))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_json()["response"]
    bars = body["transfers-bars"]["figure"]["data"]
    assert bars[0]["x"] == ["专项转移支付"]


def test_a_filter_change_sends_only_the_outputs_that_changed():
    client = app_module.create_app(ROOT / "data").server.test_client()
    callback = next(c for c in client.get("/_dash-dependencies").get_json() if "transfers-bars.figure" in c["output"])
    digests_id = next(s["id"] for s in callback["state"] if "view-digests" in s["id"])

    def ask(category: list[str], shown: dict | None) -> dict:
        values = {"transfers-year": 2023, "transfers-region": "株洲经开区", "transfers-category": category}
        response = client.post("/_dash-update-component", json=view_request(callback, values, shown))
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.get_json()["response"]

    first = ask([], None)
    assert {"transfers-bars", "transfers-waterfall", "transfers-kpis", "transfers-extra"} <= set(first)
    digests = first[digests_id]["data"]
    drawn = {"transfers-bars", "transfers-waterfall", "transfers-kpis", "transfers-table"}
    assert set(ask([], digests)).isdisjoint(drawn)  # the same view again: nothing is sent to draw
    picked = ask(["专项转移支付"], digests)
    assert {"transfers-bars", "transfers-waterfall", "transfers-kpis"} <= set(picked)  # redrawn for the pick
    assert "transfers-extra" not in picked  # the same indicator cards: not sent, not drawn again


def in_layout(node, component_id):
    """The props of the component with this id in a layout as Dash sends it (JSON)."""
    if isinstance(node, list):
        return next((found for child in node if (found := in_layout(child, component_id)) is not None), None)
    if not isinstance(node, dict) or "props" not in node:
        return None
    if node["props"].get("id") == component_id:
        return node["props"]
    return in_layout(node["props"].get("children"), component_id)


def test_a_page_arrives_drawn_and_its_first_view_call_sends_nothing_to_draw():
    """The first chart is drawn with the page, one round trip sooner: render_page carries the view."""
    client = app_module.create_app(ROOT / "data").server.test_client()
    answer = client.post("/_dash-update-component", json=router_payload(client, "/transfers")).get_json()["response"]
    page = answer["page"]["children"]
    bars = in_layout(page, "transfers-bars")["figure"]
    assert {t["name"] for t in bars["data"]} >= {"预算数", "上年执行数"}
    assert "4,215 万元（计算值）" in json.dumps(bars, ensure_ascii=False)  # the view's figure, hover text and all
    assert "一般性转移支付" in json.dumps(in_layout(page, "transfers-table"), ensure_ascii=False)
    callback = next(c for c in client.get("/_dash-dependencies").get_json() if "transfers-bars.figure" in c["output"])
    digests_id = next(s["id"] for s in callback["state"] if "view-digests" in s["id"])
    shown = in_layout(page, json.loads(digests_id))["data"]
    values = {"transfers-year": 2023, "transfers-region": "株洲经开区", "transfers-category": []}
    values["transfers-unit"] = in_layout(page, "transfers-unit")["value"]
    first = client.post("/_dash-update-component", json=view_request(callback, values, shown)).get_json()["response"]
    assert set(first).isdisjoint({"transfers-bars", "transfers-waterfall", "transfers-kpis", "transfers-table"})


# ---------------------------------------------------------------- serving only what is meant to be served


def test_pages_refuse_to_be_framed_by_other_sites():
    response = app_module.create_app(ROOT / "data").server.test_client().get("/")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


PROJECT_FILES = [ROOT / "app.py", ROOT / "components" / "data" / "source.py", ROOT / "data" / "transfers.csv"]


@pytest.mark.parametrize(
    "path",
    [
        "/app.py",
        "/assets/../app.py",
        "/assets/%2e%2e/app.py",
        "/assets/..%2fapp.py",
        "/assets/%2e%2e%2fapp.py",
        "/assets/..%5capp.py",
        "/assets/../components/data/source.py",
        "/assets/../data/transfers.csv",
        "/data/transfers.csv",
        "/_dash-component-suites/dash/../../app.py",
        "/_dash-component-suites/dash/..%2f..%2fapp.py",
        "/_dash-component-suites/components/data/source.py",
        "/_dash-component-suites/app/app.py",
        "/assets/../../../../etc/passwd",
        "/_dash-component-suites/os/../../../etc/passwd",
        "//etc/passwd",
    ],
)
def test_no_route_serves_a_file_outside_the_assets(path):
    client = app_module.create_app(ROOT / "data").server.test_client()
    with client.get(path) as response:
        body = response.get_data()
    for project_file in PROJECT_FILES:
        assert project_file.read_bytes()[:200] not in body, (path, project_file.name)
    assert b"root:x:0:0" not in body


def test_the_assets_themselves_are_served():
    client = app_module.create_app(ROOT / "data").server.test_client()
    with client.get("/assets/app.css") as response:
        assert response.status_code == 200 and response.get_data() == (ROOT / "assets" / "app.css").read_bytes()


def test_a_request_bigger_than_any_allowed_upload_is_refused_unread():
    client = app_module.create_app(ROOT / "data").server.test_client()
    body = b"x" * (datacheck.MAX_REQUEST_BYTES + 1)
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413


def test_the_data_version_is_a_small_uncached_answer_that_follows_the_files(tmp_path):
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,余额\n2022,A,一般债务,4.5\n", encoding="utf-8")
    os.utime(tmp_path / "debt.csv", (1_000_000, 1_000_000))
    client = app_module.create_app(tmp_path).server.test_client()
    first = client.get("/_data-version")
    assert first.headers["Cache-Control"] == "no-store" and len(first.get_data()) < 100
    (tmp_path / "debt.csv").write_text("年度,地区,债务类型,余额\n2022,A,一般债务,5.5\n", encoding="utf-8")
    os.utime(tmp_path / "debt.csv", (1_000_100, 1_000_100))
    # The watcher reads the new version in the background (once a second), never the request.
    deadline = time.monotonic() + 10
    while client.get("/_data-version").get_json()["version"] == first.get_json()["version"]:
        assert time.monotonic() < deadline, "the new version never reached the data version"
        time.sleep(0.05)
