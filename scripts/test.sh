#!/usr/bin/env bash
# The test suite (`make test`): installs what it needs, builds, runs every
# XCTest, keeps the whole log in .build/test.log, prints failures and the
# summary, and ends with one line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python || exit 1
bash scripts/fetch-data.sh || exit 1
mkdir -p .build
swift build --build-tests 2>&1 | grep -E 'error|warning: unre' ; build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then echo "0 passed, 1 failed"; exit 1; fi
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log \
    | grep -E "error:|Test Case '.*' failed|Test Suite 'All tests'|Executed [0-9]+ tests?, with" | grep -v "^\s*$" | tail -n 60
status=${PIPESTATUS[0]}
summary=$(grep -E "Executed [0-9]+ tests?, with" .build/test.log | tail -1)
total=$(grep -oE "Executed [0-9]+" <<<"$summary" | grep -oE "[0-9]+")
failed=$(grep -oE "[0-9]+ failures?" <<<"$summary" | grep -oE "[0-9]+")
skipped=$(grep -oE "[0-9]+ tests? skipped" <<<"$summary" | grep -oE "[0-9]+" || echo 0)
if [ -z "$summary" ]; then total=0; failed=1; fi
passed=$((total - failed - ${skipped:-0}))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped:-0} skipped"
exit "$status"
