#!/bin/bash
# Slurm overheads and score-new throughput, one node against the two-node
# test cluster on this host (BENCHMARKS.md, "Slurm: scheduling overhead and
# the cost model"). Run as root on a quiet machine, after `make score-elpv`:
#
#   scripts/cluster/bench.sh [--images N] [--steps M] [--tasks T] [--pipeline P] [--source DIR]
#
#   --images N   images scored (copies of DIR's PNGs, renamed; default 2000)
#   --steps M    sequential `srun true` steps timed (default 50)
#   --tasks T    array tasks of `true` timed (default 100)
#   --pipeline P the saved pipeline (default artifacts/score-elpv/pipeline.h5)
#   --source DIR PNGs to copy (default artifacts/score-elpv/inputs/new)
#
# Prints one Markdown table: score-new on one node (its own wall time and
# pipeline load), the same list as a 2-shard and an 8-shard array on the
# cluster (submission to merged scores.csv), the wall time of a step
# (`srun true`) against `bash -c true`, and of an array task. The cluster
# runs on this one host, so the array shows the scheduling overhead, not a
# speed-up. Everything is made under a temporary folder, removed at the end.
set -euo pipefail
images=2000 steps=50 tasks=100
pipeline=artifacts/score-elpv/pipeline.h5 source=artifacts/score-elpv/inputs/new
evaluate=${EVALUATE:-.build/release/evaluate}
while [ $# -gt 0 ]; do
    case "$1" in
        --images) images=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --tasks) tasks=$2; shift 2 ;;
        --pipeline) pipeline=$2; shift 2 ;;
        --source) source=$2; shift 2 ;;
        *) echo "bench.sh: unknown argument '$1' (see the script's header)" >&2; exit 1 ;;
    esac
done
for f in "$pipeline" "$evaluate"; do [ -f "$f" ] || { echo "bench.sh: $f: no such file (make score-elpv; a release build)" >&2; exit 1; }; done
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/segad-bench-XXXXXX)
trap 'bash "$here/down.sh" "$work/slurm" >/dev/null 2>&1; rm -rf "$work"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { print a - b }'; }
calc() { awk "BEGIN { print $1 }"; }
fmt() { printf '%.3f' "$1"; }

# The list: N copies of the source PNGs under unique names.
mapfile -t pngs < <(ls "$source"/*.png)
[ ${#pngs[@]} -gt 0 ] || { echo "bench.sh: $source holds no PNG" >&2; exit 1; }
mkdir -p "$work/images"
for i in $(seq "$images"); do
    cp "${pngs[$(( (i - 1) % ${#pngs[@]} ))]}" "$work/images/img-$(printf %07d "$i").png"
done
ls "$work"/images/*.png > "$work/list.txt"

# One node: score-new over the whole list.
t=$(now)
line=$("$evaluate" score-new --pipeline "$pipeline" --list "$work/list.txt" --no-overlays --quiet -o "$work/one" 2>&1 | tail -1)
one=$(since "$t")
load=$(echo "$line" | sed -n 's/.*pipeline load \([0-9.]*\) s.*/\1/p')

bash "$here/up.sh" "$work/slurm"
export SLURM_CONF=$work/slurm/slurm.conf
array() {  # N: wall seconds of score-array.sh --shards N --wait, checked against the one-node scores
    local t; t=$(now)
    bash "$here/score-array.sh" --pipeline "$pipeline" --list "$work/list.txt" --shards "$1" -o "$work/array-$1" \
        --evaluate "$evaluate" --wait >/dev/null 2>&1
    since "$t"
    cmp -s "$work/array-$1/scores.csv" "$work/one/scores.csv" || { echo "bench.sh: the $1-shard scores differ from one run" >&2; exit 1; }
}
two=$(array 2)
eight=$(array 8)

# A step: srun true, one after another; against bash -c true.
t=$(now); for _ in $(seq "$steps"); do srun --quiet --nodes=1 --ntasks=1 true; done; step=$(calc "$(since "$t") / $steps")
t=$(now); for _ in $(seq "$steps"); do bash -c true; done; local_step=$(calc "$(since "$t") / $steps")

# An array task: T tasks of `true` on the two one-CPU nodes, submission to the last task gone.
t=$(now)
job=$(sbatch --parsable --array=1-"$tasks" -o /dev/null --wrap true)
job=${job%%;*}
while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do sleep 0.05; done
array_wall=$(since "$t")
per_task=$(calc "$array_wall * 2 / $tasks")

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
echo "| measure ($images images; $cpu, $(nproc) cores; $(date +%F)) | seconds |"
echo "|---|---:|"
echo "| score-new, one node, whole list (wall) | $(fmt "$one") |"
echo "| of which: pipeline load | $(fmt "${load:-0}") |"
echo "| one node: images/s | $(fmt "$(calc "$images / $one")") |"
echo "| two-node cluster, 2 shards: submit → merged scores.csv | $(fmt "$two") |"
echo "| two-node cluster, 8 shards: submit → merged scores.csv | $(fmt "$eight") |"
echo "| two-node cluster, 2 shards: images/s | $(fmt "$(calc "$images / $two")") |"
echo "| a step: srun true (mean of $steps) | $(fmt "$step") |"
echo "| the same without Slurm: bash -c true | $(fmt "$local_step") |"
echo "| an array task of \`true\` ($tasks tasks on 2 one-CPU nodes; wall × 2 / tasks) | $(fmt "$per_task") |"
