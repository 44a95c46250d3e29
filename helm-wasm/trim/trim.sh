#!/usr/bin/env bash
# Trims a writable copy of Helm's module so its template pipeline builds
# without client-go's typed clientset, scheme and REST client (84 MB -> ~25 MB
# of wasm, 4x faster start). Three places pull them in; each is replaced by
# what a client-only `helm template` gets from it anyway:
#   internal/version/clientgo.go      the client-go version read from build
#                                     info -> the fixed version from go.mod
#   pkg/chart/common/capabilities.go  the default API version list built
#                                     from client-go's scheme -> the same
#                                     list, generated natively beforehand
#   pkg/engine/lookup_func.go         `lookup` against a cluster -> a lookup
#                                     that finds nothing (what a plain
#                                     engine.Engine does in `helm template`)
# Only Helm v4.2.x was checked; the script stops when a file it patches does
# not look as expected, so a Helm upgrade cannot trim silently wrong.
# Usage: trim.sh HELM_COPY_DIR API_VERSIONS_FILE
set -euo pipefail
dir=$1
apis=$2
die() { echo "trim: ERROR: $*" >&2; exit 1; }

clientgo=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$dir/go.mod")
[[ -n $clientgo ]] || die "no k8s.io/client-go requirement in $dir/go.mod"
[[ -s $apis ]] || die "empty API version list $apis"

# 1. client-go version
f=$dir/internal/version/clientgo.go
grep -q 'func K8sIOClientGoModVersion() (string, error)' "$f" || die "$f changed upstream"
cat > "$f" <<GO
package version

// Trimmed by fluxhelm (helm-wasm/trim/trim.sh): the version of client-go
// that Helm's go.mod requires, instead of reading it from build info.
func K8sIOClientGoModVersion() (string, error) {
	return "$clientgo", nil
}
GO

# 2. default API versions
f=$dir/pkg/chart/common/capabilities.go
grep -q '^func allKnownVersions() VersionSet {$' "$f" || die "$f changed upstream"
list=$(sed 's/.*/\t\t"&",/' "$apis")
awk -v list="$list" '
  /"k8s.io\/client-go\/kubernetes\/scheme"/ { next }
  /apiextensionsv1(beta1)? "k8s.io\/apiextensions-apiserver/ { next }
  /^func allKnownVersions\(\) VersionSet \{$/ {
    print "// Trimmed by fluxhelm: the list client-go'"'"'s scheme gives, generated natively."
    print "func allKnownVersions() VersionSet {"
    print "\treturn VersionSet{"
    print list
    print "\t}"
    print "}"
    skip = 1; next
  }
  skip && /^}$/ { skip = 0; next }
  skip { next }
  { print }
' "$f" > "$f.new"
mv "$f.new" "$f"
grep -q '"k8s.io/client-go/' "$f" && die "$f still imports client-go"

# 3. lookup
f=$dir/pkg/engine/lookup_func.go
grep -q 'func NewLookupFunction(config \*rest.Config) lookupFunc' "$f" || die "$f changed upstream"
cat > "$f" <<'GO'
package engine

// Trimmed by fluxhelm (helm-wasm/trim/trim.sh): no cluster client. `lookup`
// finds nothing, as it does in a client-only `helm template`.

type restConfig struct{}

type lookupFunc = func(apiversion string, resource string, namespace string, name string) (map[string]any, error)

// NewLookupFunction returns a lookup that finds nothing.
func NewLookupFunction(config *restConfig) lookupFunc { //nolint:revive
	return newLookupFunction(clientProviderFromConfig{config: config})
}

// ClientProvider is kept for the engine's API; nothing implements a cluster.
type ClientProvider interface {
	GetClientFor(apiVersion, kind string) (any, bool, error)
}

type clientProviderFromConfig struct {
	config *restConfig
}

func (c clientProviderFromConfig) GetClientFor(_, _ string) (any, bool, error) {
	return nil, false, nil
}

func newLookupFunction(_ ClientProvider) lookupFunc {
	return func(_ string, _ string, _ string, _ string) (map[string]any, error) {
		return map[string]any{}, nil
	}
}
GO
f=$dir/pkg/engine/engine.go
grep -q '"k8s.io/client-go/rest"' "$f" || die "$f changed upstream"
sed -i -e '/"k8s.io\/client-go\/rest"/d' -e 's/\*rest\.Config/*restConfig/g' "$f"
echo "trim: patched $dir (client-go $clientgo, $(wc -l < "$apis") API versions)" >&2
