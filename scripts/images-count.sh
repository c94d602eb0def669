#!/usr/bin/env bash
# The number of images under a folder, counted as images-manifest lists them
# (docs/manifest.md): files named .png .jpg .jpeg .tif .tiff in any case,
# searched recursively, symbolic links followed, hidden files and folders left
# out. `make images` counts DIR/bad with it while it reads images.mk, to choose
# the regime (docs/regimes.md) before any tool is built; a missing folder
# counts 0. File names travel as NUL-separated data only; the only output is
# the count.
#   bash scripts/images-count.sh DIR
set -uo pipefail
dir=${1:?usage: images-count.sh DIR}
cd -- "$dir" 2>/dev/null || { echo 0; exit 0; }
find -L . -mindepth 1 -name '.*' -prune -o -type f \
    \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' \) -printf 'x' 2>/dev/null | wc -c
