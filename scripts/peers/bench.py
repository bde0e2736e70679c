"""Peers mode of scripts/benchmark.py: this dashboard's /transfers beside the same page in Streamlit and Vizro.

    .venv/bin/python scripts/benchmark.py --peers [--runs 15] [--viewers 20] [--duration 20] [--json FILE]

The peers (scripts/peers/streamlit_app.py, vizro_app.py) run from their own virtualenv,
.venv-peers, made from requirements-peers.txt when missing (Vizro pins its own Dash; neither is
ever in the app's requirements). All read the same synthetic city data (bench-data/city, 30
regions × 10 years, 合成数据). Four servers run side by side for the whole run:

- dashboard: gunicorn with gunicorn.conf.py, 2 workers, remembered views (the production default);
- dashboard·每次计算: the same with VIEW_CACHE_SIZE=0, every view built anew (its worst case);
- Vizro: gunicorn with the same gunicorn.conf.py, 2 workers (Vizro is a Dash app);
- Streamlit: `streamlit run` (one process: Streamlit has no workers).

In headless Chromium (/usr/bin/chromium, the tests' flags), repetition by repetition and app by
app in a rotating order (load from elsewhere hits them alike), each in a new browser context:
first load cold (empty cache) and warm (reload) until every chart is drawn and the page is quiet;
then a year and a region change, each timed from the click on the option to the last chart
redrawn (plotly_afterplot armed before the click; for Streamlit, which replaces a changed chart's
element, the new chart drawn, and the rerun finished: see browser.py). Bytes: what came over the
network (Chromium's encodedDataLength, and websocket frames for Streamlit). Server memory, after
the browser part and after the viewers, summed over every process of the server (memory.py):
RSS counts a page shared by a master and its workers (libraries, and with gunicorn's
preload_app what the workers inherited copy-on-write) once per process; PSS divides each
shared page among the processes that map it, so a tree's sum counts it once (Streamlit is one
process: PSS is about its RSS), but the four servers of a run share their virtualenv's
libraries too (the two dashboards .venv, Streamlit and Vizro .venv-peers), which makes each
look a little smaller; 去重 counts every physical page of the tree once, as if it ran alone.
20 viewers: each replays, with about a second between actions, what a browser sent for a filter
change: the Dash callback POSTs for the dashboard and Vizro, the websocket frames for Streamlit
(st_viewers.py); latency is until the server's whole answer is in. Medians, p95 and the
dashboard's ratio to the better peer are printed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from scripts.bench_lib import answering, folder_of, gunicorn, run_threads, stats  # noqa: E402
from scripts.peers.browser import ARM, READY, REDRAWN, TRACK  # noqa: E402
from scripts.peers.memory import tree_memory_mb  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TRACK_DASH_REQUESTS, free_port  # noqa: E402

PEERS_VENV = ROOT / ".venv-peers"
REQUIREMENTS = ROOT / "requirements-peers.txt"
HERE = Path(__file__).resolve().parent
VIEWPORT = {"width": 1400, "height": 1000}
CHARTS = 4  # bars, waterfall, regions compared, the region's years: every app draws these
QUIET_MS = 300


@dataclass
class App:
    name: str
    label: str
    path: str
    filters: dict[str, str]  # 年度/地区 → how to find its control
    streamlit: bool = False
    base: str = ""
    pids: list[int] = field(default_factory=list)
    samples: dict = field(
        default_factory=lambda: {k: [] for k in ("cold", "warm", "redraw", "cold_bytes", "change_bytes")}
    )
    incomplete: int = 0
    opening: list = field(default_factory=list)  # what a browser sent opening the page (Streamlit)
    actions: list = field(default_factory=list)  # what it sent for each filter change
    memory: dict = field(default_factory=dict)
    viewers: dict = field(default_factory=dict)


def ensure_peers_venv() -> Path:
    """.venv-peers with requirements-peers.txt installed (a few minutes the first time)."""
    python = PEERS_VENV / "bin" / "python"
    if not (PEERS_VENV / "bin" / "streamlit").exists() or not (PEERS_VENV / "bin" / "gunicorn").exists():
        print(f"安装对照框架到 {PEERS_VENV}（requirements-peers.txt）…", flush=True)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
    return python


def record_memory(app: App, when: str) -> None:
    """RSS, PSS and distinct pages of the server's process tree (memory.py), under memory[when…]."""
    total = {"rss": 0.0, "pss": 0.0, "distinct": 0.0}
    for pid in app.pids:
        for key, mb in tree_memory_mb(pid).items():
            total[key] = None if mb is None or total[key] is None else total[key] + mb
    app.memory[when] = total["rss"]
    app.memory[f"{when}_pss"] = total["pss"]
    app.memory[f"{when}_distinct"] = float("nan") if total["distinct"] is None else total["distinct"]


@contextlib.contextmanager
def peer_server(app: App, data: Path, log_dir: Path) -> Iterator[None]:
    port = free_port()
    app.base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PEERS_DATA": str(data), "PYTHONDONTWRITEBYTECODE": "1"}
    if app.streamlit:
        command = [str(PEERS_VENV / "bin" / "streamlit"), "run", str(HERE / "streamlit_app.py")]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
        command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    else:
        command = [str(PEERS_VENV / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2"]
        command += ["--bind", f"127.0.0.1:{port}", "--no-control-socket", "--chdir", str(HERE), "vizro_app:server"]
    log = log_dir / f"{app.name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        app.pids = [proc.pid]
        with answering(proc, app.base, log, 120):
            yield


@contextlib.contextmanager
def servers(apps: list[App], data: Path, log_dir: Path) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for app in apps:
            if app.name.startswith("dashboard"):
                env = {"DATA_DIR": str(data), "DATA_CACHE_DIR": str(log_dir / f"cache-{app.name}")}
                if app.name == "dashboard_compute":
                    env["VIEW_CACHE_SIZE"] = "0"
                server = stack.enter_context(gunicorn("app:server", 2, env, log_dir))
                app.base, app.pids = server.base, [server.proc.pid]
            else:
                stack.enter_context(peer_server(app, data, log_dir))
        yield


# ---------------------------------------------------------------- browser


class Wire:
    """Bytes over the network of one tab (CDP), and what the page sends to its server."""

    def __init__(self, context, tab):
        self.bytes = 0
        self.posts: list[str] = []
        self.frames: list[bytes] = []
        cdp = context.new_cdp_session(tab)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", lambda e: self.add(e["encodedDataLength"]))
        cdp.on("Network.webSocketFrameReceived", lambda e: self.add(frame_bytes(e["response"])))
        tab.on("request", self.request)
        tab.on("websocket", lambda ws: ws.on("framesent", self.sent))

    def add(self, n) -> None:
        self.bytes += n

    def request(self, request) -> None:
        if request.method == "POST" and "/_dash-update-component" in request.url:
            self.posts.append(request.post_data or "")

    def sent(self, payload) -> None:
        self.frames.append(payload)

    def take(self) -> tuple[int, list, list]:
        out = (self.bytes, self.posts, self.frames)
        self.bytes, self.posts, self.frames = 0, [], []
        return out


def frame_bytes(response: dict) -> int:
    data = response.get("payloadData", "")
    return len(data) * 3 // 4 if response.get("opcode") == 2 else len(data.encode())


def choose(tab, app: App, label: str, k: int) -> tuple | None:
    """Open the filter's list and click the k-th value not chosen; the redraw it caused."""
    control = tab.locator(app.filters[label])
    control.click()
    options = tab.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    others = [i for i in range(min(options.count(), 8)) if options.nth(i).get_attribute("aria-selected") != "true"]
    if not others:
        tab.keyboard.press("Escape")
        return None
    tab.evaluate(ARM)
    options.nth(others[k % len(others)]).click()
    result = tab.evaluate(REDRAWN)
    with contextlib.suppress(Exception):
        if tab.locator(f"{app.filters[label]}[aria-expanded='true']").count():
            tab.keyboard.press("Escape")
    return result


def visit(browser, app: App, rep: int, record: bool) -> str:
    """One viewer's visit in a new context: cold load, warm load, a year and a region change."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        context.add_init_script(TRACK_DASH_REQUESTS)
        context.add_init_script(TRACK)
        tab = context.new_page()
        wire = Wire(context, tab)
        tab.goto(app.base + app.path)
        loaded = [tab.evaluate(READY, [CHARTS, QUIET_MS])]
        cold_bytes, _, opening = wire.take()
        tab.reload()
        loaded.append(tab.evaluate(READY, [CHARTS, QUIET_MS]))
        wire.take()
        if None in loaded:
            return f"{app.label}：页面 90 秒内未画完，本次不计"
        app.samples["cold"].append(loaded[0] / 1000)
        app.samples["warm"].append(loaded[1] / 1000)
        app.samples["cold_bytes"].append(cold_bytes)
        if record and not app.opening:
            app.opening = opening
        redraws = []
        for label in app.filters:
            result = choose(tab, app, label, rep)
            if result is None or result[0] is None:
                continue
            duration, done, present = result
            app.incomplete += done < present
            app.samples["redraw"].append(duration / 1000)
            redraws.append(f"{label} {duration:,.0f}")
            tab.evaluate(READY, [CHARTS, 200])
            change_bytes, posts, frames = wire.take()
            app.samples["change_bytes"].append(change_bytes)
            if record:
                app.actions.append(frames if app.streamlit else posts)
        return f"{app.label}：冷 {loaded[0]:,.0f} 热 {loaded[1]:,.0f} 重绘 {'，'.join(redraws)} ms"
    finally:
        context.close()


def browse(apps: list[App], runs: int) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for app in apps:  # warm every server (imports, first views), not counted
                print("  预热 " + visit(browser, app, 0, False), flush=True)
                app.samples = {k: [] for k in app.samples}
                app.incomplete = 0
            for rep in range(runs):
                order = apps[rep % len(apps) :] + apps[: rep % len(apps)]
                done = [visit(browser, app, rep, rep < 6) for app in order]
                print(f"  第 {rep + 1}/{runs} 轮：" + "；".join(done), flush=True)
        finally:
            browser.close()
    for app in apps:
        record_memory(app, "after_browser")


# ---------------------------------------------------------------- viewers


def dash_viewers(app: App, viewers: int, seconds: float, think: float) -> dict:
    """Threads, each a viewer replaying one recorded filter change (its callback POSTs, in order) at a time."""
    actions = [[json.loads(body) for body in posts] for posts in app.actions if posts]
    latencies, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def viewer(seed: int) -> None:
        rng, session = random.Random(seed), requests.Session()
        while time.monotonic() < stop:
            started = time.perf_counter()
            ok = True
            try:
                for body in rng.choice(actions):
                    ok &= session.post(app.base + "/_dash-update-component", json=body, timeout=30).status_code in (
                        200,
                        204,
                    )
            except requests.RequestException:
                ok = False
            with lock:
                (latencies if ok else errors).append(time.perf_counter() - started)
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))

    return {"latencies": latencies, "errors": len(errors), "seconds": run_threads(viewer, viewers, seconds)}


def streamlit_viewers(app: App, viewers: int, seconds: float, think: float, tmp: Path) -> dict:
    encode = lambda frames: [base64.b64encode(f if isinstance(f, bytes) else f.encode()).decode() for f in frames]  # noqa: E731
    recorded = tmp / "streamlit-actions.json"
    recorded.write_text(json.dumps({"opening": encode(app.opening), "actions": [encode(a) for a in app.actions if a]}))
    url = app.base.replace("http://", "ws://") + "/_stcore/stream"
    command = [str(PEERS_VENV / "bin" / "python"), str(HERE / "st_viewers.py"), str(recorded), "--url", url]
    command += ["--viewers", str(viewers), "--seconds", str(seconds), "--think", str(think)]
    out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 120).stdout)
    out["errors"] = len(out["errors"])
    return out


def measure_viewers(apps: list[App], viewers: int, seconds: float, tmp: Path) -> None:
    for app in apps:
        if app.streamlit:
            run = streamlit_viewers(app, viewers, seconds, 1.0, tmp)
        else:
            run = dash_viewers(app, viewers, seconds, 1.0)
        median, p95 = stats(run["latencies"])
        app.viewers = {"n": len(run["latencies"]), "median": median, "p95": p95, "errors": run["errors"]}
        app.viewers["throughput"] = len(run["latencies"]) / run["seconds"]
        record_memory(app, "after_viewers")
        print(
            f"  {app.label}：{viewers} 个浏览者 {run['seconds']:.0f} 秒，{app.viewers['n']} 次操作，"
            f"中位数 {median * 1000:,.0f} ms，p95 {p95 * 1000:,.0f} ms，错误 {run['errors']}",
            flush=True,
        )


# ---------------------------------------------------------------- report

ROWS = (  # (key, label, how to read a sample list or a number, unit)
    ("cold", "首次打开·冷（新上下文）中位数", 0, "ms"),
    ("cold", "首次打开·冷 p95", 1, "ms"),
    ("warm", "再次打开·热（刷新）中位数", 0, "ms"),
    ("warm", "再次打开·热 p95", 1, "ms"),
    ("redraw", "筛选→全部图表重绘 中位数", 0, "ms"),
    ("redraw", "筛选→全部图表重绘 p95", 1, "ms"),
    ("cold_bytes", "首次打开传输字节（中位数）", 0, "B"),
    ("change_bytes", "每次筛选传输字节（中位数）", 0, "B"),
    ("after_browser", "服务器常驻内存 RSS（全部进程，浏览器测量后）", None, "MB"),
    ("after_browser_pss", "服务器内存 PSS（共享页按进程分摊，浏览器测量后）", None, "MB"),
    ("after_browser_distinct", "服务器内存 去重（每个物理页计一次，浏览器测量后）", None, "MB"),
    ("after_viewers", "服务器常驻内存 RSS（20 人访问后）", None, "MB"),
    ("after_viewers_pss", "服务器内存 PSS（20 人访问后）", None, "MB"),
    ("after_viewers_distinct", "服务器内存 去重（20 人访问后）", None, "MB"),
    ("viewers_p95", "20 人同时访问 p95（服务器应答）", None, "ms"),
)


def value(app: App, key: str, which) -> float:
    if key in app.memory:
        return app.memory[key]
    if key == "viewers_p95":
        return app.viewers.get("p95", float("nan")) * 1000
    median, p95 = stats(app.samples[key])
    v = median if which == 0 else p95
    return v * 1000 if key in ("cold", "warm", "redraw") else v


def table(apps: list[App]) -> list[dict]:
    peers = [a for a in apps if not a.name.startswith("dashboard")]
    print("\n| 指标 | " + " | ".join(a.label for a in apps) + " | 本看板 ÷ 较好的对照 | 目标 | 结论 |")
    print("|---|" + "---:|" * len(apps) + "---:|---|---|")
    rows = []
    for key, label, which, unit in ROWS:
        values = [value(a, key, which) for a in apps]
        best = min(value(p, key, which) for p in peers)
        ratio = values[0] / best if best else float("nan")
        limit = 0.5 if key == "redraw" and which == 0 else 1.0
        ok = ratio <= limit if limit == 0.5 else ratio < limit
        shown = [f"{v:,.0f}" for v in values]
        target = "≤ 0.5×" if limit == 0.5 else "< 1×"
        print(
            f"| {label}（{unit}） | "
            + " | ".join(shown)
            + f" | {ratio:.2f}× | {target} | {'达标' if ok else '未达标'} |"
        )
        rows.append({"row": label, "unit": unit, "values": dict(zip([a.name for a in apps], values, strict=True))})
        rows[-1].update(ratio=ratio, ok=ok)
    n = {a.label: len(a.samples["redraw"]) for a in apps}
    incomplete = {a.label: a.incomplete for a in apps}
    errors = {a.label: a.viewers.get("errors") for a in apps}
    print(
        f"\n重绘样本数 {n}；其中有图未重绘（图未变，按 500 ms 无事件判定）的次数 {incomplete}；20 人访问错误 {errors}"
    )
    return rows


def run(runs: int, viewers: int, seconds: float) -> dict:
    ensure_peers_venv()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the servers stop too
    data = folder_of("city")
    year, region = "年度", "地区"
    apps = [
        App("dashboard", "本看板", "/transfers", {year: "#transfers-year", region: "#transfers-region"}),
        App(
            "dashboard_compute", "本看板·每次计算", "/transfers", {year: "#transfers-year", region: "#transfers-region"}
        ),
        App(
            "streamlit", "Streamlit", "/", {year: 'input[aria-label="年度"]', region: 'input[aria-label="地区"]'}, True
        ),
        App("vizro", "Vizro", "/", {year: "#year", region: "#region"}),
    ]
    print(f"数据：{data}（合成数据，城市级）；每个应用 {runs} 轮，交替进行", flush=True)
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp, servers(apps, data, Path(tmp)):
        browse(apps, runs)
        measure_viewers(apps, viewers, seconds, Path(tmp))
        rows = table(apps)
    return {
        "rows": rows,
        "apps": {a.name: {"samples": a.samples, "memory": a.memory, "viewers": a.viewers} for a in apps},
    }
