"""Regenerate the README screenshots: serve data/ and photograph each page in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--data DIR] [--out docs/screenshots]

Uses the browser tests' server and Chromium settings (needs requirements-test.txt).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

PAGES = {"overview": "/", "transfers": "/transfers", "debt": "/debt", "performance": "/performance"}
SLIDES = {"present": "/present?slide=2", "present-contrast": "/present?slide=4&theme=contrast"}  # at 1920×1080


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as logs, running_server(args.data, Path(logs)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        for name, path in PAGES.items():
            page.goto(base + path)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
            page.wait_for_timeout(1500)  # let every chart finish drawing
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=name != "performance")
            print(args.out / f"{name}.png")
        page.set_viewport_size({"width": 1920, "height": 1080})
        for name, path in SLIDES.items():
            page.goto(base + path)
            page.wait_for_selector("#present .slide.active .main-svg", timeout=15000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(args.out / f"{name}.png"))
            print(args.out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
