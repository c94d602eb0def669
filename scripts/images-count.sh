#!/usr/bin/env bash
# The number of images under a folder, counted as images-manifest lists them
# (docs/manifest.md): files named .png .jpg .jpeg .tif .tiff in any case,
# searched recursively, symbolic links followed, hidden files and folders left
# out. `make images` counts DIR/bad with it while it reads images.mk, to choose
# the regime (docs/regimes.md) before any tool is built; a missing folder
# counts 0. File names travel as NUL-separated data only; the only output is
# the count.
#
# Given a CSV instead (make images IMAGES=list.csv), the number of its rows
# labelled bad: the label is the last field, or the one before it when the
# last is a split (pool, train, test or empty), read as images-manifest reads
# the CSV (RFC 4180: quoted fields, doubled quotes, CRLF); a missing CSV
# counts 0 (images-manifest names the fault).
#   bash scripts/images-count.sh DIR
#   bash scripts/images-count.sh LIST.csv
set -uo pipefail
dir=${1:?usage: images-count.sh DIR|LIST.csv}
export LC_ALL=C
if [ -f "$dir" ]; then
    awk -f "$(dirname -- "$0")/csv-records.awk" -f <(printf '%s' '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return tolower(s) }
    function record(   last, label) {
        last = trim(f[nf]); label = last
        if (nf >= 3 && (last == "pool" || last == "train" || last == "test" || last == "")) label = trim(f[nf - 1])
        if (nf >= 2 && label == "bad") count++
    }
    function done() { print count + 0 }') "$dir"
    exit 0
fi
cd -- "$dir" 2>/dev/null || { echo 0; exit 0; }
find -L . -mindepth 1 -name '.*' -prune -o -type f \
    \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' \) -printf 'x' 2>/dev/null | wc -c
