#!/bin/sh
# run.sh: khabar against fastText and scikit-learn, in one run, on the same
# data and machine (run by hand; not a test).  All are trained on the
# shipped topic corpus (models/corpus/train.tsv) and scored on dev.tsv.
# It prints one table and the khabar/peer ratios.
#
# usage: bench/run.sh [--full]
#   --full  also the 10 MB / 100 MB / 1 GB scaling runs and the 2 GB
#           stream memory run (tens of minutes)
set -eu
cd "$(dirname "$0")/.."
full=0
[ "${1:-}" = "--full" ] && full=1
need=""
command -v fasttext >/dev/null || need="$need fasttext"
/usr/bin/python3 -c 'import sklearn' 2>/dev/null || need="$need python3-sklearn"
command -v hyperfine >/dev/null || need="$need hyperfine"
if [ -n "$need" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null
fi
scripts/bootstrap.sh
K=$PWD/build/khabar
W=bench/work
mkdir -p $W
# the model rows' cache (model/model_cache.c) goes here, not to ~/.cache
export KHABAR_CACHE_DIR=$PWD/$W/cache
TRAIN=models/corpus/train.tsv
DEV=models/corpus/dev.tsv
C=$(awk '$1 == "C" {print $2; exit}' models/topic.model)
S=$(awk '$1 == "solver" {print $2; exit}' models/topic.model)
NB=$(awk '$1 == "nb_scale" && $2 == 1 {print "--nb"; exit}' models/topic.model)

# --- data: 500,000+ sentences (one a line) and the same text as articles
cut -f3 $TRAIN | tail -n +2 > $W/sent.txt
cut -f3 $DEV | tail -n +2 >> $W/sent.txt
reps=$(( 500000 / $(wc -l < $W/sent.txt) + 1 ))
: > $W/big.txt
i=0; while [ $i -lt $reps ]; do cat $W/sent.txt >> $W/big.txt; i=$((i + 1)); done
awk '{ printf "%s ", $0; if (NR % 8 == 0) print "" } END { print "" }' $W/big.txt > $W/articles.txt
nsent=$(wc -l < $W/big.txt)
mb=$(awk -v b="$(wc -c < $W/articles.txt)" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "data: $nsent sentences ($(wc -c < $W/big.txt) bytes), articles file $mb MB"

# peak RSS (KB) and seconds of a command
measure() { /usr/bin/time -f "%e %M" -o $W/time.txt "$@" > /dev/null; cat $W/time.txt; }

# --- khabar
kt=$(measure $K train --data $TRAIN --task topic -C "$C" --solver "$S" $NB --labels military,negotiation,humanitarian,other --out $W/k.model --quiet | cut -d' ' -f1)
kacc=$($K eval --model $W/k.model --data $DEV --json | sed 's/^{"n":[0-9]*,"accuracy":\([0-9.]*\).*/\1/')
kf1=$($K eval --model $W/k.model --data $DEV --json | sed 's/.*"macro_f1":\([0-9.]*\).*/\1/')
set -- $(measure $K classify -j 1 --sentences --model $W/k.model $W/big.txt)
ks=$1; krss=$2
set -- $(measure $K classify -j 1 --model $W/k.model $W/articles.txt)
ka=$1; karss=$2
set -- $(measure $K classify -j 2 --model $W/k.model $W/articles.txt)
ka2=$1
ksize=$(wc -c < $W/k.model)
head -n 1 $W/sent.txt > $W/one.txt
hyperfine -N -w 3 -r 20 --export-json $W/hk.json "$K classify --model $W/k.model $W/one.txt" > /dev/null 2>&1
kstart=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' $W/hk.json | head -1)

# --- fastText (supervised, char n-grams 2-5, word bigrams, one thread)
awk -F'\t' 'NR > 1 { print "__label__" $1 " " $3 }' $TRAIN > $W/ft.train
awk -F'\t' 'NR > 1 { print "__label__" $1 " " $3 }' $DEV > $W/ft.dev
ft=$(measure fasttext supervised -input $W/ft.train -output $W/ft -minn 2 -maxn 5 -wordNgrams 2 -dim 50 -epoch 25 -lr 0.5 -thread 1 -verbose 0 | cut -d' ' -f1)
fasttext predict $W/ft.bin $W/ft.dev > $W/ft.pred
awk -F'\t' 'NR > 1 { print "__label__" $1 }' $DEV > $W/ft.gold
ftscore=$(paste -d' ' $W/ft.gold $W/ft.pred | awk '
  { n++; g[$1]++; p[$2]++; if ($1 == $2) { ok++; tp[$1]++ } }
  END { for (c in g) { pr = p[c] ? tp[c] / p[c] : 0; rc = tp[c] / g[c]; f += (pr + rc) ? 2 * pr * rc / (pr + rc) : 0; k++ }
        printf "%.4f %.4f", ok / n, f / k }')
facc=${ftscore% *}; ff1=${ftscore#* }
set -- $(measure fasttext predict $W/ft.bin $W/big.txt)
fs=$1; frss=$2
fsize=$(wc -c < $W/ft.bin)
hyperfine -N -w 3 -r 20 --export-json $W/hf.json "fasttext predict $W/ft.bin $W/one.txt" > /dev/null 2>&1
fstart=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' $W/hf.json | head -1)

# --- scikit-learn (single process)
/usr/bin/python3 bench/sklearn_bench.py $TRAIN $DEV $W/big.txt > $W/sk.txt

# --- the table
awk -v n="$nsent" -v mb="$mb" \
    -v kt="$kt" -v kacc="$kacc" -v kf1="$kf1" -v ks="$ks" -v krss="$krss" -v ka="$ka" -v ka2="$ka2" -v karss="$karss" -v ksize="$ksize" -v kstart="$kstart" \
    -v ft="$ft" -v facc="$facc" -v ff1="$ff1" -v fs="$fs" -v frss="$frss" -v fsize="$fsize" -v fstart="$fstart" '
  BEGIN {
    printf "%-20s %8s %8s %8s %12s %10s %10s %12s\n", "system", "train_s", "dev_acc", "dev_F1", "sent/s", "peak_MB", "start_ms", "model_KB"
    printf "%-20s %8.2f %8.4f %8.4f %12.0f %10.1f %10.1f %12.0f\n", "khabar (-j 1)", kt, kacc, kf1, n / ks, krss / 1024, kstart * 1000, ksize / 1024
    printf "%-20s %8.2f %8.4f %8.4f %12.0f %10.1f %10.1f %12.0f\n", "fasttext", ft, facc, ff1, n / fs, frss / 1024, fstart * 1000, fsize / 1024
    kr = n / ks; fr = n / fs
  }
  { printf "%-20s %8.2f %8.4f %8.4f %12.0f %10.1f %10s %12.0f\n", $1, $2, $3, $4, $5, $7 / 1024, "-", $6 / 1024
    name[NR] = $1; tr[NR] = $2; f1[NR] = $4; rate[NR] = $5 }
  END {
    printf "\nkhabar end to end (read, segment, normalise, featurise, predict, print), %s MB of articles:\n", mb
    printf "  -j 1: %.1f MB/s (peak %.1f MB)   -j 2: %.1f MB/s (speed-up %.2fx)\n", mb / ka, karss / 1024, mb / ka2, ka / ka2
    printf "\nratios khabar/peer (throughput and speed: >1 is khabar faster; F1: >1 is khabar better)\n"
    printf "  vs fasttext: classify %.2fx, train %.2fx, start-up %.2fx, macro-F1 %.3f\n", kr / fr, ft / kt, fstart / kstart, kf1 / ff1
    for (i = 1; i <= NR; i++)
      printf "  vs %s: classify %.2fx, train %.2fx, macro-F1 %.3f\n", name[i], kr / rate[i], tr[i] / kt, kf1 / f1[i]
  }' $W/sk.txt

# --- end to end with the shipped models of the day, against the release
# 15d59eb (built here, with its own shipped topic model) and fastText's
# word mode (word n-grams, no character n-grams) on the same sentences
REL=${KHABAR_RELEASE:-15d59eb}
if [ ! -x $W/release/build/khabar ]; then
  rm -rf $W/release && mkdir -p $W/release
  git archive "$REL" | tar -x -C $W/release
  cmake -S $W/release -B $W/release/build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
  cmake --build $W/release/build --target khabar_cli -j 2 > /dev/null
fi
R=$W/release/build/khabar
$K segment $W/articles.txt > $W/seg.txt
awk -F'\t' 'NR > 1 { print "__label__" $1 " " $3 }' $TRAIN > $W/ftw.train
fasttext supervised -input $W/ftw.train -output $W/ftw -minn 0 -maxn 0 -wordNgrams 2 -dim 50 -epoch 25 -lr 0.5 -thread 1 -verbose 0
set -- $(measure $K classify -j 1 $W/articles.txt); e1=$1; e1rss=$2
set -- $(measure $K classify -j 2 $W/articles.txt); e2=$1
set -- $(measure $R classify -j 1 --model $W/release/models/topic.model $W/articles.txt); r1=$1
set -- $(measure fasttext predict $W/ftw.bin $W/seg.txt); fw=$1
$K classify -j 1 $W/articles.txt > $W/e1.tsv
$K classify -j 2 $W/articles.txt > $W/e2.tsv
same=$(cmp -s $W/e1.tsv $W/e2.tsv && echo yes || echo NO)
hyperfine -N -w 3 -r 20 --export-json $W/hs.json "$K classify $W/one.txt" > /dev/null 2>&1
sstart=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' $W/hs.json | head -1)
KHABAR_CACHE_DIR= hyperfine -N -w 3 -r 20 --export-json $W/hs0.json "$K classify $W/one.txt" > /dev/null 2>&1
sstart0=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' $W/hs0.json | head -1)
echo
echo "end to end with the shipped topic model ($(awk '$1 == "lead_clause" || $1 == "context" { printf "%s %s ", $1, $2 }' models/topic.model)), $mb MB of articles:"
awk -v mb="$mb" -v e1="$e1" -v e2="$e2" -v r1="$r1" -v fw="$fw" -v rss="$e1rss" -v st="$sstart" -v st0="$sstart0" -v same="$same" -v segmb="$(wc -c < $W/seg.txt)" -v rel="$REL" 'BEGIN {
  printf "  khabar -j 1: %.1f MB/s (peak %.1f MB), -j 2: %.1f MB/s (%.2fx, output identical: %s)\n", mb / e1, rss / 1024, mb / e2, e1 / e2, same
  printf "  start-up (one sentence): %.1f ms with the rows cache, %.1f ms parsing the text model\n", st * 1000, st0 * 1000
  printf "  release %s -j 1: %.1f MB/s    fastText word mode predict: %.1f MB/s of sentences\n", rel, mb / r1, segmb / 1e6 / fw
  printf "  ratios: khabar/release %.2fx, khabar/fastText-word %.2fx\n", r1 / e1, (mb / e1) / (segmb / 1e6 / fw)
}'

if [ "$full" = 1 ]; then
  echo
  echo "scaling (khabar classify -j 1, articles):"
  for size in 10 100 1000; do
    : > $W/scale.txt
    while [ "$(wc -c < $W/scale.txt)" -lt $((size * 1000000)) ]; do cat $W/articles.txt >> $W/scale.txt; done
    head -c $((size * 1000000)) $W/scale.txt | sed '$d' > $W/scale_cut.txt
    set -- $(measure $K classify -j 1 --model $W/k.model $W/scale_cut.txt)
    awk -v s="$1" -v m="$2" -v b="$(wc -c < $W/scale_cut.txt)" 'BEGIN { printf "  %6.0f MB: %7.1f s, %5.1f MB/s, peak %.1f MB\n", b / 1e6, s, b / 1e6 / s, m / 1024 }'
  done
  echo "2 GB stream through stdin (-j 2):"
  set -- $( { /usr/bin/time -f "%e %M" -o $W/time.txt sh -c "i=0; while [ \$i -lt 2 ]; do cat $W/scale_cut.txt; i=\$((i+1)); done | $K classify --model $W/k.model > /dev/null"; cat $W/time.txt; } )
  awk -v s="$1" -v m="$2" 'BEGIN { printf "  %.1f s, peak RSS %.1f MB\n", s, m / 1024 }'
  rm -f $W/scale.txt $W/scale_cut.txt
fi
