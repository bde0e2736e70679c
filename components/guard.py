"""Callback requests checked against what the pages can send, before Dash runs them (issue 9).

Dash hands a callback whatever the body says: a two-million-character unit was rendered,
sent back (18 MB) and remembered in the view cache; a garbled body raised inside Dash (500,
traceback in the log). Here every item must be one of the callback's own Inputs and States,
with a value of the kind its component holds; anything else is a 400 whose short text never
repeats the request. Values the data lacks (a year gone after a data change) are bounded,
not refused: a page drawn before the change may still send them.
"""

from __future__ import annotations

import json
import logging
import math
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, request

from components import datacheck, ids
from components.filters import PAGE_PARAMS
from components.layout import PAGE_FILES
from components.performance import GRID_COLUMNS
from components.theme import UNITS

KEYS = {"output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds"}  # what the renderer sends
MAX_BODY = 256 * 1024  # bytes: every callback but the upload's sends a few KB
MAX_TEXT = 4096  # characters of any string in a request, the uploaded files aside
MAX_ITEMS = 200  # inputs, outputs, changed props, components matching a pattern
MAX_DEPTH, MAX_NODES = 20, 20_000
MAX_LABEL, MAX_CHOICES = 64, 50  # a region or category as a dropdown sends it; how many at once
MAX_BLOB = 20_000  # clickData, getRowsRequest: characters serialised
MAX_VERSION = 200
MAX_FILE_ITEMS, MAX_CONTENTS = 1000, datacheck.MAX_FILE_BYTES * 4 // 3 + 1024  # base64 and its data: prefix
YEARS = range(1949, 2101)
LOG_CHARS = 2000
SCALARS = (str, int, float, bool, type(None))
GRID_FIELDS = {c["field"] for c in GRID_COLUMNS}
NUMBER_FIELDS = {c["field"] for c in GRID_COLUMNS if c.get("filter") == "agNumberColumnFilter"}
PATTERN_VALUES = {"page": set(PAGE_FILES)}  # the pages whose query store and page end exist

Check = Callable[[object], object]  # the value to hand on (maybe normalised), or raises Refused


class Refused(ValueError):
    """Why a request is refused, in a few words that never quote the request."""


def _need(ok: bool, why: str) -> None:
    if not ok:
        raise Refused(why)


# ---------------------------------------------------------------- values, per component property


def text(limit: int) -> Check:
    def check(value):
        _need(value is None or (isinstance(value, str) and len(value) <= limit), f"文字过长或类型不对（至多 {limit} 个字符）")
        return value

    return check


def year(value):
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}", value):
        value = int(value)  # as the dropdown sends it: a string would match no row
    _need(value is None or (type(value) is int and value in YEARS), f"年度应为 {YEARS[0]}–{YEARS[-1]} 之间的整数")
    return value


def unit(value):
    _need(value is None or (isinstance(value, str) and value in UNITS), f"金额单位应为{'、'.join(UNITS)}之一")
    return value


def choices(value):
    ok = value is None or (
        isinstance(value, list)
        and len(value) <= MAX_CHOICES
        and all(isinstance(v, str) and len(v) <= MAX_LABEL for v in value)
    )
    _need(ok, f"筛选应为至多 {MAX_CHOICES} 项、每项至多 {MAX_LABEL} 个字符")
    return value


def count(value):
    _need(value is None or (type(value) is int and 0 <= value <= 10**9), "计数应为非负整数")
    return value


def size(value) -> int:
    return len(json.dumps(value, ensure_ascii=False))  # depth is bounded before any value is looked at


def version(value):
    _need(value is None or (isinstance(value, str | dict) and size(value) <= MAX_VERSION), "数据版本的格式不对")
    return value


def click(customdata: int = 0) -> Check:
    """A chart's clickData; `customdata`: how many entries the callback reads from a point's customdata."""

    def point(p) -> bool:
        if not isinstance(p, dict) or not all(isinstance(p.get(k), SCALARS) for k in ("x", "y", "label")):
            return False
        data = p.get("customdata")
        return not data or (isinstance(data, list) and len(data) >= customdata) or not customdata

    def check(value):
        points = value.get("points") if isinstance(value, dict) else None
        ok = value is None or (
            isinstance(value, dict)
            and size(value) <= MAX_BLOB
            and (points is None or (isinstance(points, list) and all(point(p) for p in points)))
        )
        _need(ok, "图表点击数据的格式不对")
        return value

    return check


def _grid_filter(model, field: str, nested: bool = False) -> bool:
    """One column's filter as AG Grid sends it (grid_paging reads it); number filters on number columns only."""
    if not isinstance(model, dict):
        return False
    if "conditions" in model:
        parts = model["conditions"]
        return (
            not nested
            and isinstance(parts, list)
            and 0 < len(parts) <= 10
            and all(isinstance(c, dict) and _grid_filter({"filterType": model.get("filterType"), **c}, field, True)
                    for c in parts)
        )
    if model.get("filterType") != "number":
        return True
    numbers = all(v is None or (type(v) in (int, float) and math.isfinite(v)) for v in (model.get("filter"), model.get("filterTo")))
    return field in NUMBER_FIELDS and numbers


def rows_request(value):
    """AG Grid's getRowsRequest for the evaluations list."""
    if value is None:
        return value
    _need(isinstance(value, dict) and size(value) <= MAX_BLOB, "表格请求的格式不对")
    count(value.get("startRow"))
    count(value.get("endRow"))
    sort, filters = value.get("sortModel") or [], value.get("filterModel") or {}
    ok = (
        isinstance(sort, list)
        and all(isinstance(s, dict) and s.get("colId") in GRID_FIELDS for s in sort)
        and isinstance(filters, dict)
        and all(k in GRID_FIELDS and _grid_filter(m, k) for k, m in filters.items())
    )
    _need(ok, "表格的排序或筛选不是页面能发送的")
    return value


def uploads(value):
    """The files the 数据检查 page sends (datacheck's clientside callback): large contents, all else small."""
    if value is None:
        return value
    _need(isinstance(value, list) and len(value) <= MAX_FILE_ITEMS, "上传的文件过多")
    for item in value:
        ok = (
            isinstance(item, dict)
            and set(item) <= {"name", "size", "contents", "skipped"}
            and isinstance(item.get("name"), str) and len(item["name"]) <= 1024
            and (item.get("size") is None or (type(item["size"]) is int and item["size"] >= 0))
            and isinstance(item.get("skipped", ""), str) and len(item.get("skipped", "")) <= 16
            and isinstance(item.get("contents", ""), str) and len(item.get("contents", "")) <= MAX_CONTENTS
        )
        _need(ok, "上传的数据不完整，请重新选择文件")
    return value


def rules() -> dict[tuple[str | None, str], Check]:
    """(component id, or a pattern id's role, or None for any; property) → check; from the pages' own ids."""
    found: dict[tuple[str | None, str], Check] = {
        (ids.URL, "pathname"): text(256),
        (ids.URL, "search"): text(2048),
        (ids.LAST_QUERY, "data"): text(MAX_TEXT),
        ("query", "data"): text(MAX_TEXT),
        (ids.RENDERED_VERSION, "data"): version,
        (ids.DATA_CHANGED, "data"): version,
        ("data-version", "data"): version,
        (ids.PERF_GRID, "getRowsRequest"): rows_request,
        (ids.PERF_GRADES, "clickData"): click(customdata=2),
        (ids.CHECK_FILES, "data"): uploads,
        (None, "clickData"): click(),
        (None, "n_clicks"): count,
        (None, "n_intervals"): count,
    }
    for page, params in PAGE_PARAMS.items():
        found |= {(ids.page_filter(page, "year"), "value"): year, (ids.page_filter(page, "unit"), "value"): unit}
        found[(ids.page_filter(page, "region"), "value")] = text(MAX_LABEL)
        found |= {(ids.page_filter(page, name), "value"): choices for name in params}
    return found


# ---------------------------------------------------------------- the shape of a request


@dataclass(frozen=True)
class Dep:
    """An Input, State or Output of a registered callback."""

    id: str | dict
    prop: str
    check: Check | None = None  # None for outputs

    @property
    def many(self) -> bool:  # ALL / ALLSMALLER: the renderer sends a list of matches
        return isinstance(self.id, dict) and any(v in (["ALL"], ["ALLSMALLER"]) for v in self.id.values())

    def same_id(self, got) -> bool:
        if not isinstance(self.id, dict):
            return got == self.id and isinstance(got, str)
        if got == stringify(self.id) and not self.many:  # Dash reads a string id as the same (tests send it)
            return True
        if not isinstance(got, dict) or set(got) != set(self.id):
            return False
        for key, want in self.id.items():
            if isinstance(want, list):  # a wildcard
                value = got[key]
                if not (isinstance(value, str) and len(value) <= MAX_LABEL or type(value) in (int, bool)):
                    return False
                if key in PATTERN_VALUES and value not in PATTERN_VALUES[key]:
                    return False
            elif got[key] != want:
                return False
        return True


@dataclass(frozen=True)
class Plan:
    outputs: tuple[Dep, ...]
    multi: bool
    inputs: tuple[Dep, ...]
    state: tuple[Dep, ...]
    upload: bool


def _dep(spec: dict, found: dict | None) -> Dep:
    dep_id = json.loads(spec["id"]) if spec["id"].startswith("{") else spec["id"]
    if found is None:
        return Dep(dep_id, spec["property"])
    key = dep_id.get("role") if isinstance(dep_id, dict) else dep_id
    check = found.get((key, spec["property"])) or found.get((None, spec["property"]))
    if check is None:  # a new callback needs its rule here; tests/test_guard.py finds it at once
        raise LookupError(f"guard: no rule for {spec['id']}.{spec['property']}")
    return Dep(dep_id, spec["property"], check)


def plans(app) -> dict[str, Plan]:
    """Every server-side callback of the app, by the `output` key the renderer sends."""
    found, out = rules(), {}
    for key, spec in app.callback_map.items():
        if "callback" not in spec:  # clientside: never sent to the server
            continue
        outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
        inputs = tuple(_dep(s, found) for s in spec["inputs"])
        out[key] = Plan(
            tuple(_dep(o.to_dict(), None) for o in outputs),
            isinstance(spec["output"], list),
            inputs,
            tuple(_dep(s, found) for s in spec["state"]),
            any(d.id == ids.CHECK_FILES for d in inputs),
        )
    return out


def bounded(value) -> None:
    """No string over MAX_TEXT, nesting over MAX_DEPTH, nodes over MAX_NODES; iterative, so no bomb recurses."""
    stack, nodes = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        _need(nodes <= MAX_NODES and depth <= MAX_DEPTH, "请求的数据过多或嵌套过深")
        if isinstance(item, str):
            _need(len(item) <= MAX_TEXT, "请求中有过长的文字")
        elif isinstance(item, float):
            _need(math.isfinite(item), "请求中有无效的数字")
        elif isinstance(item, dict):
            stack.extend((x, depth + 1) for pair in item.items() for x in pair)
        elif isinstance(item, list):
            stack.extend((x, depth + 1) for x in item)


def _match(item, dep: Dep, with_value: bool) -> None:
    """One Input/State/Output as sent against the one registered; checked values are written back."""
    if dep.many:
        _need(isinstance(item, list) and len(item) <= MAX_ITEMS, "回调参数的格式不对")
    for one in item if dep.many else [item]:
        allowed = {"id", "property", "value"} if with_value else {"id", "property"}
        _need(isinstance(one, dict) and set(one) <= allowed and isinstance(one.get("property"), str), "回调参数的格式不对")
        name = f"{json.dumps(dep.id, ensure_ascii=False) if isinstance(dep.id, dict) else dep.id}.{dep.prop}"
        _need(one["property"].split("@")[0] == dep.prop and dep.same_id(one.get("id")), f"回调参数与 {name} 不符")
        if with_value:
            try:
                one["value"] = dep.check(one.get("value"))
            except Refused as why:
                raise Refused(f"{name}：{why}") from None


def stringify(id_: dict, ascii_only: bool = True) -> str:
    """A pattern id as Dash writes it in prop ids (the browser writes non-ASCII unescaped)."""
    return json.dumps(id_, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only)


def prop_ids(items: list) -> set[str]:
    """changedPropIds the inputs allow: Dash escapes non-ASCII in pattern ids, the browser does not."""
    found = set()
    for one in (x for item in items for x in (item if isinstance(item, list) else [item])):
        for ascii_only in (True, False):
            key = one["id"] if isinstance(one["id"], str) else stringify(one["id"], ascii_only)
            found.add(f"{key}.{one['property']}")
    return found


def check_body(body, all_plans: dict[str, Plan]) -> None:
    """Raises Refused unless `body` is a request the pages can send; normalises values in place."""
    _need(isinstance(body, dict) and set(body) <= KEYS and {"output", "outputs", "inputs", "changedPropIds"} <= set(body),
          "请求不是回调的格式")
    plan = all_plans.get(body["output"]) if isinstance(body["output"], str) else None
    _need(plan is not None, "没有这个回调")
    bounded({k: v for k, v in body.items() if not (plan.upload and k == "inputs")})  # uploads: their own bounds
    outputs = body["outputs"] if plan.multi else [body["outputs"]]
    _need(isinstance(outputs, list) and len(outputs) == len(plan.outputs), "回调输出的格式不对")
    for item, dep in zip(outputs, plan.outputs, strict=True):
        _match(item, dep, with_value=False)
    for key, deps in (("inputs", plan.inputs), ("state", plan.state)):
        items = body.get(key, [] if key == "state" else None)
        _need(isinstance(items, list) and len(items) == len(deps), "回调参数的个数不对")
        for item, dep in zip(items, deps, strict=True):
            _match(item, dep, with_value=True)
    changed, parsed = body["changedPropIds"], body.get("parsedChangedPropsIds", [])
    _need(isinstance(changed, list) and len(changed) <= MAX_ITEMS and all(isinstance(c, str) for c in changed)
          and set(changed) <= prop_ids(body["inputs"]) and isinstance(parsed, list), "触发回调的参数不对")


# ---------------------------------------------------------------- logging and installing


def cut(message: str, keep_tail: bool = False) -> str:
    if len(message) <= LOG_CHARS:
        return message
    mark = f"…（已截断，共 {len(message)} 个字符）"
    half = LOG_CHARS // 2
    return message[:half] + mark + message[-half:] if keep_tail else message[:LOG_CHARS] + mark


class Shorten(logging.Filter):
    """No log record carries a long value whole: message and traceback cut to about LOG_CHARS."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: let logging report it as it would
            return True
        if len(message) > LOG_CHARS:
            record.msg, record.args = cut(message), None
        if record.exc_info and not record.exc_text:  # the formatter uses exc_text as it finds it
            record.exc_text = cut("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), keep_tail=True)
        return True


SHORTEN = Shorten()  # one instance: addFilter ignores it the second time (tests build many apps)


def install(app, _source) -> None:
    """Refuse bad callback requests with a 400 and shorten long log records.

    The data source is not consulted on purpose: a value the data lacks is no reason for a 400."""
    route = app.config.routes_pathname_prefix + "_dash-update-component"  # Flask sees routes, not requests, prefix
    memo: dict[str, dict[str, Plan]] = {}
    for name in (app.server.logger.name, app.logger.name, "dash", "werkzeug", "gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).addFilter(SHORTEN)

    def refuse(why: str) -> Response:
        app.server.logger.info("回调请求被拒绝（400）：%s", why)  # one short line; the request never
        message = f"请求无效：{why}。请刷新页面后重试。"
        return Response(message, 400, {"Content-Type": "text/plain; charset=utf-8"})

    @app.server.before_request
    def guard_callbacks():
        if request.method != "POST" or request.path != route:
            return None
        all_plans = memo.get("plans") or memo.setdefault("plans", plans(app))  # built once all callbacks exist
        if not request.is_json:
            return refuse("请求不是 JSON")
        raw = request.get_data(cache=True)  # at most MAX_CONTENT_LENGTH: Flask answers 413 beyond
        if len(raw) > MAX_BODY:  # only the upload is large: do not parse megabytes of anything else
            starts = tuple(b'{"output":' + json.dumps(k).encode() for k, p in all_plans.items() if p.upload)
            if not raw.lstrip().startswith(starts):
                return refuse("请求过大")
        try:
            body = request.get_json(silent=True)  # cached: Dash reads the same object, with the checked values
        except RecursionError:
            return refuse("请求嵌套过深")
        try:
            check_body(body, all_plans)
        except Refused as why:
            return refuse(str(why))
        return None
