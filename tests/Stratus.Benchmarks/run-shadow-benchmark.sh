#!/usr/bin/env bash
# What a shadow experiment costs the callers: the runner with a shadow experiment on breast-cancer (every call run
# again by v2, off the response path) against the same runner without one, in alternating rounds on 127.0.0.1.
# Prints markdown for docs/benchmarks.md. Usage: tests/Stratus.Benchmarks/run-shadow-benchmark.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
dotnet build -c Release tests/Stratus.Benchmarks --nologo -v q >/dev/null
BIN=tests/Stratus.Benchmarks/bin/Release/net10.0/Stratus.Benchmarks.dll

wait_for() { for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }

dotnet "$BIN" serve-stratus --url http://127.0.0.1:5081 --shadow >/tmp/stratus-shadow-on.log 2>&1 & ON=$!
dotnet "$BIN" serve-stratus --url http://127.0.0.1:5082 >/dev/null & OFF=$!
trap 'kill $ON $OFF 2>/dev/null || true' EXIT
wait_for http://127.0.0.1:5081/api/health
wait_for http://127.0.0.1:5082/api/health
echo "| what | concurrency | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|"
dotnet "$BIN" compare-shadow --key bench-key --connections 16,64 --seconds "$SECONDS_PER_RUN" --pids "$OFF,$ON"
# What the shadow saw: its calls, agreement and how many calls its full queue dropped.
curl -s -H "x-functions-key: bench-key" http://127.0.0.1:5081/api/models/breast-cancer/experiments/shadow | grep -o '"shadow":{.*' | head -c 600; echo
