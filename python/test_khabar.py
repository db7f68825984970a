"""test_khabar.py: the Python binding, against the CLI and the shipped
models: loading by name and path, classify on lists, generators and
(when pandas is there) a DataFrame column, sentence and article modes,
top_k, thread counts and several Python threads at once giving the same
records, segment and normalize equal to the CLI's, train and evaluate
from rows and from a TSV, and khabar's errors as khabar.Error."""
import json
import os
import subprocess
import threading

import pytest

import khabar

REPO = os.environ.get("KHABAR_REPO", os.path.join(os.path.dirname(__file__), ".."))
KHABAR = os.environ.get("KHABAR_BIN", os.path.join(REPO, "build", "khabar"))
ARTICLE = open(os.path.join(REPO, "examples", "article.txt"), encoding="utf-8").read()
DEV = os.path.join(REPO, "models", "corpus", "dev.tsv")


def dev_rows(limit=None):
    rows = []
    with open(DEV, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            cells = dict(zip(header, line.rstrip("\n").split("\t")))
            rows.append(cells)
            if limit and len(rows) >= limit:
                break
    return rows


@pytest.fixture(scope="module")
def topic():
    return khabar.Model("topic")


def test_model_by_name_and_path(topic):
    assert topic.labels == ("military", "negotiation", "humanitarian", "other")
    assert topic.task == "topic"
    assert topic.path.endswith("topic.model")
    again = khabar.Model(topic.path)
    assert again.labels == topic.labels
    assert khabar.__version__ == subprocess.run(
        [KHABAR, "--version"], capture_output=True, text=True).stdout.split()[1]


def test_classify_matches_cli(topic):
    out = subprocess.run([KHABAR, "classify", "--format", "jsonl", "-"], input=ARTICLE,
                         capture_output=True, text=True, check=True).stdout
    cli = [json.loads(l) for l in out.splitlines() if '"summary"' not in l]
    py = topic.classify([ARTICLE])
    assert len(py) == len(cli) > 3
    for a, b in zip(py, cli):
        assert a["n"] == b["n"] and a["text"] == b["text"] and a["label"] == b["label"]
        assert abs(a["confidence"] - b["confidence"]) < 1e-4
        assert abs(sum(a["probs"].values()) - 1) < 1e-9


def test_any_iterable_and_sentences(topic):
    texts = [r["text"] for r in dev_rows(50)]
    from_list = topic.classify(texts, sentences=True)
    from_gen = topic.classify((t for t in texts), sentences=True)
    assert from_list == from_gen
    assert [r["doc"] for r in from_list] == list(range(50))
    assert all(r["n"] == 1 for r in from_list)
    one = topic.classify(texts, sentences=True, article=True)
    assert [r["n"] for r in one] == list(range(1, 51))
    assert one != from_list  # the context stage reads the article


def test_top_k_and_threads(topic):
    texts = [ARTICLE] * 7 + [r["text"] for r in dev_rows(30)]
    single = topic.classify(texts, top_k=2)
    assert all(len(r["top"]) == 2 and r["top"][0][0] == r["label"] for r in single)
    assert topic.classify(texts, top_k=2, threads=4) == single


def test_python_threads_share_a_model(topic):
    texts = [r["text"] for r in dev_rows(200)]
    want = topic.classify(texts, sentences=True)
    results = [None] * 6

    def work(i):
        results[i] = topic.classify(texts, sentences=True, threads=2)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == want for r in results)


def test_pandas_column(topic):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": [r["text"] for r in dev_rows(20)]})
    out = pd.DataFrame(topic.classify(df["text"], sentences=True))
    assert list(out["doc"]) == list(range(20))
    df["label"] = out["label"].values
    assert set(df["label"]) <= set(topic.labels)


def test_segment_and_normalize_match_cli():
    seg = subprocess.run([KHABAR, "segment", "-"], input=ARTICLE, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert khabar.segment(ARTICLE) == seg
    line = ARTICLE.splitlines()[0]
    norm = subprocess.run([KHABAR, "normalize", "-"], input=line + "\n",
                          capture_output=True, text=True, check=True).stdout
    assert khabar.normalize(line) + "\n" == norm
    assert khabar.normalize("أحمد", steps="none") == "أحمد"


def test_train_and_evaluate(tmp_path):
    rows = dev_rows(600)
    m = khabar.train([(r["topic"], r["text"], r["doc"]) for r in rows], task="topic",
                     C=4, lead=8, context=True, labels=["military", "negotiation",
                                                        "humanitarian", "other"])
    assert m.context and m.labels[0] == "military"
    res = m.evaluate([(r["topic"], r["text"], r["doc"]) for r in rows])
    assert res["n"] == 600 and res["accuracy"] > 0.9
    assert sum(map(sum, res["confusion"])) == 600
    assert 0 <= res["ece"] < 1 and res["reliability"]
    path = tmp_path / "m.model"
    m.save(str(path))
    back = khabar.Model(str(path))
    assert back.evaluate(DEV)["n"] == m.evaluate(DEV)["n"]
    cli = json.loads(subprocess.run([KHABAR, "eval", "--json", "--model", str(path),
                                     "--data", DEV], capture_output=True, text=True,
                                    check=True).stdout)
    assert abs(cli["accuracy"] - back.evaluate(DEV)["accuracy"]) < 1e-6
    from_dicts = khabar.train([{"topic": r["topic"], "text": r["text"]} for r in rows],
                              class_weight={"other": 2})
    assert from_dicts.labels
    nb = khabar.train([{"topic": r["topic"], "text": r["text"]} for r in rows],
                      nb=True)  # naive Bayes scaling, as train --nb
    nb.save(str(tmp_path / "nb.model"))
    assert "\nnb_scale 1\n" in (tmp_path / "nb.model").read_text(encoding="utf-8")
    assert "\nnb_scale 0\n" in path.read_text(encoding="utf-8")
    assert nb.evaluate(DEV)["accuracy"] > 0.5


def test_errors():
    with pytest.raises(khabar.Error, match="no such model"):
        khabar.Model("no-such-model-name")
    with pytest.raises(khabar.Error, match="cannot open"):
        khabar.Model("/nonexistent/x.model")
    with pytest.raises(TypeError):
        khabar.Model("topic").classify([1, 2])
    with pytest.raises(TypeError):
        khabar.Model("topic").classify("one str")
    with pytest.raises(khabar.Error, match="C 0"):
        khabar.train([("a", "x"), ("b", "y")], C=0)
    with pytest.raises(khabar.Error, match="only one label"):
        khabar.train([("a", "قصف"), ("a", "غارة")])
    with pytest.raises(TypeError, match="unknown option"):
        khabar.train([("a", "x"), ("b", "y")], bogus=1)


def test_hostile_inputs_found_in_review(tmp_path):
    """Each of these crashed, read freed memory or lost a message once."""
    rows = [(r["topic"], r["text"]) for r in dev_rows(200)]
    m = khabar.Model("topic")
    with pytest.raises(TypeError, match="loaded once"):
        m.__init__("stance")          # a model in use must not change
    assert m.labels[0] == "military"
    gen = (l.encode().decode() for l in ["military", "negotiation", "humanitarian", "other"])
    assert khabar.train(rows, labels=gen).labels[0] == "military"   # labels copied

    class Row:                        # a sequence that builds new str items
        def __init__(self, r): self.r = r
        def __len__(self): return 2
        def __getitem__(self, i):
            if i > 1: raise IndexError
            return "".join(list(self.r[i]))
    assert khabar.train([Row(r) for r in rows]).labels

    class Lying:                      # __len__ says 2, iteration gives 1
        def __len__(self): return 2
        def __getitem__(self, i):
            if i: raise IndexError
            return "military"
    with pytest.raises(TypeError, match="expected"):
        khabar.train([Lying()] * 3)

    d = {}

    class W:
        def __float__(self):
            d.clear()
            return 2.0
    d["".join(["mili", "tary"])] = W()
    assert khabar.train(rows, class_weight=d).labels

    class Bad:
        def __str__(self): raise ValueError("no str")
    with pytest.raises((TypeError, ValueError)):
        khabar.train([(1, "text", Bad())])

    class B:
        def __bool__(self): raise RuntimeError("no bool")
    with pytest.raises(RuntimeError):
        khabar.train(rows, context=B())
    assert khabar.train(rows, char_ngrams=[2, 4]).labels
    with pytest.raises(ValueError, match="char_ngrams"):
        khabar.train(rows, char_ngrams=(1, 2, 3))
    with pytest.raises(khabar.Error) as e:
        m.evaluate([("x" + "ح" * 40, "text")])
    assert "not one of the model's labels" in str(e.value)
    with pytest.raises(ValueError, match="NUL"):
        m.evaluate([("military", "x\0قصف")])
    with pytest.raises(ValueError, match="class_weight"):
        khabar.train(rows, class_weight={"military=2,other": 3})
    with pytest.raises(TypeError):
        khabar.normalize(b"bytes")
    with pytest.raises(ValueError, match="top_k"):
        m.classify(["x"], top_k=-1)
    import pathlib
    p = pathlib.Path(tmp_path) / "m.model"
    trained = khabar.train(rows, "topic")
    trained.save(p)
    assert khabar.Model(p).labels == trained.labels
