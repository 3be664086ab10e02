#!/usr/bin/env bash
# The cost of monitoring on the predict path: the runner with monitoring on (every row recorded into the sketches of
# a version with a reference, and every prediction logged for feedback) against the same runner with it off, in
# alternating rounds on 127.0.0.1; then the memory one monitored version holds. Prints markdown for docs/benchmarks.md.
# Usage: tests/Stratus.Benchmarks/run-monitoring-benchmark.sh [seconds]
SECONDS_PER_RUN=${1:-10}
source "$(dirname "$0")/bench-common.sh"

dotnet "$BIN" serve-stratus --url http://127.0.0.1:5081 >/tmp/stratus-monitoring-on.log 2>&1 & ON=$!
dotnet "$BIN" serve-stratus --url http://127.0.0.1:5082 --monitoring off >/dev/null & OFF=$!
trap 'kill $ON $OFF 2>/dev/null || true' EXIT
wait_for http://127.0.0.1:5081/api/health
wait_for http://127.0.0.1:5082/api/health
table_header
dotnet "$BIN" compare-monitoring --key bench-key --connections 16,64 --seconds "$SECONDS_PER_RUN" --pids "$OFF,$ON"
kill $ON $OFF 2>/dev/null || true
wait 2>/dev/null || true
dotnet "$BIN" monitoring-memory
# Rows the prediction log had to drop during the run (0 means every served row was logged):
echo "prediction log rows dropped: $(grep -o '[0-9]* prediction log rows were dropped' /tmp/stratus-monitoring-on.log | awk '{s+=$1} END {print s+0}')"
