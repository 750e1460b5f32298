#!/usr/bin/env bash
# Elasticsearch for tests, CI and benchmarks: the distribution Elasticsearch publishes to Maven Central
# (integ-test-zip), run with the machine's JDK as a non-root user on 127.0.0.1:9200, fully detached.
#   scripts/elasticsearch.sh start     start, or reuse one already answering (idempotent)
#   scripts/elasticsearch.sh stop      stop and wait until the port is free
#   scripts/elasticsearch.sh restart | status
# Env: ES_VERSION (8.19.21), ISOTEL_CACHE, ES_USER (isotel-es), ES_PORT (9200; transport uses ES_PORT+100),
#      ES_START_TIMEOUT (seconds to wait for yellow health, 120).
# The integ-test-zip has only the server and the x-pack-core/x-pack-security/transport-netty4/apm modules:
# no rest-root (GET / and HEAD / answer 405), no data streams, ingest, painless or mapper-extras.
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"
# As root the server runs as another user, who must reach the files: /var/cache, not root's home.
if [ "$(id -u)" -eq 0 ]; then DEFAULT_CACHE=/var/cache/isotel; else DEFAULT_CACHE="$HOME/.cache/isotel"; fi
CACHE="${ISOTEL_CACHE:-$DEFAULT_CACHE}"
HOME_DIR="$CACHE/elasticsearch-$ES_VERSION"
ES_PORT="${ES_PORT:-9200}"
# Data, logs and pid file per port, so a second instance (ES_PORT=9201) never shares them.
if [ "$ES_PORT" = 9200 ]; then RUN_DIR="$CACHE/es-run"; else RUN_DIR="$CACHE/es-run-$ES_PORT"; fi
LOG="$RUN_DIR/elasticsearch.out"
PID_FILE="$RUN_DIR/elasticsearch.pid"
ES_USER="${ES_USER:-isotel-es}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-120}"
URL="http://127.0.0.1:$ES_PORT"

# `/_cluster/health`, not `/`: this distribution has no rest-root module, so `GET /` answers 405.
answering() { curl -s -m 2 -o /dev/null -w '%{http_code}' "$URL/_cluster/health" 2>/dev/null | grep -q '^200$'; }
port_in_use() { [ -n "$(ss -Hltn "sport = :$ES_PORT" 2>/dev/null)" ]; }
server_pid() { local p; p="$(cat "$PID_FILE" 2>/dev/null || true)"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"; }
show_logs() {
  echo "elasticsearch: last lines of $LOG and the server log:" >&2
  tail -n 40 "$LOG" >&2 || true
  tail -n 40 "$RUN_DIR/logs/isotel-test.log" >&2 2>/dev/null || true
}

install_dist() {
  [ -x "$HOME_DIR/bin/elasticsearch" ] && return 0
  mkdir -p "$CACHE"
  local zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  if [ ! -f "$zip" ]; then
    echo "elasticsearch: fetching $ES_VERSION from Maven Central" >&2
    mkdir -p "$CACHE/dl"
    # From $CACHE/dl so that a pom.xml in the caller's directory is never picked up.
    (cd "$CACHE/dl" && mvn -q -B dependency:copy "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      "-DoutputDirectory=$CACHE/dl" </dev/null >&2) || {
      echo "elasticsearch: could not fetch $ES_VERSION from Maven Central (another 8.x: ES_VERSION=...)" >&2
      return 1
    }
    zip="$CACHE/dl/elasticsearch-$ES_VERSION.zip"
  fi
  local tmp="$CACHE/unpack.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  unzip -q "$zip" -d "$tmp"
  rm -rf "$HOME_DIR"
  mv "$tmp/elasticsearch-$ES_VERSION" "$HOME_DIR"
  rm -rf "$tmp"
}

ensure_user() {
  if [ "$(id -u)" -ne 0 ]; then ES_USER="$(id -un)"; return 0; fi
  id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
}

configure() {
  mkdir -p "$RUN_DIR/data" "$RUN_DIR/logs" "$RUN_DIR/tmp"
  # A fresh config dir per start, next to the data (ES_PATH_CONF): the unpacked distribution stays pristine.
  # Security off for a loopback test server; no keystore or certificates carried over.
  rm -rf "$RUN_DIR/config"
  cp -r "$HOME_DIR/config" "$RUN_DIR/config"
  rm -rf "$RUN_DIR/config/certs" "$RUN_DIR/config/elasticsearch.keystore"
  cat > "$RUN_DIR/config/elasticsearch.yml" <<YML
cluster.name: isotel-test
node.name: isotel-test-1
path.data: $RUN_DIR/data
path.logs: $RUN_DIR/logs
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $((ES_PORT + 100))
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
xpack.security.enabled: false
xpack.ml.enabled: false
YML
  # A modest heap: this machine has other services and tests running. The stock options keep up to
  # 32 x 64 MB of GC logs and dump the heap on OOM; the disk may be nearly full, so JVM warnings only.
  mkdir -p "$RUN_DIR/config/jvm.options.d"
  cat > "$RUN_DIR/config/jvm.options.d/isotel.options" <<JVM
-Xms512m
-Xmx512m
-Xlog:disable
-Xlog:all=warning:stderr:utctime,level,tags
-XX:-HeapDumpOnOutOfMemoryError
JVM
  if [ "$(id -u)" -eq 0 ]; then chown -R "$ES_USER" "$RUN_DIR"; chmod 755 "$CACHE"; fi
}

start() {
  if answering; then echo "elasticsearch: already running at $URL"; return 0; fi
  if port_in_use; then
    echo "elasticsearch: port $ES_PORT is taken by something that does not answer as Elasticsearch:" >&2
    ss -Hltnp "sport = :$ES_PORT" >&2 || true
    return 1
  fi
  local t0=$SECONDS
  install_dist
  ensure_user
  configure
  local java_home
  java_home="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  : > "$LOG"
  [ "$(id -u)" -eq 0 ] && chown "$ES_USER" "$LOG"
  rm -f "$PID_FILE"
  # -d: the server daemonizes once started; setsid and the redirections keep it off any terminal.
  # Working directory $RUN_DIR: the JVM writes hs_err/replay files relative to it.
  local cmd="cd '$RUN_DIR' && ES_JAVA_HOME='$java_home' ES_PATH_CONF='$RUN_DIR/config' ES_TMPDIR='$RUN_DIR/tmp' exec setsid '$HOME_DIR/bin/elasticsearch' -d -p '$PID_FILE' </dev/null >>'$LOG' 2>&1"
  local launched=0
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$ES_USER" -- env -u ES_JAVA_OPTS bash -c "$cmd" || launched=$?
  else
    env -u ES_JAVA_OPTS bash -c "$cmd" || launched=$?
  fi
  if [ "$launched" -ne 0 ]; then
    echo "elasticsearch: the launcher failed (exit $launched)" >&2
    show_logs
    return 1
  fi
  local deadline=$((SECONDS + ES_START_TIMEOUT)) pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  until curl -s -m 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null | grep -q '"status":"\(yellow\|green\)"'; do
    if [ $SECONDS -ge $deadline ] || { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }; then
      echo "elasticsearch: not healthy within $ES_START_TIMEOUT s, or the server exited" >&2
      show_logs
      return 1
    fi
    sleep 1
  done
  echo "elasticsearch: running at $URL (pid $(server_pid || echo ?), ready in $((SECONDS - t0)) s)"
}

stop() {
  local pid=""
  [ -f "$PID_FILE" ] && pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  # No pid file (started by another run or layout): the listener on our port, if it is Elasticsearch.
  if [ -z "$pid" ]; then
    pid="$(ss -Hltnp "sport = :$ES_PORT" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)"
    if [ -n "$pid" ] && ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q org.elasticsearch; then
      echo "elasticsearch: port $ES_PORT is held by pid $pid, which is not Elasticsearch; not stopping it" >&2
      return 1
    fi
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 1 60); do port_in_use || break; sleep 0.5; done
  if port_in_use; then echo "elasticsearch: port $ES_PORT is still in use after stopping" >&2; return 1; fi
  rm -f "$PID_FILE"
  echo "elasticsearch: stopped (port $ES_PORT free)"
}

restart() {
  stop
  start
}

status() {
  if answering; then
    local pid; pid="$(server_pid || true)"
    echo "elasticsearch: running at $URL (pid ${pid:-?}$([ -n "$pid" ] && ps -o rss= -p "$pid" | awk '{printf ", %d MiB RSS", $1/1024}'))"
  else
    echo "elasticsearch: not running"
    return 3
  fi
}

# One start/stop at a time: concurrent `npm test` runs would otherwise rewrite the config under a starting server.
locked() {
  mkdir -p "$CACHE"
  exec 9> "$CACHE/elasticsearch-$ES_PORT.lock"
  flock -w 600 9 || { echo "elasticsearch: another run holds $CACHE/elasticsearch-$ES_PORT.lock" >&2; return 1; }
  "$@"
}

case "${1:-start}" in
  start) locked start ;;
  stop) locked stop ;;
  restart) locked restart ;;
  status) status ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
