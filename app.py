"""财政预算公开看板: entry point.

python app.py [--host H] [--port P] [--data DIR] [--debug]   serve the dashboard
python app.py check [DIR]                                   validate a data folder
gunicorn -c gunicorn.conf.py app:server                     production (DATA_DIR from the environment)
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from dash import Dash

from components import (
    checks,
    datacheck,
    debt,
    delivery,
    layout,
    monitor,
    overview,
    performance,
    present,
    routing,
    transfers,
    trust,
)
from components.data import DataSource, allocators, load_folder
from components.export_serving import register_exports
from components.guard import install as install_guard

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "data"
WATCH_SECONDS = 1.0  # each worker looks at the data folder this often (see DataSource)
SECTIONS = {
    "overview": overview,
    "transfers": transfers,
    "debt": debt,
    "performance": performance,
    "monitor": monitor,
    "check": datacheck,
}


def data_dir_from_env() -> Path:
    return Path(os.environ.get("DATA_DIR") or DEFAULT_DATA)


def create_app(data_dir: Path | str | None = None) -> Dash:
    """A new app serving one data folder; nothing happens at import time."""
    allocators.settle()  # before any data is read: freed view memory goes back to the system
    source = DataSource(data_dir or data_dir_from_env(), watch=WATCH_SECONDS, prepare=checks.findings)
    app = Dash(
        __name__,
        title=layout.TITLE,
        assets_folder=str(HERE / "assets"),
        suppress_callback_exceptions=True,  # pages are rendered on demand
        update_title=None,
        serve_locally=True,
    )
    crossed = routing.cross_filter_config(*(m.CROSS_FILTER for m in (transfers, debt, performance, monitor)))
    app.layout = layout.make_shell(
        layout.client_config(app) | performance.client_config() | datacheck.client_config() | crossed
    )
    pages = {name: module.layout for name, module in SECTIONS.items()} | {"present": present.layout}
    routing.register_callbacks(app, source, pages)
    for module in SECTIONS.values():
        module.register_callbacks(app, source)
    trust.register_callbacks(app, source)
    # Uploads to the 数据检查 page arrive as base64 in a callback: refuse anything bigger at once.
    app.server.config["MAX_CONTENT_LENGTH"] = datacheck.MAX_REQUEST_BYTES
    app.server.extensions["before_fork"] = lambda: before_fork(source)  # gunicorn.conf.py calls it
    install_guard(app, source)  # callback bodies checked against what the pages send; long log lines cut
    # Dash's page wraps its scripts in a <footer>: a second footer landmark beside the page's own.
    app.index_string = (
        app.index_string.replace("<html>", '<html lang="zh-CN">')
        .replace("<footer>", "<div>")
        .replace("</footer>", "</div>")
    )

    @app.server.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        # No script-src: Dash's page needs its inline scripts. Framing is what is refused.
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    register_exports(app, source)
    # Compressed answers, versioned files cached for a year, AG Grid's script only with a grid.
    delivery.install(app)

    @app.server.errorhandler(500)
    def server_error(_error):
        return "服务器内部错误，请稍后重试或联系管理员。", 500, {"Content-Type": "text/plain; charset=utf-8"}

    # Dash sets up on a worker's first request, but marks it done before registering its scripts:
    # on a threaded worker a second first request skipped set-up and got 500 for react.js, so the
    # page never started. Set up here, once, before any thread serves.
    with app.server.app_context():
        app._setup_server()
    return app


def before_fork(source: DataSource) -> None:
    """In gunicorn's master (preload_app, gunicorn.conf.py), before each worker is forked: the data
    read (or brought up to date) here, so that the workers share its frames and the imported modules
    copy-on-write instead of each holding its own. No thread is started (fork copies none): each
    worker starts its own watcher and first checks the folder (DataSource._catch_up)."""
    try:
        source.catch_up()
    except Exception:  # the workers then read the folder themselves, as without preload
        logging.getLogger(__name__).exception("reading the data before forking the workers failed")
    # Objects made so far are never moved by a worker's garbage collector: their pages stay shared.
    gc.freeze()


def check(folder: Path) -> int:
    """Print every error and warning of a data folder; 0 when every file loads, 1 otherwise."""
    if not folder.is_dir():
        print(f"找不到数据文件夹：{folder}")
        return 1
    dataset = load_folder(folder)
    for state in dataset.files.values():
        name = state.file or state.schema.file  # transfers.xlsx where a workbook was given
        if state.status == "loaded":
            print(f"✓ {name}（{state.schema.label}）：{state.rows} 行，编码 {state.encoding}")
        elif state.status == "missing":
            print(f"- {name}（{state.schema.label}）：未提供，该部分显示为空")
        else:
            print(f"✗ {name}（{state.schema.label}）：有错误，未载入")
    findings = checks.findings(dataset)
    for problem in (*dataset.problems, *findings):
        print(problem)
    errors, warnings = len(dataset.errors), len(dataset.warnings) + len(findings)
    print(f"共 {errors} 个错误，{warnings} 个提示。" if errors or warnings else "没有发现问题。")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check"]:
        return check(Path(argv[1]) if len(argv) > 1 else data_dir_from_env())
    parser = argparse.ArgumentParser(description="财政预算公开看板")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8050")))
    parser.add_argument("--data", type=Path, default=None, help="数据文件夹（默认 data/ 或环境变量 DATA_DIR）")
    parser.add_argument("--debug", action="store_true", help="开发者调试模式（不要在对外服务时使用）")
    args = parser.parse_args(argv)
    folder = args.data or data_dir_from_env()
    print(f"数据文件夹：{folder}\n打开浏览器访问 http://{args.host}:{args.port}/")
    create_app(folder).run(host=args.host, port=args.port, debug=args.debug)
    return 0


def __getattr__(name: str):
    # `gunicorn app:server` asks for `server`; build the app only then, not at import.
    if name == "server":
        return create_app().server
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
