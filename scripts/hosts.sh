#!/usr/bin/env bash
# Provides the YAML and Python language hosts, so that programs in those languages can use the
# provider plugin (bin/pulumi-resource-flowservice) through the real engine (scripts/engine.sh).
#
#   bash scripts/hosts.sh [yaml|python|all]     (default: all)
#
# Each host is built once per machine into ~/.cache/pulumi-flowservice (idempotent, ~instant
# afterwards) from the package registries only: Go modules for the hosts, pip for the Python SDK.
# Prints, as its last line on stdout, the directories to put first on PATH, joined with ':'
# (for Python: the host's directory, then the virtual environment's bin, whose python has the
# Pulumi SDK). Progress goes to stderr.
set -euo pipefail

YAML_VERSION="1.25.0"
# The Python SDK matching the engine (scripts/engine.sh).
PYTHON_SDK_VERSION="3.248.0"
# Since v3.69 the Python language host is a nested module the Go module proxy reachable here
# refuses (as for the Node.js host in scripts/engine.sh); v3.68.0 is the last release in which it
# is a package of sdk/v3 itself. Its exec shim (a Python script) ships in the same module.
PYTHON_HOST_SDK_VERSION="3.68.0"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-flowservice"
YAML_DIR="$CACHE_ROOT/host-yaml-v$YAML_VERSION"
PYTHON_DIR="$CACHE_ROOT/host-python-v$PYTHON_SDK_VERSION"

say() { echo "hosts: $*" >&2; }
die() { echo "hosts: error: $*" >&2; exit 1; }

need_go() {
  command -v go >/dev/null || die "Go is not installed (1.25 or newer; e.g. 'apt-get install golang'); it builds the language hosts."
  export CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
}

# Publish a finished build atomically: a half-built cache is never taken for a whole one.
publish() { rm -rf "$2"; mv "$1" "$2"; }

yaml_host() {
  if [ -x "$YAML_DIR/pulumi-language-yaml" ]; then
    say "using cached YAML host in $YAML_DIR"
    return
  fi
  need_go
  say "building pulumi-language-yaml v$YAML_VERSION into $YAML_DIR (first time only; a few minutes on 2 cores)"
  local out="$YAML_DIR.partial"
  rm -rf "$out"; mkdir -p "$out"
  GOBIN="$out" GOFLAGS="-mod=mod -buildvcs=false" \
    go install -trimpath -ldflags "-s -w" "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$YAML_VERSION"
  publish "$out" "$YAML_DIR"
}

python_host() {
  if [ -f "$PYTHON_DIR/.complete" ]; then
    say "using cached Python host in $PYTHON_DIR"
    return
  fi
  need_go
  local py="${PYTHON:-$(command -v python3 || true)}"
  [ -n "$py" ] || die "python3 is not installed (3.9 or newer); it runs Python programs."
  say "building pulumi-language-python (sdk v$PYTHON_HOST_SDK_VERSION) and a venv with the Python SDK $PYTHON_SDK_VERSION into $PYTHON_DIR"
  # Built in place (a venv's scripts name its absolute path), complete only once .complete exists.
  rm -rf "$PYTHON_DIR"; mkdir -p "$PYTHON_DIR"
  local work sdk
  work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-hosts-build.XXXXXX")"
  # A throwaway module that requires the host's sdk/v3 version and builds its package.
  printf 'module pythonhostbuild\n\ngo 1.20\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$PYTHON_HOST_SDK_VERSION" >"$work/go.mod"
  (cd "$work" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PYTHON_HOST_SDK_VERSION" \
    -o "$PYTHON_DIR/pulumi-language-python" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python)
  sdk="$(cd "$work" && GOFLAGS="-mod=mod" go list -m -f '{{.Dir}}' "github.com/pulumi/pulumi/sdk/v3")"
  rm -rf "$work"
  install -m 755 "$sdk/python/cmd/pulumi-language-python-exec" "$PYTHON_DIR/pulumi-language-python-exec"
  "$py" -m venv "$PYTHON_DIR/venv"
  "$PYTHON_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check "pulumi==$PYTHON_SDK_VERSION" >&2
  "$PYTHON_DIR/venv/bin/python" -c "import pulumi" || die "the Python SDK did not install into $PYTHON_DIR/venv"
  touch "$PYTHON_DIR/.complete"
}

what="${1:-all}"
paths=()
case "$what" in
  yaml) yaml_host; paths+=("$YAML_DIR") ;;
  python) python_host; paths+=("$PYTHON_DIR" "$PYTHON_DIR/venv/bin") ;;
  all) yaml_host; python_host; paths+=("$YAML_DIR" "$PYTHON_DIR" "$PYTHON_DIR/venv/bin") ;;
  *) die "unknown host '$what' (yaml, python or all)" ;;
esac
(IFS=:; echo "${paths[*]}")
