#!/usr/bin/env bash
# Saves the demo content (charts, a SQL chart, a dashboard) through the API, once per project.
# Usage: seed-content.sh <base url> <admin token> <project uuid>
set -euo pipefail
url="$1"; token="$2"; project="$3"
api() { curl -fsS -H "Authorization: ApiKey $token" -H 'Content-Type: application/json' "$@"; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['results']$1)"; }

if [ "$(api "$url/api/v1/projects/$project/saved" | json_field '.__len__()')" != "0" ]; then
  exit 0
fi

by_status=$(api -X POST "$url/api/v1/projects/$project/saved" -d '{
  "name": "Revenue by status",
  "metricQuery": {"exploreName": "orders", "dimensions": ["orders_status"], "metrics": ["orders_total_revenue", "orders_order_count"],
                  "sorts": [{"fieldId": "orders_total_revenue", "descending": true}], "limit": 500},
  "chartConfig": {"type": "bar"}}' | json_field "['savedChartUuid']")
by_month=$(api -X POST "$url/api/v1/projects/$project/saved" -d '{
  "name": "Revenue by month and country",
  "metricQuery": {"exploreName": "orders", "dimensions": ["orders_order_date_month", "customers_country"], "metrics": ["orders_total_revenue"],
                  "sorts": [{"fieldId": "orders_order_date_month", "descending": false}], "limit": 5000},
  "chartConfig": {"type": "line"}}' | json_field "['savedChartUuid']")
api -X POST "$url/api/v1/projects/$project/sqlCharts" -d '{"name": "Orders per status", "slug": "orders-per-status",
  "sql": "select status, count(*) as orders from orders group by status order by orders desc"}' >/dev/null
api -X POST "$url/api/v1/projects/$project/dashboards" -d "{
  \"name\": \"Shop overview\",
  \"tiles\": [{\"savedChartUuid\": \"$by_status\"}, {\"savedChartUuid\": \"$by_month\"}],
  \"filters\": {\"dimensions\": [{\"id\": \"gifts\", \"target\": {\"fieldId\": \"orders_is_gift\"}, \"operator\": \"equals\", \"values\": [false]}]}}" >/dev/null
echo "[run] demo charts and dashboard saved in project $project" >&2
