#!/usr/bin/env bash
# Apache Kafka for tests, CI and benchmarks: the broker jars Kafka publishes to Maven Central
# (org.apache.kafka:kafka_2.13 and its runtime dependencies), run with the machine's JDK in KRaft mode
# (each node broker + controller, no ZooKeeper) on 127.0.0.1, fully detached.
#   scripts/kafka.sh start [--brokers 1|3]   start, or reuse the cluster already answering (idempotent)
#   scripts/kafka.sh stop                    stop whichever cluster runs, wait until its ports are free
#   scripts/kafka.sh restart [--brokers 1|3] | status
# One broker: 127.0.0.1:9092 (controller 19092). Three: 9092/9093/9094 (controllers 19092-19094),
# replication factor 3 and min.insync.replicas=2 by default. Data survives stop/start (it is formatted once),
# so a test can stop Kafka for a while and find its topics afterwards.
# A private cluster beside the shared one: KAFKA_PORT_BASE=29092 puts the brokers on 29092.. and the
# controllers on KAFKA_CONTROLLER_BASE (default: port base + 10000, or + 500 when that is >= 32768); its run directory, mode file, lock and
# logs are keyed by the port base, so start/stop/status of one never touch the other.
# Env: KAFKA_VERSION (4.1.1), KAFKA_CACHE (<project>/.cache/kafka), KAFKA_START_TIMEOUT (seconds, 90),
#      KAFKA_HEAP (-Xms256m -Xmx512m), KAFKA_PORT_BASE (9092), KAFKA_CONTROLLER_BASE (port base + 10000, or + 500 past 32767).
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
PROJECT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${KAFKA_CACHE:-$PROJECT/.cache/kafka}"
LIB="$CACHE/lib-$KAFKA_VERSION"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
BROKERS=1
PORT_BASE="${KAFKA_PORT_BASE:-9092}"
# Controllers 10000 above the brokers, or 500 above where that would land in Linux's ephemeral port range
# (32768-60999): there an outgoing connection of another process can hold the port, and a private cluster on
# 29192 failed to start once with "Address already in use" on its controller port 39192.
if [ $((PORT_BASE + 10000)) -lt 32768 ]; then DEFAULT_CONTROLLER_BASE=$((PORT_BASE + 10000)); else DEFAULT_CONTROLLER_BASE=$((PORT_BASE + 500)); fi
CONTROLLER_BASE="${KAFKA_CONTROLLER_BASE:-$DEFAULT_CONTROLLER_BASE}"
# The default cluster keeps the names it always had; another port base gets its own.
if [ "$PORT_BASE" = 9092 ]; then KEY=""; else KEY="-$PORT_BASE"; fi

cluster_dir() { echo "$CACHE/run$KEY-$BROKERS"; }
run_dir() { echo "$(cluster_dir)/node-$1"; }
node_log() { echo "$CACHE/kafka$KEY-$1.log"; }
port() { echo $((PORT_BASE - 1 + $1)); }
controller_port() { echo $((CONTROLLER_BASE - 1 + $1)); }
nodes() { seq 1 "$BROKERS"; }
node_pid() { local p; p="$(cat "$(run_dir "$1")/kafka.pid" 2>/dev/null || true)"; [ -n "$p" ] && is_kafka "$p" && echo "$p"; }
is_kafka() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -q 'kafka\.Kafka'; }
port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# A Kafka ApiVersions v0 request (api key 18, correlation id 1, no client id): the answer starts with the
# length, then correlation id 1 and error code 0. Proves the port is a Kafka broker that handles requests.
answers() {
  local reply
  reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff' >&3 && head -c 10 <&3 | od -An -tx1" 2>/dev/null || true)"
  [[ "$(echo $reply)" == *"00 00 00 01 00 00" ]]
}
all_answer() { local n; for n in $(nodes); do answers "$(port "$n")" || return 1; done; }

install_lib() {
  [ -f "$LIB/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  echo "kafka: fetching $KAFKA_VERSION and its runtime dependencies from Maven Central" >&2
  local dl="$CACHE/dl"
  mkdir -p "$dl"
  # A generated pom in its own directory: the caller's pom.xml, if any, is never picked up. The log4j
  # binding for SLF4J 1.7 (what kafka_2.13 4.x compiles against) so the broker's logging goes to our file.
  cat > "$dl/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>isotel</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
POM
  local tmp="$CACHE/lib.$$"
  rm -rf "$tmp"
  (cd "$dl" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$tmp" </dev/null >&2) || {
    rm -rf "$tmp"
    echo "kafka: could not fetch $KAFKA_VERSION from Maven Central (another 4.x: KAFKA_VERSION=...)" >&2
    return 1
  }
  rm -rf "$LIB" && mv "$tmp" "$LIB"
}

voters() {
  local n out=""
  for n in $(nodes); do out="$out${out:+,}$n@127.0.0.1:$(controller_port "$n")"; done
  echo "$out"
}

configure() {
  local n="$1" dir rf isr
  dir="$(run_dir "$n")"
  if [ "$BROKERS" -eq 3 ]; then rf=3 isr=2; else rf=1 isr=1; fi
  mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$(port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(port "$n")
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
log.segment.bytes=67108864
PROPS
  cat > "$dir/log4j2.properties" <<LOG
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
LOG
}

# Formatted once per cluster: one cluster id for all its nodes, kept in the run directory.
format() {
  local n="$1" dir id_file
  id_file="$(cluster_dir)/cluster.id"
  dir="$(run_dir "$n")"
  [ -f "$dir/data/meta.properties" ] && return 0
  # 16 random bytes, base64url without padding: the form `StorageTool random-uuid` prints. Passed as
  # --cluster-id=ID: an id that starts with "-" (1 in 64) was taken for an option after -t.
  [ -s "$id_file" ] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$id_file"
  java -cp "$LIB/*" kafka.tools.StorageTool format "--cluster-id=$(cat "$id_file")" -c "$dir/server.properties" --ignore-formatted \
    </dev/null >> "$(node_log "$n")" 2>&1 || { echo "kafka: formatting node $n failed:" >&2; tail -n 20 "$(node_log "$n")" >&2; return 1; }
}

launch() {
  local n="$1" dir
  dir="$(run_dir "$n")"
  [ -n "$(node_pid "$n" || true)" ] && return 0
  # setsid + stdin from /dev/null + output to a file: nothing holds the caller's terminal or pipes; 9>&-: nor
  # the start/stop lock (fd 9), which the broker would otherwise hold for as long as it runs.
  # Working directory $dir: the JVM writes hs_err files relative to it.
  (cd "$dir" && exec setsid java $KAFKA_HEAP -XX:+UseG1GC -XX:-HeapDumpOnOutOfMemoryError \
    "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$LIB/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >> "$(node_log "$n")" 2>&1 9>&- &
    echo $! > "$dir/kafka.pid")
}

# Which cluster size runs now (the mode file is written on start, removed on stop).
mode_file() { echo "$CACHE/mode$KEY"; }
running_mode() { cat "$(mode_file)" 2>/dev/null || true; }

start() {
  local other; other="$(running_mode)"
  if [ -n "$other" ] && [ "$other" != "$BROKERS" ] && [ -n "$(BROKERS=$other; node_pid 1 || true)" ]; then
    echo "kafka: a $other-broker cluster is running; stop it first (scripts/kafka.sh stop)" >&2
    return 1
  fi
  if all_answer; then echo "kafka: already running at $(bootstrap) ($BROKERS broker(s))"; echo "$BROKERS" > "$(mode_file)"; return 0; fi
  local n
  for n in $(nodes); do
    if port_in_use "$(port "$n")" && [ -z "$(node_pid "$n" || true)" ]; then
      echo "kafka: port $(port "$n") is taken by something that is not our broker:" >&2
      ss -Hltnp "sport = :$(port "$n")" >&2 || true
      return 1
    fi
  done
  local t0=$SECONDS
  install_lib
  echo "$BROKERS" > "$(mode_file)"
  for n in $(nodes); do configure "$n"; format "$n"; done
  for n in $(nodes); do launch "$n"; done
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until all_answer; do
    for n in $(nodes); do
      if [ -z "$(node_pid "$n" || true)" ] || [ $SECONDS -ge $deadline ]; then
        echo "kafka: node $n not answering within $KAFKA_START_TIMEOUT s, or it exited; last lines of $(node_log "$n"):" >&2
        tail -n 30 "$(node_log "$n")" >&2 || true
        return 1
      fi
    done
    sleep 0.5
  done
  echo "kafka: running at $(bootstrap) ($BROKERS broker(s), ready in $((SECONDS - t0)) s)"
}

bootstrap() { local n out=""; for n in $(nodes); do out="$out${out:+,}127.0.0.1:$(port "$n")"; done; echo "$out"; }

stop() {
  local mode; mode="$(running_mode)"
  [ -n "$mode" ] && BROKERS="$mode"
  local n pid pids=()
  for n in $(nodes); do pid="$(node_pid "$n" || true)"; [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; pids+=("$pid"); }; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
  for n in $(nodes); do
    for _ in $(seq 1 40); do port_in_use "$(port "$n")" || break; sleep 0.25; done
    if port_in_use "$(port "$n")"; then echo "kafka: port $(port "$n") is still in use after stopping" >&2; return 1; fi
  done
  rm -f "$(mode_file)"
  echo "kafka: stopped"
}

status() {
  local mode; mode="$(running_mode)"
  [ -n "$mode" ] && BROKERS="$mode"
  if [ -n "$mode" ] && all_answer; then
    echo "kafka: running at $(bootstrap) ($BROKERS broker(s), pids $(for n in $(nodes); do node_pid "$n" || echo ?; done | tr '\n' ' '))"
  else
    echo "kafka: not running"
    return 3
  fi
}

locked() {
  mkdir -p "$CACHE"
  exec 9> "$CACHE/kafka$KEY.lock"
  flock -w 600 9 || { echo "kafka: another run holds $CACHE/kafka$KEY.lock" >&2; return 1; }
  "$@"
}

cmd="${1:-start}"
shift || true
while [ "$#" -gt 0 ]; do
  case "$1" in
    --brokers) BROKERS="${2:-}"; shift 2 ;;
    --brokers=*) BROKERS="${1#--brokers=}"; shift ;;
    *) echo "kafka: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$BROKERS" in 1|3) ;; *) echo "kafka: --brokers must be 1 or 3, not '$BROKERS'" >&2; exit 2 ;; esac

case "$cmd" in
  start) locked start ;;
  stop) locked stop ;;
  restart) locked stop && locked start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|restart|status [--brokers 1|3]" >&2; exit 2 ;;
esac
