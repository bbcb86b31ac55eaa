#!/usr/bin/env bash
# Runs each fuzz target for RUNS executions (default 1,000,000), one after
# another, and keeps libFuzzer's summary of each in logs/TARGET.log.
# Usage: fuzz/run.sh [RUNS] [TARGET...]   (FUZZING.md has the figures)
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(money time names wire filter config database session)
mkdir -p logs
for t in "${targets[@]}"; do
  max_len=4096
  [ "$t" = database ] && max_len=65536
  [ "$t" = config ] && max_len=16384
  echo "== $t: $runs runs"
  cargo +nightly fuzz run -O -s none "$t" -- -runs="$runs" -max_len="$max_len" -print_final_stats=1 \
    > "logs/$t.log" 2>&1 || { echo "$t FAILED: see fuzz/logs/$t.log"; exit 1; }
  grep -E "stat::number_of_executed_units|cov:|Done" "logs/$t.log" | tail -3
done
