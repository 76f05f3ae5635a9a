#!/usr/bin/env bash
# Installs what autograd_graph needs: Graphviz's dot (from the OS packages,
# when it is missing and we may install it) and the package with its extras,
# into .venv. Sourced by ./dev; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
      echo "setup: installing Graphviz (dot) with apt-get" >&2
      $SUDO apt-get update -qq && $SUDO apt-get install -y -qq graphviz >/dev/null
    fi
  elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
  fi
  command -v dot >/dev/null 2>&1 || echo "setup: Graphviz's dot is missing; pictures can be built but not rendered (install the 'graphviz' OS package)" >&2
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
EXTRAS="${EXTRAS:-dev,torch}"
stamp=".venv/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)-${EXTRAS}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[${EXTRAS}]" 2>&1 | { grep -v "^WARNING: Location" || true; } >&2
  rm -f .venv/.installed-* && touch "$stamp"
fi
