#!/bin/sh
# test_slurm.sh: classify an archive on a real one-node Slurm cluster.
# Starts munged (private key and socket), slurmctld and slurmd from a
# generated slurm.conf on localhost (scale/slurm/local-cluster.sh); submits scale/slurm/submit.sh and
# compares the merged output with `khabar classify` in one process; then
# cancels one task of a second run while it runs and shows that a
# re-submission completes the output with nothing lost or doubled.  The
# daemons are stopped by their pids.  Skips (77) without root or Slurm.
# usage: test_slurm.sh KHABAR REPO_DIR
set -u
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REPO=$(cd "$2" && pwd)
for c in slurmctld slurmd munged sbatch squeue scancel; do
  command -v $c > /dev/null || PATH=$PATH:/usr/sbin
  command -v $c > /dev/null || { echo "skip: $c is not installed"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root to start the daemons"; exit 77; }
D=$(mktemp -d /tmp/khabar-slurm-XXXXXX)
chmod 755 "$D"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
stop() {
  sh "$REPO/scale/slurm/local-cluster.sh" stop "$D"
  rm -rf "$D"
}
trap stop EXIT
sh "$REPO/scale/slurm/local-cluster.sh" start "$D" || { echo "FAIL: the cluster did not start"; exit 1; }
export SLURM_CONF=$D/slurm.conf
check "the one-node cluster is up" [ "$(sinfo -h -o %t 2> /dev/null)" = idle ]

# an archive: 12 articles from the dev set
mkdir -p "$D/in"
awk -F'\t' 'NR > 1 { f = sprintf("%s/in/%s.txt", dir, $4); print $3 >> f }' dir="$D" "$REPO/models/corpus/dev.tsv"
ls "$D"/in/*.txt | head -n 12 > "$D/list"
"$K" classify --files-from "$D/list" > "$D/ref.tsv"
export KHABAR="$K"

# 1. four shards, merged in order: the single-process output, byte for byte
start=$(date +%s)
sh "$REPO/scale/slurm/submit.sh" --wait "$D/out1" "$D/list" 4 > "$D/submit1.log" 2>&1
check "the array and the merge ran (exit $?)" test -s "$D/out1/all.tsv"
check "the merged output equals khabar classify in one process" cmp -s "$D/out1/all.tsv" "$D/ref.tsv"
echo "slurm: 4 shards and the merge in $(( $(date +%s) - start )) s"

# 2. one task cancelled while it runs, then a re-submission
KHABAR_TEST_PAUSE_TASK=1 KHABAR_TEST_PAUSE=60 sh "$REPO/scale/slurm/submit.sh" "$D/out2" "$D/list" 4 > "$D/submit2.log" 2>&1
job=$(sed -n 's/^submit: job array \([0-9]*\).*/\1/p' "$D/submit2.log")
for i in $(seq 1 60); do
  squeue -h -j "$job" -t R -o %i 2> /dev/null | grep -q "^${job}_1$" && break
  sleep 1
done
check "task 1 is running" sh -c "squeue -h -j $job -t R -o %i | grep -q '^${job}_1\$'"
scancel "${job}_1"
for i in $(seq 1 60); do
  [ -z "$(squeue -h 2> /dev/null)" ] && break
  sleep 1
done
check "the queue drained (the merge was cancelled with its dependency)" [ -z "$(squeue -h)" ]
check "the cancelled shard left no part" test ! -e "$D/out2/part-00001.tsv"
check "the other shards are there" sh -c "ls '$D/out2'/part-0000[023].tsv > /dev/null"
check "no merged output from an incomplete run" test ! -e "$D/out2/all.tsv"
sh "$REPO/scale/slurm/submit.sh" --wait "$D/out2" "$D/list" 4 > "$D/submit3.log" 2>&1
check "the re-submission computed only the missing shard" grep -q "shards 1 of 4" "$D/submit3.log"
check "after the re-submission the output is whole and equal" cmp -s "$D/out2/all.tsv" "$D/ref.tsv"
check "no temporary file is left" sh -c "[ -z \"\$(ls -A '$D/out2' | grep '^\\.')\" ]"
sacct -j "$job" > /dev/null 2>&1 || true # progress is visible in the queue and accounting

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
