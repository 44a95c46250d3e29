#!/usr/bin/env bash
# Installs flate v0.6.5 (github.com/home-operations/flate), the tool the
# render differential test (test/differential/flate-render.test.ts) compares
# fluxhelm's HelmRelease rendering with. flate needs Go 1.27, so it is built
# with GOTOOLCHAIN=go1.27.3 through the Go module proxy into
# ${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/tools/flate-v0.6.5/.
# Idempotent: skipped when that binary is already there.
# Usage: bash .ci/flate-deps.sh
set -euo pipefail

version=v0.6.5
cache=${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}
dir="$cache/tools/flate-$version"
bin="$dir/flate"

log() { echo "flate-deps: $*" >&2; }
die() { echo "flate-deps: ERROR: $*" >&2; exit 1; }

if [[ -x $bin ]]; then
  log "flate $version ready at $bin"
  exit 0
fi
command -v go >/dev/null || die "go is needed to build flate $version"

mkdir -p "$dir"
tmp="$dir.tmp-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
log "go install github.com/home-operations/flate/cmd/flate@$version (several minutes on an empty Go cache)"
GOTOOLCHAIN=go1.27.3 GOBIN="$tmp" CGO_ENABLED=0 go install "github.com/home-operations/flate/cmd/flate@$version"
mv -f "$tmp/flate" "$bin"
rm -rf "$tmp"
log "flate $version ready at $bin"
