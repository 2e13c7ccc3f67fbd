#!/usr/bin/env bash
# amalgam --demo --headless: the demo's whole work without a window, then the comparison.
set -euo pipefail
amalgam=$1
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$amalgam" --demo --headless --demo-dir "$work/demo" > "$work/out.txt" 2> "$work/err.txt" || fail "exit status $?: $(cat "$work/err.txt")"
[ "$(grep -c '^finished ' "$work/out.txt")" -eq 14 ] || fail "14 finished jobs expected: $(cat "$work/out.txt")"
for row in tiny-gpt2 tiny-llama sft-1 ppo-3 dpo-4 kto-5; do
  grep -q "^| $row | [0-9*]" "$work/out.txt" || fail "no $row row: $(cat "$work/out.txt")"
done
grep -q '^Difference from tiny-llama' "$work/out.txt" || fail "no differences: $(cat "$work/out.txt")"
README="$src/README.md"
source "$src/tests/cli/readme_blocks.sh"
check_readme_block "as the baseline:" "$work/out.txt"
[ -s "$work/demo/dtrain/train.jsonl" ] || fail "D_train not exported"

# Reopened, the demo is as it was left: nothing runs again.
"$amalgam" --demo --headless --demo-dir "$work/demo" > "$work/again.txt" 2> "$work/err.txt" || fail "reopened: $(cat "$work/err.txt")"
! grep -q '^finished ' "$work/again.txt" || fail "jobs ran again: $(cat "$work/again.txt")"
grep -q '^| ppo-3 | ' "$work/again.txt" || fail "reopened comparison: $(cat "$work/again.txt")"

set +e
"$amalgam" --headless > /dev/null 2> "$work/err.txt"
[ $? -eq 2 ] && grep -q -- '--headless goes with --demo' "$work/err.txt" || fail "--headless alone: $(cat "$work/err.txt")"
