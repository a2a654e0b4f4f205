#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the test suite (idempotent) and prints
# its connection string. Uses Debian's postgresql package; installs it when missing.
set -euo pipefail
port="${PORTAL_TEST_PG_PORT:-55432}"
dir="${PORTAL_TEST_PG_DIR:-/tmp/portal-test-pg}"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bin" ]; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_postgres "$bin/initdb" -D "$dir" -U portal --auth=trust -E UTF8 >/dev/null
fi

if ! as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c max_connections=300" start >&2
fi

echo "Host=127.0.0.1;Port=$port;Username=portal;Database=postgres"
