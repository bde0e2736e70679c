"""Browser tests: the real server in a subprocess, Debian's Chromium driven by Playwright.

Fixtures
- ``seed_server``: base URL of a server on the repository's data/ (one per session).
- ``folder_server``: base URL of a server on a data folder built in a tmp path; parametrise
  it indirectly with a ``DataFolder`` (one server per folder per module).
- ``chromium``: one headless Chromium per session (/usr/bin/chromium; never downloaded), as
  a persistent browser context; every test works in tabs of its own.
- ``open_dashboard``: ``open_dashboard(base_url) -> DashboardPage`` in a new tab.

Without /usr/bin/chromium every test here is skipped, with that reason.
- ``dashboard``: a ``DashboardPage`` on the seed server.

Nothing here reaches the network: the server listens on 127.0.0.1, and every request the
page makes to any other address is recorded so each test can assert there was none.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from components.exports import CHROMIUM_FLAGS
from scripts.make_monitor_data import main as make_monitor_data
from tests.browser.page_scripts import (  # noqa: F401  (re-exported: scripts/benchmark.py imports them from here)
    BAR_POINT_CENTRE,
    FIGURE_DATA,
    GRID_ROWS,
    SETTLED,
    SLICE_CENTRE,
    TRACK_DASH_REQUESTS,
    UNSETTLED,
)

REPO = Path(__file__).resolve().parents[2]
SEED_DATA = REPO / "data"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = list(CHROMIUM_FLAGS)
SERVER_START_TIMEOUT = 40.0  # seconds: three gunicorn workers on a busy 2-core machine took 16 s
BROWSER_TIMEOUT_MS = 15_000  # the first load parses plotly.js (about 3 s on 2 cores)
VIEWPORT = {"width": 1400, "height": 1000}  # lg layout: charts side by side


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test; skip them all when there is no Chromium."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(data_dir: Path, log_dir: Path, workers: int = 0) -> Iterator[str]:
    """`python app.py --port P --data DIR` (or, with `workers`, gunicorn with the production
    settings of gunicorn.conf.py, on this port) until the block ends; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"server-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DATA_DIR": str(data_dir)}
    command = [
        sys.executable,
        str(REPO / "app.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data",
        str(data_dir),
    ]
    if workers:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "-c",
            str(REPO / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "app:server",
        ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"the server exited with code {proc.returncode} before answering:\n"
                        + log_path.read_text(errors="replace")
                    )
                try:
                    if requests.get(base + "/", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the server did not answer on {base} within {SERVER_START_TIMEOUT:.0f} s:\n"
                        + log_path.read_text(errors="replace")
                    )
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@dataclass(frozen=True)
class DataFolder:
    """A data folder built from a copy of data/: which files to keep, what to change in them.

    ``edit`` holds (file name, function text -> text) pairs applied to the copied files.
    """

    name: str
    keep: tuple[str, ...] | None = None  # None: every file
    edit: tuple[tuple[str, Callable[[str], str]], ...] = field(default=())

    def build(self, target: Path) -> Path:
        for source in sorted(SEED_DATA.glob("*.csv")):
            if self.keep is None or source.name in self.keep:
                shutil.copy2(source, target / source.name)
        for name, change in self.edit:
            path = target / name
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
        return target

    def __str__(self) -> str:  # the test id
        return self.name


class ServerURL(str):
    """A server's base URL that also knows the data folder it serves."""

    data_dir: Path

    def __new__(cls, url: str, data_dir: Path) -> ServerURL:
        self = super().__new__(cls, url)
        self.data_dir = data_dir
        return self


@pytest.fixture(scope="session")
def seed_server(tmp_path_factory) -> Iterator[ServerURL]:
    """A server on the repository's own data/ (the seed: 株洲经开区2023年预算说明). Never write to it."""
    with running_server(SEED_DATA, tmp_path_factory.mktemp("seed-server-log")) as base:
        yield ServerURL(base, SEED_DATA)


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory) -> Iterator[ServerURL]:
    """The seed served by gunicorn with three workers, as the README deploys it."""
    with running_server(SEED_DATA, tmp_path_factory.mktemp("gunicorn-log"), workers=3) as base:
        yield ServerURL(base, SEED_DATA)


@pytest.fixture(scope="module")
def monitor_server(tmp_path_factory) -> Iterator[ServerURL]:
    """绩效监控's data: examples/monitor (real 自评表) plus scripts/make_monitor_data.py's 合成数据."""
    folder = tmp_path_factory.mktemp("monitor-data")
    assert make_monitor_data([str(folder)]) == 0
    with running_server(folder, tmp_path_factory.mktemp("monitor-log")) as base:
        yield ServerURL(base, folder)


@pytest.fixture(scope="module")
def folder_server(request, tmp_path_factory) -> Iterator[ServerURL]:
    """A server on a data folder made in a tmp path; parametrise indirectly with a DataFolder.

    Yields the base URL; its ``data_dir`` is the folder (a test may replace files in it).
    """
    spec: DataFolder = getattr(request, "param", None)
    if not isinstance(spec, DataFolder):
        raise TypeError("parametrise folder_server indirectly with a DataFolder")
    folder = spec.build(tmp_path_factory.mktemp(f"data-{spec.name}"))
    with running_server(folder, tmp_path_factory.mktemp(f"server-log-{spec.name}")) as base:
        yield ServerURL(base, folder)


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright, started once for the session (a second start in the same thread is refused)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory, playwright_driver):
    """One headless Chromium for the session, as a persistent (on-disk profile) context.

    Each test opens its own tab in it (see ``open_dashboard``). The on-disk profile lets V8
    keep the compiled plotly.js between tabs: a page then loads in about 1 s instead of 3 s,
    which keeps the suite within its time budget. The app keeps no state in the browser
    (no cookies, no persisted stores), and cookies are cleared for every test anyway.
    """
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=VIEWPORT,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    try:
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.add_init_script(TRACK_DASH_REQUESTS)
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def tablet(playwright_driver):
    """A touch tablet held upright (768×1024, has_touch): a context of its own (touch is per context)."""
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        context = browser.new_context(
            viewport={"width": 768, "height": 1024}, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.add_init_script(TRACK_DASH_REQUESTS)
        yield context
    finally:
        browser.close()



class DashboardPage:
    """One browser tab on the dashboard, with what a test needs to read and do.

    It records console errors, uncaught page errors and every request (of this tab or a
    pop-up it opens) whose URL does not start with the server's base URL.
    """

    LOCAL_SCHEMES = ("data:", "blob:", "about:")  # never leave the machine

    def __init__(self, context, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._settles = 0  # numbers each settle (see settle)
        self.context = context
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.outside_requests: list[str] = []
        self.pages: list = []
        # Tests run one at a time and each closes its tabs, so what the context sees while
        # this object is open is this test's: its tab and any pop-up the tab opens.
        context.on("request", self._on_request)
        context.on("page", self._watch)
        self.page = context.new_page()
        self._watch(self.page)

    def close(self) -> None:
        self.context.remove_listener("request", self._on_request)
        self.context.remove_listener("page", self._watch)
        for page in self.pages:
            if not page.is_closed():
                page.close()

    # ------------------------------------------------------------ recording

    def _watch(self, page) -> None:
        if page in self.pages:
            return
        self.pages.append(page)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} @ {message.location.get('url')}")

    def _on_request(self, request) -> None:
        url = request.url
        if not (url == self.base_url or url.startswith(self.base_url + "/") or url.startswith(self.LOCAL_SCHEMES)):
            self.outside_requests.append(url)

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no request leaving the machine."""
        assert self.console_errors == [], "console errors"
        assert self.page_errors == [], "uncaught page errors"
        assert self.outside_requests == [], "requests to other addresses than the dashboard's own"

    # ------------------------------------------------------------ navigation and waiting

    def goto(self, path: str) -> DashboardPage:
        """Open a path (may carry a query) and wait until every graph on the page has drawn."""
        self.page.goto(self.base_url + path)
        return self.settle()

    def settle(self, quiet_ms: int = 250) -> DashboardPage:
        """Wait until no Dash request is in flight (for `quiet_ms`) and every graph has drawn."""
        try:
            # A token of its own: a gap between polls counts within this wait only (see SETTLED). Not
            # set with page.evaluate, which a navigation under way (Back) would break off.
            self._settles += 1
            arg = [quiet_ms, self._settles]
            self.page.wait_for_function(SETTLED, arg=arg, polling=50, timeout=BROWSER_TIMEOUT_MS)
        except PlaywrightTimeoutError as exc:  # say what it was waiting for: flaky waits must be diagnosable
            raise PlaywrightTimeoutError(f"{exc}\nnot settled: {self.page.evaluate(UNSETTLED)}") from None
        return self

    def act(self, action: Callable[[], object]) -> DashboardPage:
        """Do something that starts Dash callbacks (a click, back), then wait until they are done.

        Waiting for the first request to start first avoids reading the page before the
        action has had any effect; an action that starts no callback fails here, clearly.
        """
        started = self.page.evaluate("window.__dashStarted")
        action()
        try:
            self.page.wait_for_function(
                "n => window.__dashStarted > n", arg=started, polling=50, timeout=BROWSER_TIMEOUT_MS
            )
        except PlaywrightTimeoutError:
            raise AssertionError("the action started no Dash callback (did the click land?)") from None
        return self.settle()

    def poll(self, read: Callable[[], object], expected: object, timeout: float = 10.0) -> object:
        """Read until it equals `expected` (or time runs out); returns the last reading to assert on."""
        deadline = time.monotonic() + timeout
        value = read()
        while value != expected and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            value = read()
        return value

    # ------------------------------------------------------------ filters

    def select(self, filter_id: str, label: str) -> DashboardPage:
        """Choose `label` in a dropdown (kept if already chosen) and wait for the page to update."""
        dropdown = self.page.locator(f"#{filter_id}")
        dropdown.click()
        option = self.page.get_by_role("option", name=label, exact=True)
        chosen = option.get_attribute("aria-selected") == "true"

        def choose():
            if not chosen:
                option.click()
            if dropdown.get_attribute("aria-expanded") == "true":  # a multi-select stays open
                self.page.keyboard.press("Escape")

        return self.settle() if chosen else self.act(choose)

    def pick_unit(self, page: str, label: str) -> DashboardPage:
        """Pick a unit on the page's switch and wait until it is drawn: by the browser from the views
        the page holds (routing.register_units; no request), or else by the server."""
        self.page.locator(f"#{page}-unit").get_by_text(label, exact=True).click()
        return self.settle()

    def filter_values(self, filter_id: str) -> list[str]:
        """What a dropdown shows as chosen (empty when it shows its placeholder 全部)."""
        return [t.strip() for t in self.page.locator(f"#{filter_id} .dash-dropdown-value-item").all_inner_texts()]

    def click(self, selector: str) -> DashboardPage:
        """Click an element that starts callbacks (a button, a nav link) and wait for them."""
        return self.act(self.page.locator(selector).click)

    # ------------------------------------------------------------ charts

    def figure_data(self, graph_id: str) -> list[dict]:
        """The drawn traces (`_fullData`): type, name, orientation, x, y, labels, values."""
        data = self.page.evaluate(FIGURE_DATA, graph_id)
        assert data is not None, f"#{graph_id} has no drawn figure"
        return data

    def series(self, graph_id: str) -> dict[str, dict]:
        """{trace name: {category: value}} for bar traces (either orientation)."""
        out = {}
        for trace in self.figure_data(graph_id):
            if trace["type"] != "bar" or trace["meta"] == "legend-key":  # a legend entry, no bars
                continue
            keys, values = (trace["y"], trace["x"]) if trace["orientation"] == "h" else (trace["x"], trace["y"])
            out[trace["name"]] = dict(zip(keys, values, strict=True))
        return out

    def slices(self, graph_id: str) -> dict[str, float]:
        """{label: value} of the pie/donut trace."""
        (pie,) = [t for t in self.figure_data(graph_id) if t["type"] == "pie"]
        return dict(zip(pie["labels"], pie["values"], strict=True))

    def click_bar(self, graph_id: str, category: str, trace: str | None = None) -> DashboardPage:
        """Click the bar of `category` (of trace `trace`, else the first trace that has a visible bar)."""
        for t_index, t in enumerate(self.figure_data(graph_id)):
            if t["type"] != "bar" or (trace is not None and t["name"] != trace):
                continue
            keys = t["y"] if t["orientation"] == "h" else t["x"]
            if category not in keys:
                continue
            where = [graph_id, t_index, keys.index(category)]
            _x, _y, width, height = self.page.evaluate(BAR_POINT_CENTRE, where)
            if width >= 2 and height >= 2:
                return self._click_plot(graph_id, lambda where=where: self.page.evaluate(BAR_POINT_CENTRE, where)[:2])
        raise AssertionError(f"no visible bar {category!r} in #{graph_id}")

    def click_slice(self, graph_id: str, label: str) -> DashboardPage:
        labels = self.slices(graph_id)
        assert label in labels, f"no slice {label!r} in #{graph_id}: {labels}"
        where = [graph_id, list(labels).index(label)]
        return self._click_plot(graph_id, lambda: self.page.evaluate(SLICE_CENTRE, where))

    def _click_plot(self, graph_id: str, aim: Callable[[], list[float]], attempts: int = 3) -> DashboardPage:
        """Click a point of a plot with the mouse, as a reader would, and wait for the callbacks.

        A responsive graph may still be redrawn for a late resize just after the page has
        settled; a click whose press and release land on different (redrawn) elements is lost.
        So wait for the plot to hold still, and aim again if a click started no callback.
        """
        self.page.locator(f"#{graph_id} .js-plotly-plot").scroll_into_view_if_needed()
        for _ in range(attempts):
            self._wait_until_still(graph_id)
            x, y = aim()
            started = self.page.evaluate("window.__dashStarted")
            self.page.mouse.click(x, y)
            try:
                self.page.wait_for_function("n => window.__dashStarted > n", arg=started, polling=50, timeout=3000)
            except PlaywrightTimeoutError:
                continue
            return self.settle()
        raise AssertionError(f"{attempts} clicks on #{graph_id} started no Dash callback")

    def _wait_until_still(self, graph_id: str, timeout: float = 5.0) -> None:
        """Until the plot's box and drawn size are the same 150 ms apart and it is not redrawing."""
        read = """(id) => {
            const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
            const r = gd.getBoundingClientRect();
            const l = gd._fullLayout || {};
            return [r.x, r.y, r.width, r.height, l.width, l.height, gd.classList.contains('dash-graph--pending')];
        }"""
        deadline = time.monotonic() + timeout
        before = self.page.evaluate(read, graph_id)
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(150)
            now = self.page.evaluate(read, graph_id)
            if now == before and not now[-1]:
                return
            before = now

    def modebar_titles(self, graph_id: str) -> list[str]:
        return self.page.locator(f"#{graph_id} .modebar-btn").evaluate_all(
            "buttons => buttons.map(b => b.getAttribute('data-title'))"
        )

    # ------------------------------------------------------------ other content

    def grid_rows(self, grid_id: str) -> list[dict]:
        """The rows of the page an AG Grid shows (sorted and filtered on the server), read through its API."""
        return self.page.evaluate(GRID_ROWS, grid_id)

    def rendered_grid_rows(self, grid_id: str) -> int:
        return self.page.locator(f"#{grid_id} .ag-center-cols-container .ag-row").count()

    def query(self) -> dict[str, list[str]]:
        """The URL's query, decoded: {"year": ["2023"], "category": ["一般性转移支付"]}."""
        return parse_qs(urlsplit(self.page.evaluate("location.href")).query)

    def path(self) -> str:
        return self.page.evaluate("location.pathname")

    def text(self, selector: str = "#page") -> str:
        return self.page.locator(selector).inner_text()

    def texts(self, selector: str) -> list[str]:
        return [t.strip() for t in self.page.locator(selector).all_inner_texts()]


@pytest.fixture
def open_dashboard(chromium) -> Iterator[Callable[[str], DashboardPage]]:
    """open_dashboard(base_url) → a DashboardPage in a new tab (closed after the test)."""
    opened: list[DashboardPage] = []
    chromium.clear_cookies()

    def open_(base_url: str) -> DashboardPage:
        opened.append(DashboardPage(chromium, base_url))
        return opened[-1]

    try:
        yield open_
    finally:
        for dashboard in opened:
            dashboard.close()


@pytest.fixture
def dashboard(open_dashboard, seed_server) -> DashboardPage:
    return open_dashboard(seed_server)


@pytest.fixture(scope="module")
def gunicorn_folder_server(request, tmp_path_factory) -> Iterator[ServerURL]:
    """Like ``folder_server``, served by gunicorn with three workers (a test may replace files)."""
    spec: DataFolder = getattr(request, "param", None)
    if not isinstance(spec, DataFolder):
        raise TypeError("parametrise gunicorn_folder_server indirectly with a DataFolder")
    folder = spec.build(tmp_path_factory.mktemp(f"data-{spec.name}"))
    with running_server(folder, tmp_path_factory.mktemp(f"gunicorn-log-{spec.name}"), workers=3) as base:
        yield ServerURL(base, folder)
