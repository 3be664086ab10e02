#!/usr/bin/env bash
# The Quickstart as a user types it (dotnet run -c <configuration> --project src/Stratus.LocalRunner, GPU tier and
# all) against the bare endpoint (ASP.NET Core + ONNX Runtime, no registry, keys, logging or monitoring) on the same
# ONNX model, measured by wrk from Debian, one row per request, in alternating rounds whose order flips each round.
# It uses the checkout's .stratus state as the Quickstart does: stop your own runner first.
# Usage: tests/Stratus.Benchmarks/run-quickstart-benchmark.sh [seconds] [rounds] [Release|Debug]
# RUNNER_ENV="NAME=value …" sets environment variables for the runner only (e.g. a GC setting under trial).
SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-3}
CONFIGURATION=${3:-Release}
source "$(dirname "$0")/bench-common.sh"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }

dotnet build -c "$CONFIGURATION" src/Stratus.LocalRunner --nologo -v q >/dev/null
dotnet "$BIN" serve-minimal --url http://127.0.0.1:5080 >/dev/null & BARE=$!
env ${RUNNER_ENV:-} dotnet run -c "$CONFIGURATION" --no-build --project src/Stratus.LocalRunner -- \
  --url http://127.0.0.1:5091 --gpu-tier-url http://127.0.0.1:5092 >/tmp/stratus-quickstart.log 2>&1 & RUNNER=$!
trap 'kill $BARE 2>/dev/null; kill -TERM $RUNNER 2>/dev/null; wait 2>/dev/null' EXIT
wait_for http://127.0.0.1:5080/
wait_ready http://127.0.0.1:5091/v2/health/ready

# The bare endpoint's model, registered in the runner as a user would (upload, then champion).
A='x-functions-key: local-admin-key'
S=http://127.0.0.1:5091
curl -sf -X PUT -H "$A" -H 'content-type: application/json' "$S/api/models/bench-cancer" \
  -d '{"description": "benchmark: samples/models/breast-cancer", "task": "binary-classification"}' >/dev/null
VERSION=$(curl -sf -X POST -H "$A" -H 'content-type: application/octet-stream' \
  --data-binary @samples/models/breast-cancer/model.onnx "$S/api/models/bench-cancer/versions" | sed -E 's/.*"version":([0-9]+).*/\1/')
curl -sf -X PUT -H "$A" -H 'content-type: application/json' "$S/api/models/bench-cancer/aliases/champion" -d "{\"version\": $VERSION}" >/dev/null

LUA=$(predict_lua)

declare -A URLS=([bare]=http://127.0.0.1:5080/predict [stratus]=$S/api/models/bench-cancer/predict)
run() { wrk -t2 -c"$2" -d"$3"s --latency -s "$LUA" "${URLS[$1]}"; }
# Tiered JIT keeps compiling for tens of seconds under load: warm both first.
run bare 64 15 >/dev/null
run stratus 64 30 >/dev/null

RESULTS=$(mktemp)
for connections in 16 64; do
  for round in $(seq 1 "$ROUNDS"); do
    order="bare stratus"; [ $((round % 2)) -eq 0 ] && order="stratus bare"
    for target in $order; do
      out=$(run "$target" "$connections" "$SECONDS_PER_RUN")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      errors=$(awk '/Non-2xx|Socket errors/ {s = s $0 "; "} END {print s}' <<<"$out")
      p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
      echo "$target $connections $round $rps $p50 $p99 ${errors:-none}" >>"$RESULTS"
    done
  done
done

echo "Stratus as \`${RUNNER_ENV:+$RUNNER_ENV }dotnet run -c $CONFIGURATION\` (version $VERSION of bench-cancer) against the bare endpoint, $ROUNDS rounds of ${SECONDS_PER_RUN} s, wrk -t2:"
python3 - "$RESULTS" <<'EOF'
import statistics, sys
def ms(v):
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit): return float(v[:-len(unit)]) * f
rows = [l.split(None, 6) for l in open(sys.argv[1])]
print("| connections | bare req/s | Stratus req/s | ratio | bare p50 / p99 ms | Stratus p50 / p99 ms | p99 ratio | errors |")
print("|---|---|---|---|---|---|---|---|")
for c in sorted({int(r[1]) for r in rows}):
    pick = lambda t: [r for r in rows if r[0] == t and int(r[1]) == c]
    med = lambda t, i, f=float: statistics.median(f(r[i]) for r in pick(t))
    b, s = med("bare", 3), med("stratus", 3)
    bp50, bp99, sp50, sp99 = med("bare", 4, ms), med("bare", 5, ms), med("stratus", 4, ms), med("stratus", 5, ms)
    errors = sorted({r[6].strip() for r in rows if int(r[1]) == c})
    print(f"| {c} | {b:,.0f} | {s:,.0f} | **{s / b:.2f}** | {bp50:.2f} / {bp99:.2f} | {sp50:.2f} / {sp99:.2f} | **{sp99 / bp99:.2f}** | {', '.join(errors)} |")
EOF
