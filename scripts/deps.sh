#!/usr/bin/env bash
# Installs node_modules from package-lock.json when missing or stale (after scripts/env.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp=node_modules/.tollgate-deps
# One install at a time per clone (parallel npm runs would delete each other's files).
mkdir -p "${TOLLGATE_CACHE:-$HOME/.cache/tollgate}/locks"
exec 9>"${TOLLGATE_CACHE:-$HOME/.cache/tollgate}/locks/deps-$(printf '%s' "$root" | sha256sum | cut -c1-12).lock"
flock 9
want="$(node -p 'process.version')-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # re2 (linear-time regexes for redaction patterns) compiles a native add-on: it needs a C++ toolchain.
  missing=()
  for tool in g++ make python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "tollgate: installing build tools for native add-ons (${missing[*]})" >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ make python3 >&2
    else
      echo "tollgate: missing ${missing[*]} (needed to build the re2 add-on); install them, e.g. sudo apt-get install g++ make python3" >&2
      exit 1
    fi
  fi
  echo "tollgate: installing dependencies (npm ci) with Node $(node --version)" >&2
  # Native add-ons (re2) build against the running Node's headers.
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
