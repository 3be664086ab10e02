#!/usr/bin/env bash
# Soak: the Quickstart as typed (Release, monitoring on with its defaults, GPU tier idling) under wrk at 64
# connections on predict for [minutes], sampling the runner's working set every 10 s, then the errors, the growth
# after warm-up and the GC's pause total. Uses the checkout's .stratus state as the Quickstart does: stop your own
# runner first. Prints markdown for docs/benchmarks.md.
# Usage: tests/Stratus.Benchmarks/run-soak.sh [minutes] [connections]
MINUTES=${1:-10}
CONNECTIONS=${2:-64}
source "$(dirname "$0")/bench-common.sh"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-counters >/dev/null || dotnet tool install -g dotnet-counters >/dev/null

dotnet build -c Release src/Stratus.LocalRunner --nologo -v q >/dev/null
dotnet run -c Release --no-build --project src/Stratus.LocalRunner -- \
  --url http://127.0.0.1:5091 --gpu-tier-url http://127.0.0.1:5092 >/tmp/stratus-soak.log 2>&1 & RUNNER=$!
trap 'kill -TERM $RUNNER 2>/dev/null; wait 2>/dev/null' EXIT
wait_ready http://127.0.0.1:5091/v2/health/ready
PID=$(pgrep -f "bin/Release/net10.0/Stratus.LocalRunner --url http://127.0.0.1:5091" | head -1)

LUA=$(predict_lua)

SAMPLES=$(mktemp)
COUNTERS=$(mktemp --suffix .csv)
dotnet-counters collect -p "$PID" --counters 'System.Runtime[dotnet.gc.pause.time,dotnet.gc.collections]' --format csv -o "$COUNTERS" \
  --duration "00:00:$(printf '%02d' "$MINUTES"):10" >/dev/null 2>&1 & COLLECT=$!
wrk -t2 -c"$CONNECTIONS" -d"${MINUTES}m" --latency -s "$LUA" http://127.0.0.1:5091/api/models/breast-cancer/predict >/tmp/stratus-soak-wrk.txt & LOAD=$!
start=$(date +%s)
while kill -0 $LOAD 2>/dev/null; do
  echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' /proc/"$PID"/status)" >>"$SAMPLES"
  sleep 10
done
wait $COLLECT || true

echo "Soak: \`dotnet run -c Release\`, wrk -t2 -c$CONNECTIONS for $MINUTES min on breast-cancer predict (monitoring on):"
grep -E "Requests/sec|Non-2xx|Socket errors|requests in" /tmp/stratus-soak-wrk.txt | sed 's/^/    /'
grep -E "^ +(50|99)%" /tmp/stratus-soak-wrk.txt | sed 's/^/    latency /'
python3 - "$SAMPLES" "$COUNTERS" <<'EOF'
import csv, sys
samples = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
warm = [kb for t, kb in samples if t >= 60]  # after the first minute: JIT, caches and pools have settled
print(f"working set after warm-up: first {warm[0] / 1024:.0f} MiB, last {warm[-1] / 1024:.0f} MiB, max {max(warm) / 1024:.0f} MiB, growth {100 * (warm[-1] - warm[0]) / warm[0]:+.1f} %")
print("| t (s) | working set (MiB) |")
print("|---|---|")
for t, kb in samples:
    print(f"| {t} | {kb / 1024:.0f} |")
pause = gen = 0.0
for row in csv.reader(open(sys.argv[2])):
    if len(row) >= 5 and "pause.time" in row[2]:
        pause += float(row[4])
    elif len(row) >= 5 and "collections" in row[2]:
        gen += float(row[4])
print(f"GC: {gen:.0f} collections, pause total {pause:.2f} s")
EOF
