"""Shared pieces of scripts/benchmark.py: scales, callback payloads, the no-op floor app, gunicorn servers, timing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
from dash import Dash, Input, Output, html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import make_scale_data  # noqa: E402
from tests.browser.conftest import free_port  # noqa: E402

PAGES = {"overview": "/", "transfers": "/transfers", "debt": "/debt", "performance": "/performance"}
SCALES = ("seed", "city", "province")  # benchmark.py's full run; bench_scale.py also takes national
FILTER_NAMES = {
    "year": "年度",
    "region": "地区",
    "category": "类别",
    "debt_type": "债务类型",
    "method": "评价方式",
    "target_type": "对象类型",
    "grade": "等级",
    "unit": "金额单位",
}
GUNICORN = Path(sys.executable).with_name("gunicorn")
TARGET_RATIO = {"seed": 2.0, "city": 2.0, "province": 3.0}
TARGET_REDRAW_MS = 300
TARGET_START_S = 15
TARGET_RSS_MB = 1536
TARGET_VIEWER_P95_MS = 1000


def folder_of(scale: str) -> Path:
    if scale == "seed":
        return ROOT / "data"
    folder = make_scale_data.DEFAULT_OUT / scale
    if not (folder / "evaluations.csv").exists():
        print(f"生成合成数据 {folder} …", flush=True)
        make_scale_data.write(folder, make_scale_data.SCALES[scale])
    return folder


def stats(samples: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) of a list of samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan"), float("nan")
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]
    return statistics.median(ordered), p95


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def verdict(ok: bool) -> str:
    return "达标" if ok else "未达标"


# ---------------------------------------------------------------- callback payloads


@dataclass
class Callback:
    """One server callback as /_dash-dependencies describes it, and how to call it."""

    output: str
    outputs: list[dict]
    inputs: list[dict]
    state: list[dict]

    @classmethod
    def parse(cls, spec: dict) -> Callback:
        text = spec["output"]
        parts = text[2:-2].split("...") if text.startswith("..") else [text]
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
        listed = [spec["inputs"], spec.get("state", [])]
        inputs, state = ([{"id": d["id"], "property": d["property"]} for d in group] for group in listed)
        for d in outputs + inputs + state:  # pattern-matching ids travel as JSON text
            d["id"] = json.loads(d["id"]) if d["id"].startswith("{") else d["id"]
        return cls(text, outputs, inputs, state)

    def payload(self, values: dict, changed: str) -> dict:
        """The request body the browser sends, with `values` by "id.property"."""

        def item(d):
            key = f"{id_key(d['id'])}.{d['property']}"
            return {**d, "value": values.get(key)}

        outputs = self.outputs if self.output.startswith("..") else self.outputs[0]
        return {
            "output": self.output,
            "outputs": outputs,
            "inputs": [item(d) for d in self.inputs],
            "changedPropIds": [changed],
            "state": [item(d) for d in self.state],
        }


def id_key(ident) -> str:
    """A component id as Dash writes it in "id.property" (pattern-matching ids as compact JSON)."""
    return ident if isinstance(ident, str) else json.dumps(ident, separators=(",", ":"), sort_keys=True)


def controls(tree) -> dict[str, dict]:
    """{id: props} of every component with an id in a rendered layout (JSON)."""
    found = {}
    if isinstance(tree, dict):
        if "props" in tree and isinstance(tree["props"], dict) and "id" in tree["props"]:
            found[id_key(tree["props"]["id"])] = {**tree["props"], "type": tree.get("type")}
        for value in tree.values():
            found.update(controls(value))
    elif isinstance(tree, list):
        for value in tree:
            found.update(controls(value))
    return found


@dataclass
class Request:
    page: str
    name: str  # what the viewer did: 打开页面, 年度, 地区, …, 清单翻页
    callback: Callback
    body: dict
    n_in: int = 0
    n_out: int = 0


def server_callbacks(client) -> list[Callback]:
    return [Callback.parse(d) for d in client.get("/_dash-dependencies").get_json() if not d.get("clientside_function")]


def open_page(deps: list[Callback], path: str) -> tuple[Callback, dict]:
    """The router callback and its request for opening a page (no data needed to build it)."""
    router = next(c for c in deps if c.outputs[0]["id"] == "page")
    return router, router.payload({"route.data": {"path": path, "search": "", "at": 0}}, "route.data")


def requests_for(client) -> list[Request]:
    """Opening each page, then changing each of its filters to another value, and a grid page."""
    deps = server_callbacks(client)
    out = []
    for page, path in PAGES.items():
        router, body = open_page(deps, path)
        out.append(Request(page, "打开页面", router, body, len(router.inputs) + len(router.state), len(router.outputs)))
        layout = client.post("/_dash-update-component", json=body).get_json()["response"]["page"]["children"]
        filters = controls(layout)
        main = next(c for c in deps if any(o["id"] == {"role": "query", "page": page} for o in c.outputs))
        values = {
            f"{id_key(d['id'])}.{d['property']}": filters[id_key(d["id"])].get(d["property"]) for d in main.inputs
        }
        shape = (len(main.inputs) + len(main.state), len(main.outputs))
        for d in main.inputs:
            key, props = f"{id_key(d['id'])}.{d['property']}", filters[id_key(d["id"])]
            if props["type"] not in ("Dropdown", "RadioItems"):
                continue  # not a filter (the data-version store)
            options = [o["value"] for o in props.get("options", [])]
            if props.get("multi"):
                changed = [options[-1]] if options else []
            else:
                others = [o for o in options if o != props["value"]]
                changed = others[0] if others else props["value"]
            label = FILTER_NAMES.get(d["id"].split("-", 1)[1], d["id"])
            out.append(Request(page, label, main, main.payload({**values, key: changed}, key), *shape))
        grid = next((c for c in deps if c.outputs[0]["property"] == "getRowsResponse"), None)
        if page == "performance" and grid is not None:
            request = {"startRow": 20, "endRow": 40, "sortModel": [], "filterModel": {}}
            body = grid.payload(
                {**values, "performance-grid.getRowsRequest": request}, "performance-grid.getRowsRequest"
            )
            out.append(Request(page, "清单翻页", grid, body, len(grid.inputs) + len(grid.state), 1))
    return out


# ---------------------------------------------------------------- the floor


def floor_app(shapes: list[tuple[int, int]]):
    """A Dash app whose callbacks do nothing, one per (inputs, outputs) shape: Dash's own cost."""
    app = Dash(__name__, serve_locally=True)
    parts = []
    for k, (n_in, n_out) in enumerate(shapes):
        parts += [html.Div(id=f"f{k}-in{i}") for i in range(n_in)] + [html.Div(id=f"f{k}-out{j}") for j in range(n_out)]
        outputs = [Output(f"f{k}-out{j}", "children") for j in range(n_out)]
        app.callback(*outputs, *[Input(f"f{k}-in{i}", "children") for i in range(n_in)])(
            lambda *_args, n=n_out: [None] * n if n > 1 else None
        )
    app.layout = html.Div(parts)
    return app


def floor_server():
    """gunicorn entry point for the floor app; shapes from FLOOR_SHAPES ("5x10,3x6")."""
    shapes = [tuple(int(x) for x in s.split("x")) for s in os.environ["FLOOR_SHAPES"].split(",")]
    return floor_app(shapes).server


def floor_bodies(shapes: list[tuple[int, int]]) -> dict[tuple[int, int], dict]:
    bodies = {}
    for k, (n_in, n_out) in enumerate(shapes):
        outs = [{"id": f"f{k}-out{j}", "property": "children"} for j in range(n_out)]
        names = [f"f{k}-out{j}.children" for j in range(n_out)]
        bodies[(n_in, n_out)] = {
            "output": ".." + "...".join(names) + ".." if n_out > 1 else names[0],
            "outputs": outs if n_out > 1 else outs[0],
            "inputs": [{"id": f"f{k}-in{i}", "property": "children", "value": None} for i in range(n_in)],
            "changedPropIds": [f"f{k}-in0.children"],
            "state": [],
        }
    return bodies


# ---------------------------------------------------------------- servers


@dataclass
class Server:
    base: str
    proc: subprocess.Popen
    started: float
    log: Path

    def worker_pids(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def memory_mb(self) -> dict[str, float]:
        """Resident (VmRSS) and peak (VmHWM) memory of the largest worker, and the master's peak
        (with preload_app the master reads the data, so a first parse peaks there), in MB."""
        best = {"rss": 0.0, "peak": 0.0}
        for pid in self.worker_pids() or [self.proc.pid]:
            with contextlib.suppress(OSError):
                rss, peak = _status_mb(pid, "VmRSS", "VmHWM")
                if rss > best["rss"]:
                    best = {"rss": rss, "peak": peak}
        with contextlib.suppress(OSError):
            best["master_peak"] = _status_mb(self.proc.pid, "VmHWM")[0]
        return best


def _status_mb(pid: int, *keys: str) -> list[float]:
    status = Path(f"/proc/{pid}/status").read_text()
    return [int(status.split(f"{key}:")[1].split()[0]) / 1024 for key in keys]


@contextlib.contextmanager
def answering(proc: subprocess.Popen, base: str, log: Path, seconds: float) -> Iterator[None]:
    """Until the block ends: wait (at most `seconds`) for `proc` to answer GET /, then stop it."""
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def gunicorn(app: str, workers: int, env: dict, log_dir: Path) -> Iterator[Server]:
    port = free_port()
    log = log_dir / f"gunicorn-{port}.log"
    # The production settings (gthread workers), so that numbers say what a deployment gets.
    command = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--no-control-socket", "--timeout", "120", app]
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", proc, started, log)
        with answering(proc, server.base, log, 120):
            yield server


# ---------------------------------------------------------------- measurements


@dataclass
class Results:
    scale: str
    rows: dict = field(default_factory=dict)  # data description
    callbacks: list = field(default_factory=list)
    browser: list = field(default_factory=list)
    startup: dict = field(default_factory=dict)
    viewers: list = field(default_factory=list)


def run_threads(target, n: int, seconds: float) -> float:
    """`target(i)` in n threads at once (simulated viewers); the seconds until all have ended."""
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return time.perf_counter() - started


def time_calls(call, body: dict, repeat: int) -> tuple[list[float], int]:
    samples, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        status, size = call(body)
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"callback answered {status}")
    return samples, size


def in_process(client):
    def call(body):
        response = client.post("/_dash-update-component", json=body)
        return response.status_code, len(response.data)

    return call


def over_http(session: requests.Session, base: str):
    def call(body):
        response = session.post(base + "/_dash-update-component", json=body, timeout=120)
        return response.status_code, len(response.content)

    return call


MODES = {"compute": "0", "cached": ""}  # VIEW_CACHE_SIZE: every view built / remembered views
