#!/usr/bin/env bash
# The comparison of docs/segmentation.md ("Derived against hand-made and
# single-segment maps") on ELPV mono cells: SegAD (all demo detectors) with
#   (a) the derived static map (extract-maps derive-segmentation, L = 6, from
#       the detector-train good cells of seed 0 — no test image is used),
#   (b) the hand-made static map (pipelines/elpv/mono_segmentation.png, L = 4),
#   (c) a single segment (the whole image, L = 1),
# on the same maps, seeds and BRF parameters. Needs a finished `make demo`
# (its manifests and maps). Writes artifacts/segmentation-comparison/report/.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO=${DEMO:-artifacts/demo}
BIN=${BIN:-.build/release}
OUT=${OUT:-artifacts/segmentation-comparison}
SIZE=${DEMO_SIZE:-160}
M=$DEMO/manifests/mono.json
MAPS=()
for d in golden-template patchcore padim; do MAPS+=(--maps "$DEMO/maps/mono/$d.h5"); done
SEEDS=$(python3 -c "import json,sys; print(' '.join(sorted(json.load(open('$M'))['seeds'], key=int)))")
mkdir -p "$OUT"
$BIN/extract-maps derive-segmentation --manifest "$M" --seed 0 --segments 6 --size "$SIZE" -o "$OUT/derived.png"
python3 - "$OUT/single.png" "$SIZE" <<'PY'
import struct, sys, zlib
path, n = sys.argv[1], int(sys.argv[2])
raw = b"".join(b"\0" + bytes(n) for _ in range(n))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 0, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
SCORES=()
for variant in "derived:$OUT/derived.png:6" "hand:pipelines/elpv/mono_segmentation.png:4" "single:$OUT/single.png:1"; do
    IFS=: read -r name seg L <<<"$variant"
    $BIN/segment-stats --manifest "$M" "${MAPS[@]}" --segmentation "$seg" --segments "$L" -o "$OUT/features-$name.h5"
    models=()
    for s in $SEEDS; do
        $BIN/train-brf --features "$OUT/features-$name.h5" --manifest "$M" --seed "$s" -o "$OUT/models-$name/seed-$s.h5" &
        models+=(--model "$OUT/models-$name/seed-$s.h5")
        if (( ${#models[@]} % 4 == 0 )); then wait; fi
    done
    wait
    $BIN/evaluate score --features "$OUT/features-$name.h5" --manifest "$M" "${models[@]}" \
        --method "SegAD(all), $name segmentation (L = $L)" -o "$OUT/scores-$name.h5"
    SCORES+=("$OUT/scores-$name.h5")
done
$BIN/evaluate report --title "ELPV mono: derived vs hand-made vs single-segment segmentation" -o "$OUT/report" "${SCORES[@]}" --print
