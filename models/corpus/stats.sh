#!/bin/sh
# stats.sh: counts of the corpus per label, per setting (the batch name
# before '_') and per outlet voice (after it), as Markdown tables.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
LC_ALL=C awk -F'\t' '
  FNR == 1 { f = FILENAME; sub(/.*\//, "", f); sub(/\.tsv$/, "", f)
             setting = f; sub(/_.*/, "", setting); voice = f; sub(/^[^_]*_/, "", voice); next }
  { n++; t[$1]++; s[$2]++; st[setting]++; vo[voice]++; docs[$4] = 1
    stt[setting, $1]++ }
  END {
    printf "| sentences | documents | military | negotiation | humanitarian | other | pro_government | pro_opposition | neutral |\n|---|---|---|---|---|---|---|---|---|\n"
    nd = 0; for (d in docs) nd++
    printf "| %d | %d | %d | %d | %d | %d | %d | %d | %d |\n\n", n, nd, t["military"], t["negotiation"], t["humanitarian"], t["other"], s["pro_government"], s["pro_opposition"], s["neutral"]
    printf "| setting | sentences | military | negotiation | humanitarian | other |\n|---|---|---|---|---|---|\n"
    for (x in st) printf "| %s | %d | %d | %d | %d | %d |\n", x, st[x], stt[x, "military"], stt[x, "negotiation"], stt[x, "humanitarian"], stt[x, "other"] | "sort"
    close("sort")
    printf "\n| outlet voice | sentences |\n|---|---|\n"
    for (x in vo) printf "| %s | %d |\n", x, vo[x] | "sort"
  }' "$dir"/batches/*.tsv
