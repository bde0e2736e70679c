"""Redraw against the browser's floor: a unit switch on /transfers, clicked in real Chromium,
timed to the last chart drawn and the last answer painted, against `Plotly.react` of the very
same figures in the same page (issue 12's target: median within 3× of it).

    .venv/bin/python scripts/redraw.py [--data DIR] [--runs 15]

Also counts the callback requests a change sends and the bytes their answers carry.
Prints medians and p95; nothing is asserted (these machines are noisy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.conftest import CHROMIUM_ARGS, running_server  # noqa: E402
from tests.browser.page_scripts import TRACK_DASH_REQUESTS  # noqa: E402

# Times a click (capture phase: before Dash sees it), every graph's afterplot, and every Dash answer
# with the frame painted after it; counts requests and bytes since the click.
PROBE = """
(() => {
  window.__t0 = 0; window.__lastDraw = 0; window.__lastPaint = 0; window.__requests = 0; window.__bytes = 0;
  document.addEventListener('click', () => {
    window.__t0 = performance.now(); window.__lastDraw = 0; window.__lastPaint = 0;
    window.__requests = 0; window.__bytes = 0;
  }, true);
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    const p = fetch0.apply(this, arguments);
    if (!url.includes('/_dash-update-component')) return p;
    window.__requests += 1;
    return p.then(r => {
      r.clone().text().then(t => { window.__bytes += t.length; });
      r.clone().text().then(() => setTimeout(() => requestAnimationFrame(() => {
        window.__lastPaint = performance.now(); }), 0));
      return r;
    });
  };
  const hook = () => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
    if (gd.__probed) return; gd.__probed = true;
    gd.on('plotly_afterplot', () => { window.__lastDraw = performance.now(); });
  });
  new MutationObserver(hook).observe(document, {childList: true, subtree: true});
})();
"""

DONE = """() => window.__t0 && window.__dashPending === 0 && window.__lastPaint > window.__t0
  && performance.now() - Math.max(window.__lastPaint, window.__lastDraw) > 400"""

ELAPSED = "() => [Math.max(window.__lastDraw, window.__lastPaint) - window.__t0, window.__requests, window.__bytes]"

# Plotly.react between the two states the page drew (this unit and the last), each graph in turn.
SNAPSHOT = """() => [...document.querySelectorAll('#page .js-plotly-plot')].map(gd =>
  JSON.parse(JSON.stringify({data: gd.data, layout: gd.layout})))"""
REACT = """async ([a, b]) => {
  const gds = [...document.querySelectorAll('#page .js-plotly-plot')];
  const t = performance.now();
  for (let i = 0; i < gds.length; i++) { await Plotly.react(gds[i], b[i].data, b[i].layout); }
  const spent = performance.now() - t;
  for (let i = 0; i < gds.length; i++) { await Plotly.react(gds[i], a[i].data, a[i].layout); }
  return spent;
}"""


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def measure(base: str, runs: int, path: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(TRACK_DASH_REQUESTS)
        page.add_init_script(PROBE)
        page.goto(base + path)
        page.wait_for_function("() => document.querySelectorAll('#page .js-plotly-plot').length >= 2", timeout=30000)
        page.wait_for_timeout(1500)
        units = ["元", "亿元"]
        redraws, reacts, requests, sizes = [], [], [], []
        for i in range(runs + 1):
            before = page.evaluate(SNAPSHOT)
            page.get_by_label(units[i % 2], exact=True).first.click()
            page.wait_for_function(DONE, polling=50, timeout=30000)
            elapsed, count, size = page.evaluate(ELAPSED)
            after = page.evaluate(SNAPSHOT)
            react = page.evaluate(REACT, [after, before]) if len(after) == len(before) else None
            # REACT left the page on `after` redrawn twice: let it rest before the next click.
            page.wait_for_timeout(300)
            if i == 0:
                continue  # the first switch warms the view cache and the JIT
            redraws.append(elapsed)
            requests.append(count)
            sizes.append(size)
            if react is not None:
                reacts.append(react)
        browser.close()
    return {"redraw": redraws, "react": reacts, "requests": requests, "bytes": sizes}


def main() -> None:
    parser = argparse.ArgumentParser(description="单位切换的重绘时间与同页 Plotly.react 的比值")
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--path", default="/transfers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as logs, running_server(args.data, Path(logs)) as base:
        r = measure(base, args.runs, args.path)
    med = statistics.median
    print(f"{args.path} on {args.data} ({args.runs} unit switches)")
    print(f"  redraw (click → last chart drawn and answer painted): median {med(r['redraw']):.0f} ms, p95 {p95(r['redraw']):.0f} ms")
    print(f"  Plotly.react of the same figures:                   median {med(r['react']):.0f} ms, p95 {p95(r['react']):.0f} ms")
    print(f"  ratio of medians: {med(r['redraw']) / med(r['react']):.2f}× (target ≤ 3×)")
    print(f"  callback requests per change: {med(r['requests']):.0f}; answer bytes: median {med(r['bytes']):,.0f}")


if __name__ == "__main__":
    main()
