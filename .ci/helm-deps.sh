#!/usr/bin/env bash
# Installs the native helm the render tests compare against: helm v4.2.4, the
# Helm version helm-controller v1.6.4 builds on (and the one compiled to
# WebAssembly in helm-wasm/). Built from source through the Go module proxy
# with `go install` into ${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/tools/helm-v4.2.4/.
# Idempotent: skipped when that binary already reports the right version.
# Usage: bash .ci/helm-deps.sh
set -euo pipefail

version=v4.2.4
cache=${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}
dir="$cache/tools/helm-$version"
bin="$dir/helm"

log() { echo "helm-deps: $*" >&2; }
die() { echo "helm-deps: ERROR: $*" >&2; exit 1; }

if [[ -x $bin ]] && "$bin" version --template '{{.Version}}' 2>/dev/null | grep -qx "$version"; then
  log "helm $version ready at $bin"
  exit 0
fi
command -v go >/dev/null || die "go is needed to build helm $version (Go 1.26 or newer)"

mkdir -p "$dir"
tmp="$dir.tmp-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
log "go install helm.sh/helm/v4/cmd/helm@$version (a few minutes on an empty Go cache)"
# Helm's Makefile stamps the version through -ldflags; `go install` of a tagged
# module version also records it in the build info, which helm reads.
GOBIN="$tmp" CGO_ENABLED=0 go install \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version" \
  "helm.sh/helm/v4/cmd/helm@$version"
mv -f "$tmp/helm" "$bin"
rm -rf "$tmp"
got=$("$bin" version --template '{{.Version}}')
[[ $got == "$version" ]] || die "built helm reports $got, expected $version"
log "helm $version ready at $bin"
