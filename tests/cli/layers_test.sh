#!/usr/bin/env bash
# tools/check-layers: passes on the tree as it is, and names each include that goes up a layer
# brings libtorch into the workbench, or hands a view the workspace, once one is planted in a copy.
set -euo pipefail
root=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$root/tools/check-layers" "$root" > /dev/null || fail "the tree breaks its layering: $("$root/tools/check-layers" "$root")"

copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r "$root/core" "$root/ui" "$copy/"
mkdir -p "$copy/app" && cp -r "$root/app/amalgam" "$copy/app/"
echo '#include "core/store/workspace.h"' >> "$copy/core/util/utf8.cpp"
echo '#include "core/eval/evaluation.h"' >> "$copy/ui/views/palette.h"
echo '#include "core/store/workspace.h"' >> "$copy/ui/models/run_table_model.cpp"
if "$root/tools/check-layers" "$copy" > "$copy/out"; then fail "planted includes passed"; fi
grep -q '^core/util/utf8.cpp includes core/store/: core/util may include only nothing else$' "$copy/out" || fail "$(cat "$copy/out")"
grep -q '^ui/views/palette.h includes core/eval/evaluation.h, which brings in libtorch' "$copy/out" || fail "$(cat "$copy/out")"
grep -q '^ui/models/run_table_model.cpp includes core/store/workspace.h: views read the workspace through the document' "$copy/out" || fail "$(cat "$copy/out")"
[ "$(wc -l < "$copy/out")" -eq 3 ] || fail "more than the planted includes: $(cat "$copy/out")"
echo "layers: checked"
