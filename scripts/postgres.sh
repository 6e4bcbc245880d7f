#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster and make a role and database for the tests.
# Prints the URL to export as XXGK_TEST_POSTGRES_URL (nothing when PostgreSQL is not installed).
set -euo pipefail
command -v pg_lsclusters >/dev/null 2>&1 || exit 0
[ "$(id -u)" = 0 ] || exit 0
version=$(pg_lsclusters --no-header | awk 'NR==1 {print $1}')
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='xxgk'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE xxgk LOGIN SUPERUSER PASSWORD 'xxgk'\"" >/dev/null
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='xxgk_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O xxgk xxgk_test" >/dev/null
echo "postgresql://xxgk:xxgk@127.0.0.1:5432/xxgk_test"
