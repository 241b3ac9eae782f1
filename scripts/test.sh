#!/usr/bin/env bash
# The whole suite: contracts, lint, types, then unit and integration tests against the real
# PostgreSQL, NATS and Redis, with line coverage. Ends with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

checks_failed=0
checks_run=0
run_check() {
  local name="$1"; shift
  checks_run=$((checks_run + 1))
  if "$@"; then echo "[test] $name: ok"; else echo "[test] $name: FAILED"; checks_failed=$((checks_failed + 1)); fi
}
run_check "buf lint" buf lint
run_check "biome" biome check --diagnostic-level=error .
run_check "tsc" tsc -p tsconfig.json

rm -f .vitest-report.json
# Line coverage of libs/*/src and services/*/src, in the test workers and in every service process
# the tests spawn (vitest.config.ts, scripts/coverage-report.ts), must reach COVERAGE_MIN_LINES %.
# Each run measures into its own folder, so two runs in one work tree do not collide.
# MESH_COVERAGE=0 leaves coverage out; a failed coverage check counts as one failed check.
export MESH_COVERAGE="${MESH_COVERAGE:-1}" MESH_COVERAGE_DIR="coverage/.run-$$"
vitest run --reporter=default --reporter=json --outputFile=.vitest-report.json
vitest_status=$?
if [ "$MESH_COVERAGE" = 1 ]; then
  run_check "coverage" node --disable-warning=ExperimentalWarning scripts/coverage-report.ts \
    --min-lines="${COVERAGE_MIN_LINES:-90}"
fi
node scripts/test-summary.ts .vitest-report.json "$checks_failed" "$checks_run"
summary_status=$?
[ "$vitest_status" -eq 0 ] && [ "$summary_status" -eq 0 ] && [ "$checks_failed" -eq 0 ]
