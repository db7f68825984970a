"""khabar_dask.py: classify an archive of Arabic news on a Dask cluster.

Two ways in, both on Debian's python3-distributed:

* Files (run as a script, or `classify_files`): the files listed in a
  file are cut into N contiguous shards; each Dask task runs
  `khabar classify --files-from LIST --shard I/N` and writes
  OUT/part-I.tsv atomically (a temporary file beside it, synced, then
  renamed); the parts are merged in order into OUT/all.tsv, byte for byte
  what `khabar classify` prints in one process.  A task lost with a worker
  is run again elsewhere by Dask; a part already there is not recomputed.

* Texts in Python (`classify_bag`): a Dask bag of article texts becomes a
  bag of sentence records through the Python binding (`khabar.Model`,
  loaded once per worker process).

    python3 scale/dask/khabar_dask.py --scheduler tcp://127.0.0.1:8786 \\
        --files-from list.txt --out out/ --parts 20
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def _write_atomically(path, produce):
    """Runs produce(file) into a temporary file beside path, syncs it and
    renames it to path: the file is whole or absent."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path),
                               prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            produce(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _worker_name():
    try:
        from distributed import get_worker
        return str(get_worker().name)
    except (ImportError, ValueError):
        return "local"


def classify_shard(khabar, files_from, out, shard, shards, options=(), pause=0):
    """One Dask task: shard I of N into OUT/part-I.tsv (skipped when
    there); returns the part and the name of the worker that ran it."""
    part = os.path.join(out, "part-%05d.tsv" % shard)
    if os.path.exists(part):
        return part, _worker_name()
    if pause:  # a test hook: hold the task, so a test can kill its worker
        time.sleep(pause)

    def produce(f):
        subprocess.run([khabar, "classify", *options, "--files-from", files_from,
                        "--shard", "%d/%d" % (shard, shards)], stdout=f, check=True)
    return _write_atomically(part, produce), _worker_name()


def merge(out, shards):
    """Concatenates OUT/part-0..N-1 in order into OUT/all.tsv, atomically;
    a missing part is an error naming it."""
    parts = [os.path.join(out, "part-%05d.tsv" % i) for i in range(shards)]
    missing = [p for p in parts if not os.path.exists(p)]
    if missing:
        raise FileNotFoundError("missing parts: " + " ".join(missing))

    def produce(f):
        for p in parts:
            with open(p, "rb") as src:
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    f.write(block)
    return _write_atomically(os.path.join(out, "all.tsv"), produce)


def classify_files(client, khabar, files_from, out, shards, options=(), pause=0):
    """Classifies the listed files on the client's cluster; returns the
    path of the merged output and the names of the workers that ran the
    shards."""
    os.makedirs(out, exist_ok=True)
    khabar = os.path.abspath(khabar) if os.sep in khabar else khabar
    files_from = os.path.abspath(files_from)
    futures = [client.submit(classify_shard, khabar, files_from, os.path.abspath(out),
                             i, shards, tuple(options), pause, pure=False,
                             key="khabar-shard-%d-of-%d-%s" % (i, shards, os.path.abspath(out)))
               for i in range(shards)]
    done = client.gather(futures)
    return merge(out, shards), sorted({w for _, w in done})


_models = {}


def _classify_partition(texts, model, options):
    import khabar
    if model not in _models:  # once per worker process
        _models[model] = khabar.Model(model)
    return _models[model].classify(list(texts), **options)


def classify_bag(bag, model="topic", **options):
    """A bag of article texts -> a bag of sentence records (see
    khabar.Model.classify; 'doc' counts from 0 within each partition)."""
    return bag.map_partitions(_classify_partition, model, options)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scheduler", required=True, help="tcp://HOST:PORT")
    ap.add_argument("--files-from", required=True, help="the files, one path a line")
    ap.add_argument("--out", required=True, help="directory for the parts and all.tsv")
    ap.add_argument("--parts", type=int, default=8, help="number of shards (tasks)")
    ap.add_argument("--khabar", default="khabar", help="the khabar command")
    ap.add_argument("--pause", type=float, default=0, help=argparse.SUPPRESS)
    ap.add_argument("options", nargs="*", help="more khabar classify options, after --")
    a = ap.parse_args(argv)
    from distributed import Client
    with Client(a.scheduler) as client:
        start = time.time()
        path, workers = classify_files(client, a.khabar, a.files_from, a.out,
                                       a.parts, a.options, a.pause)
        print("khabar_dask: wrote %s (%d parts on workers %s, %.1f s)" % (
              path, a.parts, ",".join(workers), time.time() - start), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
