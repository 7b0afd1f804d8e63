#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a fixed time each.
#   scripts/fuzz.sh [DURATION]   (default 30s; make fuzz FUZZTIME=5m)
# New interesting inputs land in each package's testdata/fuzz/<Target>/ and are
# replayed as seeds by `go test` (and so by CI).
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-30s}
total=0
while IFS= read -r line; do
  file=${line%%:*}
  target=$(sed -E 's/.*func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"$line")
  pkg=./$(dirname "${file#./}")
  echo "== $pkg $target ($dur)"
  start=$(date +%s)
  go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" 2>&1 | grep -E 'fuzz: elapsed|PASS|FAIL|ok|panic|Failing input' | tail -3
  total=$((total + $(date +%s) - start))
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . | grep -v node_modules | sort)
echo "fuzzing done in ${total}s"
