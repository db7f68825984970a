#!/usr/bin/env python3
"""test_report.py: `khabar report` in a real browser.

Builds a classify report from labelled articles with dates and sources and
an eval report, opens each in headless Chromium driven over the DevTools
protocol (--remote-debugging-pipe: no library needed), takes screenshots,
and checks through the DOM that the figures on the page are those of the
JSON Lines, that the table sorts, filters and pages, that an article's
sentences show in order with their labels, that Arabic runs right to left
(computed style and the words' positions on screen), and that the page
fits a phone's width.

usage: test_report.py KHABAR REPO_DIR OUT_DIR   (exit 77 without Chromium)
"""
import base64
import collections
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

KHABAR, REPO, OUT = sys.argv[1], sys.argv[2], sys.argv[3]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Chromium over the DevTools pipe (fd 3: commands in, fd 4: out)."""

    def __init__(self, exe, tmp):
        to_child, self.w = os.pipe()
        self.r, from_child = os.pipe()

        def fds():  # (via fresh numbers: the pipes may be 3 or 4 already)
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "--user-data-dir=" + tmp,
             "--no-first-run", "about:blank"],
            close_fds=False, preexec_fn=fds,  # pipes are close-on-exec: only 3, 4 pass
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(os.path.dirname(tmp), "chromium.log"), "w"))
        os.close(to_child)
        os.close(from_child)
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=False, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def js(self, expr):
        r = self.call("Runtime.evaluate", session=True, expression=expr,
                      returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def size(self, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", session=True,
                  width=width, height=height, deviceScaleFactor=1, mobile=mobile)

    def open(self, url):
        self.call("Page.navigate", session=True, url=url)
        for _ in range(200):
            if self.js("document.readyState === 'complete' && "
                       "document.body && document.body.dataset.ready === '1'"):
                return
            time.sleep(0.05)
        raise RuntimeError("the page never became ready: " + url)

    def screenshot(self, path, height=None):
        params = {"format": "png", "captureBeyondViewport": True}
        if height:  # the top of the page only
            width = self.js("document.documentElement.clientWidth")
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        data = self.call("Page.captureScreenshot", session=True, **params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # by its pid, never left behind
            self.proc.wait()


failures = []


def check(what, cond):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def make_inputs(tmp):
    """dev articles as JSONL records with a date and a source each."""
    rows = list(csv.DictReader(open(os.path.join(REPO, "models/corpus/dev.tsv"),
                                    encoding="utf-8"),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    docs = collections.OrderedDict()
    for r in rows:
        docs.setdefault(r["doc"], []).append(r["text"])
    path = os.path.join(tmp, "articles.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i, (doc, sents) in enumerate(list(docs.items())[:120]):
            f.write(json.dumps({"id": doc, "date": "2023-%02d-15" % (1 + i % 12),
                                "source": doc.split("_")[-1].rsplit("-", 1)[0],
                                "text": "\n".join(sents)}, ensure_ascii=False) + "\n")
    return path


def classify_page(b, tmp):
    src = make_inputs(tmp)
    jl = os.path.join(tmp, "out.jsonl")
    with open(jl, "w") as f:
        subprocess.run([KHABAR, "classify", "--input", "jsonl", "--id-field", "id",
                        "--format", "jsonl", src], stdout=f, check=True)
    page = os.path.join(tmp, "classify.html")
    subprocess.run([KHABAR, "report", "--title", "test", "--out", page, jl], check=True)
    recs = [json.loads(l) for l in open(jl, encoding="utf-8")]
    sents = [r for r in recs if not r.get("summary")]
    summ = [r for r in recs if r.get("summary")]
    by_label = collections.Counter(r["label"] for r in sents)
    by_month = collections.Counter()
    by_source = collections.Counter()
    for r in sents:
        by_month[r["meta"]["date"][:7]] += 1
        by_source[r["meta"]["source"]] += 1
    with open(page, encoding="utf-8") as f:
        html = f.read()
    check("the page asks for nothing over the network",
          "http://" not in html and "https://" not in html and "src=" not in html)

    b.size(1366, 900)
    b.open("file://" + page)
    b.screenshot(os.path.join(OUT, "report-classify.png"))
    b.screenshot(os.path.join(OUT, "report-top.png"), height=1500)
    num = lambda k: b.js("+document.querySelector('[data-k=%s]').dataset.value" % k)
    check("sentences on the page = sentence records (%d)" % len(sents), num("sentences") == len(sents))
    check("articles on the page = summary records (%d)" % len(summ), num("articles") == len(summ))
    table = b.js("Array.from(document.querySelectorAll('#kb-label-table tr[data-label]'))"
                 ".map(r => [r.dataset.label, +r.dataset.count, +r.dataset.articles])")
    check("sentences per label = the JSONL's", {t[0]: t[1] for t in table} == dict(by_label))
    art_labels = collections.Counter(r["label"] for r in summ)
    check("articles per label = the summaries' labels",
          all(t[2] == art_labels.get(t[0], 0) for t in table))
    hist = b.js("Array.from(document.querySelectorAll('#kb-confidence rect')).map(r => +r.dataset.count)")
    model_labels = list(sents[0]["probs"])
    check("confidence histogram covers every sentence with a model label",
          sum(hist) == sum(1 for r in sents if r["label"] in model_labels))
    buckets = b.js("Array.from(document.querySelectorAll('#kb-timeline g[data-bucket]'))"
                   ".map(g => [g.dataset.bucket, +g.dataset.n])")
    check("timeline: one bar per month with the month's sentences",
          {k[:7]: n for k, n in buckets} == dict(by_month))
    srcs = b.js("Array.from(document.querySelectorAll('#kb-sources g[data-source]'))"
                ".map(g => [g.dataset.source, +g.dataset.n])")
    check("by source: each source's sentences, largest first",
          srcs and all(by_source[s] == n for s, n in srcs) and srcs[0][1] == max(by_source.values()))

    # the table: pages of 50, filter, sort
    shown = lambda: b.js("[+document.getElementById('kb-articles').dataset.shown,"
                         " +document.getElementById('kb-articles').dataset.matching]")
    check("the table shows the first 50 of %d articles" % len(summ), shown() == [50, len(summ)])
    doc = summ[7]["doc"]
    b.js("(() => { const i = document.querySelector('#kb-articles input');"
         " i.value = %s; i.dispatchEvent(new Event('input')); })()" % json.dumps(doc))
    check("filtering by an article's name finds it", shown()[1] >= 1 and
          b.js("document.querySelector('#kb-articles tbody tr a').textContent") == doc)
    b.js("(() => { const i = document.querySelector('#kb-articles input');"
         " i.value = ''; i.dispatchEvent(new Event('input')); })()")
    b.js("document.querySelectorAll('#kb-articles th')[3].click()")
    top = b.js("+document.querySelector('#kb-articles tbody tr td:nth-child(4)').textContent")
    check("sorting by sentences puts the longest article first",
          top == max(s["sentences"] for s in summ))
    b.js("(() => { const s = document.querySelector('#kb-articles select');"
         " s.value = '0'; s.dispatchEvent(new Event('change')); })()")
    check("the label filter keeps the articles of that label",
          shown()[1] == art_labels.get(model_labels[0], 0))

    # an article's sentences, in order, coloured by label
    i = 9
    b.js("location.hash = '#article-%d'" % i)
    time.sleep(0.2)
    want = [r["label"] for r in sents if r["doc"] == summ[i]["doc"]]
    got = b.js("Array.from(document.querySelectorAll('#kb-article-sentences li')).map(l => l.dataset.label)")
    check("article view: its %d sentences with their labels, in order" % len(want), got == want)
    texts = b.js("Array.from(document.querySelectorAll('#kb-article-sentences li .ar')).map(e => e.textContent)")
    check("article view: the sentences' text", texts == [r["text"] for r in sents if r["doc"] == summ[i]["doc"]])
    b.screenshot(os.path.join(OUT, "report-article.png"))

    # Arabic runs right to left: computed direction, and on screen the
    # first word of a line is right of the second
    rtl = b.js("""(() => {
      const e = document.querySelector('#kb-article-sentences li .ar');
      const t = e.firstChild, s = t.textContent, sp = s.indexOf(' ');
      const r = document.createRange();
      r.setStart(t, 0); r.setEnd(t, sp);
      const first = r.getBoundingClientRect();
      const next = s.indexOf(' ', sp + 1);
      r.setStart(t, sp + 1); r.setEnd(t, next > 0 ? next : s.length);
      const second = r.getBoundingClientRect();
      return [getComputedStyle(e).direction, first.left > second.left, Math.abs(first.top - second.top) < 4];
    })()""")
    check("Arabic text is right to left (computed style and word positions)",
          rtl[0] == "rtl" and rtl[1] and rtl[2])

    # a phone's width: nothing wider than the screen but what scrolls
    b.size(390, 844, mobile=True)
    b.open("file://" + page + "#top")
    width = b.js("document.documentElement.scrollWidth")
    b.screenshot(os.path.join(OUT, "report-phone.png"))
    check("at 390 px the page does not scroll sideways (%s)" % width, width <= 392)
    b.size(1366, 900)


def eval_page(b, tmp):
    ev = os.path.join(tmp, "eval.json")
    with open(ev, "w") as f:
        subprocess.run([KHABAR, "eval", "--data", os.path.join(REPO, "models/corpus/dev.tsv"),
                        "--json", "--errors"], stdout=f, check=True)
    page = os.path.join(tmp, "eval.html")
    subprocess.run([KHABAR, "report", "--out", page, ev], check=True)
    d = json.load(open(ev))
    b.open("file://" + page)
    b.screenshot(os.path.join(OUT, "report-eval.png"))
    check("eval: accuracy and macro-F1 as in the JSON",
          b.js("+document.querySelector('[data-k=accuracy]').dataset.value") == d["accuracy"]
          and b.js("+document.querySelector('[data-k=macro_f1]').dataset.value") == d["macro_f1"])
    cells = b.js("Array.from(document.querySelectorAll('#kb-confusion rect')).map(r => [r.dataset.gold, r.dataset.pred, +r.dataset.count])")
    labels = d["labels"]
    check("eval: every confusion cell as in the JSON",
          len(cells) == len(labels) ** 2 and all(
              d["confusion"][labels.index(g)][labels.index(p)] == n for g, p, n in cells))
    f1 = b.js("Array.from(document.querySelectorAll('#kb-per-class rect[data-metric=f1]')).map(r => +r.dataset.value)")
    check("eval: the F1 bars as in the JSON",
          all(abs(f - d["per_class"][l]["f1"]) < 1e-6 for f, l in zip(f1, labels)))
    check("eval: the errors table holds every wrong sentence (%d)" % len(d["errors"]),
          b.js("+document.getElementById('kb-errors').dataset.matching") == len(d["errors"]))


def main():
    exe = find_chromium()
    if not exe:
        print("skipped: no chromium (scripts/test.sh installs it)")
        return 77
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="khabar-report-")
    b = Browser(exe, os.path.join(tmp, "profile"))
    try:
        classify_page(b, tmp)
        eval_page(b, tmp)
    finally:
        b.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("screenshots in " + OUT)
    print("%d failed" % len(failures))
    return 1 if failures else 0


sys.exit(main())
