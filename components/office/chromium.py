"""The machine's own Chromium: kaleido draws chart images in it, the PDF printer prints with it.

Offline, with the machine's CJK fonts; headless and quiet, since the network is closed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from pathlib import Path

RENDER_TIMEOUT = 90  # seconds for one chart; the first one also starts Chromium
# Headless and quiet: the machine's network is closed, and Chromium must not try to reach it.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


class ExportError(RuntimeError):
    """What the viewer is told when an export cannot be made."""


def browser_path() -> str | None:
    """The Chromium kaleido and the PDF printer use (BROWSER_PATH overrides, as for kaleido)."""
    found = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


class ChartRenderer:
    """One kaleido Chromium per process, kept open: about 0.3 s a chart instead of 4 s.

    Calls are serialised; a failure closes the browser so the next export starts a fresh one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None

    def _start(self) -> None:
        from kaleido import Kaleido  # imported on first export: the dashboard itself never needs it

        if not browser_path():
            raise ExportError("服务器上没有找到 Chromium 浏览器，无法生成图表图片。请管理员安装 chromium。")
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True, name="kaleido").start()

        async def open_browser():
            k = Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False)  # mathjax's default is a CDN address
            await k.__aenter__()
            return k

        self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(RENDER_TIMEOUT)
        self._loop = loop

    def _reset(self) -> None:
        if self._loop is not None:
            if self._kaleido is not None:
                closing = asyncio.run_coroutine_threadsafe(self._kaleido.__aexit__(None, None, None), self._loop)
                try:
                    closing.result(10)
                except Exception:  # noqa: BLE001 (the browser is gone either way)
                    pass
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop, self._kaleido = None, None

    def render(self, fig, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
        with self._lock:
            try:
                if self._kaleido is None:
                    self._start()
                opts = {"format": fmt, "width": width, "height": height, "scale": scale}
                job = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(fig, opts=opts), self._loop)
                return job.result(RENDER_TIMEOUT)
            except ExportError:
                raise
            except Exception as exc:
                self._reset()
                raise ExportError("图表图片生成失败，请稍后重试；如果一再失败，请联系管理员。") from exc


RENDERER = ChartRenderer()
