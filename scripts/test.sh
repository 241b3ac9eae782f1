#!/usr/bin/env bash
# The whole suite: contracts, lint, types, then unit and integration tests against the real
# PostgreSQL, NATS and Redis. Ends with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

checks_failed=0
run_check() {
  local name="$1"; shift
  if "$@"; then echo "[test] $name: ok"; else echo "[test] $name: FAILED"; checks_failed=$((checks_failed + 1)); fi
}
run_check "buf lint" buf lint
run_check "biome" biome check --diagnostic-level=error .
run_check "tsc" tsc -p tsconfig.json

rm -f .vitest-report.json
vitest run --reporter=default --reporter=json --outputFile=.vitest-report.json
vitest_status=$?
node scripts/test-summary.ts .vitest-report.json "$checks_failed"
summary_status=$?
[ "$vitest_status" -eq 0 ] && [ "$summary_status" -eq 0 ] && [ "$checks_failed" -eq 0 ]
