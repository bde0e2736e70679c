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
from components.pages import PAGES
from components.performance import GRID_COLUMNS
from components.theme import AS_PRINTED, UNITS

KEYS = {"output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds"}  # what the renderer sends
NEEDED = {"output", "outputs", "inputs", "changedPropIds"}
MAX_BODY = 256 * 1024  # bytes: every callback but the upload's sends a few KB
MAX_TEXT = 4096  # characters of any string in a request, the uploaded files aside
MAX_ITEMS = 200  # changed props; components matching a pattern
MAX_DEPTH, MAX_NODES = 20, 20_000
MAX_LABEL, MAX_CHOICES = 200, 50  # a region or category as a dropdown sends it; how many at once
MAX_BLOB, MAX_VERSION = 20_000, 200  # getRowsRequest; data versions: characters serialised
YEARS = range(1949, 2101)
LOG_CHARS = 2000
GRID_FIELDS = {c["field"] for c in GRID_COLUMNS}
NUMBER_FIELDS = {c["field"] for c in GRID_COLUMNS if c.get("filter") == "agNumberColumnFilter"}
PATTERN_VALUES = {"page": {p.key for p in PAGES if p.filtered}}  # the pages that have a query store and a page end

Check = Callable[[object], object]  # the value to hand on (maybe normalised), or raises Refused


class Refused(ValueError):
    """Why a request is refused, in a few words that never quote the request."""


def _need(ok: bool, why: str) -> None:
    if not ok:
        raise Refused(why)


def size(value) -> int:
    return len(json.dumps(value, ensure_ascii=False))  # only after bounded(): the depth is small


def allow(ok: Callable[[object], bool], why: str) -> Check:
    """None (nothing chosen yet) or a value passing `ok`."""

    def check(value):
        _need(value is None or ok(value), why)
        return value

    return check


def text(limit: int) -> Check:
    return allow(lambda v: isinstance(v, str) and len(v) <= limit, f"文字过长或类型不对（至多 {limit} 个字符）")


def year(value):
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}", value):
        value = int(value)  # as the dropdown sends it: a string would match no row
    _need(value is None or (type(value) is int and value in YEARS), f"年度应为 {YEARS[0]}–{YEARS[-1]} 之间的整数")
    return value


def _number(v) -> bool:
    return type(v) in (int, float) and math.isfinite(v)


unit = allow(lambda v: isinstance(v, str) and v in (*UNITS, AS_PRINTED), f"金额单位应为{'、'.join(UNITS)}之一")
count = allow(lambda v: type(v) is int and 0 <= v <= 10**9, "计数应为非负整数")
version = allow(lambda v: isinstance(v, str | dict) and size(v) <= MAX_VERSION, "数据版本的格式不对")
choices = allow(
    lambda v: (
        isinstance(v, list) and len(v) <= MAX_CHOICES and all(isinstance(x, str) and len(x) <= MAX_LABEL for x in v)
    ),
    f"筛选应为至多 {MAX_CHOICES} 项、每项至多 {MAX_LABEL} 个字符",
)


def _grid_filter(field: str, model, nested: bool = False) -> bool:
    """One column's filter as grid_paging reads it; the grid has number filters on number columns only."""
    if not isinstance(model, dict):
        return False
    if "conditions" in model:
        parts = model["conditions"]
        kind = {"filterType": model.get("filterType")}
        return (
            not nested
            and isinstance(parts, list)
            and 0 < len(parts) <= 10
            and all(isinstance(c, dict) and _grid_filter(field, kind | c, True) for c in parts)
        )
    bounds = (model.get("filter"), model.get("filterTo"))
    return model.get("filterType") != "number" or (
        field in NUMBER_FIELDS and all(v is None or _number(v) for v in bounds)
    )


def _rows_request(v) -> bool:
    """AG Grid's getRowsRequest for the evaluations list."""
    sort, filters = v.get("sortModel") or [], v.get("filterModel") or {}
    return (
        all(v.get(k) is None or (type(v[k]) is int and v[k] >= 0) for k in ("startRow", "endRow"))
        and isinstance(sort, list)
        and all(isinstance(s, dict) and s.get("colId") in GRID_FIELDS for s in sort)
        and isinstance(filters, dict)
        and all(k in GRID_FIELDS and _grid_filter(k, m) for k, m in filters.items())
    )


digests = allow(
    lambda v: isinstance(v, dict) and len(v) <= 50 and all(isinstance(x, str) and len(x) <= 64 for x in v.values()),
    "视图摘要的格式不对",
)
unit_request = allow(  # routing.register_units: the units the switch offers, for the view it was drawn for
    lambda v: (
        isinstance(v, dict)
        and set(v) <= {"units", "view"}
        and isinstance(v.get("units"), list)
        and len(v["units"]) <= 8
        and all(u in (*UNITS, AS_PRINTED) for u in v["units"])
        and isinstance(v.get("view", ""), str)
        and len(v.get("view", "")) <= 64
    ),
    "单位切换的请求格式不对",
)
route = allow(
    lambda v: (
        isinstance(v, dict)
        and set(v) <= {"path", "search", "at"}
        and all(isinstance(v.get(k, ""), str) for k in ("path", "search"))
        and len(v.get("path", "")) <= 256
        and len(v.get("search", "")) <= 2048
        and _number(v.get("at", 0))
    ),
    "页面地址的格式不对",
)
rows_request = allow(lambda v: isinstance(v, dict) and size(v) <= MAX_BLOB and _rows_request(v), "表格请求的格式不对")
UPLOAD_FIELDS = {  # datacheck's clientside callback: per file its name and size, contents or why skipped
    "name": lambda v: isinstance(v, str) and len(v) <= 1024,
    "size": lambda v: type(v) is int and v >= 0,
    "skipped": lambda v: isinstance(v, str) and len(v) <= 16,
    "contents": lambda v: isinstance(v, str) and len(v) <= datacheck.MAX_FILE_BYTES * 4 // 3 + 1024,  # base64
}
uploads = allow(
    lambda v: (
        isinstance(v, list)
        and len(v) <= 1000
        and all(
            isinstance(i, dict)
            and "name" in i
            and all(k in UPLOAD_FIELDS and UPLOAD_FIELDS[k](x) for k, x in i.items())
            for i in v
        )
    ),
    "上传的数据不完整，请重新选择文件",
)


def rules() -> dict[tuple[str | None, str], Check]:
    """(component id, or a pattern id's role, or None for any; property) → check; from the pages' own ids."""
    found = {
        (ids.URL, "pathname"): text(256),
        (ids.URL, "search"): text(2048),
        (ids.LAST_QUERY, "data"): text(MAX_TEXT),
        ("query", "data"): text(MAX_TEXT),
        ("marker-cue", "data"): text(MAX_TEXT + MAX_VERSION),
        ("view-digests", "data"): digests,
        ("unit-request", "data"): unit_request,
        ("unit-asked", "data"): count,
        (ids.ROUTE, "data"): route,
        (ids.RENDERED_VERSION, "data"): version,
        (ids.DATA_CHANGED, "data"): version,
        ("data-version", "data"): version,
        (ids.PERF_GRID, "getRowsRequest"): rows_request,
        (ids.CHECK_FILES, "data"): uploads,
        (None, "n_clicks"): count,
        (None, "n_intervals"): count,
    }
    for page in (p for p in PAGES if p.filtered):
        f = lambda name, key=page.key: (ids.page_filter(key, name), "value")  # noqa: E731
        found |= {f("year"): year, f("region"): text(MAX_LABEL), f("unit"): unit} | {f(n): choices for n in page.params}
    # 绩效监控's own controls: a month (1–12) and two thresholds in points (0–100)
    points = allow(
        lambda v: type(v) in (int, float) and math.isfinite(v) and 0 <= v <= 100, "预警阈值应为 0–100 之间的数字"
    )
    found[(ids.page_filter("monitor", "month"), "value")] = allow(
        lambda v: type(v) is int and 1 <= v <= 12, "月份应为 1–12"
    )
    found |= {(ids.page_filter("monitor", n), "value"): points for n in ("yellow", "red")}
    return found


# ---------------------------------------------------------------- the shape of a request


def stringify(id_: dict, ascii_only: bool = True) -> str:
    """A pattern id as Dash writes it in prop ids (the browser writes non-ASCII unescaped)."""
    return json.dumps(id_, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only)


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
            return isinstance(got, str) and got == self.id
        if got == stringify(self.id) and not self.many:  # Dash reads the string form alike (tests/test_app.py)
            return True
        return isinstance(got, dict) and set(got) == set(self.id) and all(self._key(k, got[k]) for k in got)

    def _key(self, key: str, value) -> bool:
        if not isinstance(self.id[key], list):
            return value == self.id[key]
        small = (isinstance(value, str) and len(value) <= MAX_LABEL) or type(value) in (int, bool)  # a wildcard
        return small and (key not in PATTERN_VALUES or value in PATTERN_VALUES[key])


@dataclass(frozen=True)
class Plan:
    outputs: tuple[Dep, ...]
    multi: bool
    inputs: tuple[Dep, ...]
    state: tuple[Dep, ...]
    upload: bool


def _dep(spec: dict, found: dict | None = None) -> Dep:
    dep_id = json.loads(spec["id"]) if spec["id"].startswith("{") else spec["id"]
    if found is None:
        return Dep(dep_id, spec["property"])
    role = dep_id.get("role") if isinstance(dep_id, dict) else dep_id
    check = found.get((role, spec["property"])) or found.get((None, spec["property"]))
    if check is None:  # a new callback needs its rule in rules(); tests/test_guard.py notices at once
        raise LookupError(f"guard: no rule for {spec['id']}.{spec['property']}")
    return Dep(dep_id, spec["property"], check)


def plans(app) -> dict[str, Plan]:
    """Every server-side callback of the app, by the `output` key the renderer sends."""
    found, out = rules(), {}
    for key, spec in app.callback_map.items():
        if "callback" in spec:  # clientside callbacks never reach the server
            outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
            inputs = tuple(_dep(s, found) for s in spec["inputs"])
            state = tuple(_dep(s, found) for s in spec["state"])
            multi, upload = isinstance(spec["output"], list), any(d.id == ids.CHECK_FILES for d in inputs)
            out[key] = Plan(tuple(_dep(o.to_dict()) for o in outputs), multi, inputs, state, upload)
    return out


def bounded(value) -> None:
    """No string over MAX_TEXT, nesting over MAX_DEPTH, nodes over MAX_NODES; iterative, so no bomb recurses."""
    stack, nodes = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        _need(nodes <= MAX_NODES and depth <= MAX_DEPTH, "请求的数据过多或嵌套过深")
        _need(not isinstance(item, str) or len(item) <= MAX_TEXT, "请求中有过长的文字")
        _need(not isinstance(item, float) or math.isfinite(item), "请求中有无效的数字")
        if isinstance(item, dict | list):
            stack.extend((x, depth + 1) for x in (item if isinstance(item, list) else [*item, *item.values()]))


def _match(item, dep: Dep) -> None:
    """One Input, State or Output as sent against the one registered; checked values are written back."""
    _need(not dep.many or (isinstance(item, list) and len(item) <= MAX_ITEMS), "回调参数的格式不对")
    name = f"{stringify(dep.id, False) if isinstance(dep.id, dict) else dep.id}.{dep.prop}"
    for one in item if dep.many else [item]:
        keys = {"id", "property", "value"} if dep.check else {"id", "property"}
        _need(isinstance(one, dict) and set(one) <= keys and isinstance(one.get("property"), str), "回调参数的格式不对")
        _need(one["property"].split("@")[0] == dep.prop and dep.same_id(one.get("id")), f"回调参数与 {name} 不符")
        if dep.check:
            try:
                one["value"] = dep.check(one.get("value"))
            except Refused as why:
                raise Refused(f"{name}：{why}") from None


def prop_ids(items: list) -> set[str]:
    """The changedPropIds these inputs allow, in Dash's and in the browser's spelling."""
    ones = [x for item in items for x in (item if isinstance(item, list) else [item])]
    return {
        f"{o['id'] if isinstance(o['id'], str) else stringify(o['id'], a)}.{o['property']}"
        for o in ones
        for a in (True, False)
    }


def check_body(body, all_plans: dict[str, Plan]) -> None:
    """Raises Refused unless `body` is a request the pages can send; normalises values in place."""
    _need(isinstance(body, dict) and NEEDED <= set(body) <= KEYS, "请求不是回调的格式")
    plan = all_plans.get(body["output"]) if isinstance(body["output"], str) else None
    _need(plan is not None, "没有这个回调")
    bounded({k: v for k, v in body.items() if not (plan.upload and k == "inputs")})  # uploads: UPLOAD_FIELDS
    sent = {"outputs": body["outputs"] if plan.multi else [body["outputs"]], "inputs": body["inputs"]}
    sent["state"] = body.get("state", [])
    for key, deps in (("outputs", plan.outputs), ("inputs", plan.inputs), ("state", plan.state)):
        _need(isinstance(sent[key], list) and len(sent[key]) == len(deps), "回调参数的个数不对")
        for item, dep in zip(sent[key], deps, strict=True):
            _match(item, dep)
    changed = body["changedPropIds"]
    ok = isinstance(changed, list) and len(changed) <= MAX_ITEMS and all(isinstance(c, str) for c in changed)
    _need(ok and set(changed) <= prop_ids(body["inputs"]), "触发回调的参数不对")
    _need(isinstance(body.get("parsedChangedPropsIds", []), list), "触发回调的参数不对")


# ---------------------------------------------------------------- logging and installing


def cut(message: str, keep_tail: bool = False) -> str:
    if len(message) <= LOG_CHARS:
        return message
    mark, half = f"…（已截断，共 {len(message)} 个字符）", LOG_CHARS // 2
    return message[:half] + mark + message[-half:] if keep_tail else message[:LOG_CHARS] + mark


class Shorten(logging.Filter):
    """No log record carries a long value whole: message and traceback cut to about LOG_CHARS."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: logging reports it as it would
            return True
        if len(message) > LOG_CHARS:
            record.msg, record.args = cut(message), None
        if record.exc_info and not record.exc_text:  # the formatter uses exc_text as it finds it
            record.exc_text = cut("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), keep_tail=True)
        return True


SHORTEN = Shorten()  # one instance: addFilter skips it the second time (tests build many apps)


def install(app, _source) -> None:
    """Refuse bad callback requests with a 400 and shorten long log records.

    The data source is not consulted on purpose: a value the data lacks is no reason for a 400."""
    route = app.config.routes_pathname_prefix + "_dash-update-component"  # Flask sees routes, not requests, prefix
    memo: dict[str, dict[str, Plan]] = {}
    for name in (app.server.logger.name, app.logger.name, "dash", "werkzeug", "gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).addFilter(SHORTEN)

    def refuse(why: str) -> Response:
        app.server.logger.info("回调请求被拒绝（400）：%s", why)  # one short line, never the request
        return Response(f"请求无效：{why}。请刷新页面后重试。", 400, {"Content-Type": "text/plain; charset=utf-8"})

    @app.server.before_request
    def guard_callbacks():
        if request.method != "POST" or request.path != route:
            return None
        all_plans = memo.get("plans") or memo.setdefault("plans", plans(app))  # once every callback exists
        if not request.is_json:
            return refuse("请求不是 JSON")
        raw = request.get_data(cache=True)  # at most MAX_CONTENT_LENGTH: Flask answers 413 beyond
        if len(raw) > MAX_BODY:  # only the upload is large: megabytes of anything else are not even parsed
            heads = [re.escape(json.dumps(k).encode()) for k, p in all_plans.items() if p.upload]
            if not heads or not re.match(rb'\s*\{\s*"output"\s*:\s*(' + b"|".join(heads) + rb")", raw[:1024]):
                return refuse("请求过大")
        try:
            check_body(request.get_json(silent=True), all_plans)  # cached: Dash reads this same, checked object
        except RecursionError:
            return refuse("请求嵌套过深")
        except Refused as why:
            return refuse(str(why))
        return None
