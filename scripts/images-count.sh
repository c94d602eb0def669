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
    awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return tolower(s) }
    function end_record(   last, label) {
        f[++nf] = field
        last = trim(f[nf]); label = last
        if (nf >= 3 && (last == "pool" || last == "train" || last == "test" || last == "")) label = trim(f[nf - 1])
        if (nf >= 2 && label == "bad") count++
        nf = 0; field = ""; was_quoted = 0
    }
    { text = text (NR > 1 ? "\n" : "") $0 }
    END {
        count = 0
        if (substr(text, 1, 3) == "\357\273\277") text = substr(text, 4)
        n = length(text); nf = 0; field = ""; quoted = 0; was_quoted = 0
        for (i = 1; i <= n; i++) {
            c = substr(text, i, 1)
            if (quoted) {
                if (c == "\"") {
                    if (substr(text, i + 1, 1) == "\"") { field = field "\""; i++ } else quoted = 0
                } else field = field c
                continue
            }
            if (c == "\"" && field == "" && !was_quoted) { quoted = 1; was_quoted = 1 }
            else if (c == ",") { f[++nf] = field; field = ""; was_quoted = 0 }
            else if (c == "\n") end_record()
            else if (c == "\r") { if (substr(text, i + 1, 1) == "\n") i++; end_record() }
            else field = field c
        }
        if (field != "" || nf > 0 || was_quoted) end_record()
        print count
    }' "$dir"
    exit 0
fi
cd -- "$dir" 2>/dev/null || { echo 0; exit 0; }
find -L . -mindepth 1 -name '.*' -prune -o -type f \
    \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' \) -printf 'x' 2>/dev/null | wc -c
