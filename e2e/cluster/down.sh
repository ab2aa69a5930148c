#!/usr/bin/env bash
# Stops the local control plane that e2e/cluster/up.sh started from this state dir: only the processes whose
# pids it recorded (and only if each pid still runs the binary it started), in reverse start order.
# Logs stay in .tollgate-cluster/logs/ for post-mortems; the etcd data is removed.
# Env: TOLLGATE_CLUSTER_DIR (default <repo>/.tollgate-cluster), TOLLGATE_CLUSTER_STOP_TIMEOUT (default 15 s)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${TOLLGATE_CLUSTER_DIR:-$REPO/.tollgate-cluster}"
STOP_TIMEOUT="${TOLLGATE_CLUSTER_STOP_TIMEOUT:-15}"
log() { echo "down.sh: $*" >&2; }

[ -d "$STATE/pids" ] || { log "no cluster state in $STATE: nothing to stop"; exit 0; }
exec 8>"$STATE/.lock"
flock -w 60 8 || { log "ERROR: $STATE is locked by another up.sh/down.sh for 60 s"; exit 1; }

# the process is ours if /proc/PID/exe is the binary named like the pid file
ours() { local exe; exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1; [ "$(basename "${exe% (deleted)}")" = "$2" ]; }

stopped=0
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f="$STATE/pids/$name.pid"
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  if [ -n "$pid" ] && ours "$pid" "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(date +%s) + STOP_TIMEOUT ))
    while ours "$pid" "$name" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    if ours "$pid" "$name"; then
      log "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    stopped=$((stopped + 1))
  fi
  rm -f "$f"
done
rm -rf "$STATE/etcd-data"
rm -f "$STATE/last-up"
log "stopped $stopped process(es); logs kept in $STATE/logs/"
