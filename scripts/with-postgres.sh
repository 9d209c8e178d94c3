#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server (Debian's packages), listening only on a
# Unix socket in a temporary directory, and removed afterwards. The tests that compare SQL
# dialects find it through SEGMENT_SQL_PSQL. Usage: bash scripts/with-postgres.sh [--tls] COMMAND...
#
# --tls: the server also listens on 127.0.0.1 (a free port) with ssl=on and a throwaway CA and
# server certificate made with openssl in the temporary directory (the certificate names
# `localhost` only, so verify-full passes by that name and fails by 127.0.0.1); unencrypted TCP
# connections are refused. SEGMENT_PG_TLS_URL (postgresql://postgres@127.0.0.1:PORT/postgres),
# SEGMENT_PG_TLS_CA (the CA's PEM) and SEGMENT_PG_TLS_OTHER_CA (a CA that signed nothing) tell
# the TLS tests where they are.
set -euo pipefail

tls=0
if [ "${1:-}" = "--tls" ]; then
  tls=1
  shift
fi

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
server_options=""
if [ "$tls" -eq 1 ]; then
  if ! command -v openssl >/dev/null; then
    echo "with-postgres: --tls needs openssl (run scripts/setup.sh)" >&2
    exit 1
  fi
  # A free loopback port (several servers may run at once); the socket takes the same number.
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  tlsdir="$dir/tls"
  mkdir -p "$tlsdir"
  make_ca() { # name file-stem
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj "/CN=$1" -keyout "$tlsdir/$2.key" -out "$tlsdir/$2.crt" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      2>/dev/null
  }
  make_ca "Segment Builder test CA" ca
  make_ca "Another test CA" other-ca
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$tlsdir/server.key" -out "$tlsdir/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$tlsdir/server.ext"
  openssl x509 -req -in "$tlsdir/server.csr" -CA "$tlsdir/ca.crt" -CAkey "$tlsdir/ca.key" \
    -CAcreateserial -days 2 -extfile "$tlsdir/server.ext" -out "$tlsdir/server.crt" 2>/dev/null
  chmod 600 "$tlsdir/server.key"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$tlsdir"
  chmod 755 "$tlsdir"
  chmod 644 "$tlsdir"/*.crt
  server_options="-c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$tlsdir/server.crt -c ssl_key_file=$tlsdir/server.key"
fi
stop() {
  as_postgres "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_postgres "$pgbin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
if [ "$tls" -eq 1 ]; then
  # TCP only encrypted: the first matching line of pg_hba.conf wins.
  as_postgres sh -c "{ echo 'hostnossl all all all reject'; cat '$dir/data/pg_hba.conf'; } >'$dir/data/pg_hba.new' && mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'"
else
  server_options="-c listen_addresses="
fi
as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
  -o "-k $dir $server_options -p $port -c fsync=off" -w start >/dev/null
export SEGMENT_SQL_PSQL="psql -h $dir -p $port -U postgres -d postgres"
# The same server as a data location (the socket directory percent-encoded as the host): the
# PostgreSQL source's tests, the CLI's and the app's find it through SEGMENT_PG_URL.
export SEGMENT_PG_URL="postgresql://postgres@${dir//\//%2F}:$port/postgres"
if [ "$tls" -eq 1 ]; then
  export SEGMENT_PG_TLS_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  export SEGMENT_PG_TLS_CA="$tlsdir/ca.crt"
  export SEGMENT_PG_TLS_OTHER_CA="$tlsdir/other-ca.crt"
fi
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $dir"
"$@"
