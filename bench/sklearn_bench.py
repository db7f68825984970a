#!/usr/bin/python3
"""sklearn_bench.py: the scikit-learn peer of bench/run.sh.

TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5), sublinear_tf=True,
min_df=2) with LinearSVC and with LogisticRegression, trained on the topic
corpus.  Prints one line per pipeline: name, train seconds, dev accuracy,
dev macro-F1, sentences/s predicting the big file, model bytes (pickled),
and the peak RSS in KB of this process.
usage: sklearn_bench.py TRAIN.tsv DEV.tsv BIG.txt
"""
import csv
import pickle
import resource
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC


def read(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], [r["topic"] for r in rows]


def main():
    xt, yt = read(sys.argv[1])
    xd, yd = read(sys.argv[2])
    with open(sys.argv[3], encoding="utf-8") as f:
        big = f.read().splitlines()
    for name, clf in (("sklearn-linearsvc", LinearSVC(C=0.5)),
                      ("sklearn-logreg", LogisticRegression(C=16, max_iter=1000))):
        pipe = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                             sublinear_tf=True, min_df=2), clf)
        t0 = time.perf_counter()
        pipe.fit(xt, yt)
        train_s = time.perf_counter() - t0
        pred = pipe.predict(xd)
        acc = accuracy_score(yd, pred)
        f1 = f1_score(yd, pred, average="macro")
        t0 = time.perf_counter()
        pipe.predict(big)
        rate = len(big) / (time.perf_counter() - t0)
        size = len(pickle.dumps(pipe))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{name}\t{train_s:.2f}\t{acc:.4f}\t{f1:.4f}\t{rate:.0f}\t{size}\t{rss}",
              flush=True)


if __name__ == "__main__":
    main()
