#!/usr/bin/env bash
# Prometheus for tests, CI and benchmarks: Debian's `prometheus` package (installed with apt when missing), its
# binary run directly on 127.0.0.1:9090, fully detached, storage in a temp dir.
#   scripts/prometheus.sh start [CONFIG]   start with CONFIG (a prometheus.yml; default: a generated one that
#                                          scrapes Prometheus itself), or, when ours already runs on the port,
#                                          load CONFIG into it through /-/reload (idempotent)
#   scripts/prometheus.sh stop             stop ours and wait until the port is free (the temp storage goes too)
#   scripts/prometheus.sh status
# Env: PROM_PORT (9090), PROM_START_TIMEOUT (seconds to wait for /-/ready, 60).
# Prometheus reads its config from .cache/prometheus-run-<port>/prometheus.yml, a copy of CONFIG checked with
# promtool first: a reload swaps the copy, so a caller's later edits to CONFIG need another `start CONFIG`.
# Output goes to .cache/prometheus.log (.cache/prometheus-<port>.log for another port), stdin is /dev/null and
# the server runs in its own session: it never holds a terminal or a CI job.
set -euo pipefail
cd "$(dirname "$0")/.."

PROM_PORT="${PROM_PORT:-9090}"
PROM_START_TIMEOUT="${PROM_START_TIMEOUT:-60}"
URL="http://127.0.0.1:$PROM_PORT"
RUN_DIR="$PWD/.cache/prometheus-run-$PROM_PORT"
if [ "$PROM_PORT" = 9090 ]; then LOG="$PWD/.cache/prometheus.log"; else LOG="$PWD/.cache/prometheus-$PROM_PORT.log"; fi
CONFIG="$RUN_DIR/prometheus.yml"
PID_FILE="$RUN_DIR/prometheus.pid"
DATA_FILE="$RUN_DIR/storage-dir"

fail() { echo "prometheus: $*" >&2; exit 1; }
ready() { curl -s -m 2 -o /dev/null -w '%{http_code}' "$URL/-/ready" 2>/dev/null | grep -q '^200$'; }
port_in_use() { [ -n "$(ss -Hltn "sport = :$PROM_PORT" 2>/dev/null)" ]; }
our_pid() { local p; p="$(cat "$PID_FILE" 2>/dev/null || true)"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"; }

install_package() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return 0
  echo "prometheus: installing Debian's prometheus package" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus </dev/null >&2 || fail "apt-get install prometheus failed (run apt-get update first?)"
}

# CONFIG given: checked with promtool, then copied in place; none: a config that scrapes this Prometheus itself.
write_config() {
  mkdir -p "$RUN_DIR"
  local next="$RUN_DIR/prometheus.yml.next"
  if [ -n "${1:-}" ]; then
    [ -f "$1" ] || fail "no config file $1"
    cp "$1" "$next"
  else
    printf 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$PROM_PORT" > "$next"
  fi
  promtool check config "$next" </dev/null >/dev/null 2>"$RUN_DIR/check.err" || { cat "$RUN_DIR/check.err" >&2; fail "promtool rejects the config ${1:-(generated)}"; }
  mv "$next" "$CONFIG"
}

reload() {
  local code
  code="$(curl -s -m 10 -o "$RUN_DIR/reload.out" -w '%{http_code}' -X POST "$URL/-/reload" || true)"
  [ "$code" = 200 ] || { cat "$RUN_DIR/reload.out" >&2 2>/dev/null || true; fail "/-/reload answered $code (see $LOG)"; }
  echo "prometheus: running at $URL (pid $(our_pid)), config reloaded"
}

start() {
  install_package
  if [ -n "$(our_pid || true)" ] && ready; then
    write_config "${1:-}"
    reload
    return 0
  fi
  if port_in_use; then
    echo "prometheus: port $PROM_PORT is taken by a process this script did not start:" >&2
    ss -Hltnp "sport = :$PROM_PORT" >&2 || true
    return 1
  fi
  write_config "${1:-}"
  local data t0=$SECONDS
  data="$(mktemp -d "${TMPDIR:-/tmp}/isotel-prometheus-$PROM_PORT.XXXXXX")"
  echo "$data" > "$DATA_FILE"
  mkdir -p "$(dirname "$LOG")"
  : > "$LOG"
  # setsid: a session of its own (no controlling terminal); nohup: a closing terminal's SIGHUP does not reach it.
  setsid nohup prometheus --config.file="$CONFIG" --storage.tsdb.path="$data" --web.listen-address="127.0.0.1:$PROM_PORT" \
    --web.enable-lifecycle --storage.tsdb.retention.time=1d </dev/null >>"$LOG" 2>&1 9>&- &
  echo $! > "$PID_FILE"
  local deadline=$((SECONDS + PROM_START_TIMEOUT))
  until ready; do
    if [ $SECONDS -ge $deadline ] || [ -z "$(our_pid || true)" ]; then
      echo "prometheus: not ready within $PROM_START_TIMEOUT s, or the server exited; last lines of $LOG:" >&2
      tail -n 30 "$LOG" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  echo "prometheus: running at $URL (pid $(our_pid), ready in $((SECONDS - t0)) s, log $LOG)"
}

stop() {
  local pid
  pid="$(our_pid || true)"
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  if [ -f "$DATA_FILE" ]; then rm -rf "$(cat "$DATA_FILE")"; rm -f "$DATA_FILE"; fi
  for _ in $(seq 1 50); do port_in_use || break; sleep 0.1; done
  if port_in_use; then echo "prometheus: port $PROM_PORT is still in use (not by a Prometheus this script started)" >&2; return 1; fi
  echo "prometheus: stopped (port $PROM_PORT free)"
}

status() {
  local pid
  pid="$(our_pid || true)"
  if [ -n "$pid" ] && ready; then
    echo "prometheus: running at $URL (pid $pid, config $CONFIG)"
  else
    echo "prometheus: not running"
    return 3
  fi
}

# One start/stop at a time: a concurrent start would otherwise rewrite the config under a starting server.
locked() {
  mkdir -p .cache
  exec 9> ".cache/prometheus-$PROM_PORT.lock"
  flock -w 120 9 || fail "another run holds .cache/prometheus-$PROM_PORT.lock"
  "$@"
}

case "${1:-start}" in
  start) locked start "${2:-}" ;;
  stop) locked stop ;;
  status) status ;;
  *) echo "usage: $0 start [CONFIG]|stop|status" >&2; exit 2 ;;
esac
