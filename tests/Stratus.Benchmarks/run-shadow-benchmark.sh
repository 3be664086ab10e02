#!/usr/bin/env bash
# What a shadow experiment costs the callers: the runner with a shadow experiment on breast-cancer (every call run
# again by v2, off the response path) against the same runner without one, in alternating rounds on 127.0.0.1.
# Prints markdown for docs/benchmarks.md. Usage: tests/Stratus.Benchmarks/run-shadow-benchmark.sh [seconds]
SECONDS_PER_RUN=${1:-10}
source "$(dirname "$0")/bench-common.sh"

dotnet "$BIN" serve-stratus --url http://127.0.0.1:5081 --shadow >/tmp/stratus-shadow-on.log 2>&1 & ON=$!
dotnet "$BIN" serve-stratus --url http://127.0.0.1:5082 >/dev/null & OFF=$!
trap 'kill $ON $OFF 2>/dev/null || true' EXIT
wait_for http://127.0.0.1:5081/api/health
wait_for http://127.0.0.1:5082/api/health
table_header
dotnet "$BIN" compare-shadow --key bench-key --connections 16,64 --seconds "$SECONDS_PER_RUN" --pids "$OFF,$ON"
# What the shadow saw: its calls, agreement and how many calls its full queue dropped.
curl -s -H "x-functions-key: bench-key" http://127.0.0.1:5081/api/models/breast-cancer/experiments/shadow | grep -o '"shadow":{.*' | head -c 600; echo
