# Sourced by scripts/test.sh and scripts/bench.sh: brings up the services they need on a fresh machine.
#   services_start NAME...   NAME: elasticsearch | kafka | postgres | redis | prometheus | chromium. Elasticsearch and
#                            Kafka start in the background (their first runs download ~100 MB / ~45 MB from Maven
#                            Central; the servers run detached, see elasticsearch.sh and kafka.sh), their start-up
#                            output going to .cache/elasticsearch-start.log and .cache/kafka-start.log;
#                            PostgreSQL, Redis, Prometheus and Chromium are checked (and started or installed) in the
#                            foreground (Prometheus: prometheus.sh, detached, reused when it already runs).
#   services_wait            waits for those starts; prints their logs, and on failure returns 1.
# Every script runs with stdin from /dev/null: nothing started here reads from, or holds, the terminal.
services_es_pid=""
services_kafka_pid=""

services_start() {
  mkdir -p .cache
  local name
  for name in "$@"; do
    case "$name" in
      elasticsearch)
        bash scripts/elasticsearch.sh start </dev/null > .cache/elasticsearch-start.log 2>&1 &
        services_es_pid=$!
        ;;
      kafka)
        bash scripts/kafka.sh start </dev/null > .cache/kafka-start.log 2>&1 &
        services_kafka_pid=$!
        ;;
      postgres) bash scripts/ensure-postgres.sh </dev/null ;;
      chromium) bash scripts/ensure-chromium.sh </dev/null ;;
      redis) bash scripts/ensure-redis.sh </dev/null ;;
      prometheus) bash scripts/prometheus.sh start </dev/null ;;
      *) echo "services: unknown service $name" >&2; return 2 ;;
    esac
  done
}

services_wait() {
  local failed=0
  if [ -n "$services_kafka_pid" ]; then
    local kpid=$services_kafka_pid
    services_kafka_pid=""
    if wait "$kpid"; then cat .cache/kafka-start.log; else cat .cache/kafka-start.log >&2; failed=1; fi
  fi
  if [ -n "$services_es_pid" ]; then
    local pid=$services_es_pid
    services_es_pid=""
    if wait "$pid"; then cat .cache/elasticsearch-start.log; else cat .cache/elasticsearch-start.log >&2; failed=1; fi
  fi
  return "$failed"
}
