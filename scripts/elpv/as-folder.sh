#!/usr/bin/env bash
# Lays the ELPV cells of one type out as a folder of your own images would be:
#   OUT/good/cellNNNN.png       defect probability 0
#   OUT/bad/cellNNNN.png        defect probability 1
#   OUT/uncertain/cellNNNN.png  defect probability 1/3 or 2/3
# for `make images IMAGES=OUT` (README, "Your own images"). Copies the files
# (no links, so OUT stands alone); the folder is built beside OUT and moved
# into place whole.
#
#   scripts/elpv/as-folder.sh [--type mono|poly] [--elpv .cache/elpv] OUT
set -euo pipefail
type=mono elpv=.cache/elpv out=
while [ $# -gt 0 ]; do
    case "$1" in
        --type) type=$2; shift 2 ;;
        --elpv) elpv=$2; shift 2 ;;
        -*) echo "as-folder.sh: unknown option $1" >&2; exit 2 ;;
        *) out=$1; shift ;;
    esac
done
[ -n "$out" ] || { echo "usage: scripts/elpv/as-folder.sh [--type mono|poly] [--elpv DIR] OUT" >&2; exit 2; }
case "$type" in mono|poly) ;; *) echo "as-folder.sh: --type must be mono or poly" >&2; exit 2 ;; esac
[ -f "$elpv/labels.csv" ] || { echo "as-folder.sh: $elpv/labels.csv: no such file; run 'bash scripts/fetch-data.sh elpv' first" >&2; exit 1; }
[ -e "$out" ] && { echo "as-folder.sh: $out: already exists; remove it or choose another folder" >&2; exit 1; }
partial="$out.partial-$$"
trap 'rm -rf "$partial"' EXIT
mkdir -p "$partial/good" "$partial/bad" "$partial/uncertain"
# labels.csv: IMAGE PROBABILITY TYPE (whitespace-separated, no header).
awk -v t="$type" '$3 == t {
    p = $2 + 0
    if (p < 1e-6) l = "good"; else if (p > 1 - 1e-6) l = "bad"; else l = "uncertain"
    print l "\t" $1
}' "$elpv/labels.csv" | while IFS=$'\t' read -r label image; do
    cp "$elpv/$image" "$partial/$label/"
done
mv "$partial" "$out"
trap - EXIT
echo "as-folder.sh: $out: $(ls "$out/good" | wc -l) good, $(ls "$out/bad" | wc -l) bad, $(ls "$out/uncertain" | wc -l) uncertain ($type cells)" >&2
