#!/usr/bin/env bash
# Every test, from a fresh clone: `npm test` runs this.
#  1. Node 24 (installed from the npm registry into ~/.cache/tollgate when the system Node is older)
#  2. dependencies (npm ci), Redis (apt), control-plane binaries (built once from Go modules, cached)
#  3. type-check, CRDs-in-sync check, unit + gateway tests, e2e tests on a real local control plane
# Stops with a message naming whatever is missing; never skips a suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/env.sh
bash scripts/deps.sh
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

step "type-check"
npx tsc -p tsconfig.json --noEmit
step "lint (ESLint, typescript-eslint) and formatting (Prettier)"
npx eslint .
npx prettier --check --log-level warn "**/*.{ts,js,mjs}"
step "crds/ and the chart's copy match the schemas"
node scripts/gen-crds.ts --check
node scripts/sync-chart-crds.ts --check
step "redis-server"
bash scripts/ensure-redis.sh
step "nginx (apt-get when missing): the benchmark's proxy-hop ceiling, started by its lifecycle test"
bash bench/gateway/setup-peers.sh nginx
step "iptables, ipset, iproute2 for the NetworkPolicy suite (apt-get when missing); kernel features it needs"
bash e2e/netpol/net.sh deps
bash e2e/netpol/net.sh check
step "binaries built from Go modules (cached in \$TOLLGATE_CACHE; the first build takes 15-30 minutes)"
bash e2e/cluster/build.sh
step "real inference engines built from source (llama-server: C++; Ollama: Go + cgo; cached in \$TOLLGATE_CACHE) and the gguf venv"
bash e2e/engines/build.sh llama-server ollama gguf
step "unit, compiler, CLI, guardrails and gateway tests (real Redis, built-in simulator, llm-d-inference-sim)"
node --test --test-reporter=spec "api/**/*.test.ts" "kube/**/*.test.ts" "operator/**/*.test.ts" "gateway/**/*.test.ts" "cli/**/*.test.ts" "guardrails/**/*.test.ts" "bench/**/*.test.ts"
step "real engines behind the gateway (llama.cpp, Ollama) and the model fetch against a fake hub"
node --test --test-reporter=spec e2e/engines/local.test.ts e2e/engines/fetch.test.ts e2e/engines/llamacpp.test.ts e2e/engines/ollama.test.ts e2e/engines/token-stats.test.ts
step "e2e on a local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)"
bash e2e/cluster/test-e2e.sh
step "all tests passed"
