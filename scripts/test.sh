#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs them all.
# Browser tests use Debian's chromium; nothing downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh

[[ -x .venv/bin/pip ]] || python3 -m venv --clear .venv  # also mends a venv cut off while it was made
.venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt

# axe-core for the accessibility browser tests, pinned by tests/browser/node/package-lock.json;
# once installed, nothing is fetched again (the tests read its axe.min.js from there).
[[ -f tests/browser/node/node_modules/axe-core/axe.min.js ]] ||
    npm ci --prefix tests/browser/node --no-audit --no-fund --loglevel=error

.venv/bin/ruff check .
.venv/bin/python app.py check data/ >/dev/null
.venv/bin/python -m pytest "$@"
