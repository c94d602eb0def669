#!/usr/bin/env bash
# evaluate serve under load, beside score-new's batch rate on the same images
# (BENCHMARKS.md, "Serving"):
#   (i)  evaluate score-new (release) on the first N images of IMAGES: images/s;
#   (ii) evaluate serve (release) on a loopback port, then wrk posting the
#        same N images in turn to /v1/score with C connections for DURATION:
#        requests/s, p50/p99 latency, non-2xx answers, and the server's RSS
#        (VmRSS) at the start and at the end of the run, 2 s later (idle),
#        and its peak (VmHWM).
#
#   bash scripts/bench/serve_load.sh PIPELINE IMAGES [--no-build]
#
# Environment: BIN (.build/release), N (64 images), C (8 connections), THREADS (2 wrk threads),
# DURATION (30s), WARMUP (5s, not counted), RECORD (1: with --record, as on a line).
# Needs wrk (Debian's package; installed with apt-get when missing and root).
# The server is stopped by its PID; its files go to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PIPELINE=${1:?usage: serve_load.sh PIPELINE IMAGES [--no-build]}
IMAGES=${2:?usage: serve_load.sh PIPELINE IMAGES [--no-build]}
N=${N:-64}
C=${C:-8}
THREADS=${THREADS:-2}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-5s}
RECORD=${RECORD:-1}
BIN=${BIN:-$ROOT/.build/release}

if [[ ${3:-} != --no-build ]]; then
    swift build -c release --product evaluate 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^Building|^Compiling|^Write' || true
fi
[[ -x $BIN/evaluate ]] || { echo "serve_load.sh: $BIN/evaluate missing (swift build -c release)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
    [[ $(id -u) == 0 ]] || { echo "serve_load.sh: wrk missing: apt-get install wrk" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/segad-serve-load.XXXXXX")
SERVER=""
cleanup() {
    if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The image set: the first N images of IMAGES (by name), copied so score-new
# sees exactly them, as 0001.png, 0002.jpg, …: wrk's Lua script names them,
# and a file name of the user's never becomes Lua code.
mkdir -p "$WORK/images"
count=0
while IFS= read -r -d '' f; do
    count=$((count + 1))
    ext=${f##*.}
    cp -- "$f" "$WORK/images/$(printf '%04d' "$count").${ext,,}"
done < <(find "$IMAGES" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' \) \
    -print0 | sort -z | head -z -n "$N")
(( count > 0 )) || { echo "serve_load.sh: no images in $IMAGES" >&2; exit 1; }

echo "== score-new on $count images (batch)"
t0=$(date +%s.%N)
"$BIN/evaluate" score-new --pipeline "$PIPELINE" --images "$WORK/images" -o "$WORK/batch" --quiet 2>"$WORK/batch.log"
t1=$(date +%s.%N)
cat "$WORK/batch.log"
batch_rate=$(grep -o '[0-9.]* images/s' "$WORK/batch.log" | cut -d' ' -f1)

echo "== evaluate serve, wrk -t$THREADS -c$C -d$DURATION (after $WARMUP warm-up)"
args=(serve --pipeline "$PIPELINE" --port 0 --queue $((C * 4)))
[[ $RECORD == 1 ]] && args+=(--record "$WORK/inspections.sqlite")
"$BIN/evaluate" "${args[@]}" 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 600); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$WORK/serve.log") || { cat "$WORK/serve.log" >&2; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }

# wrk posts the images in turn (each thread starts at another one).
# The folder comes from the environment, the names are 0001.png and the like.
{
    echo 'local dir, bodies = os.getenv("SEGAD_LOAD_IMAGES"), {}'
    for f in "$WORK"/images/*; do
        echo "do local h = assert(io.open(dir .. \"/${f##*/}\", \"rb\")); bodies[#bodies + 1] = h:read(\"*a\"); h:close() end"
    done
    cat <<'LUA'
local i = 0
local headers = {["Content-Type"] = "application/octet-stream"}
setup = function(thread) i = i + 1; thread:set("start", i) end
init = function() i = (start or 1) * 7 end
request = function()
    i = i + 1
    return wrk.format("POST", "/v1/score", headers, bodies[(i % #bodies) + 1])
end
LUA
} > "$WORK/post.lua"

export SEGAD_LOAD_IMAGES=$WORK/images
wrk -t"$THREADS" -c"$C" -d"$WARMUP" -s "$WORK/post.lua" "$url" >/dev/null
rss_start=$(rss)
wrk -t"$THREADS" -c"$C" -d"$DURATION" --latency -s "$WORK/post.lua" "$url" | tee "$WORK/wrk.txt"
rss_end=$(rss)
sleep 2  # idle: the server gives its allocator's free memory back after 1 s (docs/serving.md, "Memory")
rss_idle=$(rss)
rss_peak=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER/status")
serve_rate=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")
curl -sS "$url/metrics" | grep -E '^segad_(decisions_total|score_seconds_count|queue_depth)' || true

echo
echo "| images | batch score-new (images/s) | serve, $C connections (req/s) | serve / batch | p50 | p99 | non-2xx | server RSS start → end (MiB) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -v n="$count" -v b="$batch_rate" -v s="$serve_rate" -v p50="$p50" -v p99="$p99" -v bad="${non2xx:-0}" \
    -v r0="$rss_start" -v r1="$rss_end" -v c="$C" 'BEGIN {
    printf "| %d | %.1f | %.1f | %.0f%% | %s | %s | %s | %.0f → %.0f |\n", n, b, s, 100 * s / b, p50, p99, bad, r0 / 1024, r1 / 1024
}'
awk -v r2="$rss_idle" -v hw="$rss_peak" 'BEGIN { printf "server RSS after 2 s idle: %.0f MiB; peak (VmHWM): %.0f MiB\n", r2 / 1024, hw / 1024 }'
