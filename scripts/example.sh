#!/bin/sh
# example.sh: set-up (missing packages, build), then the shipped topic
# model labels every sentence of the bundled example article.
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
build/khabar classify examples/article.txt
