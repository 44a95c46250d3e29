#!/usr/bin/env bash
# Makes a writable copy of Helm's engine (pkg/engine/engine.go) keep the
# parsed templates of the last few charts between renders. Helm's render
# builds a new text/template set and parses every template of the chart on
# each call: for app-template that is about 40% of a render, paid again for
# every edit the editor renders and for the base and head sides of a diff.
# After the patch, render() asks parsedTemplates (a file of our own added to
# the package) for the set: a kept set is reused when the strict flag and every
# template's name and text, in parse order, are equal to the ones it was parsed
# from (compared as strings: a SHA-256 of the texts cost app-template about
# 12 ms per render in V8's baseline tier, the comparison well under 1 ms, and
# it cannot collide); a hit is a Clone() of the
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

import "text/template"

type parsedSet struct {
	strict bool
	names  []string
	texts  []string
	t      *template.Template
}

// same reports whether the set was parsed from exactly these templates, in
// this order (a plain comparison: cheaper than hashing every text, and exact).
func (s *parsedSet) same(strict bool, tpls map[string]renderable, keys []string) bool {
	if s.strict != strict || len(s.names) != len(keys) {
		return false
	}
	for i, name := range keys {
		if s.names[i] != name || s.texts[i] != tpls[name].tpl {
			return false
		}
	}
	return true
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
	var kept *template.Template
	for i, s := range parsedSets {
		if s.same(e.Strict, tpls, keys) {
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
		set := parsedSet{strict: e.Strict, names: make([]string, len(keys)), texts: make([]string, len(keys)), t: t}
		for i, name := range keys {
			set.names[i] = name
			set.texts[i] = tpls[name].tpl
		}
		parsedSets = append(parsedSets, set)
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
