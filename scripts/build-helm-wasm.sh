#!/usr/bin/env bash
# Builds dist/helm.wasm: Helm's own `helm template` pipeline (helm-wasm/,
# helm.sh/helm/v4 v4.2.4) as a GOOS=wasip1 reactor for the Node render host.
# Steps: copy Helm's module from GOMODCACHE, trim it (helm-wasm/trim/trim.sh,
# with the default API version list printed by helm-wasm/gen/apiversions run
# natively), build our package against the copy through a `replace`
# directive in a generated go.mod (the copy's engine also keeps parsed
# templates between renders: helm-wasm/trim/template-cache.sh, and its
# toYaml/fromYaml skip the JSON text in between for plain values:
# helm-wasm/trim/yaml-direct.sh); likewise a
# copy of Helm's JSON Schema validator whose draft metaschemas compile on
# first use instead of at start (helm-wasm/trim/jsonschema-lazy.sh). Helm's
# source never enters the repository.
# The result is cached under ${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/helm-wasm/
# by a hash of every input, so a rebuild with nothing changed is a copy.
# Usage: bash scripts/build-helm-wasm.sh [OUT]   (default dist/helm.wasm)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/dist/helm.wasm}
cache=${FLUXHELM_CACHE:-$HOME/.cache/fluxhelm}/helm-wasm
src=$root/helm-wasm
log() { echo "build-helm-wasm: $*" >&2; }
die() { echo "build-helm-wasm: ERROR: $*" >&2; exit 1; }

command -v go >/dev/null || die "go not found"
helm_version=$(awk '$1 == "helm.sh/helm/v4" { print $2; exit }' "$src/go.mod")
[[ -n $helm_version ]] || die "no helm.sh/helm/v4 requirement in $src/go.mod"

key=$(
  {
    go version
    echo "$helm_version"
    cd "$src" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.sh' \) | LC_ALL=C sort | xargs sha256sum
    sha256sum "$root/scripts/build-helm-wasm.sh"
  } | sha256sum | cut -c1-16
)
cached=$cache/$key/helm.wasm
mkdir -p "$(dirname "$out")"
if [[ -s $cached ]]; then
  cp -f "$cached" "$out.tmp-$$" && mv -f "$out.tmp-$$" "$out"
  log "helm $helm_version -> $out (cached $key)"
  exit 0
fi

work=$cache/build-$key-$$
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# Helm's module, unpatched, for the generator; a writable copy for the build.
helm_dir=$(cd "$src" && go mod download -json "helm.sh/helm/v4@$helm_version" | awk -F'"' '$2 == "Dir" { print $4 }')
[[ -d $helm_dir ]] || die "go mod download helm.sh/helm/v4@$helm_version gave no folder"
log "API versions from Helm's default Capabilities (native run)"
(cd "$src" && CGO_ENABLED=0 go run ./gen/apiversions) > "$work/apiversions.txt"
cp -r "$helm_dir" "$work/helm"
chmod -R u+w "$work/helm"
bash "$src/trim/trim.sh" "$work/helm" "$work/apiversions.txt"
bash "$src/trim/template-cache.sh" "$work/helm"
bash "$src/trim/yaml-direct.sh" "$work/helm"
js_module=github.com/santhosh-tekuri/jsonschema/v6
js_version=$(awk -v m="$js_module" '$1 == m { print $2; exit }' "$src/go.mod")
[[ -n $js_version ]] || die "no $js_module requirement in $src/go.mod"
js_dir=$(cd "$src" && go mod download -json "$js_module@$js_version" | awk -F'"' '$2 == "Dir" { print $4 }')
[[ -d $js_dir ]] || die "go mod download $js_module@$js_version gave no folder"
cp -r "$js_dir" "$work/jsonschema"
chmod -R u+w "$work/jsonschema"
bash "$src/trim/jsonschema-lazy.sh" "$work/jsonschema"

mkdir -p "$work/src"
cp "$src"/*.go "$src/go.mod" "$src/go.sum" "$work/src/"
echo "replace helm.sh/helm/v4 => ../helm" >> "$work/src/go.mod"
echo "replace $js_module => ../jsonschema" >> "$work/src/go.mod"
log "go build (GOOS=wasip1 GOARCH=wasm, c-shared)"
(cd "$work/src" && GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 go build -buildmode=c-shared -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$helm_version" -o "$work/helm.wasm" .)
if (cd "$work/src" && GOOS=wasip1 GOARCH=wasm go list -deps . | grep -qx 'k8s.io/client-go/kubernetes'); then
  die "trim failed: client-go's clientset is still linked"
fi
mkdir -p "$cache/$key"
mv -f "$work/helm.wasm" "$cached"
cp -f "$cached" "$out.tmp-$$" && mv -f "$out.tmp-$$" "$out"
log "helm $helm_version -> $out ($(( $(stat -c %s "$out") / 1048576 )) MB, $(( $(date +%s) - start ))s, cache $key)"
