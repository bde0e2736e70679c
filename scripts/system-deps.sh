#!/usr/bin/env bash
# Debian packages the dashboard needs beyond Python: Chromium (exports and browser tests)
# and CJK fonts (Chinese in exported charts and screenshots), npm (axe-core for the accessibility
# tests). Installed only when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "缺少 ${need[*]}：请以 root 运行，或先执行 sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "Installing ${need[*]} (apt)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
