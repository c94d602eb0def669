#!/bin/bash
# Stops the cluster scripts/cluster/up.sh STATE_DIR started and removes
# STATE_DIR: jobs cancelled, then each daemon by the PID up.sh recorded —
# the slurmds before slurmctld (a slurmd whose controller has gone ignores
# TERM), munged last — TERM, then KILL after 5 s.
set -uo pipefail
state=${1:?usage: down.sh STATE_DIR}
[ -d "$state" ] || exit 0
state=$(cd "$state" && pwd)
if [ -f "$state/slurm.conf" ] && [ -f "$state/pids/slurmctld" ]; then
    SLURM_CONF=$state/slurm.conf timeout 10 scancel --full --quiet --partition segad 2>/dev/null
    for _ in $(seq 50); do
        [ -z "$(SLURM_CONF=$state/slurm.conf timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
        sleep 0.1
    done
fi
stop() {  # NAME: TERM, up to 5 s, then KILL
    local f=$state/pids/$1 pid
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$f"
}
stop slurmd-nodea
stop slurmd-nodeb
stop slurmctld
stop munged
rm -rf "$state"
