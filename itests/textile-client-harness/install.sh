#!/usr/bin/env bash
# Installs the harness's node_modules with `npm ci` from package-lock.json, unless the installed tree already came
# from this very lockfile (a copy of it is kept as node_modules/.weft-lock). Run by the itests build
# (pre-integration-test) and by benchmarks/client-api/run.sh. Usage: install.sh [harness dir]
set -euo pipefail
dir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
cd "$dir"
if [[ -f node_modules/.weft-lock ]] && cmp -s package-lock.json node_modules/.weft-lock; then
  echo "textile client harness: node_modules up to date"
  exit 0
fi
command -v "${NPM:-npm}" >/dev/null || { echo "textile client harness: npm not found (Node.js 20+ is needed)" >&2; exit 2; }
echo "textile client harness: npm ci in $dir"
"${NPM:-npm}" ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.weft-lock
