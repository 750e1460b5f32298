# Sourced by scripts/test.sh and scripts/bench.sh: brings up the services they need on a fresh machine.
#   services_start NAME...   NAME: elasticsearch | postgres | redis | prometheus | chromium. Elasticsearch starts in the background
#                            (its first run downloads and unpacks ~100 MB; the server itself runs detached, see
#                            elasticsearch.sh), its start-up output going to .cache/elasticsearch-start.log;
#                            PostgreSQL, Redis, Prometheus and Chromium are checked (and started or installed) in the
#                            foreground (Prometheus: prometheus.sh, detached, reused when it already runs).
#   services_wait            waits for that Elasticsearch start; prints its log, and on failure returns 1.
# Every script runs with stdin from /dev/null: nothing started here reads from, or holds, the terminal.
services_es_pid=""

services_start() {
  mkdir -p .cache
  local name
  for name in "$@"; do
    case "$name" in
      elasticsearch)
        bash scripts/elasticsearch.sh start </dev/null > .cache/elasticsearch-start.log 2>&1 &
        services_es_pid=$!
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
  [ -n "$services_es_pid" ] || return 0
  local pid=$services_es_pid
  services_es_pid=""
  if ! wait "$pid"; then cat .cache/elasticsearch-start.log >&2; return 1; fi
  cat .cache/elasticsearch-start.log
}
