#!/usr/bin/env bash
# Builds yayamlls (a Go YAML language server, benchmark peer only) from the
# read-only source in ../shared/peers/yayamlls and caches the binary under
# ${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/peers/. Idempotent: prints the
# binary's path and exits at once when it is already built. Not part of CI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${YAYAMLLS_SRC:-$here/../../../shared/peers/yayamlls}"
cache="${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/peers"
commit="58376496"            # upstream commit of the shared copy (see ../shared/peers/README.md)
bin="$cache/yayamlls-$commit"

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
[ -f "$src/go.mod" ] || { echo "yayamlls source not found at $src" >&2; exit 1; }
command -v go >/dev/null || { echo "go is required to build yayamlls" >&2; exit 1; }

mkdir -p "$cache"
work="$(mktemp -d /tmp/yayamlls-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# The shared folder is read-only and go.mod must change, so build a copy.
cp -r "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"
export GOTOOLCHAIN=go1.27.3
# The pinned flate v0.5.1 is not on the module proxy; v0.6.5 is and builds.
go get github.com/home-operations/flate@v0.6.5 >&2
go mod tidy >&2
go build -o "$bin.tmp" ./cmd/yayamlls >&2
mv "$bin.tmp" "$bin"
echo "$bin"
