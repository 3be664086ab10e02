#!/usr/bin/env bash
# Measures POST predict for the breast-cancer demo model (30 features, one row per request) on 127.0.0.1:
# raw ONNX Runtime (the limit), a minimal ASP.NET Core endpoint over the same session, and Stratus' predict.
# Prints markdown rows for docs/benchmarks.md. Usage: tests/Stratus.Benchmarks/run-predict-benchmark.sh [seconds]
SECONDS_PER_RUN=${1:-10}
source "$(dirname "$0")/bench-common.sh"

table_header
dotnet "$BIN" raw --seconds "$SECONDS_PER_RUN"

dotnet "$BIN" serve-minimal --url http://127.0.0.1:5080 >/dev/null & MIN=$!
dotnet "$BIN" serve-stratus --url http://127.0.0.1:5081 >/dev/null & STR=$!
trap 'kill $MIN $STR 2>/dev/null || true' EXIT
wait_for http://127.0.0.1:5080/
wait_for http://127.0.0.1:5081/api/health
dotnet "$BIN" compare --key bench-key --seconds "$SECONDS_PER_RUN"
