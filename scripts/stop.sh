#!/usr/bin/env bash
# Stops the backend, the S3 server and PostgreSQL started by run.sh or test.sh.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
stop_backend "$repo"
if [ -f "$repo/.local/s3rver.pid" ]; then kill "$(cat "$repo/.local/s3rver.pid")" 2>/dev/null; rm -f "$repo/.local/s3rver.pid"; fi
if [ -f "$repo/.local/maildev.pid" ]; then kill "$(cat "$repo/.local/maildev.pid")" 2>/dev/null; rm -f "$repo/.local/maildev.pid"; fi
pg_data="${LIGHTDASH_PG_DATA:-/var/tmp/lightdash-net/pg-$LIGHTDASH_PG_PORT}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$bin" ] && [ -f "$pg_data/postmaster.pid" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$pg_data" stop -m fast >/dev/null
echo "stopped"
