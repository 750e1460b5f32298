#!/usr/bin/env bash
# PostgreSQL for the tests: 127.0.0.1:5432, trust auth, user postgres, database test. Starts the local
# cluster when it is down (it runs detached under pg_ctlcluster), creates the `test` database when it is
# missing, and fails clearly when it cannot.
set -euo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
fail() { echo "postgres: $*; the integration tests need it" >&2; exit 1; }

if ! ready; then
  command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
    || fail "not reachable at 127.0.0.1:5432 and pg_ctlcluster is not installed"
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  [ -n "$version" ] || fail "not reachable at 127.0.0.1:5432 and /etc/postgresql holds no cluster"
  echo "postgres: starting cluster $version/main" >&2
  if ! pg_ctlcluster --skip-systemctl-redirect "$version" main start </dev/null >&2; then
    tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" >&2 2>/dev/null || true
    fail "pg_ctlcluster $version main start failed"
  fi
  for _ in $(seq 1 60); do ready && break; sleep 1; done
  ready || fail "cluster $version/main started but 127.0.0.1:5432 is not accepting connections after 60 s"
fi

has_test_db="$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -XAtc "SELECT 1 FROM pg_database WHERE datname = 'test'" </dev/null)" \
  || fail "cannot connect as user postgres (trust auth expected on 127.0.0.1)"
if [ "$has_test_db" != 1 ]; then
  echo "postgres: creating database test" >&2
  psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Xqc 'CREATE DATABASE test' </dev/null || fail "could not create database test"
fi
echo "postgres: ready at 127.0.0.1:5432"
