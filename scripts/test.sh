#!/usr/bin/env bash
# `npm test`: brings up what the tests need on a fresh machine, then runs every test.
#   PostgreSQL (check/start), Prometheus (apt + start, detached), Elasticsearch (download from Maven Central + start, detached, reused afterwards),
#   Debian Chromium (apt) — then type-check, build, and the unit, integration and browser test projects.
# Extra arguments go to `vitest run` (e.g. `npm test -- --project unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
step_name="" step_t0=$SECONDS
# Prints the duration of the step that just ended, then the name of the next one.
step() {
  [ -n "$step_name" ] && printf '== %s: %ss\n' "$step_name" "$((SECONDS - step_t0))"
  step_name="$1" step_t0=$SECONDS
  [ -n "$1" ] && printf '\n== %s (at %ss)\n' "$1" "$((SECONDS - t0))"
  return 0
}

source scripts/services.sh

step "services"
# Elasticsearch and Kafka start in the background (first runs download from Maven Central); awaited before the tests.
services_start elasticsearch kafka postgres redis prometheus chromium

step "type-check"
npx tsc --noEmit -p .
# Import boundaries (.dependency-cruiser.cjs): fails on any violation not in the known-violations baseline.
npm run lint --silent

step "build"
npm run build --silent
# The packed package's type declarations resolve for every consumer (node10, node16 from CJS and ESM, bundlers).
# The JSON schema is read by editors from its path, not imported under node10 resolution.
npx attw --pack . --format table --no-emoji --exclude-entrypoints config-schema.json
npx publint --strict

step "wait for Elasticsearch and Kafka"
services_wait

if [ "$#" -gt 0 ]; then
  step "tests"
  npx vitest run "$@"
else
  # Three phases. The `outages` project stops the shared PostgreSQL, Elasticsearch and Kafka broker on purpose,
  # so it runs alone, last. The integration files run two at a time (each keeps to its own schemas, indices,
  # topics, ports and private Kafka clusters), after the unit and browser tests so the timed ones are not starved.
  step "tests: unit and browser (e2e)"
  npx vitest run --project unit --project e2e
  step "tests: integration (real servers, crashes, private Kafka clusters)"
  npx vitest run --project integration
  step "tests: outages (the shared PostgreSQL, Elasticsearch and Kafka stopped and restarted)"
  npx vitest run --project outages
fi
step ""
printf '== all steps passed in %ss\n' "$((SECONDS - t0))"
