#!/bin/sh
# seg_eval.sh: share of the seed articles' gold sentences that
# `khabar segment` reproduces exactly (per article, as a multiset).
# usage: scripts/seg_eval.sh [SEEDS_DIR] [KHABAR]
set -eu
seeds=${1:-../shared/data/seeds}
khabar=${2:-build/khabar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total=0
hit=0
for art in "$seeds"/articles/*.txt; do
  doc=$(basename "$art" .txt)
  "$khabar" segment "$art" | sort > "$tmp/got"
  awk -F'\t' -v d="$doc" 'NR>1 && $4==d {print $3}' "$seeds/sentences.tsv" | sort > "$tmp/gold"
  g=$(wc -l < "$tmp/gold")
  h=$(comm -12 "$tmp/gold" "$tmp/got" | wc -l)
  echo "$doc: $h of $g gold sentences exact ($(wc -l < "$tmp/got") produced)"
  comm -23 "$tmp/gold" "$tmp/got" | sed 's/^/  missed: /' | cut -c1-200
  total=$((total + g)); hit=$((hit + h))
done
awk -v h="$hit" -v t="$total" 'BEGIN{printf "exact: %d of %d = %.4f\n", h, t, h/t}'
