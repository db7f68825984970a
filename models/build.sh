#!/bin/sh
# build.sh: rebuilds the shipped models from the corpus, in one command:
#   1. assembles models/corpus/train.tsv and dev.tsv from the batches;
#   2. for each model, chooses C by 5-fold cross-validation on train
#      (folds by whole document) and trains on all of train.  Both models
#      are L2-loss linear SVMs (liblinear's dual solver), one per label on
#      features scaled by their naive Bayes log-count ratios (--nb), with
#      the lead-clause feature space and the article-context stage, whose
#      logistic second stage turns the SVM's scores into probabilities;
#      stance weighs its two partisan labels twice (all chosen by CV and
#      dev: see models/README.md).
# The result is byte-identical on every run (tests/test_corpus checks that
# the committed models are exactly what train.tsv produces).
# usage: models/build.sh   (after scripts/bootstrap.sh)
set -eu
cd "$(dirname "$0")/.."
K=${KHABAR:-build/khabar}
. models/settings.sh
sh models/corpus/assemble.sh
$K train --data models/corpus/train.tsv $TOPIC_SETTINGS \
  --search-c --cv 5 --out models/topic.model
$K train --data models/corpus/train.tsv $STANCE_SETTINGS \
  --search-c --cv 5 --out models/stance.model
for m in topic stance; do
  echo "== $m: dev"
  $K eval --model models/$m.model --data models/corpus/dev.tsv
done
