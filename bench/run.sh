#!/usr/bin/env bash
# Benchmarks Lightdash.Net against baselines measured in the same run, on the same data.
#   BENCH_ROWS=1000000 (default) or 5000000    rows in the benchmark table
#   BENCH_ONLY=all | throughput,memory,pages,sdk,chunks,isolation,pickup,polling,scaleout,compose,fieldvalues,livepage,statements,exports
#   BENCH_BACKEND_ENV="NAME=value ..."    extra settings for the backend (an experiment: DOTNET_TieredPGO=1)
#   BENCH_AT_END='command'                run before the backend stops, with $pid set (a heap dump, /proc/$pid/smaps)
# Starts the servers (scripts/provision.sh), a Release build of the backend on its own port with
# a fresh metadata database, then drives it over HTTP. Prints one line per figure and a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
rows="${BENCH_ROWS:-1000000}"
only="${BENCH_ONLY:-all}"
port="${BENCH_HTTP_PORT:-5090}"
url="http://127.0.0.1:$port"
project=7b0d5b7e-bc1e-4f3a-9a55-0b3a1f5e0001
table="bench_rows_$rows"
warehouse_db=lightdash_bench_warehouse
metadata_db=lightdash_bench

bash "$repo/scripts/provision.sh"
pg_admin="$(pg_admin)"
metadata_password="$(ensure_login_role lightdash)"
reader_password="$(ensure_login_role lightdash_bench_reader)"
ensure_database "$warehouse_db"
if [ "$(psql_run -d "$warehouse_db" -tAc "SELECT to_regclass('public.$table') IS NOT NULL")" != "t" ]; then
  echo "[bench] creating $table ($rows rows)" >&2
  psql_run -d "$warehouse_db" -c "
    CREATE TABLE $table AS
    SELECT i AS id,
           i::bigint * 1000003 AS big,
           'customer ' || (i % 100000) || ' bought item ' || (i % 977) AS label,
           round((i % 100000) / 7.0, 4)::numeric(14,4) AS amount,
           timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second' AS created_at,
           i % 3 = 0 AS flagged,
           jsonb_build_object('k', i % 10, 'tags', jsonb_build_array('a', i % 5)) AS attributes
    FROM generate_series(1, $rows) AS i;
    ANALYZE $table;"
fi
psql_run -d postgres -c "DROP DATABASE IF EXISTS $metadata_db WITH (FORCE)" >/dev/null
# The results of an earlier run belong to the metadata database just dropped: delete them.
echo "[bench] deleted $(delete_s3_prefix bench/) stored objects of an earlier run" >&2
ensure_database "$metadata_db" lightdash
psql_run -d "$warehouse_db" -c "GRANT USAGE ON SCHEMA public TO lightdash_bench_reader; GRANT SELECT ON ALL TABLES IN SCHEMA public TO lightdash_bench_reader" >/dev/null
service_metadata="Host=127.0.0.1;Port=$LIGHTDASH_PG_PORT;Username=lightdash;Password=$metadata_password;Database=$metadata_db"
service_warehouse="Host=127.0.0.1;Port=$LIGHTDASH_PG_PORT;Username=lightdash_bench_reader;Password=$reader_password;Database=$warehouse_db"

echo "[bench] building (Release)" >&2
dotnet build "$repo/packages/Backend/Backend.csproj" -c Release -v quiet -nologo -o "$repo/.local/bench-backend" >/dev/null
dotnet build "$repo/bench/Bench/Bench.csproj" -c Release -v quiet -nologo -o "$repo/.local/bench-driver" >/dev/null

log="$repo/.local/bench-backend.log"
token="ldpat_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
# The backend's settings, also written for the worker instances the scale-out figure starts (owner-only file).
backend_env=(
  ASPNETCORE_ENVIRONMENT=Production MALLOC_ARENA_MAX=2
  Logging__LogLevel__Default=Warning Logging__LogLevel__Lightdash=Information
  MetadataDatabase__ConnectionString="$service_metadata"
  Secrets__Key="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  ResultsStorage__ServiceUrl="http://127.0.0.1:$LIGHTDASH_S3_PORT"
  ResultsStorage__Prefix="bench/"
  Projects__Items__0__ProjectUuid="$project" Projects__Items__0__Name="Bench"
  Projects__Items__0__ConnectionString="$service_warehouse"
  Auth__BootstrapAdmin__Email="bench@lightdash.local" Auth__BootstrapAdmin__Token="$token"
  Auth__RequestsPerMinute=10000000 Auth__MaxExecutingQueriesPerUser=16
  QueryExecution__MaxSubmissionsPerMinutePerProject=100000 QueryExecution__MaxSubmissionsPerMinutePerUser=100000
)
read -r -a extra_env <<<"${BENCH_BACKEND_ENV:-}"
backend_env+=("${extra_env[@]}")
worker_env="$repo/.local/bench-worker.env"
(umask 077; printf '%s\n' "${backend_env[@]}" >"$worker_env")
(cd "$repo/.local/bench-backend" && exec env ASPNETCORE_URLS="$url" "${backend_env[@]}" dotnet Lightdash.Net.Backend.dll >"$log" 2>&1) &
backend=$!
trap '[ -n "${BENCH_AT_END:-}" ] && eval "$BENCH_AT_END"; kill $backend 2>/dev/null; wait $backend 2>/dev/null; rm -f "$worker_env"; echo "[bench] deleted $(delete_s3_prefix bench/) stored objects of this run" >&2' EXIT
for _ in $(seq 1 150); do curl -fsS "$url/health/live" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$url/health/live" >/dev/null || { echo "[bench] backend did not start" >&2; tail -n 30 "$log" >&2; exit 1; }
# The dotnet host execs the app, so $backend is the backend's own process.
pid=$(pgrep -f "Lightdash.Net.Backend.dll" | while read -r p; do [ "$(cat /proc/$p/environ 2>/dev/null | tr '\0' '\n' | grep -c "ASPNETCORE_URLS=$url")" = 1 ] && echo "$p"; done | head -n 1)

echo "[bench] $(nproc) cores, $rows rows, backend pid $pid" >&2
dotnet "$repo/.local/bench-driver/Lightdash.Net.Bench.dll" \
  --url "$url" --project "$project" --pid "$pid" --rows "$rows" --table "$table" \
  --warehouse "$pg_admin;Database=$warehouse_db" --metadata "$pg_admin;Database=$metadata_db" \
  --psql-database "$warehouse_db" --only "$only" --token "$token" \
  --worker-env "$worker_env" --backend-dll "$repo/.local/bench-backend/Lightdash.Net.Backend.dll"
