#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs them all.
# Browser tests use Debian's chromium; nothing downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt

.venv/bin/ruff check .
.venv/bin/python app.py check data/ >/dev/null
.venv/bin/python -m pytest "$@"
