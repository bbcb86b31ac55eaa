#!/usr/bin/env bash
# Runs each fuzz target for RUNS executions (default 1,000,000), one after
# another, and keeps libFuzzer's summary of each in logs/TARGET.log.
# Usage: fuzz/run.sh [RUNS] [TARGET...]   (FUZZING.md has the figures)
# Temporary files (the database and session targets write a household file
# for every input) go to tmpfs, /dev/shm, when there is one; MAX_TIME
# (seconds, default none) stops a run that is too slow to reach RUNS.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(money time names wire filter config database session)
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && export TMPDIR=/dev/shm
limit=()
[ -n "${MAX_TIME:-}" ] && limit=(-max_total_time="$MAX_TIME")
mkdir -p logs
for t in "${targets[@]}"; do
  max_len=4096
  [ "$t" = database ] && max_len=65536
  [ "$t" = config ] && max_len=16384
  echo "== $t: $runs runs"
  cargo +nightly fuzz run -O -s none "$t" -- -runs="$runs" -max_len="$max_len" "${limit[@]}" -print_final_stats=1 \
    > "logs/$t.log" 2>&1 || { echo "$t FAILED: see fuzz/logs/$t.log"; exit 1; }
  grep -E "stat::number_of_executed_units|cov:|Done" "logs/$t.log" | tail -3
done
