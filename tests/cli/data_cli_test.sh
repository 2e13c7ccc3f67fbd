#!/usr/bin/env bash
# amalgam-cli data get / check / path against a local mirror (no network): the public
# datasets beside the project, as the tests find them. Skips (77) when there are none.
set -euo pipefail
cli=$1
src=$2
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mirror=""
tried=""
for dir in ${AMALGAM_DATA:-} "$src/../shared/data" "${XDG_DATA_HOME:-$HOME/.local/share}/Amalgam/data"; do
  tried="$tried $dir"
  if [ -d "$dir/winobias" ]; then mirror=$dir; break; fi
done
[ -n "$mirror" ] || { echo "the public datasets are not present (looked in$tried); amalgam-cli data get fetches them"; exit 77; }

# A fresh folder fills from the mirror, every file checked.
"$cli" data get --from "$mirror" --to "$work/data" > "$work/get.log"
grep -q '^50 fetched (13.9 MiB), 0 already present, 0 failed$' "$work/get.log" || fail "first get: $(cat "$work/get.log")"
"$cli" data check "$work/data" | grep -q ': all 50 files match their checksums$' || fail "check after get"
[ -z "$(find "$work/data" -name '*.tmp.*')" ] || fail "temporary files left behind"

# Again, through libcurl from a file:// URL: nothing to do.
"$cli" data get --from "file://$(cd "$mirror" && pwd)" --to "$work/data" | grep -q '^0 fetched (0 B), 50 already present, 0 failed$' || fail "second get"

# A mirror with a damaged file and a missing one: the other files still come, the damaged
# one is refused by its checksum and never written.
cp -r "$mirror" "$work/bad" && chmod -R u+w "$work/bad"
echo >> "$work/bad/winogender/templates.tsv"
rm "$work/bad/oasst1/laion-en_100_tree.jsonl"
rm "$work/data/winogender/templates.tsv" "$work/data/oasst1/laion-en_100_tree.jsonl" "$work/data/winobias/LICENSE"
echo "changed" > "$work/data/winogrande/dev.jsonl"
set +e
"$cli" data get --from "$work/bad" --to "$work/data" > "$work/bad.log" 2> "$work/bad.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "a damaged mirror must fail: rc $rc"
grep -q '^2 fetched (.*), 46 already present, 2 failed$' "$work/bad.log" || fail "damaged mirror: $(cat "$work/bad.log")"
grep -q 'winogender/templates.tsv: expected 14903 bytes, got 14904' "$work/bad.err" || fail "checksum message: $(cat "$work/bad.err")"
grep -q 'oasst1/laion-en_100_tree.jsonl: cannot open' "$work/bad.err" || fail "missing-file message: $(cat "$work/bad.err")"
[ ! -e "$work/data/winogender/templates.tsv" ] || fail "a file that failed its checksum was written"
# Through libcurl, a source that sends more than the manifest lists is cut off.
set +e
"$cli" data get --from "file://$work/bad" --to "$work/data" > /dev/null 2> "$work/url.err"
set -e
grep -q 'winogender/templates.tsv: the source sends more than the 14903 bytes listed' "$work/url.err" || fail "oversized: $(cat "$work/url.err")"
cmp -s "$mirror/winogrande/dev.jsonl" "$work/data/winogrande/dev.jsonl" || fail "a changed file was not replaced"
set +e
"$cli" data check "$work/data" 2> "$work/check.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "check of an incomplete folder: rc $rc"
grep -q '2 of 50 files are missing or do not match' "$work/check.err" || fail "check: $(cat "$work/check.err")"

# A host that cannot be reached stops the fetch at once, with the way out.
set +e
"$cli" data get --from http://127.0.0.1:9/ --to "$work/data" > "$work/net.log" 2> "$work/net.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "unreachable mirror: rc $rc"
grep -q '0 fetched (0 B), 48 already present, 0 failed, 2 not tried' "$work/net.log" || fail "unreachable: $(cat "$work/net.log")"
grep -q 'pass it with --from' "$work/net.err" || fail "unreachable message: $(cat "$work/net.err")"

# The default folder: $AMALGAM_DATA, used by recipes' ${data} when --data is left out.
[ "$(AMALGAM_DATA="$work/data" "$cli" data path)" = "$work/data" ] || fail "data path"
cat > "$work/recipe.yaml" <<'YAML'
datasets:
  - path: ${data}/winogrande/train_xs.jsonl
curate:
  clusters: 2
  fraction: 0.5
YAML
"$cli" data get --from "$mirror" --to "$work/data" > /dev/null
AMALGAM_DATA="$work/data" "$cli" curate "$work/recipe.yaml" --out "$work/out" > "$work/curate.log" || fail "curate with the default data folder: $(cat "$work/curate.log")"
set +e
AMALGAM_DATA="$work/none" "$cli" curate "$work/recipe.yaml" --out "$work/out2" 2> "$work/curate.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "a missing data folder: rc $rc"
grep -q 'amalgam-cli data get' "$work/curate.err" || fail "no hint for a missing data folder: $(cat "$work/curate.err")"
echo "data get, check and path: ok"
