#!/usr/bin/env bash
# Kills the four SegAD stages with SIGKILL at seeded random moments on
# real-sized inputs and checks that no partial artifact is ever visible under
# its final name and that reruns equal an unkilled run bit for bit.
#
#   scripts/reliability/kill_stages.sh [WORK_DIR] [-- extra kill_stages.py flags]
#
# Defaults: 500 maps of 256×256 per detector (K=2), 25 kills, seed 1, the
# release binaries in .build/release (built with `swift build -c release`).
# The figures it prints are recorded in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-/tmp/segad-kill}
shift || true
[[ ${1:-} == -- ]] && shift
BIN=${BIN:-.build/release}
for s in extract-maps segment-stats train-brf evaluate; do
  [[ -x $BIN/$s ]] || { echo "kill_stages.sh: $BIN/$s missing; run swift build -c release" >&2; exit 2; }
done
exec python3 scripts/reliability/kill_stages.py --bin "$BIN" --work "$WORK" --n "${N:-500}" --size "${SIZE:-256}" \
  --kills "${KILLS:-25}" --seed "${SEED:-1}" "$@"
