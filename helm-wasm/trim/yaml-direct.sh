#!/usr/bin/env bash
# Makes a writable copy of Helm's engine (pkg/engine/funcs.go) skip the JSON
# text in the middle of its toYaml and fromYaml template functions for the
# plain values templates work with. Helm's toYaml is sigs.k8s.io/yaml's
# Marshal: json.Marshal, then go.yaml.in/yaml/v2 parses that JSON back into
# generic values and prints them as YAML. Its fromYaml goes the other way:
# yaml/v2 parses the text, the result is converted to JSON-able values,
# written as JSON and read back by encoding/json. In a render of app-template
# (whose library chart calls the two some 260 times) these detours were about
# a fifth of the time.
#
# After the patch, toYAML and fromYAML first try yamlDirect.go (a file of our
# own added to the package): it builds in memory the same values the JSON
# round trip would give (integral float64 below 2^53 as int, maps and lists copied, nil
# maps and lists as null) and hands them to yaml/v2 directly; fromYaml gets
# yaml/v2's result with float64 numbers and string-keyed maps, as
# encoding/json would have produced them. Anything else (other Go types,
# non-string keys, NaN or infinite floats, integral floats from 2^53 on, strings that
# are not valid UTF-8 or hold characters yaml/v2 refuses to read back, a
# nesting deeper than 200) is left to Helm's own code unchanged, so its output
# and error texts stay Helm's. The render differential tests compare the
# result byte for byte with native helm (test/differential/helm-yaml-funcs.test.ts).
# Only Helm v4.2.x was checked; the script stops when the functions do not
# look as expected.
# Usage: yaml-direct.sh HELM_COPY_DIR
set -euo pipefail
dir=$1
die() { echo "yaml-direct: ERROR: $*" >&2; exit 1; }
f=$dir/pkg/engine/funcs.go
[[ -f $f ]] || die "$f not found"
[[ $(grep -c '^func toYAML(v any) string {$' "$f") == 1 ]] || die "$f changed upstream (toYAML)"
[[ $(grep -c '^func fromYAML(str string) map\[string\]any {$' "$f") == 1 ]] || die "$f changed upstream (fromYAML)"
[[ $(grep -c '^	data, err := yaml.Marshal(v)$' "$f") -ge 1 ]] || die "$f changed upstream (yaml.Marshal)"
[[ $(grep -c '^	if err := yaml.Unmarshal(\[\]byte(str), &m); err != nil {$' "$f") -ge 1 ]] || die "$f changed upstream (yaml.Unmarshal)"
grep -q '"sigs.k8s.io/yaml"$' "$f" || die "$f no longer uses sigs.k8s.io/yaml"

awk '
  /^func toYAML\(v any\) string \{$/ {
    print
    print "\t// Patched by fluxhelm (helm-wasm/trim/yaml-direct.sh): plain values skip the JSON text."
    print "\tif s, ok := toYAMLDirect(v); ok {"
    print "\t\treturn s"
    print "\t}"
    next
  }
  /^func fromYAML\(str string\) map\[string\]any \{$/ {
    print
    print "\t// Patched by fluxhelm (helm-wasm/trim/yaml-direct.sh): plain documents skip the JSON text."
    print "\tif m, ok := fromYAMLDirect(str); ok {"
    print "\t\treturn m"
    print "\t}"
    next
  }
  { print }
' "$f" > "$f.new"
[[ $(grep -c 'toYAMLDirect(v); ok' "$f.new") == 1 && $(grep -c 'fromYAMLDirect(str); ok' "$f.new") == 1 ]] || die "patch of funcs.go failed"
mv "$f.new" "$f"

cat > "$dir/pkg/engine/yaml_direct.go" <<'GO'
package engine

// Added by fluxhelm (helm-wasm/trim/yaml-direct.sh): toYaml and fromYaml
// without the JSON text sigs.k8s.io/yaml writes and reads in between, for
// values whose JSON round trip is known exactly. Whatever is not handled
// here answers ok=false and goes through Helm's own code.

import (
	"math"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"

	"helm.sh/helm/v4/pkg/chart/common"
)

// Deeper values go the slow way (encoding/json finds cycles there).
const directMaxDepth = 200

// readableBack: whether yaml/v2 reads s back unchanged inside a JSON string
// as encoding/json writes it. encoding/json escapes control characters below
// 0x20 (and U+2028/U+2029) but writes DEL, the C1 controls and U+FFFE/U+FFFF
// as they are: yaml/v2 refuses those (Helm's toYaml then answers ""), and it
// reads U+0085 as a line break. A byte order mark is left to the slow path too.
func readableBack(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x7f {
			return readableRunes(s)
		}
	}
	return true
}

func readableRunes(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r < 0x7f:
		case r >= 0xa0 && r <= 0xd7ff:
		case r >= 0xe000 && r <= 0xfffd && r != 0xfeff:
		case r >= 0x10000 && r <= 0x10ffff:
		default:
			return false
		}
	}
	return true
}

// asReadBack gives v as yaml/v2 reads back the JSON text of v: integral
// numbers become int, other numbers stay float64, nil maps and lists become
// null, maps and lists are copied.
func asReadBack(v any, depth int) (any, bool) {
	if depth > directMaxDepth {
		return nil, false
	}
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return x, readableBack(x)
	case bool:
		return x, true
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		if x == math.Trunc(x) {
			// encoding/json writes the shortest digits that read back as x,
			// without a point below 1e21, and yaml/v2 reads digits that fit in
			// 64 bits as an int. Below 2^53 those digits are x exactly; above,
			// they are padded with zeros and may read as another integer, or
			// as a float64: left to the slow path.
			if x > -(1<<53) && x < (1<<53) {
				return int(int64(x)), true
			}
			return nil, false
		}
		return x, true
	case map[string]any:
		return mapReadBack(x, depth)
	case common.Values:
		return mapReadBack(x, depth)
	case []any:
		if x == nil {
			return nil, true
		}
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := asReadBack(e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

func mapReadBack(m map[string]any, depth int) (any, bool) {
	if m == nil {
		return nil, true
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		// yaml/v2 stops looking for the ':' of a key after 1024 characters.
		if len(k) > 128 || !readableBack(k) {
			return nil, false
		}
		c, ok := asReadBack(e, depth+1)
		if !ok {
			return nil, false
		}
		out[k] = c
	}
	return out, true
}

// toYAMLDirect is toYAML for values asReadBack handles.
func toYAMLDirect(v any) (string, bool) {
	c, ok := asReadBack(v, 0)
	if !ok {
		return "", false
	}
	data, err := yamlv2.Marshal(c)
	if err != nil {
		return "", false
	}
	return strings.TrimSuffix(string(data), "\n"), true
}

// asJSONRead gives a value yaml/v2 decoded as encoding/json reads the JSON
// text sigs.k8s.io/yaml would write for it: numbers as float64, maps with
// string keys.
func asJSONRead(v any, depth int) (any, bool) {
	if depth > directMaxDepth {
		return nil, false
	}
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return x, utf8.ValidString(x)
	case bool:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return x, true
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok || !utf8.ValidString(ks) {
				return nil, false
			}
			c, ok := asJSONRead(e, depth+1)
			if !ok {
				return nil, false
			}
			out[ks] = c
		}
		return out, true
	case []any:
		if x == nil {
			return nil, true
		}
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := asJSONRead(e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

// fromYAMLDirect is fromYAML for documents that are a mapping (or empty) of
// values asJSONRead handles.
func fromYAMLDirect(str string) (map[string]any, bool) {
	var doc any
	if err := yamlv2.Unmarshal([]byte(str), &doc); err != nil {
		return nil, false
	}
	if doc == nil {
		return map[string]any{}, true
	}
	if _, isMap := doc.(map[any]any); !isMap {
		return nil, false
	}
	m, ok := asJSONRead(doc, 0)
	if !ok {
		return nil, false
	}
	return m.(map[string]any), true
}
GO
echo "yaml-direct: patched $f" >&2
