#!/usr/bin/env bash
# Line speed (BENCHMARKS.md, "Line speed"): the three-detector pipeline
# (PatchCore + PaDiM + golden template) built by `make images` on cached ELPV
# cells at each working size, then, in one run:
#
#   1. segad-bench pipeline-load    the pipeline's load, by step (SegAD on
#                                   all three detectors, seed 0's model)
#   2. segad-bench score            per-image cost by step and by detector
#                                   stage, p50/p99 latency at batch 1,
#                                   images/s at batch $BATCH — brute-force
#                                   search, then SEGAD_NN_SEARCH=pruned
#   3. segad-bench nn-pruned        brute vs pruned on this size's bank, and
#                                   --export of the bank and queries
#   4. scripts/bench/nn_peers.py    faiss flat + HNSW (recall@1) and
#                                   torch.cdist + min on the same arrays
#   5. the floors: segad-bench nn (sgemm on the bank's shape), bandwidth
#                                   and backbone (docs/patchcore.md, "Per-stage floors")
#
#     scripts/bench/line_speed.sh [--no-build]
#
# Env: SIZES ("640x256 256x256", each HxW), GOOD (120) and BAD (60) ELPV mono
# cells to build the pipeline from (labels.csv order; bad = defect
# probability > 0; make images' 5-fold operating point needs at least 5 of
# each label in SegAD's training half: GOOD ≥ 17, BAD ≥ 10), SCORE_IMAGES (64: the next mono cells, scored), BATCH
# (32), FIT (100: nn-pruned's fit cells), PYTHON (python3, with numpy and
# faiss-cpu), TORCH_PYTHON (a python with torch and numpy; unset: the torch
# row is skipped), BENCH_DIR (artifacts/bench-line-speed). Every RESULT line
# carries what it measured; the log is $BENCH_DIR/line-speed.log. Run it on a
# quiet machine: the first line records the load average.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-640x256 256x256}
GOOD=${GOOD:-120} BAD=${BAD:-60} SCORE_IMAGES=${SCORE_IMAGES:-64} BATCH=${BATCH:-32} FIT=${FIT:-100}
PYTHON=${PYTHON:-python3}
BENCH_DIR=${BENCH_DIR:-artifacts/bench-line-speed}
[ -f .cache/elpv/labels.csv ] || { echo "line_speed.sh: .cache/elpv/labels.csv: no ELPV data (scripts/setup.sh)" >&2; exit 2; }
if [ "${1:-}" != --no-build ]; then swift build -c release >&2; fi
bin=$(swift build -c release --show-bin-path)
mkdir -p "$BENCH_DIR"
log=$BENCH_DIR/line-speed.log
: > "$log"
run() { echo "+ $*" >&2; "$@" 2>&1 | tee -a "$log" | grep '^RESULT' || true; }
echo "RESULT line-speed load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /) cores=$(nproc) commit=$(git rev-parse --short HEAD)" | tee -a "$log"

# The images: GOOD good and BAD defective mono cells for make images
# (train/good, train/bad), the next SCORE_IMAGES mono cells (either label)
# to score (new/). Copied once.
data=$BENCH_DIR/cells-$GOOD-$BAD-$SCORE_IMAGES
if [ ! -d "$data/new" ]; then
    rm -rf "$data.partial"
    "$PYTHON" - "$data.partial" "$GOOD" "$BAD" "$SCORE_IMAGES" <<'PY'
import os, shutil, sys
out, good, bad, new = sys.argv[1], *map(int, sys.argv[2:])
cells = []
for line in open(".cache/elpv/labels.csv"):
    f = line.replace(",", " ").split()
    if len(f) >= 3 and f[2] == "mono":
        cells.append((os.path.join(".cache/elpv", f[0]), float(f[1]) > 0))
picked = {"train/good": [c for c, b in cells if not b][:good], "train/bad": [c for c, b in cells if b][:bad]}
used = set(picked["train/good"]) | set(picked["train/bad"])
picked["new"] = [c for c, _ in cells if c not in used][:new]
for folder, paths in picked.items():
    if len(paths) < {"train/good": good, "train/bad": bad, "new": new}[folder]:
        sys.exit(f"line_speed.sh: ELPV has {len(paths)} mono cells for {folder}/")
    os.makedirs(os.path.join(out, folder))
    for p in paths:
        shutil.copyfile(p, os.path.join(out, folder, os.path.basename(p)))
PY
    mv "$data.partial" "$data"
fi

for size in $SIZES; do
    h=${size%x*} w=${size#*x}
    name=line-speed-$size-$GOOD-$BAD
    echo "RESULT line-speed size=$size" | tee -a "$log"
    make images IMAGES="$data/train" NAME="$name" SIZE="$size" ARTIFACTS="$BENCH_DIR" >&2
    # make images saves the best row's pipeline; the benchmark's is always
    # SegAD on all three detectors, saved the way make images saves one.
    img=$BENCH_DIR/$name combo=patchcore+padim+golden-template
    pipeline=$img/pipeline-three-detectors.h5
    if [ ! -f "$pipeline" ]; then
        "$bin/evaluate" save-pipeline --manifest "$img/manifest.json" --seed 0 \
            --features "$img/features/$name/$combo.h5" --model "$img/models/$name/$combo/seed-0.h5" \
            --state "$img/detectors/$name/patchcore.h5" --state "$img/detectors/$name/padim.h5" \
            --state "$img/detectors/$name/golden-template.h5" --segmentation "$img/segmentation/derived.png" -o "$pipeline" >&2
    fi
    run "$bin/segad-bench" pipeline-load "$pipeline" --repeat 5
    run "$bin/segad-bench" score "$pipeline" "$data/new" --images "$SCORE_IMAGES" --batch "$BATCH"
    run env SEGAD_NN_SEARCH=pruned "$bin/segad-bench" score "$pipeline" "$data/new" --images "$SCORE_IMAGES" --batch "$BATCH"
    run "$bin/segad-bench" nn-pruned --fit "$FIT" --images 8 --size "$h" --width "$w" --export "$BENCH_DIR/nn-$size"
    run "$PYTHON" scripts/bench/nn_peers.py "$BENCH_DIR/nn-$size"
    if [ -n "${TORCH_PYTHON:-}" ]; then run "$TORCH_PYTHON" scripts/bench/nn_peers.py "$BENCH_DIR/nn-$size"; fi
    # Floors (docs/patchcore.md, "Per-stage floors"): sgemm on the bank's
    # shape (8 images' patches against it) and the backbone alone.
    bank=$(grep -o 'bank=[0-9]*' "$log" | tail -1 | cut -d= -f2)
    run "$bin/segad-bench" nn --queries $((8 * h * w / 64)) --bank "$bank" --dim 152
done
run "$bin/segad-bench" bandwidth --mb 512
run "$bin/segad-bench" backbone --size 256 --images 32 --repeat 3
echo "RESULT line-speed done load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" | tee -a "$log"
