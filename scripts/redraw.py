"""Redraw against the browser's floor: a unit switch on /transfers, clicked in real Chromium,
timed to the last chart drawn and the last answer painted, against `Plotly.react` of the very
same figures in the same page (issue 12's target: median within 3× of it).

    .venv/bin/python scripts/redraw.py [--data DIR] [--runs 15] [--mode both|browser|server]
    .venv/bin/python scripts/redraw.py --click [--baseline CHECKOUT] [--runs 15]

Two ways a pick is drawn (routing.register_units): `browser`, the pointer has rested on the switch
and the other units have arrived, so the pick needs no request; `server`, the page asks the
drawing callback (the switch's intent turned off, as when a pick comes before the units arrive).

`--click`: a click on a bar of /transfers that cross-filters the page (and a second that clears
it), timed the same way, here and, with --baseline, in another checkout on its own data/ (the
cross-filter was a server callback before it ran in the browser: two requests a click).

Also counts the callback requests a change sends and the bytes their answers carry.
Prints medians and p95; nothing is asserted (these machines are noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.conftest import CHROMIUM_ARGS, running_server  # noqa: E402
from tests.browser.page_scripts import BAR_POINT_CENTRE, TRACK_DASH_REQUESTS  # noqa: E402

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
    gd.on('plotly_afterplot', () => {
      window.__lastDraw = performance.now();
      requestAnimationFrame(() => { window.__lastPaint = performance.now(); });
    });
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


# No intent from the switch: every pick asks the server.
NO_INTENT = "() => document.querySelectorAll('.unit-switch-here').forEach(g => g.classList.remove('unit-switch-here'))"
QUIET = "() => window.__dashPending === 0 && performance.now() - window.__dashLastActivity > 200"


@contextlib.contextmanager
def opened(url: str):
    """A page of headless Chromium with the probes, once its charts have drawn and settled."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(TRACK_DASH_REQUESTS)
        page.add_init_script(PROBE)
        page.goto(url)
        page.wait_for_function("() => document.querySelectorAll('#page .js-plotly-plot').length >= 2", timeout=30000)
        page.wait_for_timeout(1500)
        try:
            yield page
        finally:
            browser.close()


def measure(base: str, runs: int, path: str, mode: str) -> dict:
    with opened(base + path) as page:
        if mode == "server":
            page.evaluate(NO_INTENT)
        units = ["元", "亿元"]
        redraws, reacts, requests, sizes = [], [], [], []
        for i in range(runs + 1):
            before = page.evaluate(SNAPSHOT)
            choice = page.get_by_label(units[i % 2], exact=True).first
            if mode == "browser":  # the pointer comes to the switch and rests: the other units arrive
                page.mouse.move(5, 5)
                choice.hover()
                page.wait_for_function(QUIET, polling=50, timeout=30000)
            choice.click()
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
    return {"redraw": redraws, "react": reacts, "requests": requests, "bytes": sizes}


CATEGORY = "一般性转移支付"
INDEX = "([id, label]) => document.querySelector('#' + id + ' .js-plotly-plot')._fullData[0].x.indexOf(label)"


def measure_clicks(base: str, runs: int) -> dict:
    """Click 一般性转移支付's bar on /transfers: the page filters to it; the next click clears it."""
    with opened(base + "/transfers") as page:
        clicks, requests = [], []
        for i in range(runs + 1):
            where = ["transfers-bars", 0, page.evaluate(INDEX, ["transfers-bars", CATEGORY])]
            x, y = page.evaluate(BAR_POINT_CENTRE, where)[:2]
            page.mouse.click(x, y)
            page.wait_for_function(DONE, polling=50, timeout=30000)
            elapsed, count, _size = page.evaluate(ELAPSED)
            page.wait_for_timeout(300)
            if i:
                clicks.append(elapsed)
                requests.append(count)
    return {"redraw": clicks, "requests": requests}


def main_clicks(args) -> None:
    from first_visit import server

    med = statistics.median
    checkouts = {"this checkout": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    results = {}
    with tempfile.TemporaryDirectory() as logs:
        for name, root in checkouts.items():
            venv = root / ".venv" if (root / ".venv" / "bin" / "gunicorn").exists() else REPO / ".venv"
            with server(root, Path(logs), venv) as base:
                results[name] = measure_clicks(base, args.runs)
    print(f"/transfers: a click on {CATEGORY}'s bar, then one that clears it ({args.runs} clicks each)")
    for name, r in results.items():
        print(
            f"  {name}: click → last chart drawn and painted, median {med(r['redraw']):.0f} ms, "
            f"p95 {p95(r['redraw']):.0f} ms; callback requests per click {med(r['requests']):.0f}"
        )
    if len(results) == 2:
        print(f"  ratio of medians: {med(results['this checkout']['redraw']) / med(results['baseline']['redraw']):.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description="单位切换的重绘时间与同页 Plotly.react 的比值")
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--path", default="/transfers")
    parser.add_argument("--mode", choices=("both", "browser", "server"), default="both")
    parser.add_argument("--click", action="store_true", help="联动筛选：点击柱子到全部图表重绘")
    parser.add_argument("--baseline", type=Path, help="--click 时对照的另一个检出（用它自己的 data/）")
    args = parser.parse_args()
    if args.click:
        return main_clicks(args)
    med = statistics.median
    modes = ("browser", "server") if args.mode == "both" else (args.mode,)
    with tempfile.TemporaryDirectory() as logs, running_server(args.data, Path(logs)) as base:
        results = {mode: measure(base, args.runs, args.path, mode) for mode in modes}
    print(f"{args.path} on {args.data} ({args.runs} unit switches each)")
    for mode, r in results.items():
        said = "drawn in the browser (units held)" if mode == "browser" else "asked of the server"
        print(f"  {said}:")
        print(f"    redraw (click → last chart drawn and painted): median {med(r['redraw']):.0f} ms, p95 {p95(r['redraw']):.0f} ms")
        print(f"    Plotly.react of the same figures:             median {med(r['react']):.0f} ms, p95 {p95(r['react']):.0f} ms")
        print(f"    ratio of medians: {med(r['redraw']) / med(r['react']):.2f}× (target ≤ 3×)")
        print(f"    callback requests per change: {med(r['requests']):.0f}; answer bytes: median {med(r['bytes']):,.0f}")

if __name__ == "__main__":
    main()
