#!/usr/bin/env bash
# The main job on the embedded defaults: `npm run demo` runs this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/env.sh
bash scripts/deps.sh
exec node bin/tollgate.ts demo "$@"
