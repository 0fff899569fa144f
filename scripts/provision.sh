#!/usr/bin/env bash
# Installs (if missing) and starts, on loopback, the servers Lightdash.Net needs:
# PostgreSQL (metadata database and demo warehouse), s3rver (S3-compatible results storage) and
# maildev (SMTP for email deliveries); with --with-browser (the test command) also Debian's Chromium.
# Idempotent: a server that already answers is left alone. Source it or run it; it exports nothing.
# PostgreSQL asks for passwords over TCP (scram-sha-256, never trust): the superuser's password is
# kept beside the data directory (root only), and only the postgres OS user reaches the socket.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pg_port="${LIGHTDASH_PG_PORT:-55432}"
s3_port="${LIGHTDASH_S3_PORT:-4568}"
smtp_port="${LIGHTDASH_SMTP_PORT:-1025}"
mail_web_port="${LIGHTDASH_MAIL_WEB_PORT:-1080}"
# PostgreSQL runs as the postgres user, which may not be able to enter the checkout: keep its
# data in a world-traversable place of its own.
pg_data="${LIGHTDASH_PG_DATA:-/var/tmp/lightdash-net/pg-$pg_port}"
pg_password_file="$pg_data.admin-password"
s3_data="${LIGHTDASH_S3_DATA:-$repo/.local/s3}"

log() { printf '[provision] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 100); do
    port_open "$port" && return 0
    sleep 0.2
  done
  log "$name did not open port $port"; return 1
}

ensure_apt_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_postgres() {
  ensure_apt_packages postgresql postgresql-contrib curl
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if port_open "$pg_port"; then log "PostgreSQL already listening on $pg_port"; return 0; fi
  mkdir -p "$pg_data"
  chmod 755 "$(dirname "$pg_data")"
  chown postgres:postgres "$pg_data"
  chmod 700 "$pg_data"
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $pg_data"
    runuser -u postgres -- "$bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  rm -f "$pg_data/postmaster.pid"
  log "starting PostgreSQL on 127.0.0.1:$pg_port"
  runuser -u postgres -- "$bin/pg_ctl" -D "$pg_data" \
    -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_preload_libraries=pg_stat_statements -c fsync=off -c synchronous_commit=off" \
    -l "$pg_data/server.log" -w start >/dev/null
}

# Passwords over TCP for every role; the socket only for the postgres OS user (peer), which is how
# this script sets the superuser's password. Runs on every call, so a cluster made before (trust)
# is converted, and a lost password file is replaced.
secure_postgres() {
  local bin hba="$pg_data/pg_hba.conf" marker="# lightdash-net: passwords over TCP"
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [ ! -s "$pg_password_file" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '+/=\n' >"$pg_password_file")
  fi
  chmod 600 "$pg_password_file"
  # psql fills in :'pw' only in what it reads, not in -c.
  echo "ALTER ROLE postgres PASSWORD :'pw'" | runuser -u postgres -- "$bin/psql" -X -q -h /tmp -p "$pg_port" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -v pw="$(cat "$pg_password_file")" >/dev/null
  if [ "$(head -n 1 "$hba" 2>/dev/null)" != "$marker" ]; then
    log "PostgreSQL: scram-sha-256 over TCP, peer on the socket"
    printf '%s\nlocal all postgres peer\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n' "$marker" >"$hba"
    chown postgres:postgres "$hba"
    runuser -u postgres -- "$bin/pg_ctl" -D "$pg_data" reload >/dev/null
    sleep 0.3
  fi
}

ensure_bucket() {
  # s3rver accepts anonymous bucket creation; a server whose folder was removed under it lost its bucket.
  local url="http://127.0.0.1:$s3_port/results"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" != "200" ]; then
    log "creating bucket results"
    curl -s -f -X PUT -o /dev/null "$url"
  fi
}

start_s3() {
  # Installed even when another checkout's server already listens: tests start s3rver of their own.
  # apache-arrow (read by the tests' Arrow reader script) comes with them.
  if [ ! -x "$repo/node_modules/.bin/s3rver" ] || [ ! -x "$repo/node_modules/.bin/maildev" ] || [ ! -f "$repo/node_modules/apache-arrow/package.json" ]; then
    log "installing s3rver, maildev and apache-arrow (npm ci)"
    (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  if port_open "$s3_port"; then log "S3 server already listening on $s3_port"; ensure_bucket; return 0; fi
  mkdir -p "$s3_data"
  log "starting s3rver on 127.0.0.1:$s3_port"
  # The legacy OpenSSL provider keeps ListObjectsV2 with continuation tokens working on Node 17+.
  NODE_OPTIONS=--openssl-legacy-provider nohup "$repo/node_modules/.bin/s3rver" \
    -a 127.0.0.1 -p "$s3_port" -d "$s3_data" --configure-bucket results --silent \
    >"$repo/.local/s3rver.log" 2>&1 &
  echo $! >"$repo/.local/s3rver.pid"
  wait_port "$s3_port" s3rver
  ensure_bucket
}

start_mail() {
  # maildev (npm, installed with s3rver): a real SMTP server on loopback that keeps what it receives.
  if port_open "$smtp_port"; then log "SMTP server already listening on $smtp_port"; return 0; fi
  log "starting maildev (SMTP 127.0.0.1:$smtp_port, web 127.0.0.1:$mail_web_port)"
  nohup "$repo/node_modules/.bin/maildev" --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$smtp_port" -w "$mail_web_port" --silent \
    >"$repo/.local/maildev.log" 2>&1 &
  echo $! >"$repo/.local/maildev.pid"
  wait_port "$smtp_port" maildev
  wait_port "$mail_web_port" "maildev web"
}

mkdir -p "$repo/.local"
if [ "${1:-}" = "--with-browser" ]; then
  # Debian's Chromium, for the results browser's tests (headless, driven by Playwright).
  ensure_apt_packages chromium
fi
start_postgres
secure_postgres
start_s3
start_mail
log "PostgreSQL: Host=127.0.0.1;Port=$pg_port;Username=postgres (password in $pg_password_file)  S3: http://127.0.0.1:$s3_port  SMTP: 127.0.0.1:$smtp_port"
