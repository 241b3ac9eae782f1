#!/usr/bin/env bash
# Everything a fresh machine needs before the mesh can run: dependencies (including the pinned
# Node 24 runtime, from the npm registry's `node` package), local infrastructure, generated code.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! node_modules/.bin/node --version | grep -q '^v24\.'; then
  echo "[setup] node_modules/.bin/node is not Node 24: delete node_modules and rerun" >&2; exit 1
fi

bash scripts/infra.sh

# Generated code is not committed: regenerate it so it always matches proto/.
rm -rf gen/migrate
node_modules/.bin/buf generate
# The web console the gateway serves at /: built only when its sources or the protos are newer than the build.
console=services/gateway/console
if [ ! -f "$console/dist/index.html" ] || [ -n "$(find "$console/src" "$console/index.html" "$console/vite.config.ts" "$console/package.json" proto -newer "$console/dist/index.html" -print -quit)" ]; then
  echo "[setup] building the web console" >&2; npm run -s build -w @migrate/console >&2
fi
bash scripts/fetch-helm.sh >/dev/null  # the real helm for the chart tests, cached in .cache/helm
