#!/usr/bin/env bash
# Builds the real kube-apiserver from source (k8s.io/kubernetes through the Go
# module proxy, pinned by test/cluster/apiserver/go.mod) and caches the binary
# outside the repository, keyed by version:
#   ${FLUXHELM_CACHE:-~/.cache/fluxhelm}/kube-apiserver-<version>/kube-apiserver
# A cached binary is reused; the build runs only once per machine and version.
# The binary's path is printed as the last line of output.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod="$here/apiserver"
version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v[0-9]/ { print $2; exit }' "$mod/go.mod")"
if [[ -z "$version" ]]; then
  echo "build-apiserver: cannot read the k8s.io/kubernetes version from $mod/go.mod" >&2
  exit 1
fi

cache="${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}"
dest_dir="$cache/kube-apiserver-$version"
dest="$dest_dir/kube-apiserver"
mkdir -p "$dest_dir"

# One build at a time per cache (several CI steps or helpers may ask at once).
exec 9>"$dest_dir/.lock"
flock 9

if [[ -x "$dest" ]] && "$dest" --version >/dev/null 2>&1; then
  echo "build-apiserver: using cached $("$dest" --version)" >&2
  echo "$dest"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-apiserver: the go toolchain is not installed (run .ci/cluster-deps.sh)" >&2
  exit 1
fi

# Build in a scratch copy of the wrapper module so -mod=mod never rewrites the
# files in the repository.
work="$cache/apiserver-build-$version"
rm -rf "$work"
mkdir -p "$work"
cp "$mod/go.mod" "$mod/go.sum" "$work/"

minor="${version#v1.}"
minor="${minor%%.*}"
pkg=k8s.io/component-base/version
ldflags="-s -w"
ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "build-apiserver: building kube-apiserver $version (first build takes several minutes)" >&2
start=$(date +%s)
(
  cd "$work"
  export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
  go build -trimpath -ldflags="$ldflags" -o "$work/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
)
mv "$work/kube-apiserver" "$dest.tmp"
mv "$dest.tmp" "$dest"
rm -rf "$work"
echo "build-apiserver: built $("$dest" --version) in $(( $(date +%s) - start ))s" >&2
echo "$dest"
