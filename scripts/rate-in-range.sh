#!/usr/bin/env bash
# Prints "ok" when $1 is a plain decimal rate in (0, 0.5] — e.g. 0.01, .05,
# 1e-3 — and nothing otherwise. `make images` checks FALSE_ALARM with it while
# it reads images.mk, so a refused value stops Make before any parameter stamp
# is written (docs/regimes.md). The value arrives as one quoted word and is
# never evaluated.
#   bash scripts/rate-in-range.sh VALUE
v=${1-}
[[ $v =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$ ]] || exit 0
LC_ALL=C awk -v v="$v" 'BEGIN { if (v + 0 > 0 && v + 0 <= 0.5) print "ok" }'
