#!/usr/bin/env bash
# Starts Lightdash.Net with its demo project: PostgreSQL and the S3 server on loopback (installed
# if missing), the demo warehouse, then the backend in the background. Prints the Swagger UI and results browser addresses.
# Idempotent: run it again to restart the backend with the latest code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
port="${LIGHTDASH_HTTP_PORT:-5080}"
url="http://127.0.0.1:$port"

bash "$repo/scripts/provision.sh"
# The service's own login owns the metadata database and nothing else; the demo warehouse is read
# through a login that may only SELECT its tables. Neither is a superuser (see README, Security).
metadata_password="$(ensure_login_role lightdash)"
reader_password="$(ensure_login_role lightdash_demo_reader)"
if [ "$(psql_run -d postgres -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'lightdash'")" = "postgres" ]; then
  echo "[run] making the demo metadata database anew, owned by the service's own login" >&2
  psql_run -d postgres -c "DROP DATABASE lightdash WITH (FORCE)" >/dev/null
fi
ensure_database lightdash lightdash
ensure_database lightdash_demo
if [ "$(psql_run -d lightdash_demo -tAc "SELECT to_regclass('public.type_showcase') IS NOT NULL")" != "t" ]; then
  echo "[run] loading demo data" >&2
  psql_run -d lightdash_demo -f "$repo/scripts/demo/postgres-demo.sql"
fi
psql_run -d lightdash_demo >/dev/null <<'SQL'
REVOKE ALL ON DATABASE lightdash_demo FROM PUBLIC;
GRANT CONNECT ON DATABASE lightdash_demo TO lightdash_demo_reader;
GRANT USAGE ON SCHEMA public TO lightdash_demo_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO lightdash_demo_reader;
SQL
metadata_connection="Host=127.0.0.1;Port=$LIGHTDASH_PG_PORT;Username=lightdash;Password=$metadata_password;Database=lightdash"
demo_connection="Host=127.0.0.1;Port=$LIGHTDASH_PG_PORT;Username=lightdash_demo_reader;Password=$reader_password;Database=lightdash_demo"

duckdb_file="$repo/.local/demo.duckdb"
if [ ! -f "$duckdb_file" ]; then
  echo "[run] creating the demo DuckDB warehouse" >&2
  dotnet run --project "$repo/scripts/demo/DuckDbDemo" -c Release -v quiet -- "$duckdb_file" "$repo/scripts/demo/duckdb-demo.sql" >&2
fi

# The demo's first admin: a token made once and kept in .local, so that every run prints the same one.
token_file="$repo/.local/admin-token"
if [ ! -s "$token_file" ]; then
  printf 'ldpat_%s' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" >"$token_file"
  chmod 600 "$token_file"
fi
admin_token="$(cat "$token_file")"

# The key that encrypts warehouse credentials and webhook secrets at rest: made once, kept in .local.
secrets_key_file="$repo/.local/secrets.key"
if [ ! -s "$secrets_key_file" ]; then
  (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n' >"$secrets_key_file")
fi

echo "[run] building the backend" >&2
dotnet build "$repo/packages/Backend/Backend.csproj" -c Release -v quiet -nologo -o "$repo/.local/backend" >/dev/null

pidfile="$repo/.local/backend.pid"
stop_backend "$repo"

echo "[run] starting the backend on $url (log: .local/backend.log)" >&2
cd "$repo/.local/backend"
# Two malloc arenas: glibc reads this before the runtime starts (docs/deployment.md, "Process environment").
MALLOC_ARENA_MAX=2 ASPNETCORE_URLS="$url" ASPNETCORE_ENVIRONMENT=Development \
  MetadataDatabase__ConnectionString="$metadata_connection" \
  Secrets__Key="$(cat "$secrets_key_file")" \
  Projects__Items__0__ConnectionString="$demo_connection" \
  ResultsStorage__ServiceUrl="http://127.0.0.1:$LIGHTDASH_S3_PORT" \
  Deliveries__Smtp__Host=127.0.0.1 Deliveries__Smtp__Port="$LIGHTDASH_SMTP_PORT" Deliveries__AllowPrivateWebhookAddresses=true \
  Projects__Items__1__ConnectionString="Data Source=$duckdb_file" \
  Projects__Items__0__ModelsPath="$repo/scripts/demo/models/postgres" Projects__Items__1__ModelsPath="$repo/scripts/demo/models/duckdb" \
  Auth__BootstrapAdmin__Email="admin@lightdash.local" Auth__BootstrapAdmin__Token="$admin_token" \
  nohup dotnet Lightdash.Net.Backend.dll >"$repo/.local/backend.log" 2>&1 &
echo $! >"$pidfile"
cd "$repo"

for _ in $(seq 1 150); do
  if curl -fsS "$url/health/live" >/dev/null 2>&1; then
    for demo_project in 3675b69e-8324-4110-bdca-059031aa8da3 5d1e7b0a-6c2f-4a8e-9f31-2b7c4d5e6f70; do
      bash "$repo/scripts/demo/seed-content.sh" "$url" "$admin_token" "$demo_project" || echo "[run] could not save the demo content of $demo_project" >&2
    done
    cat <<MSG

Lightdash.Net is running.
  Swagger UI:   $url/swagger
  Browser:      $url/  (results browser: sign in with the admin token below)
  Mailbox:      http://127.0.0.1:$LIGHTDASH_MAIL_WEB_PORT (email deliveries, received by the local SMTP server)
  Demo projects: 3675b69e-8324-4110-bdca-059031aa8da3 (PostgreSQL: tables customers, orders, payments, type_showcase)
                 5d1e7b0a-6c2f-4a8e-9f31-2b7c4d5e6f70 (DuckDB: tables customers, orders, type_showcase)
  Admin token:  $admin_token
                (in Swagger UI: Authorize, then "ApiKey $admin_token"; Hangfire: $url/hangfire?token=$admin_token)
  Try:          curl -s -X POST $url/api/v2/projects/3675b69e-8324-4110-bdca-059031aa8da3/query/sql \\
                  -H "Authorization: ApiKey $admin_token" -H 'Content-Type: application/json' -d '{"sql":"select * from orders"}'
  More tokens:  dotnet .local/backend/Lightdash.Net.Backend.dll create-admin-token --email you@example.com (run in .local/backend)
  Stop:         bash scripts/stop.sh
MSG
    exit 0
  fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "[run] the backend exited; last lines of .local/backend.log:" >&2; tail -n 30 "$repo/.local/backend.log" >&2; exit 1
  fi
  sleep 0.2
done
echo "[run] the backend did not answer on $url/health/live within 30 s" >&2; tail -n 30 "$repo/.local/backend.log" >&2; exit 1
