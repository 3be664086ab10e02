# Sourced by the run-*-benchmark.sh scripts: from the repository root, builds the harness in Release and defines
# BIN (the harness), wait_for (an address answers) and table_header (the markdown table the harness fills).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dotnet build -c Release tests/Stratus.Benchmarks --nologo -v q >/dev/null
BIN=tests/Stratus.Benchmarks/bin/Release/net10.0/Stratus.Benchmarks.dll

# Until the address answers 2xx (readiness answers 503 while the runner starts).
wait_ready() { for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done; echo "not ready: $1" >&2; return 1; }

wait_for() { for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }

# A wrk script that POSTs one breast-cancer row (the dataset's first) to predict with the Quickstart's function key;
# prints its path.
predict_lua() {
  local row lua
  row=$(sed -n 2p samples/data/breast_cancer.csv | cut -d, -f1-30)
  lua=$(mktemp --suffix .lua)
  cat >"$lua" <<EOF
wrk.method = "POST"
wrk.body = '{"instances":[[${row}]]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-functions-key"] = "local-function-key"
EOF
  echo "$lua"
}

table_header() {
  echo "| what | concurrency | requests/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|---|"
}
