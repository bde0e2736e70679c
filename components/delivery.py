"""How the page reaches a browser: compressed, versioned files cached for a year, AG Grid only with a grid.

- Compression: Flask-Compress, brotli or gzip as the browser asks. Exports (PDF, PPTX, XLSX are
  zip or deflate inside) and anything under COMPRESS_MIN_SIZE bytes go out as they are. A
  versioned file is compressed once per worker and kept (StaticCache), not on every first visit.
- Caching: Dash names its component suites with their version and modification time
  (dash_renderer.v4_4_1m1796168465.min.js) and adds ?m=<mtime> to every file of assets/ it puts in
  the page: those URLs change whenever the file does, so they are sent as immutable for a year.
  Everything else (the page, /_dash-layout, /_dash-dependencies, callbacks, exports) must be asked
  again each time: `no-cache` unless the route set its own (/_data-version says no-store).
- AG Grid (1.3 MB of script) is not in the page: a callback answer that contains a grid names
  the grid's script in Dash's `dist` field, and Dash's renderer loads it before it draws the answer
  (the mechanism Dash uses for a component library imported late).
- dash_table is not in the page either: Dash puts its bundle in every page, but no page draws a
  DataTable (the tables are html tables and the AG Grid).
- dcc's graph and dropdown code come in chunks its own script fetches only once a page holding one
  is drawn: one more round trip, and the scripts' running, before the first chart. The page loads
  them as scripts of its own: a chunk registers itself in webpack's list, whichever runs first.
- Babel's polyfill (core-js and regenerator, about 100 KB of script run before anything is drawn)
  is only for browsers without ES modules (`nomodule`: Chrome < 61, old 360/QQ cores), which need
  it; newer ones have what it adds. The renderer's one global from it, regeneratorRuntime, is
  also set by dash-bootstrap-components' bundle, which every page loads (a browser test checks).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from dash import Dash
from dash.fingerprint import check_fingerprint
from flask import Response, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
GRID_LIBRARY = "dash_ag_grid"
GRID_MARKERS = tuple(f'"namespace":{gap}"{GRID_LIBRARY}"'.encode() for gap in ("", " "))  # as JSON writes it
CHUNKS = ("dash/dcc/async-graph.js", "dash/dcc/async-dropdown.js")  # every page draws both
UNUSED_SCRIPTS = ("dash_table/",)  # dash_table's files inside the dash package: no page draws a DataTable
OLD_BROWSERS_ONLY = ("deps/polyfill@",)  # Dash's copy of @babel/polyfill
COMPRESSED_TYPES = [  # text only: images, fonts and Office/PDF files are compressed already
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
]
BROTLI_QUALITY = 5  # 5: a tenth smaller than 4 for a few ms more per MB; 11 takes seconds per MB
STATIC_CACHE_BYTES = 32 * 1024 * 1024  # compressed versioned files kept per worker process


class StaticCache:
    """Flask-Compress's cache backend, bounded in bytes; only keys of versioned files are kept.

    Flask-Compress asks its cache for every response it compresses, under "<algorithm>;<key>";
    callbacks and pages get the key "" (see cache_key) and are never stored or found."""

    def __init__(self, limit: int = STATIC_CACHE_BYTES):
        self.limit = limit
        self.used = 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if key.endswith(";"):
            return None
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";") or len(value) > self.limit:
            return
        with self.lock:
            old = self.items.pop(key, None)
            self.used -= len(old) if old is not None else 0
            self.items[key] = value
            self.used += len(value)
            while self.used > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.used -= len(dropped)


def is_versioned(app: Dash, path: str, args) -> bool:
    """Whether the URL names one version of a file: a fingerprinted component suite or an asset with ?m=."""
    prefix = app.config.routes_pathname_prefix
    suites = prefix + "_dash-component-suites/"
    if path.startswith(suites):
        return check_fingerprint(path[len(suites) :])[1]
    assets = prefix + app.config.assets_url_path.strip("/") + "/"
    return path.startswith(assets) and bool(args.get("m"))


def install(app: Dash) -> None:
    """Compression, cache headers and the deferred grid script, for every route of `app`."""
    server = app.server
    server.config.update(
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_BR_LEVEL=BROTLI_QUALITY,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_CACHE_BACKEND=StaticCache,
        COMPRESS_CACHE_KEY=lambda req: req.full_path if is_versioned(app, req.path, req.args) else "",
    )
    Compress(server)  # its after_request runs last: the handlers below see the uncompressed body
    defer_grid_script(app)
    suites = app.config.requests_pathname_prefix + "_dash-component-suites/"
    chunks = "".join(f'<script src="{suites}{chunk}"></script>' for chunk in CHUNKS)
    app.index_string = app.index_string.replace("{%scripts%}", "{%scripts%}" + chunks, 1)

    @server.after_request
    def cache_headers(response: Response) -> Response:
        if response.status_code == 200 and is_versioned(app, request.path, request.args):
            response.headers["Cache-Control"] = IMMUTABLE
            if response.is_streamed:  # a file of assets/: read it once so that its compressed form is kept
                response.direct_passthrough = False
                data = response.get_data()
                response.close()  # the file, now read
                response.set_data(data)
        elif "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = REVALIDATE
        return response


def holds_grid(body: bytes) -> bool:
    """Whether a layout or callback answer, as JSON, holds a grid."""
    return any(marker in body for marker in GRID_MARKERS)


def defer_grid_script(app: Dash) -> None:
    """AG Grid's bundle out of the page; named in the `dist` of each callback answer that holds a grid.
    dash_table's out of the page too (no page has a DataTable; tests/test_delivery.py checks)."""
    scripts = app.scripts
    all_scripts = scripts.get_all_scripts

    def without_grid(dev_bundles=False):
        # "dynamic": its path stays registered (so it is served) but it gets no <script> tag.
        return [
            {**r, "dynamic": True} if r.get("namespace") == GRID_LIBRARY else r
            for r in all_scripts(dev_bundles=dev_bundles)
        ]

    # Dash adds dash_table's scripts and its own dependencies to every page itself (beside
    # get_all_scripts), so they are changed where Dash turns resources into <script> tags.
    collect = app._collect_and_register_resources

    def page_scripts(r: dict) -> list[dict]:
        paths = r.get("relative_package_path", "")
        if isinstance(paths, list):  # Dash's own dependencies come as one resource of several files
            return [s for path in paths for s in page_scripts({**r, "relative_package_path": path})]
        if str(paths).startswith(UNUSED_SCRIPTS):
            return [{**r, "dynamic": True}]
        if str(paths).startswith(OLD_BROWSERS_ONLY):
            return [{**r, "attributes": {**r.get("attributes", {}), "nomodule": ""}}]
        return [r]

    app._collect_and_register_resources = lambda resources, *a, **k: collect(
        [s for r in resources for s in page_scripts(r)], *a, **k
    )

    scripts.get_all_scripts = without_grid
    route = app.config.routes_pathname_prefix + "_dash-update-component"
    memo: list[bytes] = []

    @app.server.after_request
    def grid_script_with_grid(response: Response) -> Response:
        if request.path != route or request.method != "POST" or response.status_code != 200:
            return response
        body = response.get_data().rstrip()
        if not body.endswith(b"}") or not holds_grid(body):
            return response
        # Dash itself writes `dist` only for a library imported inside a callback, which it refuses
        # in production: the answer has none, and the field is added without parsing megabytes.
        if not memo:
            memo.append(json.dumps(app.get_dist([GRID_LIBRARY])).encode())
        response.set_data(body[:-1] + b',"dist":' + memo[0] + b"}")
        return response
