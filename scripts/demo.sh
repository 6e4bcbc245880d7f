#!/usr/bin/env bash
# Set up xxgk and run the main job on the bundled sample reports: audit.html + a terminal summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all
.venv/bin/xxgk audit -o audit.html "$@" || rc=$?
echo "open $(pwd)/audit.html in a browser"
exit "${rc:-0}"
