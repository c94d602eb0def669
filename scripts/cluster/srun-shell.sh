#!/bin/bash
# Make's SHELL for stage recipes when CLUSTER=slurm (pipelines/cluster.mk).
# Called as `srun-shell.sh -c RECIPE`: a recipe that runs a stage
# executable ($SEGAD_CLUSTER_BIN/extract-maps, evaluate, …: Make's BIN) runs
# as a Slurm step, `srun --quiet --nodes=1
# --ntasks=1 --input=none $SEGAD_SLURM_ARGS bash -c RECIPE`; any other
# (mkdir, echo) runs here. srun exits with the recipe's status and forwards
# its output (a failed step adds srun's own line "srun: error: NODE: task 0:
# Exited with exit code N"); no step reads make's stdin.
set -f   # SEGAD_SLURM_ARGS: split into words, never globbed
if [ "$1" = -c ] && [ -n "$SEGAD_CLUSTER_BIN" ]; then
    case "$2" in
        *"$SEGAD_CLUSTER_BIN/"*)
            # shellcheck disable=SC2086
            exec srun --quiet --nodes=1 --ntasks=1 --input=none $SEGAD_SLURM_ARGS /bin/bash -c "$2" ;;
    esac
fi
exec /bin/bash "$@"
