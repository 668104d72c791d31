#!/usr/bin/env bash
# Runs every libFuzzer target of build/fuzz for SECONDS each (default 10),
# from its committed seed corpus (tests/fuzz/corpus/<target>), and prints
# executions and coverage per target. A crash stops the run: its input is
# copied to the current directory, to become a regression test.
#   cmake --preset fuzz && cmake --build --preset fuzz && tests/fuzz/run_fuzzers.sh 10
set -euo pipefail
seconds=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
build=${DYNCREDS_FUZZ_BUILD:-$here/../../build/fuzz/tests/fuzz}
work=$(mktemp -d -t dyncreds-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '%-20s %12s %10s %8s\n' target executions exec/s coverage
for binary in "$build"/fuzz_*; do
  target=$(basename "$binary"); target=${target#fuzz_}
  corpus="$work/$target"; mkdir -p "$corpus"
  cp "$here/corpus/$target"/* "$corpus"/ 2>/dev/null || true
  log="$work/$target.log"
  if ! (cd "$work" && "$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1); then
    echo "fuzz_$target FAILED; its log and crash input:" >&2
    tail -40 "$log" >&2
    # The input that failed is kept here (the working directory goes).
    cp "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-* . 2>/dev/null || true
    ls crash-* timeout-* leak-* oom-* 2>/dev/null >&2 || true
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-20s %12s %10s %8s\n' "$target" "$runs" "$rate" "${cov:-?}"
done
