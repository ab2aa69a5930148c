#!/usr/bin/env bash
# Makes a kind cluster (kind-config.yaml) look like the kwok fleet of up.sh, enough for the e2e suites:
# the first worker advertises nvidia.com/gpu: 8 (status capacity patched through the status subresource,
# the documented way to advertise an extended resource), is labelled tollgate.dev/gpu-pool=a100 plus the
# NVIDIA feature-discovery labels, and tainted nvidia.com/gpu=present:NoSchedule. Pods requesting
# nvidia.com/gpu then schedule and run (the pause image; the kubelet only allocates device-plugin resources).
# Idempotent. Note: a kubelet restart zeroes patched extended resources; run this again after one.
# Usage: KUBECONFIG=... bash e2e/cluster/kind-gpu-nodes.sh [NODE]   (default NODE: tollgate-e2e-worker)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../versions.env"
KUBECTL="${KUBECTL:-$(command -v kubectl || true)}"
cached="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}/bin/kubernetes-$KUBERNETES_VERSION/kubectl"
[ -n "$KUBECTL" ] || { [ -x "$cached" ] && KUBECTL="$cached"; }
[ -n "$KUBECTL" ] || { echo "kind-gpu-nodes.sh: ERROR: no kubectl on PATH (or build it: bash e2e/cluster/build.sh kubernetes)" >&2; exit 1; }
[ -n "${KUBECONFIG:-}" ] || { echo "kind-gpu-nodes.sh: ERROR: set KUBECONFIG (e.g. KUBECONFIG=\$(mktemp); kind get kubeconfig --name tollgate-e2e > \$KUBECONFIG)" >&2; exit 1; }
node="${1:-tollgate-e2e-worker}"
k() { "$KUBECTL" --request-timeout=30s "$@"; }
k get node "$node" >/dev/null || { echo "kind-gpu-nodes.sh: ERROR: node $node not found in $KUBECONFIG" >&2; exit 1; }
k label node "$node" --overwrite tollgate.dev/gpu-pool=a100 nvidia.com/gpu.present=true \
  nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB nvidia.com/gpu.count=8 >/dev/null
k taint node "$node" nvidia.com/gpu=present:NoSchedule --overwrite >/dev/null
k patch node "$node" --subresource=status --type=json \
  -p '[{"op":"add","path":"/status/capacity/nvidia.com~1gpu","value":"8"},{"op":"add","path":"/status/allocatable/nvidia.com~1gpu","value":"8"}]' >/dev/null
echo "kind-gpu-nodes.sh: $node advertises nvidia.com/gpu=8, pool a100, tainted nvidia.com/gpu=present:NoSchedule" >&2
