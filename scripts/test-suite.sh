#!/usr/bin/env bash
# One named suite of the whole: the test files whose path contains any of the given words
# (`npm run test:hostile` passes "hostile"), after the same set-up as `npm test`. Ends with the
# plain line "N passed, N failed" for those files alone.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || { echo "usage: scripts/test-suite.sh WORD [WORD...]" >&2; exit 2; }
bash scripts/setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

report=".vitest-$1-report.json"
rm -f "$report"
vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
vitest_status=$?
node scripts/test-summary.ts "$report" --no-checks
summary_status=$?
[ "$vitest_status" -eq 0 ] && [ "$summary_status" -eq 0 ]
