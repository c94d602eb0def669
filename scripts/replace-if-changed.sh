#!/usr/bin/env bash
# Puts a freshly made small output in place only when its bytes changed
# (docs/reliability.md, section 2), for the first stages after the parameter
# stamps of `make images` (pipelines/images.mk: the manifest, the working
# size). NEW is the stage's output under a temporary name, TARGET the final
# name, STAMPS the parameter stamps newer than TARGET that woke the recipe
# (Make's $?, given only when no other prerequisite is newer).
#
# When TARGET exists with the same bytes and STAMPS were given, NEW is
# dropped, TARGET keeps its time and each stamp is set back to TARGET's time,
# so neither TARGET nor anything made from it is out of date: a refused value
# that rewrote a stamp, or a folder that gained and lost a file, reruns
# nothing after the next correct run. Otherwise NEW is renamed onto TARGET.
# --keep keeps an unchanged TARGET even when no stamp woke the recipe (a
# forced remake, REPOOL=1: the same pool refits nothing).
#   bash scripts/replace-if-changed.sh NEW TARGET [--keep] [STAMP…]
set -euo pipefail
new=${1:?usage: replace-if-changed.sh NEW TARGET [--keep] [STAMP…]}
target=${2:?usage: replace-if-changed.sh NEW TARGET [--keep] [STAMP…]}
shift 2
keep=0
if [ "${1-}" = --keep ]; then keep=1; shift; fi
if { [ $# -gt 0 ] || [ $keep = 1 ]; } && [ -f "$target" ] && cmp -s -- "$new" "$target"; then
    rm -f -- "$new"
    [ $# -eq 0 ] || touch -c -r "$target" -- "$@"
else
    mv -f -- "$new" "$target"
fi
