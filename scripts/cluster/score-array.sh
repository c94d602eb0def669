#!/bin/bash
# Scores an archive as a Slurm job array (docs/cluster.md, "Scoring an archive"):
#
#   scripts/cluster/score-array.sh --pipeline P --list LIST --shards N -o OUT
#       [--skip-unreadable] [--evaluate PATH] [--wait] [-- SBATCH_ARGS…]
#
# Shard K (1…N) runs `evaluate score-new --pipeline P --list LIST --shard K/N
# --no-overlays -o OUT/shards/K` as array task K; its log is OUT/logs/shard-K.out.
# Only shards without a finished output (OUT/shards/K/shard.json recording
# this pipeline's SHA-256 and N) are submitted, so running the same command
# again after a failure reruns only the failed shards. Without --wait it
# prints the array's job id and returns; with --wait it waits for the array
# (polling squeue: no accounting needed), then merges the shards into
# OUT/scores.csv (and OUT/errors.csv) with `evaluate merge-scores` when
# every shard finished, and exits 1 naming the shards that did not.
# Paths are passed to sbatch and the tools as single words, never as code.
set -euo pipefail
pipeline= list= shards= out= skip= evaluate=${EVALUATE:-.build/release/evaluate} wait=
sbatch_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --pipeline) pipeline=$2; shift 2 ;;
        --list) list=$2; shift 2 ;;
        --shards) shards=$2; shift 2 ;;
        -o|--output) out=$2; shift 2 ;;
        --skip-unreadable) skip=--skip-unreadable; shift ;;
        --evaluate) evaluate=$2; shift 2 ;;
        --wait) wait=1; shift ;;
        --task) shift; task=1 ;;
        --) shift; sbatch_args=("$@"); break ;;
        *) echo "score-array.sh: unknown argument '$1' (see the script's header)" >&2; exit 1 ;;
    esac
done
for v in pipeline list shards out; do
    if [ -z "${!v}" ]; then echo "score-array.sh: --$v is missing (see the script's header)" >&2; exit 1; fi
done
case "$shards" in ''|*[!0-9]*|0*) echo "score-array.sh: --shards '$shards': N must be a whole number ≥ 1" >&2; exit 1 ;; esac

# Array task K: one shard.
if [ -n "${task:-}" ]; then
    k=${SLURM_ARRAY_TASK_ID:?score-array.sh --task runs as an array task}
    exec "$evaluate" score-new --pipeline "$pipeline" --list "$list" --shard "$k/$shards" --no-overlays --quiet $skip -o "$out/shards/$k"
fi

for f in "$pipeline" "$list" "$evaluate"; do
    [ -f "$f" ] || { echo "score-array.sh: $f: no such file" >&2; exit 1; }
done
sha=$(sha256sum < "$pipeline" | cut -c1-64)
finished() {  # K: OUT/shards/K/shard.json of this pipeline and N
    local r=$out/shards/$1/shard.json
    [ -f "$r" ] && grep -q "\"pipeline_sha256\":\"$sha\"" "$r" && grep -q "\"shards\":$shards," "$r"
}
todo=()
for k in $(seq "$shards"); do finished "$k" || todo+=("$k"); done
mkdir -p "$out/logs" "$out/shards"
if [ ${#todo[@]} -gt 0 ]; then
    indices=$(IFS=,; echo "${todo[*]}")
    echo "score-array.sh: submitting shards $indices of $shards" >&2
    self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
    job=$(sbatch --parsable --job-name segad-score --array="$indices" -o "$out/logs/shard-%a.out" "${sbatch_args[@]}" \
          "$self" --task --pipeline "$pipeline" --list "$list" --shards "$shards" -o "$out" --evaluate "$evaluate" $skip)
    job=${job%%;*}
    echo "$job"
    [ -n "$wait" ] || exit 0
    while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do sleep 0.3; done
else
    echo "score-array.sh: all $shards shards finished" >&2
    [ -n "$wait" ] || exit 0
fi
failed=()
for k in $(seq "$shards"); do finished "$k" || failed+=("$k"); done
if [ ${#failed[@]} -gt 0 ]; then
    echo "score-array.sh: shards $(IFS=,; echo "${failed[*]}") of $shards did not finish (logs: $out/logs/shard-K.out); run the same command again to rerun them" >&2
    exit 1
fi
dirs=()
for k in $(seq "$shards"); do dirs+=("$out/shards/$k"); done
exec "$evaluate" merge-scores "${dirs[@]}" -o "$out"
