"""Pictures for checking the palette and briefing mode by eye: each page as shown, in greyscale
and on a simulated washed-out projector (less contrast and saturation, brighter).

    .venv/bin/python scripts/a11y_shots.py --out /tmp/a11y-shots/after [--data DIR] [--no-present]

Pages at 1400 px wide; briefing mode at 1920×1080, 1280×720 and 1024×768 in both themes.
Uses the browser tests' server and Chromium settings (needs requirements-test.txt).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

PAGES = {"transfers": "/transfers", "debt": "/debt", "performance": "/performance"}
if os.environ.get("SHOTS_PAGES"):
    PAGES = {k: v for k, v in PAGES.items() if k in os.environ["SHOTS_PAGES"].split(",")}
SLIDES = {
    "present-2": "/present?slide=2",
    "present-4-contrast": "/present?slide=4&theme=contrast",
    "present-6": "/present?slide=6",
    "present-1": "/present?slide=1",
}
SIZES = ((1920, 1080), (1280, 720), (1024, 768))


def washed_out(image: Image.Image) -> Image.Image:
    """A bright room's projector: contrast and saturation halved, everything lighter."""
    image = ImageEnhance.Contrast(image.convert("RGB")).enhance(0.5)
    image = ImageEnhance.Color(image).enhance(0.5)
    return ImageEnhance.Brightness(image).enhance(1.15)


def variants(path: Path) -> list[Path]:
    """The picture as greyscale and washed out, beside it."""
    image = Image.open(path)
    grey, washed = path.with_name(path.stem + "-grey.png"), path.with_name(path.stem + "-washed.png")
    ImageOps.grayscale(image.convert("RGB")).save(grey)
    washed_out(image).save(washed)
    return [path, grey, washed]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-present", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as logs:
        os.environ.setdefault("DATA_CACHE_DIR", logs)  # never data/.cache
        shoot(args, logs)


def shoot(args, logs: str) -> None:
    with running_server(args.data, Path(logs)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for name, path in PAGES.items():
            page.goto(base + path)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
            page.wait_for_timeout(2000)  # let every chart finish drawing
            target = args.out / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(*variants(target), sep="\n")
        for width, height in () if args.no_present else SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for name, path in SLIDES.items():
                page.goto(base + path)
                page.wait_for_selector("#present .slide.active", timeout=15000)
                page.wait_for_timeout(1500)
                target = args.out / f"{name}-{width}x{height}.png"
                page.screenshot(path=str(target))
                print(*variants(target), sep="\n")
        browser.close()


if __name__ == "__main__":
    main()
