#!/usr/bin/env bash
# `npm run test:e2e:kind`: the same e2e suites against an existing cluster (kind from kind-config.yaml, or
# any cluster) named by KUBECONFIG. Nothing is built, started or stopped here.
#   kind create cluster --config kind-config.yaml
#   KUBECONFIG=$HOME/.kube/config npm run test:e2e:kind      (kind create writes its context there)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/../.."
. scripts/env.sh
set +u
if [ -z "${KUBECONFIG:-}" ]; then
  command -v kind >/dev/null 2>&1 || { echo "test-kind: ERROR: set KUBECONFIG to the cluster's kubeconfig (kind not on PATH to ask it)" >&2; exit 1; }
  KUBECONFIG="$(mktemp)"; export KUBECONFIG
  kind get kubeconfig --name tollgate-e2e > "$KUBECONFIG"
fi
[ "${TOLLGATE_KIND_SKIP_GPU_PATCH:-0}" = 1 ] || bash "$HERE/kind-gpu-nodes.sh"
node --test --test-reporter=spec --test-concurrency=1 "$@" "${TOLLGATE_E2E_GLOB:-e2e/controlplane/**/*.test.ts}"
