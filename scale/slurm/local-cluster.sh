#!/bin/sh
# local-cluster.sh: a one-node Slurm cluster on this machine, for tests,
# benchmarks and trying scale/slurm/ out: munged with a private key and
# socket, slurmctld and slurmd from a generated slurm.conf, everything
# under DIR; stopped by the pids kept there.  Needs root, slurm-wlm, munge.
# usage: scale/slurm/local-cluster.sh start DIR    (then: export SLURM_CONF=DIR/slurm.conf)
#        scale/slurm/local-cluster.sh stop DIR
set -eu
cmd=${1:?start or stop} D=${2:?a directory}
PATH=$PATH:/usr/sbin
case $cmd in
stop)
  for p in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
    [ -s "$p" ] && kill "$(cat "$p")" 2> /dev/null || true
  done
  sleep 1
  for p in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
    [ -s "$p" ] && kill -9 "$(cat "$p")" 2> /dev/null || true
  done
  exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
mkdir -p "$D/munge" "$D/state" "$D/spool"
chmod 755 "$D"
chown munge:munge "$D/munge" && chmod 755 "$D/munge"
dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2> /dev/null
chown munge:munge "$D/munge/munge.key" && chmod 400 "$D/munge/munge.key"
runuser -u munge -- munged --key-file="$D/munge/munge.key" --socket="$D/munge/munge.sock" \
  --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
  --seed-file="$D/munge/munged.seed"
host=$(hostname -s)
port=$((20000 + $$ % 20000))
cat > "$D/slurm.conf" <<CONF
ClusterName=khabarlocal
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/ctld.log
SlurmdLogFile=$D/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for i in $(seq 1 60); do
  [ "$(sinfo -h -o %t 2> /dev/null)" = idle ] && exit 0
  sleep 1
done
echo "local-cluster: the node did not come up; see $D/ctld.log and $D/d.log" >&2
exit 1
