#!/usr/bin/env bash
# Makes a writable copy of github.com/santhosh-tekuri/jsonschema/v6 (the
# values.schema.json validator Helm uses) compile its draft metaschemas on
# first use instead of in init(): the package's init compiles all five
# drafts and their vocabularies, about half of Go's runtime init in the wasm
# build (some 100 ms per engine start), paid even for charts without a
# values.schema.json. After the patch, the first NewCompiler() compiles them,
# in the same order and with the same settings as init() did; every schema
# is compiled through a Compiler, so nothing sees them missing.
# Only v6.0.2 was checked; the script stops when draft.go or compiler.go does
# not look as expected.
# Usage: jsonschema-lazy.sh JSONSCHEMA_COPY_DIR
set -euo pipefail
dir=$1
die() { echo "jsonschema-lazy: ERROR: $*" >&2; exit 1; }

f=$dir/draft.go
[[ $(grep -c '^func init() {$' "$f") == 1 ]] || die "$f changed upstream (init)"
grep -q '^	c := NewCompiler()$' "$f" || die "$f changed upstream (init body)"
sed -i 's/^func init() {$/\/\/ draftsReady: the metaschemas are compiled (or being compiled); patched by fluxhelm.\nvar draftsReady bool\n\n\/\/ ensureDrafts compiles the draft metaschemas once, on first use (was init).\nfunc ensureDrafts() {\n\tif draftsReady {\n\t\treturn\n\t}\n\tdraftsReady = true/' "$f"

f=$dir/compiler.go
[[ $(grep -c '^func NewCompiler() \*Compiler {$' "$f") == 1 ]] || die "$f changed upstream (NewCompiler)"
sed -i 's/^func NewCompiler() \*Compiler {$/func NewCompiler() *Compiler {\n\tensureDrafts()/' "$f"
echo "jsonschema-lazy: patched $dir" >&2
