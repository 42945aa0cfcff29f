#!/usr/bin/env bash
# Loopback load test of `screenpop serve`: builds the release binary, starts the server on the demo
# account, runs wrk with Benchmarks/http/post-event.lua, stops the server. Results: docs/performance.md.
#
#   Benchmarks/http/run-wrk.sh                  # 16 connections, 1 wrk thread, 20 s after a 5 s warm-up
#   CONNECTIONS=64 DURATION=30s Benchmarks/http/run-wrk.sh
#   STREAM=1 Benchmarks/http/run-wrk.sh         # with one live SSE stream reading every notification
#
# Needs wrk (Debian: apt-get install -y wrk) and curl. Server and wrk share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT="${PORT:-8089}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-1}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
ACCOUNT="${ACCOUNT:-Examples/demo-account}"
SCRATCH="${SCRATCH:-.build}"
STREAM="${STREAM:-0}"
export SCREENPOP_API_TOKEN="${SCREENPOP_API_TOKEN:-demo-token-change-me}"
export SCREENPOP_USER="${SCREENPOP_USER:-8010001}"

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }

swift build -c release --product screenpop --scratch-path "$SCRATCH" >&2
BIN="$SCRATCH/release/screenpop"

"$BIN" serve --account "$ACCOUNT" --port "$PORT" --log-level warning &
SERVER=$!
STREAMER=""
cleanup() {
    [ -n "$STREAMER" ] && kill "$STREAMER" 2>/dev/null || true
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { echo "the server did not start" >&2; exit 1; }

if [ "$STREAM" = "1" ]; then
    curl -sN -H "Authorization: Bearer $SCREENPOP_API_TOKEN" \
        "http://127.0.0.1:$PORT/api/v2/events/stream?user_id=$SCREENPOP_USER" >/dev/null &
    STREAMER=$!
fi

URL="http://127.0.0.1:$PORT/api/v2/events"
SCRIPT="Benchmarks/http/post-event.lua"
echo "== warm-up ($WARMUP)" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$SCRIPT" "$URL" >/dev/null
echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (stream: $STREAM), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRIPT" "$URL"
