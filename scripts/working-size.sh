#!/usr/bin/env bash
# Prints the default working size HxW for a PNG: the short side SHORT (256),
# the long side scaled by the same factor, each side rounded to the nearest
# multiple of STRIDE (32, EfficientNet-Lite0's last stage) and at least STRIDE.
# A 300×300 cell → 256x256; a 512 (H) × 1024 (W) part → 256x512;
# 375 × 500 → 256x352. An automatic side over 2048 px (aspect over 8:1) is
# refused. The rule of WorkingSize.forImage (extract-maps working-size, used by
# make images), kept twice on purpose: pipelines/vad.mk needs VAD_SIZE at parse
# time (it names targets), before any tool is built, and a generated include
# would make even `make -n` build the tools. WorkingSizeRuleTests keeps the
# two equal. Used by pipelines/vad.mk when VAD_SIZE is not given, with
# --first-png DIR: the script picks DIR's first *.png by name (bytewise) itself,
# so no file name found in the folder ever becomes Make or shell text
# (docs/reliability.md, 7.1).
#   bash scripts/working-size.sh IMAGE.png [SHORT] [STRIDE]
#   bash scripts/working-size.sh --first-png DIR [SHORT] [STRIDE]
set -euo pipefail
usage='usage: working-size.sh IMAGE.png | --first-png DIR [SHORT] [STRIDE]'
# Names are shown with control characters as '?', so a message stays one line.
shown() { printf '%s' "$1" | LC_ALL=C tr '\000-\037\177' '?'; }
if [ "${1:-}" = --first-png ]; then
    d=${2:?$usage}; shift 2
    [ -d "$d" ] || { echo "$(shown "$d"): no such folder" >&2; exit 1; }
    f=
    LC_ALL=C
    shopt -s nullglob
    for p in "$d"/*.png; do [ -f "$p" ] && { f=$p; break; }; done
    [ -n "$f" ] || { echo "$(shown "$d"): no .png file" >&2; exit 1; }
else
    f=${1:?$usage}; shift
fi
short=${1:-256}; stride=${2:-32}
[ -r "$f" ] || { echo "$(shown "$f"): cannot read file" >&2; exit 1; }
sig=$(od -An -tx1 -N8 "$f" | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || { echo "$(shown "$f"): not a PNG (cannot take the working size from it; set VAD_SIZE=HxW)" >&2; exit 1; }
read -r w h <<<"$(od -An -tu4 --endian=big -j16 -N8 "$f")"
[ "${w:-0}" -gt 0 ] && [ "${h:-0}" -gt 0 ] || { echo "$(shown "$f"): PNG header has no size" >&2; exit 1; }
s=$(( w < h ? w : h ))
side() { local k=$(( (2 * $1 * short + s * stride) / (2 * s * stride) )); echo $(( (k < 1 ? 1 : k) * stride )); }
H=$(side "$h"); W=$(side "$w")
if [ "$H" -gt 2048 ] || [ "$W" -gt 2048 ]; then
    echo "$(shown "$f"): is ${h}x${w}; its aspect would give a working size of ${H}x${W} (over 2048 px a side); set VAD_SIZE=HxW" >&2; exit 1
fi
echo "${H}x${W}"
