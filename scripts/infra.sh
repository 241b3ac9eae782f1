#!/usr/bin/env bash
# Makes sure the local infrastructure the mesh needs is reachable: PostgreSQL with the
# `vector` extension available, Redis, and NATS with JetStream. Idempotent: it only acts
# on what is missing, and says exactly what to do when it cannot fix something itself.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"; PGUSER="${PGUSER:-postgres}"
REDIS_PORT="${REDIS_PORT:-6379}"; NATS_PORT="${NATS_PORT:-4222}"
say() { printf '[infra] %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if [ "${MIGRATE_SKIP_INFRA:-}" = 1 ]; then say "skipped (MIGRATE_SKIP_INFRA=1)"; exit 0; fi

# Without local services but with a Docker engine, the tests start containers instead.
if ! port_open "$PGPORT" && docker info >/dev/null 2>&1; then
  say "no local PostgreSQL but a Docker engine: tests will use testcontainers"; exit 0
fi

# --- PostgreSQL -------------------------------------------------------------
if ! port_open "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null; then
    say "starting PostgreSQL"; as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  port_open "$PGPORT" || { say "PostgreSQL is not reachable on $PGHOST:$PGPORT: install and start it (apt-get install postgresql), then rerun"; exit 1; }
fi

vector_available() {
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc \
    "select 1 from pg_available_extensions where name = 'vector'" 2>/dev/null | grep -q 1
}
if ! vector_available; then
  # pgvector is not packaged for bookworm; Debian's trixie source package builds here in seconds.
  say "pgvector missing: building Debian's pgvector source package"
  pgmajor="$(pg_config --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"
  src=/etc/apt/sources.list.d/migrate-mesh-trixie-src.sources
  if [ ! -f "$src" ]; then
    as_root tee "$src" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  as_root apt-get update -qq >/dev/null || { say "apt-get update failed: run as root or install pgvector for PostgreSQL $pgmajor by hand"; exit 1; }
  dpkg -s "postgresql-server-dev-$pgmajor" >/dev/null 2>&1 || as_root apt-get install -y -qq "postgresql-server-dev-$pgmajor" dpkg-dev >/dev/null
  work="$(mktemp -d)"
  ( cd "$work" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ && make -s >/dev/null 2>&1 && as_root make -s install >/dev/null )
  rm -rf "$work"
  vector_available || { say "pgvector build failed: install the pgvector extension for PostgreSQL $pgmajor by hand"; exit 1; }
  say "pgvector installed"
fi

# --- Redis ------------------------------------------------------------------
if ! port_open "$REDIS_PORT"; then
  if command -v redis-server >/dev/null; then
    say "starting Redis"
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null || true
    sleep 0.5
  fi
  port_open "$REDIS_PORT" || { say "Redis is not reachable on 127.0.0.1:$REDIS_PORT: apt-get install redis-server and start it"; exit 1; }
fi

# --- NATS with JetStream -----------------------------------------------------
if ! port_open "$NATS_PORT"; then
  if [ -x /usr/sbin/nats-server ]; then
    say "starting NATS with JetStream"
    as_root mkdir -p /var/lib/nats-server
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p "$NATS_PORT" -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do port_open "$NATS_PORT" && break; sleep 0.3; done
  fi
  port_open "$NATS_PORT" || { say "NATS is not reachable on 127.0.0.1:$NATS_PORT: apt-get install nats-server and start it with -js"; exit 1; }
fi
# --- Chromium, for the web console's browser tests (Debian's; never a browser download) ---
if ! command -v chromium >/dev/null; then
  say "installing Chromium (apt-get) for the console's browser tests"
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium; } >/dev/null \
    || say "Chromium could not be installed: the console's browser tests will fail until apt-get install chromium succeeds"
fi
say "PostgreSQL (with vector), Redis and NATS are reachable"
