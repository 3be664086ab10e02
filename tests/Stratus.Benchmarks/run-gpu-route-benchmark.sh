#!/usr/bin/env bash
# The GPU tier route under sustained load: the Quickstart as typed (Release, GPU tier process on its CPU provider here),
# wrk with [connections] clients for [seconds] on the function's V2 route for the resnet18 demo (one synthetic image
# per request, samples/requests/resnet18-image.sh). Prints errors, throughput and the latency percentiles. Uses the
# checkout's .stratus state as the Quickstart does: stop your own runner first.
# Usage: tests/Stratus.Benchmarks/run-gpu-route-benchmark.sh [seconds] [connections]
SECONDS_TOTAL=${1:-60}
CONNECTIONS=${2:-32}
source "$(dirname "$0")/bench-common.sh"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }

dotnet build -c Release src/Stratus.LocalRunner --nologo -v q >/dev/null
dotnet run -c Release --no-build --project src/Stratus.LocalRunner -- \
  --url http://127.0.0.1:5091 --gpu-tier-url http://127.0.0.1:5092 >/tmp/stratus-gpu-route.log 2>&1 & RUNNER=$!
trap 'kill -TERM $RUNNER 2>/dev/null; wait 2>/dev/null' EXIT
wait_ready http://127.0.0.1:5091/v2/health/ready

BODY=$(mktemp --suffix .json)
samples/requests/resnet18-image.sh >"$BODY"
LUA=$(mktemp --suffix .lua)
cat >"$LUA" <<LUA
wrk.method = "POST"
local f = io.open("$BODY", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-functions-key"] = "local-function-key"
LUA
URL=http://127.0.0.1:5091/v2/models/resnet18/infer
curl -sf -o /dev/null -H 'x-functions-key: local-function-key' -H 'content-type: application/json' --data-binary @"$BODY" "$URL"
wrk -t2 -c"$CONNECTIONS" -d10s --timeout 60s -s "$LUA" "$URL" >/dev/null   # warm: tier sessions, batching, JIT
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TOTAL}s" --timeout 60s --latency -s "$LUA" "$URL" >/tmp/stratus-gpu-route-wrk.txt

echo "GPU tier route: wrk -t2 -c$CONNECTIONS for ${SECONDS_TOTAL} s on $URL (resnet18, 1 image per request):"
grep -E "Requests/sec|Non-2xx|Socket errors|requests in" /tmp/stratus-gpu-route-wrk.txt | sed 's/^/    /'
grep -E "^ +(50|75|90|99)%" /tmp/stratus-gpu-route-wrk.txt | sed 's/^/    latency /'
grep -c "GPU tier exited" /tmp/stratus-gpu-route.log | sed 's/^/    tier restarts during the run: /' || true
