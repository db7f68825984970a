#!/bin/sh
# scale.sh: by hand, as root: throughput of khabar on the cluster engines
# of this machine against plain `classify -j 2`, on the same files: Slurm
# with 1 and 2 tasks at a time (scale/slurm/), Dask with 1 and 2 workers
# (scale/dask/), and the per-task overhead (a shard of one small file).
# Starts and stops its own one-node clusters.  Numbers go to stdout; the
# method and results are in scale/README.md.
# usage: bench/scale.sh [COPIES]   (COPIES of the dev set's articles, default 8)
set -eu
cd "$(dirname "$0")/.."
copies=${1:-8}
K=$(pwd)/build/khabar
W=$(mktemp -d /tmp/khabar-scale-XXXXXX)
chmod 755 "$W" # munged runs as its own user
trap 'sh scale/slurm/local-cluster.sh stop "$W/slurm" 2>/dev/null; sh scale/dask/local-cluster.sh stop "$W/dask" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/in"
c=0
while [ "$c" -lt "$copies" ]; do
  awk -F'\t' 'NR > 1 { f = sprintf("%s/in/%s-%d.txt", dir, $4, c); print $3 >> f }' dir="$W" c="$c" models/corpus/dev.tsv
  c=$((c + 1))
done
ls "$W"/in/*.txt > "$W/list"
mb=$(cat "$W"/in/*.txt | wc -c | awk '{ printf "%.1f", $1 / 1e6 }')
files=$(wc -l < "$W/list")
now() { date +%s.%N; }
rate() { awk -v mb="$mb" -v t="$1" 'BEGIN { printf "%6.2f s  %6.2f MB/s", t, mb / t }'; }
echo "input: $files files, $mb MB"
t0=$(now); "$K" classify -j 2 --files-from "$W/list" > "$W/ref.tsv"; t1=$(now)
echo "classify -j 2 (one process)       $(rate "$(echo "$t1 - $t0" | bc)")"

export KHABAR=$K
sh scale/slurm/local-cluster.sh start "$W/slurm"
export SLURM_CONF=$W/slurm/slurm.conf
for tasks in 1 2; do
  cpus=$((2 / tasks))
  t0=$(now); sh scale/slurm/submit.sh --wait --cpus "$cpus" "$W/s$tasks" "$W/list" 8 > /dev/null; t1=$(now)
  cmp -s "$W/s$tasks/all.tsv" "$W/ref.tsv" || echo "slurm: output differs!"
  echo "slurm, 8 shards, $tasks task(s) at a time (-j $cpus)  $(rate "$(echo "$t1 - $t0" | bc)")"
done
head -n 1 "$W/list" > "$W/one"
t0=$(now); sh scale/slurm/submit.sh --wait --cpus 1 "$W/s-one" "$W/one" 1 > /dev/null; t1=$(now)
echo "slurm, one small shard and its merge: $(echo "$t1 - $t0" | bc) s (the per-job overhead)"
sacct -X -o JobID,JobName,Elapsed,State | tail -n 8
sh scale/slurm/local-cluster.sh stop "$W/slurm"

for workers in 1 2; do
  sh scale/dask/local-cluster.sh start "$W/dask" "$workers" 2> /dev/null
  addr=$(cat "$W/dask/address")
  t0=$(now); /usr/bin/python3 scale/dask/khabar_dask.py --scheduler "$addr" --files-from "$W/list" \
    --out "$W/d$workers" --parts 8 --khabar "$K" 2> /dev/null; t1=$(now)
  cmp -s "$W/d$workers/all.tsv" "$W/ref.tsv" || echo "dask: output differs!"
  echo "dask, 8 shards, $workers worker(s) (-j 1 each)       $(rate "$(echo "$t1 - $t0" | bc)")"
  if [ "$workers" = 1 ]; then
    t0=$(now); /usr/bin/python3 scale/dask/khabar_dask.py --scheduler "$addr" --files-from "$W/one" \
      --out "$W/d-one" --parts 1 --khabar "$K" 2> /dev/null; t1=$(now)
    echo "dask, one small shard and its merge (client start-up included): $(echo "$t1 - $t0" | bc) s"
  fi
  sh scale/dask/local-cluster.sh stop "$W/dask"
done
