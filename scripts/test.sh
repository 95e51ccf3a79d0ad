#!/usr/bin/env bash
# The whole test suite: install, start services, type check, lint, then
# unit and integration tests. Suites whose tool is missing skip with a reason,
# or fail with it under CI=true.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
bash scripts/services.sh start
trap 'bash scripts/services.sh stop' EXIT

echo "== typecheck"; npx tsc --noEmit -p tsconfig.json || exit 1
echo "== lint"; npx biome lint . || exit 1

mkdir -p out
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=out/vitest.json
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("out/vitest.json", "utf8"));
  const skipped = r.numPendingTests + (r.numTodoTests || 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $status
