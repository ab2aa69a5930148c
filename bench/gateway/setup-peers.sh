#!/usr/bin/env bash
# Installs the peers the benchmark compares against, outside the clone (never as project dependencies):
#   portkey  `@portkey-ai/gateway` from npm into the cache, with the streaming fix of patch-portkey.mjs applied
#   litellm  `litellm[proxy]` from PyPI, in its own venv in the cache
#   nginx    Debian's `nginx` package with apt-get when `nginx` is not on PATH (the packaged service is not
#            started; the benchmark runs its own instance with its own prefix and config in a temp dir)
# Idempotent: an existing install is reused.
# Usage: bench/gateway/setup-peers.sh [portkey|litellm|nginx]...
set -euo pipefail
TOLLGATE_CACHE="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}"
PORTKEY_VERSION="${PORTKEY_VERSION:-1.15.2}"
LITELLM_SPEC="${LITELLM_SPEC:-litellm[proxy]}"
BENCH_DIR="$TOLLGATE_CACHE/bench"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$BENCH_DIR"
want=("$@"); [ ${#want[@]} -eq 0 ] && want=(portkey litellm nginx)
for w in "${want[@]}"; do
  case "$w" in
    portkey)
      dir="$BENCH_DIR/portkey-$PORTKEY_VERSION"
      if [ ! -f "$dir/.done" ]; then
        echo "setup-peers: installing @portkey-ai/gateway@$PORTKEY_VERSION into $dir" >&2
        rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
        npm install --prefix "$dir.tmp" --no-save --no-package-lock --no-audit --no-fund "@portkey-ai/gateway@$PORTKEY_VERSION" >&2
        rm -rf "$dir"; mv "$dir.tmp" "$dir"; touch "$dir/.done"
      fi
      # idempotent; also upgrades an install made before the fix existed
      node "$here/patch-portkey.mjs" "$dir" ;;
    litellm)
      dir="$BENCH_DIR/litellm-venv"
      if [ ! -f "$dir/.done" ]; then
        echo "setup-peers: installing $LITELLM_SPEC into the venv $dir" >&2
        rm -rf "$dir"
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet --disable-pip-version-check "$LITELLM_SPEC" >&2
        touch "$dir/.done"
      fi ;;
    nginx)
      if ! command -v nginx >/dev/null 2>&1; then
        command -v apt-get >/dev/null 2>&1 || { echo "setup-peers: nginx is missing and apt-get is not available; install nginx yourself" >&2; exit 1; }
        SUDO=""
        if [ "$(id -u)" != 0 ]; then
          command -v sudo >/dev/null 2>&1 || { echo "setup-peers: need root (or sudo) to apt-get install nginx" >&2; exit 1; }
          SUDO="sudo"
        fi
        echo "setup-peers: installing nginx with apt-get" >&2
        $SUDO apt-get update -qq
        # RUNLEVEL=1: the package's service is not started (the benchmark runs its own instance)
        DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends nginx >&2
        command -v nginx >/dev/null 2>&1 || { echo "setup-peers: nginx still not on PATH after install" >&2; exit 1; }
      fi ;;
    *) echo "setup-peers: unknown peer '$w' (portkey|litellm|nginx)" >&2; exit 2 ;;
  esac
done
