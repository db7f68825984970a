#!/bin/sh
# local-cluster.sh: a Dask cluster on this machine, for tests, benchmarks
# and trying scale/dask/ out: one dask-scheduler and N dask-workers (one
# thread each, no nanny), separate processes on 127.0.0.1; the address
# goes to DIR/address, the pids to DIR/*.pid; stopped by those pids.
# usage: scale/dask/local-cluster.sh start DIR N
#        scale/dask/local-cluster.sh stop DIR
set -eu
cmd=${1:?start or stop} D=${2:?a directory}
case $cmd in
stop)
  for p in "$D"/*.pid; do [ -s "$p" ] && kill "$(cat "$p")" 2> /dev/null || true; done
  sleep 1
  for p in "$D"/*.pid; do [ -s "$p" ] && kill -9 "$(cat "$p")" 2> /dev/null || true; done
  exit 0 ;;
start) ;;
*) echo "usage: $0 start DIR N | stop DIR" >&2; exit 2 ;;
esac
n=${3:-2}
mkdir -p "$D"
port=$((30000 + $$ % 20000))
echo "tcp://127.0.0.1:$port" > "$D/address"
dask-scheduler --host 127.0.0.1 --port "$port" --dashboard-address "127.0.0.1:$((port + 1))" \
  > "$D/scheduler.log" 2>&1 &
echo $! > "$D/scheduler.pid"
i=1
while [ "$i" -le "$n" ]; do
  dask-worker "tcp://127.0.0.1:$port" --nworkers 1 --nthreads 1 --no-nanny --host 127.0.0.1 \
    --no-dashboard --name "w$i" > "$D/worker$i.log" 2>&1 &
  echo $! > "$D/worker$i.pid"
  i=$((i + 1))
done
/usr/bin/python3 - "$port" "$n" <<'PY'
import sys, time
from distributed import Client
with Client("tcp://127.0.0.1:%s" % sys.argv[1], timeout=60) as c:
    for _ in range(120):
        if len(c.scheduler_info()["workers"]) == int(sys.argv[2]):
            sys.exit(0)
        time.sleep(0.5)
sys.exit(1)
PY
echo "local-cluster: dask dashboard on http://127.0.0.1:$((port + 1))/status" >&2
