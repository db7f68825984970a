#!/bin/sh
# assemble.sh: builds models/corpus/train.tsv and dev.tsv from the batches.
#
# The split is by document, never by sentence: the articles whose number
# (the NN of doc id <batch>-NN) is 3, 8, 13, ... go to dev, the rest to
# train, so every batch, setting and outlet voice is in both.  Rows keep
# batch order; the header is the labelling guide's plus doc and also.
# With --check it writes nothing and fails when train.tsv or dev.tsv
# differ from what the batches give.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
check=0
[ "${1:-}" = "--check" ] && check=1
header=$(printf 'topic\tstance\ttext\tdoc\talso')
tmp_train=$(mktemp "$dir/train.tsv.XXXXXX")
tmp_dev=$(mktemp "$dir/dev.tsv.XXXXXX")
trap 'rm -f "$tmp_train" "$tmp_dev"' EXIT
for f in $(LC_ALL=C ls "$dir"/batches/*.tsv); do
  first=$(head -n 1 "$f" | tr -d '\r')
  if [ "$first" != "$header" ]; then
    echo "assemble: $f:1: header is not '$header'" >&2
    exit 1
  fi
done
printf '%s\n' "$header" > "$tmp_train"
printf '%s\n' "$header" > "$tmp_dev"
for f in $(LC_ALL=C ls "$dir"/batches/*.tsv); do
  awk -F'\t' -v f="$f" -v train="$tmp_train" -v dev="$tmp_dev" '
    FNR == 1 { next }
    NF != 5 { printf "assemble: %s:%d: %d columns, expected 5\n", f, FNR, NF > "/dev/stderr"; exit 1 }
    {
      n = $4; sub(/.*-/, "", n)
      if (n !~ /^[0-9]+$/) { printf "assemble: %s:%d: doc id %s does not end in -NN\n", f, FNR, $4 > "/dev/stderr"; exit 1 }
      print >> ((n + 0) % 5 == 3 ? dev : train)
    }' "$f"
done
if [ "$check" = 1 ]; then
  for part in train dev; do
    eval "tmp=\$tmp_$part"
    if ! cmp -s "$tmp" "$dir/$part.tsv"; then
      echo "assemble: models/corpus/$part.tsv is out of date: run models/corpus/assemble.sh" >&2
      exit 1
    fi
  done
  echo "assemble: train.tsv and dev.tsv match the batches" >&2
  exit 0
fi
mv "$tmp_train" "$dir/train.tsv"
mv "$tmp_dev" "$dir/dev.tsv"
trap - EXIT
echo "assemble: train $(($(wc -l < "$dir/train.tsv") - 1)) rows, dev $(($(wc -l < "$dir/dev.tsv") - 1)) rows" >&2
