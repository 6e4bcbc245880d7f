#!/usr/bin/env bash
# Set up everything and run the full test suite: the command CI runs (.ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh || echo "warning: system packages not installed; tests that need them will skip" >&2
bash scripts/setup.sh dev || exit 2
url=$(bash scripts/postgres.sh | tail -n 1 || true)  # it says on stderr what it starts and leaves running
case "$url" in postgresql://*) export XXGK_TEST_POSTGRES_URL="$url" ;; *) echo "PostgreSQL not available: its tests will skip" >&2 ;; esac
.venv/bin/ruff check src tests bench scripts || exit 1
.venv/bin/python -m pytest -p no:cacheprovider "$@"
rc=$?
if [ "$rc" = 5 ]; then echo "pytest collected no tests"; exit 1; fi
exit "$rc"
