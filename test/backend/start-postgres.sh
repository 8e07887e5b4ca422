#!/usr/bin/env bash
# Starts (or finds running) a throwaway PostgreSQL cluster for the backend tests and prints its URL.
# Idempotent: a second call reuses the running cluster. Needs Debian's `postgresql` package:
#   apt-get update && apt-get install -y postgresql
# Usage: export PBX_TEST_POSTGRES_URL="$(bash test/backend/start-postgres.sh)"
# Environment: PBX_PG_DIR (default /tmp/pbx-estate-pg), PBX_PG_PORT (default 55432).
set -euo pipefail

dir="${PBX_PG_DIR:-/tmp/pbx-estate-pg}"
port="${PBX_PG_PORT:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "start-postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi

as_pg() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$dir"
if [[ "$(id -u)" == 0 ]]; then chown postgres:postgres "$dir"; fi

if [[ ! -f "$dir/data/PG_VERSION" ]]; then
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
CONF
fi

if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
fi

for _ in $(seq 1 60); do
  if as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then break; fi
  sleep 0.5
done
as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q

if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname = 'pbx_test'" | grep -q 1; then
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres pbx_test
fi

echo "postgres://postgres@127.0.0.1:$port/pbx_test"
