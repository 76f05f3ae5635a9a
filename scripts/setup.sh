#!/usr/bin/env bash
# Installs what autograd_graph needs: Graphviz's dot and Chromium (from the OS
# packages, when they are missing and we may install them) and the package with
# its extras, into .venv. Run by ./dev; safe to run again.
#   scripts/setup.sh        what the demo needs: dot and the package
#   scripts/setup.sh test   also Chromium and the extras of the tests (dev tools, torch==2.13.0, dask, onnx, neat, numba, imageio-ffmpeg)
set -euo pipefail
FOR="${1:-demo}"
cd "$(dirname "$0")/.."

# apt_install PACKAGE: apt-get install when apt is usable (as root, or with sudo); false otherwise.
APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ] || return 1
  echo "setup: installing $1 with apt-get" >&2
  if [ -z "$APT_UPDATED" ]; then
    $sudo apt-get update -qq && APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null
}

if ! command -v dot >/dev/null 2>&1; then
  apt_install graphviz || { command -v brew >/dev/null 2>&1 && brew install graphviz; } || true
  command -v dot >/dev/null 2>&1 || echo "setup: Graphviz's dot is missing; pictures can be built but not rendered (install the 'graphviz' OS package)" >&2
fi

# Chromium opens the comparison report in a test (headless, through Playwright's Python package,
# which ships its own driver: no browser download).
if [ "$FOR" = test ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  apt_install chromium || true
  command -v chromium >/dev/null 2>&1 || echo "setup: Chromium is missing; the browser test of the comparison report will be skipped (install the 'chromium' OS package)" >&2
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ "$FOR" = test ]; then EXTRAS="${EXTRAS:-dev,torch,dask,onnx,neat,numba,video,sklearn}"; else EXTRAS="${EXTRAS:-}"; fi
version="$(cksum < pyproject.toml | cut -d' ' -f1)"
stamp=".venv/.installed-${version}-${EXTRAS}"
# an install for the tests (with extras) of this pyproject.toml serves the demo too
if [ ! -f "$stamp" ] && ! { [ -z "$EXTRAS" ] && ls .venv/.installed-"${version}"-* >/dev/null 2>&1; }; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${EXTRAS:+[$EXTRAS]}" 2>&1 | { grep -v "^WARNING: Location" || true; } >&2
  rm -f .venv/.installed-* && touch "$stamp"
fi
