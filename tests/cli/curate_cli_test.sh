#!/usr/bin/env bash
# End-to-end checks of `amalgam-cli curate`: the demo recipe, reproducibility, the workspace,
# and bad input reported with file:line, leaving no output behind.
set -euo pipefail
cli=$1
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The demo recipe twice, the second time through a workspace: identical bytes.
"$cli" curate "$src/resources/recipes/demo.yaml" --out "$work/a" > "$work/a.log"
grep -q '^total' "$work/a.log" || fail "no summary table"
README="$src/README.md"
source "$src/tests/cli/readme_blocks.sh"
check_readme_block "It curates and prints a table like this one:" "$work/a.log"
"$cli" curate "$src/resources/recipes/demo.yaml" --out "$work/b" --workspace "$work/ws.amalgam" > /dev/null
"$cli" curate "$src/resources/recipes/demo.yaml" --out "$work/c" --workspace "$work/ws.amalgam" > /dev/null
for f in train.jsonl unpaired.jsonl summary.json points.csv; do
  cmp -s "$work/a/$f" "$work/b/$f" || fail "$f differs between runs"
  cmp -s "$work/a/$f" "$work/c/$f" || fail "$f differs when read from the workspace"
done
[ "$(wc -l < "$work/a/points.csv")" -eq 91 ] || fail "points.csv should hold 90 pairs and a header"

# The same bytes on every x86-64 CPU: each SIMD level this one runs, and a baseline CPU as
# far as it can be played here (glibc's math without FMA, OpenBLAS's oldest kernels), give
# the same train.jsonl, summary.json and unpaired.jsonl as the recorded hashes in tests/golden (regenerate
# them only when the curation itself changes).
golden="$src/tests/golden/demo_curation.sha256"
[ "$(sha256sum < "$work/a/train.jsonl" | cut -d' ' -f1)" = "$(sed -n 1p "$golden" | cut -d' ' -f1)" ] ||
  fail "train.jsonl of the demo differs from $golden"
[ "$(grep -v '"path":' "$work/a/summary.json" | sha256sum | cut -d' ' -f1)" = "$(sed -n 2p "$golden" | cut -d' ' -f1)" ] ||
  fail "summary.json of the demo differs from $golden"
[ "$(sha256sum < "$work/a/unpaired.jsonl" | cut -d' ' -f1)" = "$(sed -n 3p "$golden" | cut -d' ' -f1)" ] ||
  fail "unpaired.jsonl of the demo differs from $golden"
for level in avx512 avx2 baseline emulated; do
  if [ $level = emulated ]; then
    set -- AMALGAM_SIMD=baseline GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F OPENBLAS_CORETYPE=Prescott
  else
    set -- AMALGAM_SIMD=$level
  fi
  if ! env "$@" "$cli" curate "$src/resources/recipes/demo.yaml" --out "$work/simd-$level" > /dev/null 2> "$work/simd.err"; then
    grep -q "this CPU runs at most" "$work/simd.err" || fail "AMALGAM_SIMD=$level: $(cat "$work/simd.err")"
    continue
  fi
  for f in train.jsonl unpaired.jsonl summary.json; do
    cmp -s "$work/a/$f" "$work/simd-$level/$f" || fail "$f differs at SIMD level $level"
  done
  # The 2D map comes from BLAS, whose kernels differ by CPU: its coordinates may differ in the last digits.
  paste -d, "$work/a/points.csv" "$work/simd-$level/points.csv" | awk -F, '
    NR > 1 { for (c = 1; c <= 7; c++) if (c != 4 && c != 5 && $c != $(c + 7)) bad = 1
             for (c = 4; c <= 5; c++) { d = $c - $(c + 7); if (d > 1e-5 || d < -1e-5) bad = 1 } }
    END { exit bad }' || fail "points.csv differs beyond its last digits at SIMD level $level"
done

# --fraction and --seed override the recipe.
"$cli" curate "$src/resources/recipes/demo.yaml" --out "$work/f" --fraction 1 --seed 3 > /dev/null
[ "$(wc -l < "$work/f/train.jsonl")" -eq 90 ] || fail "--fraction 1 must keep all 90 pairs"
grep -q '"seed": 3' "$work/f/summary.json" || fail "--seed not recorded"

# A malformed line: file:line and the reason, exit status 1, no output files.
mkdir -p "$work/bad"
cp "$src/resources/examples/pairwise.jsonl" "$work/bad/pw.jsonl"
printf '{"prompt": "p", "chosen": "a"}\n' >> "$work/bad/pw.jsonl"
printf 'datasets:\n  - path: pw.jsonl\ncurate:\n  clusters: 2\n' > "$work/bad/r.yaml"
set +e
"$cli" curate "$work/bad/r.yaml" --out "$work/bad/out" 2> "$work/bad.err"
status=$?
set -e
[ $status -eq 1 ] || fail "exit status $status for bad input"
grep -q "pw.jsonl:13: missing field 'rejected'" "$work/bad.err" || fail "message: $(cat "$work/bad.err")"
[ ! -e "$work/bad/out" ] || fail "output written despite the error"

# --skip-bad-lines goes on and says how many lines it passed over.
"$cli" curate "$work/bad/r.yaml" --out "$work/bad/out" --skip-bad-lines > "$work/skip.log"
grep -q "1 bad lines skipped" "$work/skip.log" || fail "skip count missing: $(cat "$work/skip.log")"
grep -q '"skipped_lines": 1' "$work/bad/out/summary.json" || fail "skip count not in summary.json"
# A transformer embedder: a random-weight BERT encoder made by model init.
"$cli" model init --arch bert --preset tiny --out "$work/encoder" > /dev/null
sed -e 's|  embedder: hashing|  embedder: minilm\n  model: '"$work/encoder"'|' "$src/resources/recipes/demo.yaml" > "$work/minilm.yaml"
sed -i "s|path: ../examples/|path: $src/resources/examples/|" "$work/minilm.yaml"
"$cli" curate "$work/minilm.yaml" --out "$work/m" > "$work/m.log"
grep -q "embedder minilm" "$work/m.log" || fail "minilm embedder: $(cat "$work/m.log")"
[ "$(wc -l < "$work/m/points.csv")" -eq 91 ] || fail "minilm curation lost pairs"
echo "curate CLI checks passed"
