#!/bin/sh
# bootstrap.sh: installs the Debian packages khabar needs (only those
# missing; $KHABAR_EXTRA_PACKAGES adds more), then configures and builds
# into build/ (or $KHABAR_BUILD_DIR, with extra CMake arguments from the
# command line).
# usage: scripts/bootstrap.sh [CMAKE_ARGS...]
set -eu
cd "$(dirname "$0")/.."
packages="gcc make cmake pkg-config libicu-dev liblinear-dev libcmocka-dev python3-dev python3-pytest groff-base binutils ${KHABAR_EXTRA_PACKAGES:-}"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bootstrap: installing$missing" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
build=${KHABAR_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
echo "bootstrap: built $build/khabar" >&2
