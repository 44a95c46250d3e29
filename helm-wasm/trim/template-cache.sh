#!/usr/bin/env bash
# Makes a writable copy of Helm's engine (pkg/engine/engine.go) keep the
# parsed templates of the last few charts between renders. Helm's render
# builds a new text/template set and parses every template of the chart on
# each call: for app-template that is about 40% of a render, paid again for
# every edit the editor renders and for the base and head sides of a diff.
# After the patch, render() asks parsedTemplates (a file of our own added to
# the package) for the set: it is keyed by a SHA-256 of the strict flag and of
# every template's name and text in parse order; a hit is a Clone() of the
# kept set (the parse trees are shared and never changed by execution) with
# the missingkey option and Helm's function map set again, so include, tpl
# and required close over the clone as they would over a fresh set. A parse
# error is returned as before and nothing is kept.
# Only Helm v4.2.x was checked; the script stops when render() does not look
# as expected.
# Usage: template-cache.sh HELM_COPY_DIR
set -euo pipefail
dir=$1
die() { echo "template-cache: ERROR: $*" >&2; exit 1; }
f=$dir/pkg/engine/engine.go
[[ -f $f ]] || die "$f not found"
[[ $(grep -c '^	t := template.New("gotpl")$' "$f") == 1 ]] || die "$f changed upstream (template.New)"
[[ $(grep -c '^		if _, err := t.New(filename).Parse(r.tpl); err != nil {$' "$f") == 1 ]] || die "$f changed upstream (Parse)"
[[ $(grep -c '^	keys := sortTemplates(tpls)$' "$f") == 1 ]] || die "$f changed upstream (sortTemplates)"

# In render(): from `t := template.New("gotpl")` to the end of the parse loop becomes one call.
awk '
  /^func \(e Engine\) render\(tpls map\[string\]renderable\)/ { inrender = 1 }
  inrender && /^\tt := template.New\("gotpl"\)$/ { skipping = 1; next }
  skipping && /^\tkeys := sortTemplates\(tpls\)$/ {
    print "\t// Patched by fluxhelm (helm-wasm/trim/template-cache.sh): the parsed set is kept per chart."
    print "\tkeys := sortTemplates(tpls)"
    print "\tt, err := e.parsedTemplates(tpls, keys)"
    print "\tif err != nil {"
    print "\t\treturn map[string]string{}, err"
    print "\t}"
    inloop = 1; next
  }
  skipping && inloop && /^\tfor _, filename := range keys \{$/ && !loopdone { inparse = 1; next }
  inparse { if (/^\t}$/) { inparse = 0; loopdone = 1; skipping = 0; inrender = 0 } ; next }
  skipping { next }
  { print }
' "$f" > "$f.new"
grep -q 'e.parsedTemplates(tpls, keys)' "$f.new" || die "patch of render() failed"
grep -q 't.New(filename).Parse(r.tpl)' "$f.new" && die "the parse loop is still in render()"
mv "$f.new" "$f"

cat > "$dir/pkg/engine/parse_cache.go" <<'GO'
package engine

// Added by fluxhelm (helm-wasm/trim/template-cache.sh): the parsed template
// sets of the last few charts, so that rendering the same templates again
// (another values edit, the other side of a diff) does not parse them again.

import (
	"crypto/sha256"
	"encoding/binary"
	"text/template"
)

type parsedSet struct {
	key [sha256.Size]byte
	t   *template.Template
}

// parsedSets holds the most recently used set last.
var parsedSets []parsedSet

const maxParsedSets = 4

func setMissingKey(t *template.Template, strict bool) {
	if strict {
		t.Option("missingkey=error")
	} else {
		t.Option("missingkey=zero")
	}
}

// parsedTemplates gives a template set with every template of tpls parsed in
// the order of keys, ready to execute: a clone of a kept set when the same
// texts were parsed before, else a new parse (kept when it succeeds).
func (e Engine) parsedTemplates(tpls map[string]renderable, keys []string) (*template.Template, error) {
	h := sha256.New()
	var n [8]byte
	if e.Strict {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	for _, name := range keys {
		tpl := tpls[name].tpl
		binary.LittleEndian.PutUint64(n[:], uint64(len(name)))
		h.Write(n[:])
		h.Write([]byte(name))
		binary.LittleEndian.PutUint64(n[:], uint64(len(tpl)))
		h.Write(n[:])
		h.Write([]byte(tpl))
	}
	var key [sha256.Size]byte
	copy(key[:], h.Sum(nil))

	var kept *template.Template
	for i, s := range parsedSets {
		if s.key == key {
			kept = s.t
			parsedSets = append(append(parsedSets[:i:i], parsedSets[i+1:]...), s)
			break
		}
	}
	if kept == nil {
		t := template.New("gotpl")
		setMissingKey(t, e.Strict)
		e.initFunMap(t)
		for _, filename := range keys {
			if _, err := t.New(filename).Parse(tpls[filename].tpl); err != nil {
				return nil, cleanupParseError(filename, err)
			}
		}
		parsedSets = append(parsedSets, parsedSet{key: key, t: t})
		if len(parsedSets) > maxParsedSets {
			parsedSets = parsedSets[1:]
		}
		kept = t
	}
	t, err := kept.Clone()
	if err != nil {
		return nil, err
	}
	// Clone drops the missingkey option (golang/go#43022); the functions close over the clone.
	setMissingKey(t, e.Strict)
	e.initFunMap(t)
	return t, nil
}
GO
echo "template-cache: patched $f" >&2
