#!/usr/bin/env bash
# Installs node_modules from package-lock.json when missing or stale (after scripts/env.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp=node_modules/.tollgate-deps
want="$(node -p 'process.version')-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "tollgate: installing dependencies (npm ci) with Node $(node --version)" >&2
  # Native add-ons (re2) build against the running Node's headers.
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
