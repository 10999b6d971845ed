#!/usr/bin/env bash
# Provides the real Pulumi engine (CLI + Node.js language host) for the e2e tests, `npm start`
# and the benchmark, without Pulumi's download site (unreachable here).
#
# Order of preference:
#   1. $PULUMI_FLOWSERVICE_ENGINE_DIR/pulumi already built (the cache: idempotent, ~instant);
#   2. a `pulumi` named by $PULUMI_BIN, or on PATH, of the pinned major version, with a
#      pulumi-language-nodejs beside it or on PATH: used as is;
#   3. otherwise build both from the Go module proxy at the pinned version into the cache.
#
# Prints, as its last line on stdout, the directory to put first on PATH (it holds `pulumi`,
# `pulumi-language-nodejs` and the `pulumi-resource-pulumi-nodejs` script). Progress goes to stderr.
set -euo pipefail

VERSION="3.248.0"
# The Node.js language host. Since v3.69 it is a nested module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that the Go module proxy
# reachable here refuses (403 for every version, commit and @latest). v3.68.0 is the last
# release in which it is a package of sdk/v3 itself, so it is built from there.
LANGHOST_SDK_VERSION="3.68.0"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-flowservice"
ENGINE_DIR="${PULUMI_FLOWSERVICE_ENGINE_DIR:-$CACHE_ROOT/engine-v$VERSION}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "engine: $*" >&2; }
die() { echo "engine: error: $*" >&2; exit 1; }

# The dynamic-provider plugin is a small shell script shipped in @pulumi/pulumi; it must sit beside
# the CLI (or on PATH) and be executable.
install_provider_script() {
  local dir="$1" src="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [ -f "$src" ] || die "$src is missing: run 'npm install' in $REPO_ROOT first"
  if ! cmp -s "$src" "$dir/pulumi-resource-pulumi-nodejs" 2>/dev/null; then
    cp "$src" "$dir/pulumi-resource-pulumi-nodejs"
  fi
  chmod +x "$dir/pulumi-resource-pulumi-nodejs"
}

if [ -x "$ENGINE_DIR/pulumi" ] && [ -x "$ENGINE_DIR/pulumi-language-nodejs" ]; then
  install_provider_script "$ENGINE_DIR"
  say "using cached engine in $ENGINE_DIR"
  echo "$ENGINE_DIR"
  exit 0
fi

existing="${PULUMI_BIN:-$(command -v pulumi || true)}"
if [ -n "$existing" ] && [ -x "$existing" ]; then
  v="$("$existing" version 2>/dev/null || true)"
  dir="$(cd "$(dirname "$existing")" && pwd)"
  if [[ "$v" == v3.* ]] && { [ -x "$dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null; }; then
    mkdir -p "$ENGINE_DIR"
    ln -sf "$existing" "$ENGINE_DIR/pulumi"
    ln -sf "$( [ -x "$dir/pulumi-language-nodejs" ] && echo "$dir/pulumi-language-nodejs" || command -v pulumi-language-nodejs)" \
      "$ENGINE_DIR/pulumi-language-nodejs"
    install_provider_script "$ENGINE_DIR"
    say "using existing pulumi $v from $existing"
    echo "$ENGINE_DIR"
    exit 0
  fi
  say "ignoring $existing (version '$v', or no pulumi-language-nodejs beside it)"
fi

command -v go >/dev/null || die "Go is not installed, and no pulumi CLI was found.
  Install Go (1.25 or newer; e.g. 'apt-get install golang' or your platform's package), or put a
  pulumi v3 CLI with pulumi-language-nodejs on PATH (or name it with PULUMI_BIN), then run again."

say "building pulumi v$VERSION from the Go module proxy into $ENGINE_DIR (first time only; ~10-20 min on 2 cores)"
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-engine-build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# Fetch one module into the module cache and print its directory there.
moddir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

say "downloading github.com/pulumi/pulumi/{pkg,sdk}/v3@v$VERSION"
pkg_src="$(moddir "github.com/pulumi/pulumi/pkg/v3@v$VERSION")"
sdk_src="$(moddir "github.com/pulumi/pulumi/sdk/v3@v$VERSION")"
[ -n "$pkg_src" ] && [ -n "$sdk_src" ] || die "could not download the Pulumi Go modules (is the Go module proxy reachable?)"

# Lay the modules out as in the monorepo so pkg's `replace sdk/v3 => ../sdk` resolves
# (module-cache copies are read-only, hence the copies).
cp -r "$pkg_src" "$work/pkg"
cp -r "$sdk_src" "$work/sdk"
chmod -R u+w "$work"
# A throwaway module that requires the language host's sdk/v3 version and builds its package.
mkdir -p "$work/langhost"
printf 'module langhostbuild\n\ngo 1.20\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' \
  "$LANGHOST_SDK_VERSION" > "$work/langhost/go.mod"

ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION"
out="$ENGINE_DIR.partial"
rm -rf "$out"; mkdir -p "$out"

say "go build pulumi"
(cd "$work/pkg" && go build -trimpath -ldflags "$ldflags" -o "$out/pulumi" ./cmd/pulumi)
say "go build pulumi-language-nodejs"
(cd "$work/langhost" && go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_SDK_VERSION" -o "$out/pulumi-language-nodejs" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)

install_provider_script "$out"
# Publish atomically: a half-built cache is never taken for a whole one.
rm -rf "$ENGINE_DIR"; mv "$out" "$ENGINE_DIR"
say "built $("$ENGINE_DIR/pulumi" version) in $ENGINE_DIR"
echo "$ENGINE_DIR"
