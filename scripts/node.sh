#!/usr/bin/env bash
# Runs Node 24 (installed on demand by scripts/env.sh) with the project's dependencies installed.
# Every npm script goes through here, so `npm run …` works on a machine whose Node is older.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/env.sh"
bash "$root/scripts/deps.sh"
exec node "$@"
