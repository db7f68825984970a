#!/usr/bin/python3
"""peer_accuracy.py: the scikit-learn char n-gram peer on khabar's data.

Trains TfidfVectorizer(char_wb 2-5, sublinear tf, min_df 2) + LinearSVC
(C chosen from 0.25..2 by 5-fold CV grouped by document on TRAIN, as
khabar chooses its C) on TRAIN.tsv's topic column and prints accuracy and
macro-F1 on each EVAL.tsv.  usage: peer_accuracy.py TRAIN.tsv EVAL.tsv...
"""
import csv
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC


def read(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t",
                               quoting=csv.QUOTE_NONE))
    return ([r["text"] for r in rows], [r["topic"] for r in rows],
            [r.get("doc") or str(i) for i, r in enumerate(rows)])


def pipe(c):
    return make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                         sublinear_tf=True, min_df=2),
                         LinearSVC(C=c))


X, y, g = read(sys.argv[1])
best = None
for c in (0.25, 0.5, 1, 2):
    pred = cross_val_predict(pipe(c), X, y, groups=g, cv=GroupKFold(5))
    f1 = f1_score(y, pred, average="macro")
    print("C=%g cv macro-F1 %.4f" % (c, f1))
    if best is None or f1 > best[1] + 1e-4:
        best = (c, f1)
model = pipe(best[0]).fit(X, y)
for path in sys.argv[2:]:
    Xe, ye, _ = read(path)
    p = model.predict(Xe)
    print("%s: C=%g accuracy %.4f macro-F1 %.4f" % (path, best[0], accuracy_score(ye, p),
                                                    f1_score(ye, p, average="macro")))
