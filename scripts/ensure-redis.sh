#!/usr/bin/env bash
# Makes sure `redis-server` (>= 7, built with TLS) and `redis-cli` are on PATH: the gateway tests start their own
# instances on free ports — one Redis, a TLS-only Redis with an ACL user, a Redis Cluster (redis-cli --cluster
# create) and a Sentinel setup (redis-server --sentinel). Installs Debian's redis-server (which brings
# redis-tools) with apt when something is missing; never starts a system service.
set -euo pipefail
ok() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1
}
if ! ok; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-redis: redis-server/redis-cli/openssl missing and apt-get is not available; install Redis >= 7 (with TLS) and openssl yourself" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "ensure-redis: need root (or sudo) to apt-get install redis-server" >&2; exit 1; }
    SUDO="sudo"
  fi
  echo "ensure-redis: installing redis-server, redis-tools and openssl with apt-get" >&2
  $SUDO apt-get update -qq
  # policy-rc.d style: do not start the packaged service; tests run their own instances
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends redis-server redis-tools openssl >&2
  ok || { echo "ensure-redis: redis-server, redis-cli or openssl still not on PATH after install" >&2; exit 1; }
fi
major="$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')"
if [ -z "$major" ] || [ "$major" -lt 7 ]; then
  echo "ensure-redis: redis-server $(redis-server --version) is older than 7 (cluster-port, ACL and TLS options the tests use)" >&2
  exit 1
fi
