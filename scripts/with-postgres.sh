#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server (Debian's packages), listening only on a
# Unix socket in a temporary directory, and removed afterwards. The tests that compare SQL
# dialects find it through SEGMENT_SQL_PSQL. Usage: bash scripts/with-postgres.sh COMMAND...
set -euo pipefail

pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$pgbin" ]; then
  echo "with-postgres: PostgreSQL is not installed (run scripts/setup.sh)" >&2
  exit 1
fi
as_postgres() {
  # The server refuses to run as root: run it as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
dir="$(mktemp -d /tmp/segment-builder-pg.XXXXXX)"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
port=54329
stop() {
  as_postgres "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_postgres "$pgbin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
  -o "-k $dir -c listen_addresses= -p $port -c fsync=off" -w start >/dev/null
export SEGMENT_SQL_PSQL="psql -h $dir -p $port -U postgres -d postgres"
# The same server as a data location (the socket directory percent-encoded as the host): the
# PostgreSQL source's tests, the CLI's and the app's find it through SEGMENT_PG_URL.
export SEGMENT_PG_URL="postgresql://postgres@${dir//\//%2F}:$port/postgres"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $dir"
"$@"
