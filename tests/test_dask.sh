#!/bin/sh
# test_dask.sh: classify an archive on a real Dask cluster: a
# dask-scheduler and two dask-workers started as separate processes on
# 127.0.0.1 (scale/dask/local-cluster.sh), the job submitted through a Client by address, one worker
# killed while its task runs; the merged output must equal `khabar
# classify` in one process.  Also a Dask bag of texts through the Python
# binding.  Processes are stopped by their pids.  Skips (77) without
# python3-distributed.
# usage: test_dask.sh KHABAR REPO_DIR [PYTHONPATH_FOR_KHABAR_MODULE]
set -u
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REPO=$(cd "$2" && pwd)
PYMOD=${3:+$(cd "$3" && pwd)}
PY=/usr/bin/python3
# the workers import the khabar module and khabar_dask too
export PYTHONPATH="${PYMOD:+$PYMOD:}$REPO/scale/dask"
command -v dask-scheduler > /dev/null && $PY -c "import distributed" 2> /dev/null || { echo "skip: python3-distributed is not installed"; exit 77; }
D=$(mktemp -d /tmp/khabar-dask-XXXXXX)
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
stop() {
  sh "$REPO/scale/dask/local-cluster.sh" stop "$D/cluster"
  rm -rf "$D"
}
trap stop EXIT
cd "$D"
sh "$REPO/scale/dask/local-cluster.sh" start "$D/cluster" 2 2> /dev/null || { echo "FAIL: the cluster did not come up"; cat "$D"/cluster/*.log | tail -20; exit 1; }
ok
addr=$(cat "$D/cluster/address")
port=${addr##*:}
worker2=$(cat "$D/cluster/worker2.pid")

mkdir -p "$D/in"
awk -F'\t' 'NR > 1 { f = sprintf("%s/in/%s.txt", dir, $4); print $3 >> f }' dir="$D" "$REPO/models/corpus/dev.tsv"
ls "$D"/in/*.txt | head -n 24 > "$D/list"
"$K" classify --files-from "$D/list" > "$D/ref.tsv"

# 1. six shards on two workers
$PY "$REPO/scale/dask/khabar_dask.py" --scheduler "tcp://127.0.0.1:$port" --files-from "$D/list" \
  --out "$D/out1" --parts 6 --khabar "$K" 2> "$D/run1.log"
check "six shards on two workers (exit $?)" test -s "$D/out1/all.tsv"
check "the merged output equals khabar classify in one process" cmp -s "$D/out1/all.tsv" "$D/ref.tsv"
check "both workers took shards" grep -q "on workers w1,w2" "$D/run1.log"

# 2. a worker killed while its task runs: Dask runs the task again on the other
$PY "$REPO/scale/dask/khabar_dask.py" --scheduler "tcp://127.0.0.1:$port" --files-from "$D/list" \
  --out "$D/out2" --parts 6 --khabar "$K" --pause 2 2> "$D/run2.log" &
driver=$!
sleep 3
kill -9 "$worker2"
wait "$driver"; rc=$?
check "the run survives a killed worker (exit $rc)" [ "$rc" -eq 0 ]
check "after the killed worker the output is whole and equal" cmp -s "$D/out2/all.tsv" "$D/ref.tsv"
check "no temporary file is left" sh -c "[ -z \"\$(ls -A '$D/out2' | grep '^\\.')\" ]"
check "the scheduler saw the worker go" grep -qi "remove worker\|lost" "$D/cluster/scheduler.log"
check "the shards of the run all ended on the surviving worker" grep -q "on workers w1, " "$D/run2.log"

# 3. a bag of texts through the Python binding
if [ -n "$PYMOD" ]; then
  $PY - "$port" "$D/list" <<'PY'
import sys
import dask.bag as db
from distributed import Client
import khabar, khabar_dask
texts = [open(p.strip(), encoding="utf-8").read() for p in open(sys.argv[2])][:6]
with Client("tcp://127.0.0.1:%s" % sys.argv[1]) as c:
    got = khabar_dask.classify_bag(db.from_sequence(texts, npartitions=1)).compute()
want = khabar.Model("topic").classify(texts)
assert [(r["n"], r["label"], r["text"]) for r in got] == [(r["n"], r["label"], r["text"]) for r in want]
PY
  check "a Dask bag through the Python binding gives the binding's records" [ $? -eq 0 ]
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
