#!/bin/sh
# learning_curve.sh: how the topic model grows with its data.  Trains on
# every 8th, 4th and 2nd document of models/corpus/train.tsv and on all
# of it (whole documents, in corpus order), with the shipped settings
# (models/settings.sh) at the shipped C, and prints dev macro-F1 and,
# when ../shared is there, the seed gold's accuracy and macro-F1 (looked
# at, never tuned on).
# usage: models/learning_curve.sh   (after models/build.sh; a few minutes)
set -eu
cd "$(dirname "$0")/.."
K=${KHABAR:-build/khabar}
. models/settings.sh
seeds=../shared/data/seeds/sentences.tsv
C=$(awk '$1 == "C" { print $2 }' models/topic.model)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f1() { $K eval --model "$1" --data "$2" | awk '$1 == "accuracy" { a = $2 } $1 == "macro_f1" { print a, $2 }'; }
for k in 8 4 2 1; do
  awk -F'\t' -v k=$k 'NR == 1 { print; next }
    { if (!($4 in id)) id[$4] = n++; if (id[$4] % k == 0) print }' \
    models/corpus/train.tsv > "$tmp/train.tsv"
  $K train --data "$tmp/train.tsv" $TOPIC_SETTINGS -C "$C" --quiet \
    --out "$tmp/m.model" > /dev/null
  rows=$(($(wc -l < "$tmp/train.tsv") - 1))
  line="1/$k rows $rows dev(acc macro) $(f1 "$tmp/m.model" models/corpus/dev.tsv)"
  [ -f "$seeds" ] && line="$line seeds(acc macro) $(f1 "$tmp/m.model" "$seeds")"
  echo "$line"
done
