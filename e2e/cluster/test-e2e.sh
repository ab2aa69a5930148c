#!/usr/bin/env bash
# `npm run test:e2e`: build the binaries (cached), start the local control plane, run the e2e suites with
# node --test, and stop the cluster again, also when the tests fail or the run is interrupted.
# A cluster that was already running before (reused by up.sh) is left running, as is any cluster when
# TOLLGATE_KEEP_CLUSTER=1. Extra arguments are passed to node --test (e.g. --test-name-pattern=GPU).
# TOLLGATE_E2E_GLOB picks the suites (default: control plane, operator, chart, netpol; e.g. 'e2e/chart/**/*.test.ts').
# After the tests it prints the control plane's resident memory (sum of RSS, from /proc).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
# shellcheck source=../../scripts/env.sh
. scripts/env.sh
set +u
STATE="${TOLLGATE_CLUSTER_DIR:-$REPO/.tollgate-cluster}"
export TOLLGATE_CLUSTER_DIR="$STATE"
log() { echo "test-e2e: $*" >&2; }
T0=$(date +%s%3N)

bash "$HERE/build.sh" kubernetes etcd kwok llm-d-inference-sim helm kube-router

teardown=1
[ "${TOLLGATE_KEEP_CLUSTER:-0}" = 1 ] && teardown=0
cleanup() {
  local rc=$?
  if [ "$teardown" = 1 ]; then bash "$HERE/down.sh" || true; else log "leaving the cluster running (KUBECONFIG=$STATE/kubeconfig)"; fi
  log "total ${rc:+(exit $rc) }$(( $(date +%s%3N) - T0 )) ms"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash "$HERE/up.sh"
[ "$(cat "$STATE/last-up" 2>/dev/null)" = reused ] && { teardown=0; log "the cluster was already running: it stays up afterwards"; }

# the e2e suites always talk to the cluster this script started
export KUBECONFIG="$STATE/kubeconfig"
rc=0
# The suites that need this cluster (e2e/engines/ runs without one, from scripts/test.sh).
if [ -n "${TOLLGATE_E2E_GLOB:-}" ]; then suites=("$TOLLGATE_E2E_GLOB"); else
  suites=('e2e/chart/**/*.test.ts' 'e2e/controlplane/**/*.test.ts' 'e2e/netpol/**/*.test.ts' 'e2e/operator/**/*.test.ts')
fi
node --test --test-reporter=spec --test-concurrency=1 "$@" "${suites[@]}" || rc=$?

bash "$HERE/rss.sh" || true
exit $rc
