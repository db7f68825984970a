#!/bin/sh
# test_layout.sh: the folders are the pipeline, and no file includes
# upward.  Each folder has a rank; a file may include headers of its own
# folder and of folders of a lower rank only (corpus and features sit side
# by side and do not include each other).
# usage: test_layout.sh REPO_DIR
set -u
cd "$1" || exit 1
rank() {
  case $1 in
    common) echo 0 ;; text) echo 1 ;; corpus|features) echo 2 ;;
    model) echo 3 ;; classify) echo 4 ;; train) echo 5 ;; cli) echo 6 ;;
    *) echo "" ;;
  esac
}
# where each internal header lives
headers=$(for d in common text corpus features model classify train cli; do
  for h in $d/*.h; do [ -e "$h" ] && echo "$(basename "$h") $d"; done
done)
pass=0 fail=0
for d in common text corpus features model classify train cli; do
  r=$(rank $d)
  for f in $d/*.c $d/*.h; do
    [ -e "$f" ] || continue
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
      [ "$inc" = khabar.h ] && continue
      hd=$(echo "$headers" | awk -v h="$inc" '$1 == h { print $2 }')
      if [ -z "$hd" ]; then echo "FAIL: $f includes unknown header $inc"; fail=$((fail + 1)); continue; fi
      hr=$(rank "$hd")
      if [ "$hd" = "$d" ] || [ "$hr" -lt "$r" ]; then pass=$((pass + 1))
      else echo "FAIL: $f ($d) includes $inc from $hd: upward or sideways"; fail=$((fail + 1)); fi
    done
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 10 ]
