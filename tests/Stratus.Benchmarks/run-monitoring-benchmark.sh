#!/usr/bin/env bash
# The cost of monitoring on the predict path: the runner with monitoring on (every row recorded into the sketches of
# a version with a reference, and every prediction logged for feedback) against the same runner with it off, in
# alternating rounds on 127.0.0.1; then the memory one monitored version holds. Prints markdown for docs/benchmarks.md.
# Usage: tests/Stratus.Benchmarks/run-monitoring-benchmark.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
dotnet build -c Release tests/Stratus.Benchmarks --nologo -v q >/dev/null
BIN=tests/Stratus.Benchmarks/bin/Release/net10.0/Stratus.Benchmarks.dll

wait_for() { for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }

dotnet "$BIN" serve-stratus --url http://127.0.0.1:5081 >/tmp/stratus-monitoring-on.log 2>&1 & ON=$!
dotnet "$BIN" serve-stratus --url http://127.0.0.1:5082 --monitoring off >/dev/null & OFF=$!
trap 'kill $ON $OFF 2>/dev/null || true' EXIT
wait_for http://127.0.0.1:5081/api/health
wait_for http://127.0.0.1:5082/api/health
echo "| what | concurrency | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|"
dotnet "$BIN" compare-monitoring --key bench-key --connections 16,64 --seconds "$SECONDS_PER_RUN" --pids "$OFF,$ON"
kill $ON $OFF 2>/dev/null || true
wait 2>/dev/null || true
dotnet "$BIN" monitoring-memory
# Rows the prediction log had to drop during the run (0 means every served row was logged):
echo "prediction log rows dropped: $(grep -o '[0-9]* prediction log rows were dropped' /tmp/stratus-monitoring-on.log | awk '{s+=$1} END {print s+0}')"
