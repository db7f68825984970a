#!/bin/sh
# submit.sh: classifies an archive on Slurm.  The files listed in LIST
# (one path a line) are cut into N shards; a job array runs one
# `khabar classify --shard I/N` per shard (classify.sbatch), and a job
# that depends on it merges the parts in order into OUT/all.tsv
# (merge.sbatch).  Run it again after a failure or a cancelled task: only
# the missing parts are computed.  The concatenated output is byte for
# byte what `khabar classify` gives on the same files in one process.
# usage: scale/slurm/submit.sh [--wait] [--cpus C] OUT LIST N [khabar classify options]
#   --cpus C: CPUs per task (and classify -j C); default 2
#   env: KHABAR (the khabar command, default: khabar on PATH)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
wait=""
cpus=2
while :; do
  case ${1:-} in
  --wait) wait=--wait; shift ;;
  --cpus) cpus=${2:?--cpus wants a number}; shift 2 ;;
  *) break ;;
  esac
done
[ $# -ge 3 ] || { echo "usage: $0 [--wait] OUT LIST N [classify options]" >&2; exit 2; }
out=$1 list=$2 n=$3
shift 3
case $n in ''|*[!0-9]*) echo "submit: N must be a number, not '$n'" >&2; exit 2 ;; esac
[ -r "$list" ] || { echo "submit: $list: cannot read the file list" >&2; exit 1; }
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
list=$(cd "$(dirname "$list")" && pwd)/$(basename "$list")
rm -f "$out"/.part-* "$out"/.all.* # what cancelled tasks left
missing=""
i=0
while [ "$i" -lt "$n" ]; do
  [ -e "$(printf '%s/part-%05d.tsv' "$out" "$i")" ] || missing="$missing${missing:+,}$i"
  i=$((i + 1))
done
dep=""
if [ -n "$missing" ]; then
  job=$(sbatch --parsable --array="$missing" --cpus-per-task="$cpus" \
        --output="$out/logs/classify-%A_%a.log" \
        "$here/classify.sbatch" "$out" "$list" "$n" "$@")
  echo "submit: job array $job, shards $missing of $n"
  dep="--dependency=afterok:${job%%;*} --kill-on-invalid-dep=yes"
fi
merge=$(sbatch --parsable $wait $dep --output="$out/logs/merge-%j.log" \
        "$here/merge.sbatch" "$out" "$n")
echo "submit: merge job $merge"
