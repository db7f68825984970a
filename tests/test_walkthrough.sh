#!/bin/sh
# test_walkthrough.sh: the README's analyst walkthrough works as written:
# runs the lines between its walkthrough markers from the repository root
# (with out/ in a temporary directory and build/khabar the binary under
# test) and checks what they made.
# usage: test_walkthrough.sh KHABAR REPO_DIR
set -eu
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REPO=$(cd "$2" && pwd)
T=$(mktemp -d /tmp/khabar-walk-XXXXXX)
trap 'rm -rf "$T"' EXIT
sed -n '/<!-- walkthrough:/,/<!-- end walkthrough -->/p' "$REPO/README.md" |
  grep '^    ' | sed 's/^    //' |
  sed "s#build/khabar#'$K'#g; s#out/#'$T'/#g; s#mkdir -p out#mkdir -p '$T'#" > "$T/steps.sh"
[ "$(wc -l < "$T/steps.sh")" -ge 5 ] || { echo "FAIL: no walkthrough in README.md"; exit 1; }
cd "$REPO"
sh -e "$T/steps.sh" || { echo "FAIL: a walkthrough step failed"; cat "$T/steps.sh"; exit 1; }
fail=0
check() { d=$1; shift; if "$@"; then echo "ok   $d"; else echo "FAIL $d"; fail=1; fi; }
n_art=$(wc -l < examples/articles.jsonl)
check "labels.jsonl: one summary per article" [ "$(grep -c '"summary":true' "$T/labels.jsonl")" -eq "$n_art" ]
check "articles.csv: a header and one row per article" [ "$(wc -l < "$T/articles.csv")" -eq $((n_art + 1)) ]
check "articles.csv carries date, source and url" sh -c "head -n 1 '$T/articles.csv' | grep -q ',date,source,url$'"
check "report.html is a whole page" sh -c "tail -n 1 '$T/report.html' | grep -q '</html>'"
check "why.txt explains every sentence" [ "$(grep -c '^  for ' "$T/why.txt")" -eq "$("$K" segment examples/article.txt | wc -l)" ]
check "dev.html lists the errors" grep -q 'kb-errors' "$T/dev.html"
exit $fail
