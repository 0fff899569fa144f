#!/usr/bin/env bash
# Regenerates openapi/openapi.json from the running app's document (through the test that checks it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$repo/scripts/provision.sh"
export LIGHTDASH_TEST_PG="$(pg_admin)"
LIGHTDASH_UPDATE_OPENAPI=1 dotnet test "$repo/tests/Backend.Tests" --filter "FullyQualifiedName~OpenApiDocumentTests" -v quiet
