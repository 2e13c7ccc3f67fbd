# Sourced by the CLI tests: checks that a code block of the README or of docs/ is what a
# command printed, so the documentation cannot drift from the program. In a block, a line "..." stands for lines left
# out, and a line ending in " ... |" for the rest of a table row: its beginning must begin a
# printed line. Every other line must be printed as it is.

# The lines of the first code block after the line holding $1, in the README or a page of docs/.
readme_block() {
  awk -v start="$1" 'index($0, start) && !found {found = 1; next}
                     found && /^```/ {if (inside) exit; inside = 1; next}
                     inside' "$README" "$(dirname "$README")"/docs/*.md
}

# check_readme_block START OUTPUT_FILE
check_readme_block() {
  local start=$1 output=$2 line prefix count=0
  while IFS= read -r line; do
    [ -z "$line" ] || [ "$line" = "..." ] && continue
    count=$((count + 1))
    prefix=${line% ... |}
    if [ "$prefix" != "$line" ]; then
      awk -v p="$prefix" 'index($0, p) == 1 {found = 1} END {exit !found}' "$output" ||
        fail "README block after '$start': no printed line begins with: $prefix"
    else
      grep -qxF -- "$line" "$output" || fail "README block after '$start': not printed: $line"
    fi
  done < <(readme_block "$start")
  [ $count -gt 0 ] || fail "README and docs/: no code block after '$start'"
}
