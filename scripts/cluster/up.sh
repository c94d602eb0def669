#!/bin/bash
# A two-node Slurm cluster on this host for the tests (docs/cluster.md, "A
# cluster on one host"): scripts/cluster/up.sh STATE_DIR
#
# Installs munge, slurmctld, slurmd and slurm-client with apt-get when they
# are missing (as root), writes STATE_DIR/slurm.conf (ClusterName unique to
# STATE_DIR; nodes nodea and nodeb on 127.0.0.1 with their own ports, one CPU
# each; proctrack/linuxproc, task/none, no accounting), starts munged with
# its own key and socket, slurmctld and `slurmd -N nodea|nodeb`, each in
# the background with its PID in STATE_DIR/pids/, and waits until sinfo shows
# both nodes idle. Clients use it with SLURM_CONF=STATE_DIR/slurm.conf.
# scripts/cluster/down.sh STATE_DIR stops every daemon and removes STATE_DIR.
# Binds to loopback only. Exit 2: not root or no apt-get (the tests skip).
set -euo pipefail
state=${1:?usage: up.sh STATE_DIR}
if [ "$(id -u)" != 0 ]; then echo "up.sh: needs root (slurmd runs steps as their user)" >&2; exit 2; fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v srun >/dev/null || ! command -v munged >/dev/null; then
    if ! command -v apt-get >/dev/null; then echo "up.sh: Slurm is not installed and there is no apt-get to install it" >&2; exit 2; fi
    echo "up.sh: installing munge slurmctld slurmd slurm-client (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q munge slurmctld slurmd slurm-client >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q munge slurmctld slurmd slurm-client >/dev/null; }
fi
mkdir -p "$state"
state=$(cd "$state" && pwd)
case "$state" in *[!A-Za-z0-9_./+-]*) echo "up.sh: $state: the state folder's path must be plain (letters, digits, . _ + - /)" >&2; exit 1;; esac
mkdir -p "$state/pids" "$state/ctld" "$state/spool-nodea" "$state/spool-nodeb" "$state/munge"
chmod 700 "$state/munge"

# Three free loopback ports: slurmctld and the two slurmds.
read -r pctld pa pb < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
name="segad$(printf '%s' "$state" | sha256sum | cut -c1-8)"

cat > "$state/slurm.conf" <<CONF
ClusterName=$name
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$pctld
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool-%n
SlurmctldPidFile=$state/pids/slurmctld.pidfile
SlurmdPidFile=$state/pids/slurmd-%n.pidfile
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MaxArraySize=10001
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=nodea NodeHostname=localhost NodeAddr=127.0.0.1 Port=$pa CPUs=1 State=UNKNOWN
NodeName=nodeb NodeHostname=localhost NodeAddr=127.0.0.1 Port=$pb CPUs=1 State=UNKNOWN
PartitionName=segad Nodes=nodea,nodeb Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$state/slurm.conf

dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$state/munge/munge.key"
start() {  # NAME COMMAND…: in the background, its own session, PID in pids/NAME
    local n=$1; shift
    # Descriptors beyond 0-2 are closed: a daemon holding one its caller
    # waits on (a pipe, the socket Foundation's Process watches for its
    # child's exit) would keep the caller waiting until the daemon ends.
    (
        for fd in $(ls "/proc/$BASHPID/fd"); do
            [ "$fd" -gt 2 ] && eval "exec $fd>&-"
        done 2>/dev/null
        exec setsid "$@" >"$state/$n.out" 2>&1 < /dev/null
    ) &
    echo $! > "$state/pids/$n"
}
start munged munged --foreground --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
    --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" --seed-file="$state/munge/munged.seed"
for _ in $(seq 50); do [ -S "$state/munge/munge.socket" ] && break; sleep 0.1; done
start slurmctld slurmctld -D -i -f "$state/slurm.conf"
start slurmd-nodea slurmd -D -N nodea -f "$state/slurm.conf"
start slurmd-nodeb slurmd -D -N nodeb -f "$state/slurm.conf"

# Both nodes idle, within 60 s.
for _ in $(seq 300); do
    if [ "$(sinfo -h -N -o '%N %t' 2>/dev/null | sort | tr '\n' ' ')" = "nodea idle nodeb idle " ]; then
        echo "up.sh: cluster $name up (SLURM_CONF=$state/slurm.conf)" >&2
        exit 0
    fi
    sleep 0.2
done
echo "up.sh: the nodes did not become idle within 60 s: $(sinfo -h -N -o '%N %t' 2>&1 | tr '\n' ' ')(logs in $state)" >&2
exit 1
