#!/usr/bin/env bash
# A PostgreSQL database for xxgk's tests, with as little privilege as the tests need.
#
# What it does (root on Debian/Ubuntu with the postgresql package; otherwise nothing):
#   - starts the local cluster (pg_ctlcluster), listening on 127.0.0.1:5432, and LEAVES IT RUNNING;
#   - creates the role xxgk_test: LOGIN only (no superuser, no createdb, no createrole), with a
#     random password, and the database xxgk_tests owned by it (each test makes a schema in it);
#   - keeps the URL, password included, in ${XDG_CONFIG_HOME:-~/.config}/xxgk/test-postgres.url
#     (mode 600, outside the repository) and prints it on stdout for XXGK_TEST_POSTGRES_URL.
# Undo: scripts/postgres.sh --remove (drops the role and database, stops the cluster).
set -euo pipefail
command -v pg_lsclusters >/dev/null 2>&1 || exit 0
[ "$(id -u)" = 0 ] || exit 0
role=xxgk_test
db=xxgk_tests  # not xxgk_test: older versions of this script made that one, owned by a superuser
conf="${XDG_CONFIG_HOME:-$HOME/.config}/xxgk"
urlfile="$conf/test-postgres.url"
psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\""; }

version=$(pg_lsclusters --no-header | awk 'NR==1 {print $1}')
if [ "${1:-}" = "--remove" ]; then
  [ -n "$version" ] || exit 0
  psql_admin "DROP DATABASE IF EXISTS $db" >/dev/null || true
  psql_admin "DROP ROLE IF EXISTS $role" >/dev/null || true
  rm -f "$urlfile"
  pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
  echo "postgres.sh: dropped $db and $role, stopped PostgreSQL $version/main" >&2
  exit 0
fi
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done

# The password: the one kept from an earlier run, or a new random one (hex: no quoting issues).
password=""
if [ -r "$urlfile" ]; then
  password=$(sed -n 's|^postgresql://[^:]*:\([^@]*\)@.*|\1|p' "$urlfile")
fi
[ -n "$password" ] || password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
if psql_admin "SELECT 1 FROM pg_roles WHERE rolname='$role'" | grep -q 1; then
  psql_admin "ALTER ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '$password'" >/dev/null
else
  psql_admin "CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '$password'" >/dev/null
fi
psql_admin "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || su postgres -c "createdb -O $role $db" >/dev/null
psql_admin "ALTER DATABASE $db OWNER TO $role" >/dev/null
# Nobody else may connect to or create in the test database.
psql_admin "REVOKE ALL ON DATABASE $db FROM PUBLIC" >/dev/null
url="postgresql://$role:$password@127.0.0.1:5432/$db"
(umask 077 && mkdir -p "$conf" && printf '%s\n' "$url" >"$urlfile")
if psql_admin "SELECT 1 FROM pg_roles WHERE rolname='xxgk' AND rolsuper" | grep -q 1; then
  echo "postgres.sh: warning: the role 'xxgk' (SUPERUSER, password 'xxgk') made by older versions of this" \
       "script still exists; drop it: su postgres -c 'psql -c \"DROP ROLE xxgk\"' (after dropping what it owns)" >&2
fi
echo "postgres.sh: PostgreSQL $version/main is running on 127.0.0.1:5432 and stays running" \
     "(stop: pg_ctlcluster $version main stop; remove all: bash scripts/postgres.sh --remove);" \
     "role $role (login only) owns database $db; URL kept in $urlfile" >&2
echo "$url"
