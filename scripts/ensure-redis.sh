#!/usr/bin/env bash
# Redis for the tests (the Node tracing tests' ioredis calls): 127.0.0.1:6379. Installs Debian's redis-server
# when missing, starts it detached (--daemonize yes, log in .cache/redis.log) when it does not answer PING,
# and fails clearly when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
ready() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
fail() { echo "redis: $*; the tracing tests need it" >&2; exit 1; }

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis: installing Debian's redis-server" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server </dev/null >&2 || fail "apt-get install redis-server failed"
fi
if ! ready; then
  mkdir -p .cache
  echo "redis: starting redis-server on 127.0.0.1:6379" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --logfile "$PWD/.cache/redis.log" </dev/null >&2 || fail "redis-server did not start"
  for _ in $(seq 1 50); do ready && break; sleep 0.2; done
  ready || fail "started but 127.0.0.1:6379 does not answer PING (see .cache/redis.log)"
fi
echo "redis: ready at 127.0.0.1:6379"
