#!/usr/bin/env bash
# segment-stats throughput, side by side in one run (BENCHMARKS.md):
#   (i)   segment-stats (release) on N items × K=2 detectors × L=8 segments,
#         256×256 float32 maps, under /usr/bin/time -v (wall, peak RSS);
#         also on a SMALL-item subset, to show peak memory flat in N;
#   (ii)  the read floor: segad-bench read-floor on the same maps artifacts
#         (HDF5Dataset.readRows block by block, each value touched once);
#   (iii) scripts/bench/numpy_features.py, the straightforward numpy/scipy
#         computation, on the first NUMPY items (extrapolated as items/s), which
#         also checks segment-stats' features against numpy/scipy (rel. 1e-4).
#
#   bash scripts/bench/segment_stats.sh [--no-build]
#
# Environment: BENCH_DIR (default .cache/bench, git-ignored), N (2000),
# SMALL (500), NUMPY (200), REPEAT (3: segment-stats and the floor run this
# often; the table shows the median). An "item" is one image with its K=2
# maps; the issue's "maps/s" is items/s here. All inputs are read from the
# page cache (warmed first): the benchmark measures compute and HDF5
# decoding, not the disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BENCH_DIR=${BENCH_DIR:-$ROOT/.cache/bench}
N=${N:-2000}
SMALL=${SMALL:-500}
NUMPY=${NUMPY:-200}
REPEAT=${REPEAT:-3}
BIN=$ROOT/.build/release
L=8

if [[ ${1:-} != --no-build ]]; then
    swift build -c release 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^Building|^Compiling|^Write' || true
fi
for tool in extract-maps segment-stats segad-bench; do
    [[ -x $BIN/$tool ]] || { echo "segment_stats.sh: $BIN/$tool missing (swift build -c release)" >&2; exit 1; }
done

DATA=$BENCH_DIR/data-$N
if [[ ! -f $DATA/maps-$N/beta.h5 || ! -f $DATA/maps-$SMALL/beta.h5 ]]; then
    echo "== making $N items of 256×256 maps in $DATA (once)"
    rm -rf "$DATA"
    python3 scripts/bench/make_bench_maps.py "$DATA/input" --n "$N" --segments $L --subset "$SMALL"
    for n in "$N" "$SMALL"; do
        manifest=$DATA/input/manifest.json
        [[ $n == "$N" ]] || manifest=$DATA/input/manifest-$n.json
        mkdir -p "$DATA/maps-$n"
        for det in alpha beta; do
            "$BIN/extract-maps" --manifest "$manifest" --detector $det -o "$DATA/maps-$n/$det.h5" >/dev/null
        done
    done
fi
manifest_of() { if [[ $1 == "$N" ]]; then echo "$DATA/input/manifest.json"; else echo "$DATA/input/manifest-$1.json"; fi; }
OUT=$DATA/out
mkdir -p "$OUT"
cat "$DATA"/maps-*/*.h5 > /dev/null   # warm the page cache

# Reads a /usr/bin/time -v log; prints "wall_seconds cpu_seconds peak_rss_kib".
time_fields() {
    local wall cpu rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
           awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$1")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1")
    echo "$wall $cpu $rss"
}
# Runs segment-stats on n items once; prints "wall_seconds cpu_seconds peak_rss_kib".
segment_stats() {
    local n=$1 log=$OUT/time-$1.txt
    /usr/bin/time -v "$BIN/segment-stats" --manifest "$(manifest_of "$n")" \
        --maps "$DATA/maps-$n/alpha.h5" --maps "$DATA/maps-$n/beta.h5" \
        --segmentation "$DATA/input/segmentation.png" --segments $L -o "$OUT/features-$n.h5" \
        > "$OUT/stdout-$n.txt" 2> "$log"
    time_fields "$log"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== (i) segment-stats, $REPEAT runs each"
walls_n=(); cpus_n=(); rss_n=(); walls_s=(); rss_s=()
for r in $(seq "$REPEAT"); do
    read -r w c m < <(segment_stats "$N");     walls_n+=("$w"); cpus_n+=("$c"); rss_n+=("$m")
    read -r w c m < <(segment_stats "$SMALL"); walls_s+=("$w"); rss_s+=("$m")
    echo "   run $r: $N items ${walls_n[-1]} s wall, ${cpus_n[-1]} s CPU, ${rss_n[-1]} KiB; $SMALL items ${walls_s[-1]} s wall, ${rss_s[-1]} KiB"
done
wall_n=$(printf '%s\n' "${walls_n[@]}" | median)
cpu_n=$(printf '%s\n' "${cpus_n[@]}" | median)
wall_s=$(printf '%s\n' "${walls_s[@]}" | median)
rss_n_max=$(printf '%s\n' "${rss_n[@]}" | sort -g | tail -1)
rss_s_max=$(printf '%s\n' "${rss_s[@]}" | sort -g | tail -1)

echo "== (ii) read floor, $REPEAT runs"
floors=(); floor_cpus=()
for r in $(seq "$REPEAT"); do
    /usr/bin/time -v "$BIN/segad-bench" read-floor "$DATA/maps-$N/alpha.h5" "$DATA/maps-$N/beta.h5" \
        > "$OUT/floor.txt" 2> "$OUT/time-floor.txt"
    echo "   $(cat "$OUT/floor.txt")"
    read -r w c m < <(time_fields "$OUT/time-floor.txt")
    floors+=("$w"); floor_cpus+=("$c")
done
floor_s=$(printf '%s\n' "${floors[@]}" | median)
floor_cpu=$(printf '%s\n' "${floor_cpus[@]}" | median)

echo "== (ii') SHA-256 of the two maps artifacts (provenance; part of segment-stats), one thread"
line=$("$BIN/segad-bench" hash "$DATA/maps-$N/alpha.h5" "$DATA/maps-$N/beta.h5")
echo "   $line"
hash_s=$(echo " $line" | field seconds)

echo "== (iii) numpy/scipy on the first $NUMPY items, checked against segment-stats"
line=$(python3 scripts/bench/numpy_features.py --maps "$DATA/maps-$N/alpha.h5" --maps "$DATA/maps-$N/beta.h5" \
       --segmentation "$DATA/input/segmentation.png" --segments $L --limit "$NUMPY" --check "$OUT/features-$N.h5")
echo "$line" | sed 's/^/   /'
numpy_s=$(echo " $line" | grep RESULT | field seconds)
numpy_cpu=$(echo " $line" | grep RESULT | field cpu_seconds)
echo "$line" | grep -q '^CHECK ok' || { echo "segment_stats.sh: the feature check failed" >&2; exit 1; }

python3 - "$N" "$SMALL" "$NUMPY" "$wall_n" "$cpu_n" "$wall_s" "$rss_n_max" "$rss_s_max" \
          "$floor_s" "$floor_cpu" "$hash_s" "$numpy_s" "$numpy_cpu" <<'EOF'
import sys
n, small, numpy_n = (int(x) for x in sys.argv[1:4])
wall_n, cpu_n, wall_s = (float(x) for x in sys.argv[4:7])
rss_n, rss_s = int(sys.argv[7]), int(sys.argv[8])
floor_s, floor_cpu, hash_s, numpy_s, numpy_cpu = (float(x) for x in sys.argv[9:14])
# Wall-clock rates; the CPU columns (user+sys of the whole process) are the
# load-independent view on a shared machine.
ss, floor, numpy = n / wall_n, n / floor_s, numpy_n / numpy_s
ss_c, floor_c, numpy_c = n / cpu_n, n / floor_cpu, numpy_n / numpy_cpu
print()
print("| what (K=2, L=8, 256×256 float32) | items | wall s | items/s | ×numpy/scipy | floor ÷ it | CPU s | items/CPU-s | ×numpy (CPU) | floor ÷ it (CPU) | peak RSS |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| segment-stats (release, whole process) | {n} | {wall_n:.2f} | {ss:.1f} | {ss / numpy:.1f}× | {floor / ss:.2f}× | {cpu_n:.2f} | {ss_c:.1f} | {ss_c / numpy_c:.1f}× | {floor_c / ss_c:.2f}× | {rss_n / 1024:.0f} MiB |")
print(f"| segment-stats (release, whole process) | {small} | {wall_s:.2f} | {small / wall_s:.1f} | | | | | | | {rss_s / 1024:.0f} MiB |")
print(f"| read floor (segad-bench read-floor) | {n} | {floor_s:.2f} | {floor:.1f} | {floor / numpy:.1f}× | 1.00× | {floor_cpu:.2f} | {floor_c:.1f} | {floor_c / numpy_c:.1f}× | 1.00× | |")
print(f"| numpy/scipy (first {numpy_n} items, rate extrapolated) | {numpy_n} | {numpy_s:.2f} | {numpy:.2f} | 1.0× | | {numpy_cpu:.2f} | {numpy_c:.2f} | 1.0× | | |")
print(f"| inside segment-stats: SHA-256 of both maps artifacts, one thread | {n} | {hash_s:.2f} | | | | | | | | |")
print()
t1, t2, t3 = ss / numpy >= 20, floor / ss <= 4, rss_n <= 1.25 * rss_s
print(f"targets (wall clock): ≥20× numpy/scipy: {'met' if t1 else 'MISSED'} ({ss / numpy:.1f}×); "
      f"within 4× of the read floor: {'met' if t2 else 'MISSED'} ({floor / ss:.2f}×); "
      f"memory flat in N: {'met' if t3 else 'MISSED'} ({rss_s / 1024:.0f} → {rss_n / 1024:.0f} MiB for {small} → {n} items)")
EOF
