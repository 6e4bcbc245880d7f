#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install xxgk with the extras given (default: all).
# System packages (LibreOffice for .doc/.wps, fonts, PostgreSQL, Chromium) are installed only
# when running as root on a Debian-like system; everything else comes from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-all}"
py=""
for candidate in python3.11 python3.12 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    py="$candidate"; break
  fi
done
[ -n "$py" ] || { echo "xxgk needs Python 3.11 or newer" >&2; exit 2; }
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[$extras]"
