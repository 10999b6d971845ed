#!/usr/bin/env bash
# The SDKs for other languages, generated from the provider plugin's package schema with Pulumi's own
# code generators at the engine's version (scripts/engine.sh), offline: Go modules from the Go module
# proxy only, into the same module cache. See docs/sdks.md.
#
#   bash scripts/sdk.sh            regenerate sdk/schema.json, sdk/python and sdk/go (commit them)
#   bash scripts/sdk.sh --check    regenerate, then fail if sdk/ differs from what is committed
#   bash scripts/sdk.sh --go       also build and vet the Go SDK (go build ./... && go vet ./...)
#   bash scripts/sdk.sh --wheel D  also build the Python SDK's wheel into folder D (pip; PyPI only)
#   bash scripts/sdk.sh wheel D    only build the wheel of the committed sdk/python into D (no Go)
#
# The generator (tools/sdkgen) is built once per machine into ~/.cache/pulumi-flowservice, keyed by
# its sources: afterwards a run takes seconds. Progress goes to stderr.
set -euo pipefail

# The engine's version (scripts/engine.sh): the code generators come from the same pkg/v3 release.
PULUMI_VERSION="$(sed -n 's/^VERSION="\(.*\)"$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/engine.sh")"
LANGUAGES="python,go"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-flowservice"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SDK="$REPO_ROOT/sdk"

say() { echo "sdk: $*" >&2; }
die() { echo "sdk: error: $*" >&2; exit 1; }

# The wheel of sdk/python into folder $1; prints its path.
build_wheel() {
  local py tmp
  py="${PYTHON:-$(command -v python3 || true)}"
  [ -n "$py" ] || die "python3 is not installed; it builds the wheel."
  mkdir -p "$1"
  say "the Python wheel into $1"
  # A copy: pip builds in place and would leave build/ and *.egg-info in sdk/python.
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/flowservice-sdk-python.XXXXXX")"
  cp -r "$SDK/python/." "$tmp"
  "$py" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$1" "$tmp" >&2 || { rm -rf "$tmp"; die "pip could not build the wheel"; }
  rm -rf "$tmp"
  ls "$1"/pulumi_flowservice-*.whl 2>/dev/null || die "no wheel was built in $1"
}

if [ "${1:-}" = "wheel" ]; then
  build_wheel "${2:?wheel needs a folder}"
  exit 0
fi

check=false go_build=false wheel_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=true ;;
    --go) go_build=true ;;
    --wheel) wheel_dir="${2:?--wheel needs a folder}"; shift ;;
    *) die "unknown argument '$1' (--check, --go, --wheel DIR)" ;;
  esac
  shift
done

command -v go >/dev/null || die "Go is not installed (1.25 or newer; e.g. 'apt-get install golang'); it runs Pulumi's code generators."
export CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOFLAGS="-mod=mod -buildvcs=false"
grep -q "github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION\$" "$REPO_ROOT/tools/sdkgen/go.mod" ||
  die "tools/sdkgen/go.mod does not require pkg/v3 v$PULUMI_VERSION (the engine's version in scripts/engine.sh): update it with 'go get github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION'"

# The generator binary, cached by the hash of its sources.
key="$(cat "$REPO_ROOT"/tools/sdkgen/{main.go,go.mod,go.sum} | sha256sum | cut -c1-12)"
sdkgen="$CACHE_ROOT/sdkgen-v$PULUMI_VERSION-$key/sdkgen"
if [ ! -x "$sdkgen" ]; then
  say "building the code generator (pkg/v3 v$PULUMI_VERSION) into $(dirname "$sdkgen") (first time only; a few minutes on 2 cores)"
  mkdir -p "$(dirname "$sdkgen")"
  (cd "$REPO_ROOT/tools/sdkgen" && go build -trimpath -o "$sdkgen.partial" .)
  mv "$sdkgen.partial" "$sdkgen"
fi

say "sdk/schema.json from the plugin's schema"
(cd "$REPO_ROOT" && node_modules/.bin/ts-node --transpile-only tools/sdkSchema.ts "$SDK/schema.json")
"$sdkgen" -schema "$SDK/schema.json" -out "$SDK" -languages "$LANGUAGES"
# pyproject.toml names README.md beside it: the package's own, so that `pip install sdk/python` works.
cp "$SDK/python/pulumi_flowservice/README.md" "$SDK/python/README.md"

# The Go SDK is its own module (the schema's language.go.modulePath), on the Pulumi Go SDK of the
# engine's version; go.sum pins it.
module="$(node -e 'console.log(require(process.argv[1]).language.go.modulePath)' "$SDK/schema.json")"
printf 'module %s\n\ngo 1.25\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$module" "$PULUMI_VERSION" >"$SDK/go/go.mod"
(cd "$SDK/go" && go mod tidy)

if $check; then
  # Untracked files count too: a generated file nobody committed is a difference.
  changed="$(cd "$REPO_ROOT" && git diff --name-only -- sdk && git ls-files --others --exclude-standard -- sdk)"
  if [ -n "$changed" ]; then
    (cd "$REPO_ROOT" && git --no-pager diff --stat -- sdk) >&2
    echo "$changed" >&2
    die "sdk/ is not what the schema generates: run 'bash scripts/sdk.sh' and commit sdk/"
  fi
  say "sdk/ is up to date with the schema"
fi

if $go_build; then
  say "go build and go vet of sdk/go"
  # -trimpath, as scripts/engine.sh builds: the packages it compiled are reused from the build cache.
  (cd "$SDK/go" && go build -trimpath ./... && go vet ./...)
fi

if [ -n "$wheel_dir" ]; then
  build_wheel "$wheel_dir"
fi
