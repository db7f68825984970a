#!/bin/sh
# test_install.sh: `cmake --install` into a prefix puts everything where
# the README says; a C program builds against the installed tree with
# pkg-config (shared and static) and with find_package; the installed
# khabar and Python module find the installed models; every man page
# renders without warnings.
# usage: test_install.sh BUILD_DIR REPO_DIR [sanitized]
set -u
B=$(cd "$1" && pwd)
REPO=$(cd "$2" && pwd)
# a sanitizer build's libraries need the sanitizer runtime in the programs
# that link them, and preloaded into Python
CFL=""
PYENV=""
if [ "${3:-}" = sanitized ]; then
  CFL="-fsanitize=address,undefined"
  PYENV="LD_PRELOAD=$(cc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0"
fi
T=$(mktemp -d /tmp/khabar-install-XXXXXX)
trap 'rm -rf "$T"' EXIT
P=$T/prefix
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }

cmake --install "$B" --prefix "$P" > "$T/install.log" 2>&1 || { cat "$T/install.log"; bad "cmake --install"; }
V=$(sed -n 's/^Version: //p' "$P/lib/pkgconfig/khabar.pc" 2>/dev/null)
for f in bin/khabar include/khabar.h lib/libkhabar.a "lib/libkhabar.so.$V" lib/libkhabar.so \
         lib/pkgconfig/khabar.pc lib/cmake/khabar/khabarConfig.cmake \
         share/khabar/models/topic.model share/khabar/models/stance.model \
         share/man/man1/khabar.1 share/man/man1/khabar-classify.1 share/man/man1/khabar-train.1; do
  check "installed $f" test -e "$P/$f"
done
check "the version everywhere agrees ($V)" sh -c "[ \"\$('$P/bin/khabar' --version | cut -d' ' -f2)\" = '$V' ]"
check "libkhabar.so has a SONAME" sh -c "readelf -d '$P/lib/libkhabar.so' | grep -q 'SONAME.*libkhabar.so.${V%%.*}'"
check "libkhabar.so exports the API only" sh -c "nm -D --defined-only '$P/lib/libkhabar.so' | grep -q ' kb_predict$' && ! nm -D --defined-only '$P/lib/libkhabar.so' | grep -q ' kb_fail$'"
check "libkhabar.a is position-independent" sh -c "readelf -r '$P/lib/libkhabar.a' | grep -q 'R_X86_64_PLT32\|R_X86_64_GOTPCREL' || [ \$(uname -m) != x86_64 ]"
for page in "$P"/share/man/man1/*.1; do
  check "man page $(basename "$page") renders cleanly" sh -c "[ -z \"\$(groff -man -ww -z '$page' 2>&1)\" ]"
done

# the installed khabar finds the installed models, from anywhere
cp "$P/share/khabar/models/topic.model" "$P/share/khabar/models/installed-only.model"
check "khabar info --paths lists the installed models" sh -c "'$P/bin/khabar' info --paths | grep -q '$P/bin/../share/khabar/models'"
check "a model only in the installed share is found by name" sh -c "cd / && '$P/bin/khabar' info installed-only | grep -q '^file $P/bin/../share/khabar/models/installed-only.model'"
mkdir -p "$T/elsewhere/models"; cp "$P/share/khabar/models/stance.model" "$T/elsewhere/models/mine.model"
check "KHABAR_MODEL_PATH comes first" sh -c "KHABAR_MODEL_PATH='$T/elsewhere/models' '$P/bin/khabar' info mine | grep -q '^task stance'"
check "the installed khabar classifies" sh -c "cd / && '$P/bin/khabar' classify '$REPO/examples/article.txt' | grep -q military"

# a C program against the installed tree
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
cc $CFL "$REPO/examples/embed.c" $(pkg-config --cflags --libs khabar) -o "$T/embed_shared" 2> "$T/cc.log" || { cat "$T/cc.log"; bad "embed.c with pkg-config (shared)"; }
check "embed (shared, pkg-config) labels sentences" sh -c "LD_LIBRARY_PATH='$P/lib' '$T/embed_shared' | grep -q '^1	military'"
check "embed links the shared library" sh -c "LD_LIBRARY_PATH='$P/lib' ldd '$T/embed_shared' | grep -q 'libkhabar.so.${V%%.*} => $P/lib'"
cc $CFL "$REPO/examples/embed.c" $(pkg-config --cflags khabar) "$P/lib/libkhabar.a" $(pkg-config --static --libs khabar | sed 's/-lkhabar//') -o "$T/embed_static" 2> "$T/cc.log" || { cat "$T/cc.log"; bad "embed.c with pkg-config --static"; }
check "embed (static) labels sentences" sh -c "'$T/embed_static' | grep -q '^2	negotiation'"
mkdir -p "$T/cm"
cat > "$T/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(embed C)
find_package(khabar REQUIRED)
add_executable(embed $REPO/examples/embed.c)
target_link_libraries(embed PRIVATE khabar::khabar)
CM
(cmake -S "$T/cm" -B "$T/cm/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_FLAGS="$CFL" > "$T/cm.log" 2>&1 && cmake --build "$T/cm/build" >> "$T/cm.log" 2>&1) || { cat "$T/cm.log"; bad "embed.c with find_package"; }
check "embed (find_package) labels sentences" sh -c "'$T/cm/build/embed' | grep -q '^1	military'"

# the installed Python module
if [ -e "$P/lib/python3/dist-packages/khabar.so" ]; then
  check "the installed Python module classifies, from anywhere" sh -c "cd / && $PYENV PYTHONPATH='$P/lib/python3/dist-packages' /usr/bin/python3 -c \"import khabar; r = khabar.Model('topic').classify(['قصفت الطائرات البلدة']); assert r[0]['label'] == 'military', r\""
  check "the installed Python module finds the installed models" sh -c "cd / && $PYENV PYTHONPATH='$P/lib/python3/dist-packages' /usr/bin/python3 -c \"import khabar; assert khabar.Model('installed-only').path.startswith('$P/')\""
else
  echo "skip: no Python module was built"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
