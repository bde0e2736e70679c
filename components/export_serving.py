"""Serving the exports: a bounded pool of renders, a byte-bounded cache of results, HEAD without rendering.

A PDF or a slide deck costs seconds of Chromium and CPU; nine at once used to hold every
worker for a minute. So each worker process renders at most RUNNING exports at a time, lets
at most WAITING more wait (each at most WAIT_SECONDS) and asks the rest to come back (429).
A finished file is kept per (data version, kind, view): the same export asked again, by
anyone, is sent from memory; identical requests that arrive together are rendered once.

The builders (components/exports.py: python-pptx, python-docx, openpyxl, pypdf, kaleido) are
imported on a worker's first export, not at start: about 60 MB per worker that viewers never use.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode

from dash import Dash
from flask import Response, request

from components import briefing
from components.data import DataSource
from components.present import SHOW_ONLY

RUNNING = 2  # renders at once per worker process (kaleido draws one chart at a time anyway)
WAITING = 4  # requests that may wait for a free slot; any more are told to come back later
WAIT_SECONDS = 30.0
RETRY_AFTER_SECONDS = 15
CACHE_BYTES = 64 * 1024 * 1024  # per worker process
BUSY_MESSAGE = "导出任务较多，请稍候再试。"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class ExportKind:
    build: Callable  # (dataset, deck) -> bytes
    mime: str
    name: str  # the file name after the view's title
    needs_chromium: bool


def _exports():
    """components.exports, imported the first time an export is asked for (then from sys.modules)."""
    from components import exports

    return exports


# Builders are looked up in `exports` at call time, so a test (or a fix) that replaces one is used.
EXPORT_KINDS = {
    "/export/slides.pptx": ExportKind(
        lambda dataset, deck: _exports().pptx_bytes(dataset, deck),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "演示文稿.pptx",
        False,  # native charts: no Chromium
    ),
    "/export/report.pdf": ExportKind(
        lambda dataset, deck: _exports().pdf_bytes(dataset, deck), "application/pdf", "报告.pdf", True
    ),
    "/export/data.xlsx": ExportKind(
        lambda dataset, deck: _exports().workbook_bytes(dataset, deck),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "数据.xlsx",
        False,
    ),
    "/export/report.docx": ExportKind(
        lambda dataset, deck: _exports().docx_bytes(dataset, deck),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "预算说明.docx",
        False,
    ),
}


class Busy(Exception):
    """Every render slot is taken and the queue is full (or the wait ran out)."""


def normalised_query(query_string: str) -> str:
    """The view a query names, spelled one way: blanks and briefing-mode keys dropped, keys sorted.

    Values of one key keep their order (a sort by key is stable); unknown keys are kept, since
    dropping one the deck reads would serve a wrong file from the cache.
    """
    pairs = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=False) if k not in SHOW_ONLY]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


class RenderPool:
    """At most `running` renders at once, at most `waiting` more queued for `wait_seconds` each."""

    def __init__(self, running: int = RUNNING, waiting: int = WAITING, wait_seconds: float = WAIT_SECONDS):
        self.slots = threading.BoundedSemaphore(running)
        self.waiting, self.wait_seconds = waiting, wait_seconds
        self._queued = 0
        self._lock = threading.Lock()

    @property
    def waiting_now(self) -> int:
        return self._queued

    @contextmanager
    def queued(self):
        """A place in the queue (raises Busy when it is full); held while waiting for anything."""
        with self._lock:
            if self._queued >= self.waiting:
                raise Busy
            self._queued += 1
        try:
            yield
        finally:
            with self._lock:
                self._queued -= 1

    @contextmanager
    def slot(self):
        if not self.slots.acquire(blocking=False):
            with self.queued():
                if not self.slots.acquire(timeout=self.wait_seconds):
                    raise Busy
        try:
            yield
        finally:
            self.slots.release()


class ByteLRU:
    """Least recently used (body, file name) pairs, at most `limit` bytes of bodies in all."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit, self.size = limit, 0
        self._items: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, item: tuple[bytes, str]) -> None:
        if len(item[0]) > self.limit:
            return
        with self._lock:
            # Files of an older data version can never be asked for again: free them now.
            for old in [k for k in self._items if k[0] != key[0] or k == key]:
                self.size -= len(self._items.pop(old)[0])
            self._items[key] = item
            self.size += len(item[0])
            while self.size > self.limit:
                _key, (body, _name) = self._items.popitem(last=False)
                self.size -= len(body)


@dataclass
class Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: tuple[bytes, str] | None = None
    error: BaseException | None = None


@dataclass
class ExportServer:
    """One per app (so one per gunicorn worker process): its pool, cache and renders in flight."""

    source: DataSource
    pool: RenderPool = field(default_factory=RenderPool)
    cache: ByteLRU = field(default_factory=ByteLRU)
    renders: int = 0  # how many files this process has built (for tests and logs)
    _flights: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def file(self, path: str, query_string: str) -> tuple[bytes, str, bool]:
        """(body, file name, from the cache) of an export; raises Busy or ExportError."""
        dataset = self.source.get()
        key = (dataset.version, path, normalised_query(query_string))
        cached = self.cache.get(key)
        if cached is not None:
            return (*cached, True)
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = Flight()
        if not leader:  # the same file is being made: wait for it, as a place in the queue
            with self.pool.queued():
                if not flight.done.wait(self.pool.wait_seconds + _exports().RENDER_TIMEOUT):
                    raise Busy
            if isinstance(flight.error, _exports().ExportError | Busy):  # a fresh one: tracebacks are per thread
                raise type(flight.error)(*flight.error.args)
            if flight.result is None:
                raise RuntimeError(f"export {path} failed in another request") from flight.error
            return (*flight.result, False)
        try:
            with self.pool.slot():
                kind = EXPORT_KINDS[path]
                deck = briefing.deck(dataset, query_string)
                self.renders += 1
                flight.result = (kind.build(dataset, deck), f"{deck.title}_{kind.name}")
            if self.source.get().version == key[0]:  # data changed meanwhile: this file is already old
                self.cache.put(key, flight.result)
            return (*flight.result, False)
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def head(self, path: str, query_string: str) -> tuple[str, int | None]:
        """(file name, length if known) without building the deck: from the cache, else the view's title."""
        dataset = self.source.get()
        cached = self.cache.get((dataset.version, path, normalised_query(query_string)))
        if cached is not None:
            return cached[1], len(cached[0])
        return f"{briefing.deck_title(dataset, query_string)}_{EXPORT_KINDS[path].name}", None


def text_response(message: str, status: int, **headers) -> Response:
    return Response(message, status, {"Content-Type": TEXT, **headers})


def register_exports(app: Dash, source: DataSource) -> ExportServer:
    """/export/slides.pptx, /export/report.pdf, /export/data.xlsx: the same query as the page."""
    server = ExportServer(source)
    app.server.extensions["export_serving"] = server
    back = "\n\n返回看板：{}"

    def export(path: str):
        kind = EXPORT_KINDS[path]
        query_string = request.query_string.decode("utf-8", "replace")
        started = time.monotonic()
        try:
            if request.method == "HEAD":  # Flask would run the whole GET view: answer from what is known
                if kind.needs_chromium and not _exports().browser_path():
                    return text_response("导出失败：服务器上没有找到 Chromium 浏览器。", 503)
                filename, length = server.head(path, query_string)
                body, hit = b"", None
            else:
                body, filename, hit = server.file(path, query_string)
                length = len(body)
        except Busy:
            app.server.logger.warning("export %s refused: every render slot and queue place is taken", path)
            return text_response(
                BUSY_MESSAGE + back.format(request.host_url), 429, **{"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        except _exports().ExportError as error:
            app.server.logger.exception("export %s failed", path)
            return text_response(f"导出失败：{error}" + back.format(request.host_url), 503)
        headers = {"Content-Type": kind.mime, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
        if hit is not None:
            headers["X-Export-Cache"] = "hit" if hit else "miss"
            app.server.logger.info(
                "export %s %s in %.2f s", path, headers["X-Export-Cache"], time.monotonic() - started
            )
        # An iterator, not b"": Werkzeug would announce Content-Length 0 for a file not yet made.
        response = Response(body if length is not None else iter(()), 200, headers)
        if length is not None:
            response.content_length = length  # a HEAD answered from the cache tells the real size
        return response

    for path in EXPORT_KINDS:
        app.server.add_url_rule(path, endpoint=path, view_func=lambda path=path: export(path), methods=["GET", "HEAD"])
    return server
