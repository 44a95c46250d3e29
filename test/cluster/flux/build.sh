#!/usr/bin/env bash
# Builds one real Flux controller from source (through the Go module proxy,
# pinned by the wrapper module test/cluster/flux/<name>/go.mod) and caches the
# binary outside the repository, keyed by controller version and a hash of the
# wrapper's go.mod/go.sum:
#   ${FLUXHELM_CACHE:-~/.cache/fluxhelm}/flux/<name>-<version>-<hash>/<name>
# A cached binary is reused. All controllers (and kube-apiserver) build with
# the same GOCACHE, so packages shared between them compile once per machine.
# Usage: build.sh helm-controller|source-controller|kustomize-controller
# The binary's path is printed as the last line of output.
set -euo pipefail

name="${1:?usage: build.sh <controller name>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod="$here/$name"
if [[ ! -f "$mod/go.mod" ]]; then
  echo "flux build: no wrapper module $mod/go.mod" >&2
  exit 1
fi
pkg="github.com/fluxcd/$name"
version="$(awk -v p="$pkg" '$1 == "require" && $2 == p { print $3; exit } $1 == p && $2 ~ /^v[0-9]/ { print $2; exit }' "$mod/go.mod")"
if [[ -z "$version" ]]; then
  echo "flux build: cannot read the $pkg version from $mod/go.mod" >&2
  exit 1
fi
hash="$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-12)"

cache="${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}"
dest_dir="$cache/flux/$name-$version-$hash"
dest="$dest_dir/$name"
mkdir -p "$dest_dir"

exec 9>"$dest_dir/.lock"
flock 9

if [[ -x "$dest" && -f "$dest.ok" ]]; then
  echo "flux build: using cached $name $version" >&2
  echo "$dest"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "flux build: the go toolchain is not installed" >&2
  exit 1
fi

# Build in a scratch copy so -mod=mod never rewrites the repository's files.
work="$cache/flux/build-$name-$version"
rm -rf "$work"
mkdir -p "$work"
cp "$mod/go.mod" "$mod/go.sum" "$work/"

echo "flux build: building $name $version (the first build takes several minutes)" >&2
start=$(date +%s)
(
  cd "$work"
  export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
  go build -trimpath -ldflags="-s -w" -o "$work/$name" "$pkg"
)
mv "$work/$name" "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "$version built in $(( $(date +%s) - start ))s on $(date -u +%FT%TZ)" >"$dest.ok"
rm -rf "$work"
echo "flux build: built $name $version in $(( $(date +%s) - start ))s" >&2
echo "$dest"
