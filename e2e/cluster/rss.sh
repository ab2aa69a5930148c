#!/usr/bin/env bash
# Prints the resident memory of each control-plane process up.sh started (VmRSS and VmHWM = peak RSS, from
# /proc) and the sums. Usage: bash e2e/cluster/rss.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${TOLLGATE_CLUSTER_DIR:-$(cd "$HERE/../.." && pwd)/.tollgate-cluster}"
total=0 peak=0
printf '%-26s %10s %10s\n' component 'RSS MiB' 'peak MiB' >&2
for name in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
  f="$STATE/pids/$name.pid"; [ -f "$f" ] || continue
  pid="$(cat "$f")"; [ -r "/proc/$pid/status" ] || continue
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"); hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  total=$((total + rss)); peak=$((peak + hwm))
  printf '%-26s %10d %10d\n' "$name" $((rss / 1024)) $((hwm / 1024)) >&2
done
printf '%-26s %10d %10d\n' 'control plane total' $((total / 1024)) $((peak / 1024)) >&2
