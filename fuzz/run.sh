#!/bin/sh
# run.sh: builds the libFuzzer targets with clang (ASan + UBSan) and runs
# each for a bounded time, starting from the committed seeds.  Crashes are
# written to fuzz/out/crashes/; copy each one into fuzz/regressions/TARGET/
# once fixed, and ctest replays it in every build from then on.
# usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60, all)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-normalize segment tsv model lines records}
command -v clang >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq clang >/dev/null; }
scripts/bootstrap.sh >/dev/null 2>&1 || true
out=fuzz/out
mkdir -p "$out/crashes"
dirs="common text features model corpus classify train"
flags="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -Iinclude $(for d in $dirs; do printf -- '-I%s ' $d; done) $(pkg-config --cflags icu-uc)"
libs="$(pkg-config --libs icu-uc icu-i18n) -llinear -lm -pthread"
src=$(for d in $dirs; do ls $d/*.c; done | tr '\n' ' ')
for t in $targets; do
  echo "== fuzz_$t: building"
  extra=""
  [ "$t" = records ] && extra="-Icli cli/records.c cli/util.c"
  clang $flags -fsanitize=fuzzer fuzz/fuzz_$t.c $src $extra $libs -o "$out/fuzz_$t"
  mkdir -p "$out/corpus_$t"
  cp fuzz/corpus/$t/* "$out/corpus_$t/" 2>/dev/null || true
  echo "== fuzz_$t: ${secs}s"
  "$out/fuzz_$t" "$out/corpus_$t" -max_total_time="$secs" -max_len=65536 \
    -rss_limit_mb=4096 -timeout=20 -artifact_prefix="$out/crashes/$t-" \
    -print_final_stats=1 2>&1 | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY)" || true
done
ls "$out/crashes" | sed 's/^/crash: /'
