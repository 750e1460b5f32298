#!/usr/bin/env bash
# `npm run bench`: brings up the services the chosen benchmark groups measure (as `npm test` does, through
# scripts/services.sh), builds, and runs bench/run.mjs with the arguments given:
#   npm run bench                               every group, full size (the figures in the README)
#   npm run bench -- --quick                    every group at a small N, one run each: a smoke run (< 1 min)
#   npm run bench -- --only=ingest [--quick]    some groups: logger, backends, ingest, browser, tracing, explorer, metrics, kafka, size
# backends, ingest and explorer need PostgreSQL and Elasticsearch (ingest only those in BENCH_INGEST_BACKENDS), browser
# needs Chromium, tracing needs PostgreSQL, kafka needs Kafka (scripts/kafka.sh, one broker); logger, metrics and size need none. Elasticsearch is left running afterwards, as after `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

only=""
for arg in "$@"; do
  case "$arg" in --only=*) only="${arg#--only=}" ;; esac
done
wants() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
ingest_backends="${BENCH_INGEST_BACKENDS:-filesystem,postgres,elasticsearch}"
ingest_wants() { wants ingest && [[ ",$ingest_backends," == *",$1,"* ]]; }

services=()
if wants backends || wants explorer || ingest_wants elasticsearch; then services+=(elasticsearch); fi
if wants backends || wants tracing || wants explorer || ingest_wants postgres; then services+=(postgres); fi
if wants browser; then services+=(chromium); fi
if wants kafka; then services+=(kafka); fi
[ "${#services[@]}" -eq 0 ] || echo "bench: services ${services[*]}"
services_start "${services[@]}"

npm run build --silent
services_wait
exec node --expose-gc bench/run.mjs "$@"
