#!/usr/bin/env bash
# Shared settings of the run, test and bench scripts. Source it.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LIGHTDASH_PG_PORT="${LIGHTDASH_PG_PORT:-55432}"
export LIGHTDASH_S3_PORT="${LIGHTDASH_S3_PORT:-4568}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pg_admin="Host=127.0.0.1;Port=$LIGHTDASH_PG_PORT;Username=postgres"

psql_run() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$LIGHTDASH_PG_PORT" -U postgres "$@"; }

ensure_database() {
  local name=$1
  if [ "$(psql_run -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
    psql_run -d postgres -c "CREATE DATABASE \"$name\""
  fi
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
