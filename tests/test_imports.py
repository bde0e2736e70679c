"""The package's shape: no import cycle among the modules of components/ (function-level
imports included, so a lazy import does not hide one), and no module grown past 600 lines."""

from __future__ import annotations

import ast
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "components"
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of components/ that `name` imports anywhere in its text (at the top, in a
    function, under TYPE_CHECKING). `from a import b` counts a.b when b is a module, else a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in known else source)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path, on_path = [start], {start}
        stack = [iter(sorted(edges[start]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                finished = path.pop()
                done.add(finished)
                on_path.discard(finished)
                continue
            if nxt in on_path:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                stack.append(iter(sorted(edges[nxt])))
    return None


def test_the_graph_sees_function_level_and_package_imports():
    edges = graph()
    assert "components.checks" in edges["components.page_end"]
    assert "components.data" in edges["components.checks"]  # from components.data import …
    assert "components.data.snapshot" in edges["components.data"]  # the package re-exports it


def test_the_cycle_finder_finds_one():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_in_components():
    assert cycle(graph()) is None


def test_the_loader_never_imports_the_checks():
    edges = graph()
    loader = {name for name in edges if name == "components.data" or name.startswith("components.data.")}
    reached, todo = set(), list(loader)
    while todo:
        for nxt in edges[todo.pop()] - reached:
            reached.add(nxt)
            todo.append(nxt)
    assert "components.checks" not in reached


def test_no_module_exceeds_600_lines():
    lines = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in lines.items() if n > MAX_LINES} == {}



def test_viewing_pages_imports_no_export_library_and_validates_no_figure(tmp_path):
    """python-pptx, python-docx, openpyxl, pypdf and kaleido cost about 50 MB a worker: only an
    export needs them. Nor does a page build a go.Figure: its first one loads plotly's validators
    (about 10 MB a worker). Every page opened (briefing mode in both themes) and every filter
    changed in a fresh process, then one export."""
    import json
    import subprocess
    import sys

    from app import create_app
    from scripts.bench_lib import requests_for

    root = PACKAGE.parent
    bodies = tmp_path / "bodies.json"
    bodies.write_text(json.dumps([r.body for r in requests_for(create_app(root / "data").server.test_client())]))
    script = (
        "import json, sys, app\n"
        "client = app.create_app(sys.argv[1]).server.test_client()\n"
        "for body in json.loads(open(sys.argv[2]).read()):\n"
        "    assert client.post('/_dash-update-component', json=body).status_code in (200, 204)\n"
        "for path in ('/', '/transfers', '/debt', '/performance', '/monitor', '/present', '/present?theme=contrast'):\n"
        "    assert client.get(path).status_code == 200\n"
        "from plotly.validator_cache import ValidatorCache\n"
        "print(ValidatorCache._json_cache is None)\n"
        "heavy = ('pptx', 'docx', 'openpyxl', 'pypdf', 'kaleido')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m == 'components.exports'))\n"
        "assert client.get('/export/data.xlsx').status_code == 200\n"
        "print('openpyxl' in sys.modules)\n"
    )
    command = [sys.executable, "-c", script, str(root / "data"), str(bodies)]
    env = {**os.environ, "DATA_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=180)
    assert out.stdout.split("\n")[:3] == ["True", "[]", "True"], out.stderr[-2000:]
