#!/usr/bin/env bash
# Runs every test against real servers: installs and starts PostgreSQL and the S3 server on
# loopback if needed (idempotent), then runs the whole solution's NUnit suites. Ends with the
# plain line "N passed, N failed, N skipped"; the exit code is non-zero when anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$repo/scripts/provision.sh" --with-browser
export LIGHTDASH_TEST_PG="$(pg_admin)"
export LIGHTDASH_TEST_S3_URL="http://127.0.0.1:$LIGHTDASH_S3_PORT"
export LIGHTDASH_TEST_SMTP_PORT="$LIGHTDASH_SMTP_PORT"
export LIGHTDASH_TEST_MAIL_WEB_URL="http://127.0.0.1:$LIGHTDASH_MAIL_WEB_PORT"
export LIGHTDASH_TEST_CHROMIUM="${LIGHTDASH_TEST_CHROMIUM:-/usr/bin/chromium}"

results="$repo/.local/test-results"
rm -rf "$results"
status=0
dotnet test "$repo/Lightdash.Net.sln" --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ ${#trx_files[@]} -eq 0 ]; then
  echo "no test results were written" >&2
  [ "$status" -eq 0 ] && status=1
fi
if [ "$failed" -gt 0 ]; then
  # The failures again, just above the closing line, where a log's last lines show them.
  echo "failed tests:"
  for trx in "${trx_files[@]}"; do
    perl -0777 -ne 'while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(?:Failed|Error|Timeout|Aborted)"[^>]*>(.*?)<\/UnitTestResult>/gs) {
      my ($name, $body) = ($1, $2); my ($message) = $body =~ /<Message>(.*?)<\/Message>/s; $message //= "";
      for ($name, $message) { s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/\x27/g; s/&amp;/&/g; }
      print "  $name\n"; print map { "    $_\n" } grep { /\S/ } (split /\n/, substr($message, 0, 1500))[0..11]; }' "$trx"
  done
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
