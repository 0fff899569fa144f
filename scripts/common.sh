#!/usr/bin/env bash
# Shared settings of the run, test and bench scripts. Source it.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LIGHTDASH_PG_PORT="${LIGHTDASH_PG_PORT:-55432}"
export LIGHTDASH_S3_PORT="${LIGHTDASH_S3_PORT:-4568}"
# maildev: SMTP for email deliveries, and its web API (the test command reads received mail there).
export LIGHTDASH_SMTP_PORT="${LIGHTDASH_SMTP_PORT:-1025}"
export LIGHTDASH_MAIL_WEB_PORT="${LIGHTDASH_MAIL_WEB_PORT:-1080}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The superuser's password, written by provision.sh (run it first).
pg_password_file="${LIGHTDASH_PG_DATA:-/var/tmp/lightdash-net/pg-$LIGHTDASH_PG_PORT}.admin-password"
pg_admin_password() { cat "$pg_password_file"; }
# The superuser's connection string (for tests and set-up only; the service never gets it).
pg_admin() { printf 'Host=127.0.0.1;Port=%s;Username=postgres;Password=%s' "$LIGHTDASH_PG_PORT" "$(pg_admin_password)"; }

psql_run() { PGPASSWORD="$(pg_admin_password)" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$LIGHTDASH_PG_PORT" -U postgres "$@"; }

# A role that logs in with a password kept in .local (made once; set again on every call, so that
# a role made by another checkout gets this one's password). Prints the password.
ensure_login_role() {
  local role=$1 file="$repo/.local/$1.password"
  mkdir -p "$repo/.local"
  if [ ! -s "$file" ]; then (umask 077; head -c 24 /dev/urandom | base64 | tr -d '+/=\n' >"$file"); fi
  psql_run -d postgres -v role="$role" -v pw="$(cat "$file")" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'pw') \gexec
SQL
  cat "$file"
}

# ensure_database NAME [OWNER]
ensure_database() {
  local name=$1 owner=${2:-postgres}
  if [ "$(psql_run -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
    psql_run -d postgres -c "CREATE DATABASE \"$name\" OWNER \"$owner\""
  fi
  psql_run -d postgres -c "ALTER DATABASE \"$name\" OWNER TO \"$owner\"" >/dev/null
}

# Stops the backend that run.sh started from this checkout (found by its working directory).
stop_backend() {
  local dir="$1/.local/backend" pid
  for pid in $(pgrep -f "dotnet Lightdash.Net.Backend.dll" || true); do
    if [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir" ]; then
      echo "[run] stopping the running backend ($pid)" >&2
      kill "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
  done
  rm -f "$1/.local/backend.pid"
}

# delete_s3_prefix PREFIX: deletes every object of the local S3 server's results bucket whose key starts
# with PREFIX (the server takes unsigned requests on loopback). Prints how many it deleted. s3rver may
# answer 500 when two deletes in one folder race to remove it; the object is gone or the next listing
# (at most 1000 rounds of 1000 keys) returns it again.
delete_s3_prefix() {
  local base="http://127.0.0.1:$LIGHTDASH_S3_PORT/results" deleted=0 keys
  for _ in $(seq 1 1000); do
    keys="$(curl -fsS "$base?list-type=2&max-keys=1000&prefix=$1" | grep -o '<Key>[^<]*</Key>' | sed 's/<\/\?Key>//g' || true)"
    [ -n "$keys" ] || break
    printf '%s\n' "$keys" | xargs -P 4 -I{} curl -sS -o /dev/null -X DELETE "$base/{}"
    deleted=$((deleted + $(printf '%s\n' "$keys" | wc -l)))
  done
  echo "$deleted"
}
