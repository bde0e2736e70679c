"""First visit, before and after: bytes on the wire, requests, first drawn chart, layout shift.

    .venv/bin/python scripts/benchmark.py --first-visit [--baseline /work/main] [--runs 7] [--json FILE]

Two servers side by side on the seed data, with the production settings (gunicorn.conf.py, two
workers): this checkout ("after") and another checkout of the dashboard ("before", e.g. main),
read-only (no bytecode written, its parsed-data cache in a temporary folder). Every run opens a new
browser context (an empty cache) and visits one page; runs alternate before/after and page by
page, so load from elsewhere on a shared machine hits both alike. The browser asks for
`Accept-Encoding: gzip, br`. Printed: medians of each page and side, and after/before ratios.

- bytes: what came over the network (Chromium's encodedDataLength: headers and body as sent)
- requests: every request of the page until it is quiet (first chart drawn, then 600 ms idle)
- first chart: ms from navigation start to the first chart with a drawn trace
- CLS: the page's cumulative layout shift until then (Lighthouse's measure)
- grid script: whether AG Grid's bundle was loaded

A third side, "bare", is the floor the issue measures the first chart against: a page with
nothing but the same plotly.js (assets/, compressed the same way) drawing one chart, the seed's
/transfers 预算数与上年执行数, served by a bare Flask app with Flask-Compress. Target: the
dashboard's first chart within 1.5× of it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.bench_lib import answering  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

PAGES = ("/", "/transfers")
VIEWPORT = {"width": 1400, "height": 1000}
QUIET_MS = 600
SHIFTS = """
window.__cls = 0;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) { if (!e.hadRecentInput) window.__cls += e.value; }
}).observe({type: 'layout-shift', buffered: true});
"""
FIRST_CHART = "() => document.querySelector('.js-plotly-plot g.trace') ? performance.now() : false"


@contextlib.contextmanager
def server(root: Path, log_dir: Path, venv: Path) -> Iterator[str]:
    """gunicorn -c ROOT/gunicorn.conf.py app:server in `root`, on a free port of 127.0.0.1."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cache = log_dir / f"cache-{port}"
    env = {
        **os.environ,
        "DATA_DIR": str(root / "data"),
        "DATA_CACHE_DIR": str(cache),
        "PYTHONDONTWRITEBYTECODE": "1",  # the other checkout stays as it is
    }
    gunicorn = venv / "bin" / "gunicorn"
    command = [str(gunicorn), "-c", str(root / "gunicorn.conf.py"), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--no-control-socket", "app:server"]
    with open(log_dir / f"server-{port}.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        with answering(proc, base, log_dir / f"server-{port}.log", 60):
            yield base


BARE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>bare</title></head>
<body><div id="chart" style="height:380px"></div><script src="/plotly.js"></script>
<script>const f = FIGURE; Plotly.newPlot("chart", f.data, f.layout, {responsive: true, locale: "zh-CN"});</script>
</body></html>"""


@contextlib.contextmanager
def bare_server() -> Iterator[str]:
    """The bare page: the dashboard's plotly.js and one of its figures, nothing else."""
    from flask import Flask, send_file
    from flask_compress import Compress
    from plotly.io.json import to_json_plotly
    from werkzeug.serving import make_server

    from components import transfers
    from components.data import load_folder
    from components.state import ViewState

    dataset = load_folder(ROOT / "data")
    frame = dataset.frame("transfers")
    year = int(frame["year"].max())
    state = ViewState.of("transfers", year, str(frame[frame["year"] == year]["region"].iloc[0]))
    page = BARE.replace("FIGURE", to_json_plotly(transfers.view(dataset, state)["bars"]))
    script = next((ROOT / "assets").glob("plotly-*.min.js"))
    app = Flask("bare")
    Compress(app)
    app.add_url_rule("/", "page", lambda: page)
    app.add_url_rule("/plotly.js", "plotly", lambda: send_file(script, mimetype="text/javascript"))
    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the report
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()


def visit(browser, base: str, path: str) -> dict:
    """One first visit in an empty cache."""
    context = browser.new_context(viewport=VIEWPORT, extra_http_headers={"Accept-Encoding": "gzip, br"})
    try:
        page = context.new_page()
        page.add_init_script(SHIFTS)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        sizes: dict[str, float] = {}
        urls: dict[str, str] = {}
        last = [time.monotonic()]

        def sent(event):
            urls[event["requestId"]] = event["request"]["url"]
            last[0] = time.monotonic()

        def done(event):
            sizes[event["requestId"]] = event["encodedDataLength"]
            last[0] = time.monotonic()

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.loadingFinished", done)
        page.goto(base + path, wait_until="commit")
        first = page.wait_for_function(FIRST_CHART, polling="raf", timeout=30_000).json_value()
        deadline = time.monotonic() + 15
        while (time.monotonic() - last[0] < QUIET_MS / 1000 or len(sizes) < len(urls)) and time.monotonic() < deadline:
            time.sleep(0.05)
        cls = page.evaluate("window.__cls")
        ours = [u for u in urls.values() if not u.endswith("/_data-version")]  # the poll is not the visit
        return {
            "bytes": sum(size for rid, size in sizes.items() if not urls.get(rid, "").endswith("/_data-version")),
            "requests": len(ours),
            "first_chart_ms": first,
            "cls": cls,
            "grid_script": any("dash_ag_grid" in u for u in ours),
            "dash_plotly": any("package_data/plotly" in u for u in ours),
        }
    finally:
        context.close()


def median(samples: list[dict], key: str) -> float:
    return statistics.median(float(s[key]) for s in samples)


def run(baseline: Path, runs: int) -> dict:
    baseline = baseline.resolve()
    venv = ROOT / ".venv"
    base_venv = baseline / ".venv" if (baseline / ".venv" / "bin" / "gunicorn").exists() else venv
    results: dict = {p: {"before": [], "after": []} for p in PAGES}
    with (
        tempfile.TemporaryDirectory(prefix="first-visit-") as tmp,
        server(baseline, Path(tmp), base_venv) as before,
        server(ROOT, Path(tmp), venv) as after,
        bare_server() as bare,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for base in (before, after):  # warm the servers' own caches
                for path in PAGES:
                    visit(browser, base, path)
            visit(browser, bare, "/")
            for i in range(runs):
                order = (("before", before), ("after", after)) if i % 2 == 0 else (("after", after), ("before", before))
                for path in PAGES:
                    for side, base in order:
                        results[path][side].append(visit(browser, base, path))
                results.setdefault("bare", []).append(visit(browser, bare, "/"))
                print(f"  第 {i + 1}/{runs} 轮", flush=True)
        finally:
            browser.close()
    report(results, baseline, runs)
    return results


def report(results: dict, baseline: Path, runs: int) -> None:
    print(f"\n首次访问（空缓存，Accept-Encoding: gzip, br），{runs} 次的中位数；before = {baseline}，after = {ROOT}")
    header = f"{'页面':<11}{'':<8}{'字节':>12}{'请求数':>8}{'首图 ms':>10}{'CLS':>8}  AG Grid / Dash 自带 plotly"
    print(header)
    bare = results["bare"]
    for path in PAGES:
        sides = results[path]
        for side in ("before", "after"):
            s = sides[side]
            grid = sum(x["grid_script"] for x in s)
            plotly = sum(x["dash_plotly"] for x in s)
            print(
                f"{path:<11}{side:<8}{median(s, 'bytes'):>12,.0f}{median(s, 'requests'):>8.0f}"
                f"{median(s, 'first_chart_ms'):>10,.0f}{median(s, 'cls'):>8.3f}  {grid}/{len(s)} · {plotly}/{len(s)}"
            )
        b, a = sides["before"], sides["after"]
        ratios = [median(a, k) / median(b, k) if median(b, k) else float("nan") for k in ("bytes", "requests")]
        ratios.append(median(a, "first_chart_ms") / median(b, "first_chart_ms"))
        print(f"{path:<11}{'after/before':<8}{ratios[0]:>10.2f}×{ratios[1]:>7.2f}×{ratios[2]:>9.2f}×")
    floor = median(bare, "first_chart_ms")
    print(f"\n只有 plotly.js 和一张图的页面：首图 {floor:,.0f} ms，字节 {median(bare, 'bytes'):,.0f}")
    for path in PAGES:
        ratio = median(results[path]["after"], "first_chart_ms") / floor
        print(f"{path:<11}after 首图 ÷ 该页面 = {ratio:.2f}×（目标 ≤ 1.5×）")
