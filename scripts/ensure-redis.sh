#!/usr/bin/env bash
# Makes sure `redis-server` is on PATH (the gateway tests start their own instance on a free port).
# Installs Debian's redis-server with apt when it is missing; never starts a system service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is not available; install Redis >= 6.2 yourself" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-redis: need root (or sudo) to apt-get install redis-server" >&2; exit 1; }
  SUDO="sudo"
fi
echo "ensure-redis: installing redis-server with apt-get" >&2
$SUDO apt-get update -qq
# policy-rc.d style: do not start the packaged service; tests run their own instances
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends redis-server >&2
command -v redis-server >/dev/null 2>&1 || { echo "ensure-redis: redis-server still not on PATH after install" >&2; exit 1; }
