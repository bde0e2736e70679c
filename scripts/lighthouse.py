"""Lighthouse desktop performance of / and /transfers: `benchmark.py --lighthouse [--runs 3]`.

Lighthouse (npm, pinned below) is installed on first use into .lighthouse/ (git-ignored), never
by the tests. It drives Debian's Chromium (CHROME_PATH=/usr/bin/chromium, headless, no sandbox,
no GPU) against gunicorn with the production settings (gunicorn.conf.py, two workers) on the seed
data, `--preset=desktop`, performance only. Each page is audited `runs` times in turn (with
`--baseline DIR`, that checkout and this one alternately, before and after); printed:
the median score and its metrics (TBT, LCP, CLS, FCP, Speed Index), and what Lighthouse says
costs most (main-thread work by script, render-blocking requests, unused JavaScript).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import first_visit  # noqa: E402

VERSION = "12.8.2"  # the newest whose engines include the machine's Node 20 (13.x asks for Node 22)
FOLDER = ROOT / ".lighthouse"
BINARY = FOLDER / "node_modules" / ".bin" / "lighthouse"
PAGES = ("/", "/transfers")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
METRICS = {
    "total-blocking-time": ("TBT", "ms"),
    "largest-contentful-paint": ("LCP", "ms"),
    "cumulative-layout-shift": ("CLS", ""),
    "first-contentful-paint": ("FCP", "ms"),
    "speed-index": ("SI", "ms"),
}


def ensure_installed() -> Path:
    installed = FOLDER / "node_modules" / "lighthouse" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != VERSION:
        print(f"安装 lighthouse@{VERSION} 到 {FOLDER} …", flush=True)
        FOLDER.mkdir(exist_ok=True)
        command = ["npm", "install", "--prefix", str(FOLDER), "--no-audit", "--no-fund", f"lighthouse@{VERSION}"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return BINARY


def audit(url: str) -> dict:
    """One Lighthouse run: the score (0–100), the metrics and the costliest items."""
    command = [str(BINARY), url, "--preset=desktop", "--only-categories=performance", "--output=json"]
    command += ["--output-path=stdout", "--quiet", f"--chrome-flags={CHROME_FLAGS}", "--locale=zh"]
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    report = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True, env=env, timeout=300).stdout
    )
    audits = report["audits"]
    out = {"score": round(report["categories"]["performance"]["score"] * 100)}
    out.update({key: audits[key]["numericValue"] for key in METRICS})
    bootup = audits.get("bootup-time", {}).get("details", {}).get("items", [])
    out["scripts"] = [(i["url"].rsplit("/", 1)[-1][:60], round(i.get("scripting", 0))) for i in bootup[:4]]
    blocking = audits.get("render-blocking-resources", {}).get("details", {}).get("items", [])
    out["blocking"] = [(i["url"].rsplit("/", 1)[-1][:60], round(i.get("wastedMs", 0))) for i in blocking]
    unused = audits.get("unused-javascript", {}).get("details", {}).get("items", [])
    out["unused_js"] = [(i["url"].rsplit("/", 1)[-1][:60], i.get("wastedBytes", 0)) for i in unused[:3]]
    return out


def run(runs: int, baseline: Path | None = None) -> dict:
    """Each page `runs` times; with a `baseline` checkout, it and this one in turn (before, after)."""
    ensure_installed()
    sides = {"after": ROOT} if baseline is None else {"before": baseline.resolve(), "after": ROOT}
    results: dict[str, dict[str, list[dict]]] = {side: {p: [] for p in PAGES} for side in sides}
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lighthouse-")))
        bases = {
            side: stack.enter_context(first_visit.server(root, tmp, ROOT / ".venv")) for side, root in sides.items()
        }
        for i in range(runs):
            order = list(sides) if i % 2 == 0 else list(sides)[::-1]
            for path in PAGES:
                for side in order:
                    results[side][path].append(audit(bases[side] + path))
            print(f"  第 {i + 1}/{runs} 轮", flush=True)
    for side, pages in results.items():
        print(f"\n## {side}：{sides[side]}")
        report(pages)
    return results


def report(results: dict[str, list[dict]]) -> None:
    print(f"\nLighthouse {VERSION}，--preset=desktop，{CHROME_FLAGS}；每页各次的中位数（括号内为各次）")
    print("| 页面 | 性能分 | " + " | ".join(f"{name}" for name, _ in METRICS.values()) + " |")
    print("|---|---:|" + "---:|" * len(METRICS))
    for path, runs in results.items():
        scores = [r["score"] for r in runs]
        cells = []
        for key, (_, unit) in METRICS.items():
            v = statistics.median(r[key] for r in runs)
            cells.append(f"{v:.3f}" if not unit else f"{v:,.0f} ms")
        print(
            f"| `{path}` | {statistics.median(scores):.0f}（{'、'.join(map(str, scores))}） | "
            + " | ".join(cells)
            + " |"
        )
    for path, runs in results.items():
        last = runs[-1]
        print(f"\n{path}：主线程脚本耗时最多 {last['scripts']}")
        print(f"  阻塞渲染 {last['blocking']}；未用到的 JavaScript（字节）{last['unused_js']}")
