"""Callback requests the pages cannot send get a short 400 and are never cached or logged whole (issue 9).

In-process, no browser: payloads are built from /_dash-dependencies and the page's own
rendered components, as the renderer builds them.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path

import pytest

import app as app_module
from components import guard, overview

ROOT = Path(__file__).resolve().parents[1]
ROUTE = "/_dash-update-component"
MARK = "毒<script>x</script>"  # planted in bad values: a refusal must never repeat it


@pytest.fixture(scope="module")
def dash_app():
    return app_module.create_app(ROOT / "data")


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


@pytest.fixture(scope="module")
def deps(client):
    return client.get("/_dash-dependencies").get_json()


def post(client, body, raw: bytes | None = None, content_type: str = "application/json"):
    # As JSON.stringify writes it: keys in the renderer's order, no spaces.
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return client.post(ROUTE, data=data, content_type=content_type)


def spec_of(deps, output_part: str) -> dict:
    return next(d for d in deps if output_part in d["output"])


def parse_id(text: str):
    return json.loads(text) if isinstance(text, str) and text.startswith("{") else text


def matches(pattern, components: dict) -> list:
    """The rendered ids an ALL pattern matches."""
    fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}
    return [
        c for c in components.values() if isinstance(c, dict) and set(c) == set(pattern) and fixed.items() <= c.items()
    ]


def request_for(spec: dict, props: dict, values: dict | None = None, changed=()) -> dict:
    """The body the renderer sends for `spec`, with the values on screen (`props`) and `values` over them."""
    values = values or {}
    ids_on_screen = {k: v["id"] for k, v in props.items()}

    def one(component_id, dep: dict, with_value: bool) -> dict:
        if not with_value:
            return {"id": component_id, "property": dep["property"]}
        shown = props.get(key(component_id), {}).get(dep["property"])
        return {
            "id": component_id,
            "property": dep["property"],
            "value": values.get(f"{dep['id']}.{dep['property']}", shown),
        }

    def items(dep_list, with_value=True):
        out = []
        for dep in dep_list:
            dep_id = parse_id(dep["id"])
            wild = isinstance(dep_id, dict) and any(isinstance(v, list) for v in dep_id.values())
            if wild:
                out.append([one(i, dep, with_value) for i in matches(dep_id, ids_on_screen)])
            else:
                out.append(one(dep_id, dep, with_value))
        return out

    outputs = [
        {"id": parse_id(o.rsplit(".", 1)[0]), "property": o.rsplit(".", 1)[1]}
        for o in spec["output"].split("@")[0].strip(".").split("...")
    ]
    outputs = items(outputs, with_value=False)
    body = {
        "output": spec["output"],
        "outputs": outputs if spec["output"].startswith("..") else outputs[0],
        "inputs": items(spec["inputs"]),
        "changedPropIds": list(changed),
    }
    if spec["state"]:
        body["state"] = items(spec["state"])
    return body


def key(component_id) -> str:
    return (
        json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        if isinstance(component_id, dict)
        else component_id
    )


def collect(tree, found: dict) -> dict:
    """Props of every component with an id in a layout as JSON, by the id's key."""
    if isinstance(tree, dict):
        if "props" in tree and "type" in tree and tree["props"].get("id") is not None:
            found[key(tree["props"]["id"])] = tree["props"]
        for value in tree.values():
            collect(value, found)
    elif isinstance(tree, list):
        for value in tree:
            collect(value, found)
    return found


def page_props(client, deps, path: str, search: str = "") -> dict:
    """What the renderer holds after opening `path`: the shell's components and the page's."""
    props = collect(client.get("/_dash-layout").get_json(), {})
    props["url"] = {"id": "url", "pathname": path, "search": search}
    props["route"] = {"id": "route", "data": {"path": path, "search": search, "at": 0}}  # as clientside.js sets it
    answer = post(client, request_for(spec_of(deps, "page.children"), props))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return collect(answer.get_json()["response"], props)


def overview_request(deps, client, **values):
    props = page_props(client, deps, "/")
    return request_for(spec_of(deps, "overview-cards"), props, {f"overview-{k}.value": v for k, v in values.items()})


# ---------------------------------------------------------------- every request the pages send still answers


PAGES = ["/", "/transfers", "/debt", "/performance", "/check", "/present"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("search", ["", "?year=2022&region=株洲经开区&unit=元", "?year=1900&region=无此地区&unit=美元"])
def test_every_callback_of_every_page_answers_with_the_values_on_screen(client, deps, path, search):
    props = page_props(client, deps, path, search)
    for spec in deps:
        if spec.get("clientside_function"):
            continue
        needed = [parse_id(d["id"]) for d in spec["inputs"] + spec["state"]]
        if any(isinstance(i, str) and i not in props for i in needed):
            continue  # not on this page
        answer = post(client, request_for(spec, props))
        assert answer.status_code in (200, 204), (spec["output"][:80], answer.get_data(as_text=True)[:300])


def test_every_server_callback_has_a_plan_and_every_input_a_rule(dash_app):
    plans = guard.plans(dash_app)  # raises LookupError for an input without a rule
    assert set(plans) == {k for k, v in dash_app.callback_map.items() if "callback" in v}


def test_a_click_on_a_chart_is_no_request_the_server_answers(client, deps):
    """The cross-filters run in the browser (routing.CrossFilter): a body posting a click is refused."""
    props = page_props(client, deps, "/transfers")
    clicked = {"transfers-bars.clickData": {"points": [{"x": "专项转移支付"}]}}
    spec = next(d for d in deps if d["output"] == "..transfers-category.value..")
    body = request_for(spec, props, clicked, changed=["transfers-bars.clickData"])
    assert post(client, body).status_code == 400


def test_the_grid_pages_sorts_and_filters(client, deps):
    props = page_props(client, deps, "/performance")
    grid_request = {
        "startRow": 0,
        "endRow": 20,
        "sortModel": [{"colId": "amount", "sort": "desc"}],
        "filterModel": {
            "amount": {"filterType": "number", "operator": "OR", "conditions": [{"type": "greaterThan", "filter": 1}]},
            "target": {"filterType": "text", "type": "contains", "filter": "局"},
        },
    }
    body = request_for(spec_of(deps, "getRowsResponse"), props, {"performance-grid.getRowsRequest": grid_request})
    answer = post(client, body)
    assert answer.status_code == 200 and "rowCount" in answer.get_data(as_text=True)


def test_a_year_written_as_digits_is_read_as_the_dropdown_sends_it(client, deps):
    as_text = post(client, overview_request(deps, client, year="2022")).get_json()
    as_number = post(client, overview_request(deps, client, year=2022)).get_json()
    assert as_text == as_number


def upload_body(deps, files: list[tuple[str, bytes]]) -> dict:
    items = [
        {"name": name, "size": len(raw), "contents": "data:text/csv;base64," + base64.b64encode(raw).decode()}
        for name, raw in files
    ]
    return request_for(spec_of(deps, "check-report"), {}, {"check-files.data": items}, changed=["check-files.data"])


def test_uploads_to_the_check_page_still_pass_small_and_large(client, deps):
    seed = (ROOT / "data" / "debt.csv").read_bytes()
    assert post(client, upload_body(deps, [("debt.csv", seed)])).status_code == 200
    rows = seed.splitlines()
    big = b"\n".join([rows[0], *(rows[1:] * 4000)])  # about a megabyte: beyond MAX_BODY, as real files are
    assert len(big) > guard.MAX_BODY
    answer = post(client, upload_body(deps, [("debt.csv", big), ("skipped.csv", b"")]))
    assert answer.status_code == 200 and "debt.csv" in answer.get_data(as_text=True)


# ---------------------------------------------------------------- what is refused


def mutate(base: dict, change) -> dict:
    body = json.loads(json.dumps(base))
    change(body)
    return body


def inp(n: int, value):
    def change(body):
        body["inputs"][n]["value"] = value

    return change


def st(n: int, value):
    def change(body):
        body["state"][n]["value"] = value

    return change


def deep(levels: int):
    value = MARK
    for _ in range(levels):
        value = [value]
    return value


BAD_OVERVIEW = {  # changes to a good overview request
    "missing output": lambda b: b.pop("output"),
    "missing outputs": lambda b: b.pop("outputs"),
    "missing inputs": lambda b: b.pop("inputs"),
    "missing changedPropIds": lambda b: b.pop("changedPropIds"),
    "unknown key": lambda b: b.update(extra=MARK),
    "output not a string": lambda b: b.update(output=123),
    "unknown output": lambda b: b.update(output=MARK + ".children"),
    "clientside output": lambda b: b.update(output="data-changed.data"),
    "inputs not a list": lambda b: b.update(inputs={"a": 1}),
    "too few inputs": lambda b: b["inputs"].pop(),
    "too many inputs": lambda b: b["inputs"].append(b["inputs"][0]),
    "input not a dict": lambda b: b["inputs"].__setitem__(0, MARK),
    "input of another page": lambda b: b["inputs"][0].update(id="transfers-year"),
    "wrong property": lambda b: b["inputs"][0].update(property="options"),
    "id an int": lambda b: b["inputs"][0].update(id=7),
    "pattern id garbled": lambda b: b["inputs"][2].update(id={"page": MARK, "role": "data-version"}),
    "extra key in an input": lambda b: b["inputs"][0].update(extra=1),
    "property not a string": lambda b: b["inputs"][0].update(property=["value"]),
    "state not a list": lambda b: b.update(state=MARK),
    "state where none is declared": lambda b: b.update(state=[{"id": "x", "property": "y"}]),
    "changedPropIds not a list": lambda b: b.update(changedPropIds=MARK),
    "changedPropIds unknown": lambda b: b.update(changedPropIds=[MARK + ".value"]),
    "changedPropIds not strings": lambda b: b.update(changedPropIds=[{"a": 1}]),
    "outputs not a list": lambda b: b.update(outputs={"id": "overview-cards", "property": "children"}),
    "outputs of another callback": lambda b: b["outputs"][0].update(id="transfers-kpis"),
    "unit of two million characters": st(0, MARK + "元" * 2_000_000),
    "unit unknown": st(0, "美元" + MARK),
    "unit a number": st(0, 10000),
    "region of 10 MB": inp(1, MARK + "x" * 10_000_000),
    "region 201 characters": inp(1, MARK + "区" * 200),
    "region a list": inp(1, [MARK]),
    "year abc": inp(0, "abc" + MARK),
    "year 99999": inp(0, 99999),
    "year 1900": inp(0, 1900),
    "year true": inp(0, True),
    "year a fraction": inp(0, 2023.5),
    "year five digits": inp(0, "20233"),
    "year a dict": inp(0, {"y": MARK}),
    "depth bomb in the data-version store": inp(2, deep(900)),
    "nested 50 deep": inp(2, deep(50)),
    "data-version too long": inp(2, {"version": MARK * 100}),
    "string of 5000 in an unknown place": lambda b: b.update(parsedChangedPropsIds=[MARK * 500]),
    "parsedChangedPropsIds not a list": lambda b: b.update(parsedChangedPropsIds=MARK),
    "300 KB body": lambda b: b.update(parsedChangedPropsIds=["x" * 4000] * 80),
    "twenty thousand nodes": lambda b: b.update(parsedChangedPropsIds=[[1] * 100] * 210),
}


@pytest.fixture(scope="module")
def good_overview(client, deps):
    body = overview_request(deps, client, year=2023)
    assert post(client, body).status_code == 200
    return body


def assert_refused(answer, started: float) -> None:
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400, text[:300]
    assert time.perf_counter() - started < 2.0
    assert len(answer.get_data()) < 1024 and text.startswith("请求无效：")
    assert MARK not in text and "<script>" not in text and answer.mimetype == "text/plain"


@pytest.mark.parametrize("case", list(BAD_OVERVIEW))
def test_a_malformed_overview_request_is_refused_briefly(client, good_overview, case):
    body = mutate(good_overview, BAD_OVERVIEW[case])
    started = time.perf_counter()
    assert_refused(post(client, body), started)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b'"' + MARK.encode() + b'"',
        b"null",
        b"42",
        b"\xff\xfe{",
        b'{"output": "x"',
        b"[" * 100_000,
    ],
    ids=["empty", "not json", "array", "string", "null", "number", "bad utf-8", "truncated", "deep array"],
)
def test_a_body_that_is_not_a_json_object_is_refused(client, raw):
    started = time.perf_counter()
    assert_refused(post(client, None, raw=raw), started)


def test_a_depth_bomb_inside_a_good_request_is_refused(client, good_overview):
    body = json.dumps(mutate(good_overview, inp(2, "BOMB")), separators=(",", ":"))
    raw = body.replace('"BOMB"', "[" * 100_000 + "]" * 100_000).encode()
    started = time.perf_counter()
    assert_refused(post(client, None, raw=raw), started)


def test_a_body_not_sent_as_json_is_refused(client, good_overview):
    started = time.perf_counter()
    body = json.dumps(good_overview).encode()
    assert_refused(post(client, None, raw=body, content_type="text/plain"), started)


UNIT_VIEWS = '{"page":"transfers","role":"unit-views"}.data'
UNIT_REQUEST = '{"page":"transfers","role":"unit-request"}.data'


def test_the_views_in_other_units_answer_for_the_units_asked(client, deps):
    props = page_props(client, deps, "/transfers")
    body = request_for(spec_of(deps, UNIT_VIEWS), props, {UNIT_REQUEST: {"units": ["元", "亿元"], "view": "x"}})
    answer = post(client, body)
    assert answer.status_code == 200
    held = next(iter(answer.get_json()["response"].values()))["data"]
    assert set(held["units"]) == {"元", "亿元"}  # 万元 is on screen: not asked again
    assert "0.17 亿元" in json.dumps(held["units"]["亿元"], ensure_ascii=False)


def page_case(output: str, path: str, values: dict, changed=()):
    return output, path, values, changed


BAD_PAGE_VALUES = [
    page_case("transfers-kpis", "/transfers", {"transfers-category.value": [f"类别{i}" for i in range(100_000)]}),
    page_case("transfers-kpis", "/transfers", {"transfers-category.value": [1, 2]}),
    page_case("transfers-kpis", "/transfers", {"transfers-category.value": MARK}),
    page_case("debt-kpis", "/debt", {"debt-debt_type.value": ["债" * 201]}),
    page_case("performance-kpis", "/performance", {"performance-grade.value": {"a": MARK}}),
    page_case("exportDataAsCsv", "/monitor", {"monitor-alerts-export.n_clicks": -1}),
    page_case("exportDataAsCsv", "/monitor", {"monitor-alerts-export.n_clicks": "1"}),
    page_case("getRowsResponse", "/performance", {"performance-grid.getRowsRequest": {"startRow": -1}}),
    page_case("getRowsResponse", "/performance", {"performance-grid.getRowsRequest": {"endRow": "20"}}),
    page_case(
        "getRowsResponse",
        "/performance",
        {"performance-grid.getRowsRequest": {"filterModel": {"target": {"filterType": "number", "filter": 1}}}},
    ),
    page_case(
        "getRowsResponse",
        "/performance",
        {"performance-grid.getRowsRequest": {"filterModel": {"amount": {"filterType": "number", "filter": MARK}}}},
    ),
    page_case(
        "getRowsResponse",
        "/performance",
        {"performance-grid.getRowsRequest": {"filterModel": {"amount": {"conditions": []}}}},
    ),
    page_case("getRowsResponse", "/performance", {"performance-grid.getRowsRequest": {"sortModel": [{"colId": MARK}]}}),
    page_case("getRowsResponse", "/performance", {"performance-grid.getRowsRequest": {"sortModel": MARK}}),
    page_case("page.children", "/", {"route.data": {"path": "/", "search": "?region=" + "x" * 3000, "at": 0}}),
    page_case("page.children", "/", {"route.data": {"path": "/" + "x" * 300, "search": "", "at": 0}}),
    page_case("page.children", "/", {"route.data": {"path": "/", "search": "", "at": MARK}}),
    page_case("page.children", "/", {"route.data": ["/"]}),
    page_case("transfers-kpis", "/transfers", {'{"page":"transfers","role":"view-digests"}.data': {"kpis": MARK * 100}}),
    page_case("check-report", "/check", {"check-files.data": [{"name": MARK, "contents": 1}]}),
    page_case("check-report", "/check", {"check-files.data": [{"name": MARK, "extra": 1}]}),
    page_case("check-report", "/check", {"check-files.data": MARK}),
    page_case(UNIT_VIEWS, "/transfers", {UNIT_REQUEST: {"units": ["元"] * 9, "view": "x"}}),  # more than offered
    page_case(UNIT_VIEWS, "/transfers", {UNIT_REQUEST: {"units": ["美元" + MARK], "view": "x"}}),
    page_case(UNIT_VIEWS, "/transfers", {UNIT_REQUEST: {"units": ["元"], "view": MARK * 100}}),
    page_case(UNIT_VIEWS, "/transfers", {UNIT_REQUEST: {"units": ["元"], "extra": MARK}}),
    page_case("transfers-kpis", "/transfers", {'{"page":"transfers","role":"unit-asked"}.data': -1}),
]


@pytest.mark.parametrize(("output", "path", "values", "changed"), BAD_PAGE_VALUES, ids=lambda v: str(v)[:40])
def test_a_value_no_page_can_send_is_refused(client, deps, output, path, values, changed):
    body = request_for(spec_of(deps, output), page_props(client, deps, path), values, changed)
    started = time.perf_counter()
    assert_refused(post(client, body), started)


def test_a_pattern_id_of_a_page_that_has_none_is_refused(client, deps):
    body = request_for(spec_of(deps, "page-end"), {}, {"data-changed.data": {"version": "x", "at": 1}})
    body["outputs"][0] = [{"id": {"page": "check", "role": "page-end"}, "property": "children"}]
    body["outputs"][1] = [{"id": {"page": "check", "role": "page-footer"}, "property": "children"}]
    assert_refused(post(client, body), time.perf_counter())
    body["outputs"][0] = [{"id": {"page": "debt", "role": "page-end"}, "property": "children"}]
    body["outputs"][1] = [{"id": {"page": "debt", "role": "page-footer"}, "property": "children"}]
    assert post(client, body).status_code == 200


# ---------------------------------------------------------------- nothing cached, nothing logged whole


def test_the_two_million_character_unit_never_reaches_the_view(client, good_overview, monkeypatch):
    seen = []
    real = overview.transfer_cards  # the first thing the overview's view draws
    monkeypatch.setattr(overview, "transfer_cards", lambda *args: seen.append(args) or real(*args))
    huge = mutate(good_overview, inp(2, "元" * 2_000_000))
    started = time.perf_counter()
    answer = post(client, huge)
    refused_in = time.perf_counter() - started
    assert answer.status_code == 400 and len(answer.get_data()) < 1024 and refused_in < 0.5
    assert seen == []  # neither rendered nor remembered in the view cache
    started = time.perf_counter()
    assert (
        post(client, mutate(good_overview, inp(1, "别的地区"))).status_code == 200
    )  # unknown to the data: bounded only
    assert time.perf_counter() - started < 2.0 and len(seen) == 1


def test_a_refused_ten_megabyte_string_is_not_logged(client, deps, good_overview, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "秘" * 10_000_000
    for change in (inp(1, secret), lambda b: b.update(parsedChangedPropsIds=[secret])):
        assert post(client, mutate(good_overview, change)).status_code == 400
    assert caplog.records and all(len(r.getMessage()) < 2100 for r in caplog.records)
    assert not any("秘秘秘" in r.getMessage() for r in caplog.records)
    assert len([r for r in caplog.records if "拒绝" in r.getMessage()]) == 2  # one short line per request


def test_long_log_records_and_tracebacks_are_cut(dash_app, caplog):
    caplog.set_level(logging.DEBUG)
    logger = dash_app.server.logger
    logger.warning("值：%s", "长" * 50_000)
    try:
        raise KeyError("键" * 50_000)
    except KeyError:
        logger.exception("出错")
    message, failure = caplog.records[-2:]
    assert len(message.getMessage()) < 2100 and "已截断，共 50002 个字符" in message.getMessage()
    assert len(failure.exc_text) < 2100 and "已截断" in failure.exc_text
    assert len(caplog.text) < 6000


def test_a_failing_callback_still_answers_the_generic_500(client, good_overview, monkeypatch, caplog):
    def broken(*_args):
        raise ValueError("坏" * 100_000)

    monkeypatch.setattr(overview, "transfer_cards", broken)
    answer = post(client, mutate(good_overview, inp(0, 2021)))
    assert answer.status_code == 500 and answer.get_data(as_text=True).startswith("服务器内部错误")
    assert all(len(r.getMessage()) < 2100 and len(r.exc_text or "") < 2100 for r in caplog.records)
