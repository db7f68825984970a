#!/bin/sh
# agreement.sh: how far an independent second reader agrees with the
# corpus labels.  Each reader file is TSV `id<TAB>topic<TAB>stance` with
# id = <batch-stem>:<line>, labelled blind (models/corpus/review/).
# Prints, for topic and stance: rows, accuracy (agreement) and Cohen's
# kappa overall, per label (agreement on the rows the corpus gives that
# label) and per batch.
# usage: models/corpus/agreement.sh review/labels*.tsv
# (KHABAR_CORPUS=DIR reads DIR/batches instead: the labels before an
# adjudication, to measure agreement as it was)
set -eu
dir=${KHABAR_CORPUS:-$(cd "$(dirname "$0")" && pwd)}
LC_ALL=C awk -F'\t' '
  FNR == 1 { next }
  FILENAME ~ /\/batches\// {
    f = FILENAME; sub(/.*\//, "", f); sub(/\.tsv$/, "", f)
    topic[f ":" FNR] = $1; stance[f ":" FNR] = $2; next
  }
  {
    id = $1; if (!(id in topic)) { printf "agreement: %s: id %s is not in the corpus\n", FILENAME, id > "/dev/stderr"; bad = 1; next }
    b = id; sub(/:[0-9]+$/, "", b)
    n++; nb[b]++
    add("topic", topic[id], $2, b); add("stance", stance[id], $3, b)
  }
  function add(task, gold, other, b) {
    agree[task] += gold == other; agree_b[task, b] += gold == other
    lab_n[task, gold]++; lab_agree[task, gold] += gold == other
    marg_a[task, gold]++; marg_b[task, other]++
    labels[task, gold] = 1; labels[task, other] = 1
  }
  function kappa(task,   po, pe, l, k2) {
    po = agree[task] / n; pe = 0
    for (k2 in labels) { split(k2, l, SUBSEP); if (l[1] == task) pe += (marg_a[task, l[2]] / n) * (marg_b[task, l[2]] / n) }
    return pe < 1 ? (po - pe) / (1 - pe) : 1
  }
  END {
    if (n == 0) exit 1
    for (t = 1; t <= 2; t++) {
      task = t == 1 ? "topic" : "stance"
      printf "%s: %d rows, agreement %.4f, kappa %.4f\n", task, n, agree[task] / n, kappa(task)
      for (k2 in labels) { split(k2, l, SUBSEP); if (l[1] == task && lab_n[task, l[2]]) printf "  %-16s %6d rows, agreement %.4f\n", l[2], lab_n[task, l[2]], lab_agree[task, l[2]] / lab_n[task, l[2]] | "sort" }
      close("sort")
    }
    printf "per batch (rows, topic agreement, stance agreement):\n"
    for (b in nb) printf "  %-60s %5d %.4f %.4f\n", b, nb[b], agree_b["topic", b] / nb[b], agree_b["stance", b] / nb[b] | "sort"
    close("sort")
    exit bad
  }' "$dir"/batches/*.tsv "$@"
