#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: prints the URL of its `postgres` database.
#
# When TEST_PG_URL answers, that server is used as it is. Otherwise a cluster is created
# (initdb, once) in TEST_PG_DIR (default /tmp/numberdesk-pg-PORT) and started on 127.0.0.1,
# port TEST_PG_PORT (default 54329): trust authentication on localhost, UTF-8 with the C
# locale (as the portal asks, see migrations/postgres/), and fsync off: its data is
# disposable, its speed is not. initdb and pg_ctl refuse root, so as root they run as the
# `postgres` user. Safe to call from several test files at once (flock).
#
#   test/helpers/pg-cluster.sh          start if needed, print the URL
#   test/helpers/pg-cluster.sh stop     stop the cluster this script started
set -euo pipefail

port="${TEST_PG_PORT:-54329}"
dir="${TEST_PG_DIR:-/tmp/numberdesk-pg-${port}}"
url="${TEST_PG_URL:-postgres://postgres@127.0.0.1:${port}/postgres}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$dir/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null; fi
  exit 0
fi

if "$bin/pg_isready" -q -d "$url"; then
  echo "$url"
  exit 0
fi

mkdir -p "$(dirname "$dir")"
exec 9>"${dir}.lock"
flock 9
if ! "$bin/pg_isready" -q -d "$url"; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  fi
  # 9>&-: the server must not inherit the lock's descriptor, or it would hold the lock for
  # its whole life and every other caller of this script would wait on flock forever.
  as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start -o \
    "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null 9>&-
fi
echo "$url"
