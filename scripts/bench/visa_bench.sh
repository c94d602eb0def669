#!/usr/bin/env bash
# `make visa` against the reference main.py on one synthetic tree of the real
# size (12 classes, 90 good training, 100 good + 100 bad test maps per class,
# 256×256), K = 1 (efficient_ad) and K = 2 (efficient_ad + rd4ad), same
# machine, one run. Needs the reference in a virtualenv outside the project:
#   REF_DIR   a checkout of abc-125/segad (default /tmp/segad-ref)
#   REF_PY    its Python (default /tmp/venv-segad-ref/bin/python: numpy 1.24.4,
#             pandas 2.0.3, scipy 1.10.1, scikit-learn 1.5.0, xgboost 2.0.3)
# Prints a table; writes everything under BENCH_DIR (default .cache/bench-visa).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-.cache/bench-visa}
REF_DIR=${REF_DIR:-/tmp/segad-ref}
REF_PY=${REF_PY:-/tmp/venv-segad-ref/bin/python}
TREE=$BENCH_DIR/tree
mkdir -p "$BENCH_DIR"
if [ ! -d "$TREE/anomaly_maps" ]; then
    python3 scripts/visa/make_synthetic_tree.py --root "$TREE" --size 256 --train-good 90 --test-good 100 --test-bad 100 --seed 1
fi
swift build -c release >/dev/null
t() { local s=$(date +%s.%N); "$@" > "$BENCH_DIR/last.log" 2>&1; echo "$(date +%s.%N) - $s" | bc; }
rm -rf "$BENCH_DIR/ours-k1" "$BENCH_DIR/ours-k2" "$BENCH_DIR/ref-k1" "$BENCH_DIR/ref-k2"
ours1=$(t make -j2 visa VISA_MAPS="$TREE" MODELS=efficient_ad ARTIFACTS="$BENCH_DIR/ours-k1")
ours2=$(t make -j2 visa VISA_MAPS="$TREE" MODELS="efficient_ad rd4ad" ARTIFACTS="$BENCH_DIR/ours-k2")
ABS_TREE=$(cd "$TREE" && pwd); ABS_OUT=$(cd "$BENCH_DIR" && pwd)
ref1=$(t bash -c "cd $REF_DIR && $REF_PY -W ignore main.py --model efficient_ad --segm_path $ABS_TREE/visa_segm --an_path $ABS_TREE/anomaly_maps --results_path $ABS_OUT/ref-k1")
ref2=$( [ -n "${SKIP_REF_K2:-}" ] && echo nan || t bash -c "cd $REF_DIR && $REF_PY -W ignore main.py --model all_ad --segm_path $ABS_TREE/visa_segm --an_path $ABS_TREE/anomaly_maps --results_path $ABS_OUT/ref-k2")
printf '| K | make -j2 visa (s) | reference main.py (s) | speed-up |\n|---|---:|---:|---:|\n'
printf '| 1 | %.0f | %.0f | %.1f× |\n' "$ours1" "$ref1" "$(echo "$ref1 / $ours1" | bc -l)"
[ "$ref2" = nan ] || printf '| 2 | %.0f | %.0f | %.1f× |\n' "$ours2" "$ref2" "$(echo "$ref2 / $ours2" | bc -l)"
[ "$ref2" = nan ] && printf '| 2 | %.0f | (not run) | |\n' "$ours2"
