#!/bin/sh
# test.sh: set-up (missing packages, build), then the whole test suite
# twice: in the normal build, and in a build with AddressSanitizer and
# UndefinedBehaviorSanitizer (any report fails the run).
set -eu
cd "$(dirname "$0")/.."
# the engines the cluster and report tests start for real (Slurm, Dask, Chromium)
export KHABAR_EXTRA_PACKAGES="slurm-wlm munge python3-distributed chromium"
scripts/bootstrap.sh
(cd build && ctest --output-on-failure)
KHABAR_BUILD_DIR=build-asan scripts/bootstrap.sh -DKHABAR_SANITIZE=ON
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure)
