#!/usr/bin/env bash
# Installs what the dashboard needs on a fresh Debian machine, then serves data/ (or --data DIR).
# Arguments go to app.py: bash scripts/run.sh --port 8080 --data /path/to/csv
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
[[ -x .venv/bin/pip ]] || python3 -m venv --clear .venv  # also mends a venv cut off while it was made
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/python app.py "$@"
