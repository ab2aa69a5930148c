#!/usr/bin/env bash
# Installs the peer gateways the benchmark compares against into a cache outside the clone (never as
# project dependencies): Portkey (`@portkey-ai/gateway` from npm) and LiteLLM (`litellm[proxy]` from PyPI,
# in its own venv). Idempotent: an existing install is reused.
# Usage: bench/gateway/setup-peers.sh [portkey|litellm]...
set -euo pipefail
TOLLGATE_CACHE="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}"
PORTKEY_VERSION="${PORTKEY_VERSION:-1.15.2}"
LITELLM_SPEC="${LITELLM_SPEC:-litellm[proxy]}"
BENCH_DIR="$TOLLGATE_CACHE/bench"
mkdir -p "$BENCH_DIR"
want=("$@"); [ ${#want[@]} -eq 0 ] && want=(portkey litellm)
for w in "${want[@]}"; do
  case "$w" in
    portkey)
      dir="$BENCH_DIR/portkey-$PORTKEY_VERSION"
      if [ ! -f "$dir/.done" ]; then
        echo "setup-peers: installing @portkey-ai/gateway@$PORTKEY_VERSION into $dir" >&2
        rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
        npm install --prefix "$dir.tmp" --no-save --no-package-lock --no-audit --no-fund "@portkey-ai/gateway@$PORTKEY_VERSION" >&2
        rm -rf "$dir"; mv "$dir.tmp" "$dir"; touch "$dir/.done"
      fi ;;
    litellm)
      dir="$BENCH_DIR/litellm-venv"
      if [ ! -f "$dir/.done" ]; then
        echo "setup-peers: installing $LITELLM_SPEC into the venv $dir" >&2
        rm -rf "$dir"
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet --disable-pip-version-check "$LITELLM_SPEC" >&2
        touch "$dir/.done"
      fi ;;
    *) echo "setup-peers: unknown peer '$w' (portkey|litellm)" >&2; exit 2 ;;
  esac
done
