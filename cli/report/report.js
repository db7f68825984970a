/* report.js: the interactive parts of a `khabar report` page (embedded at
 * build time): the sortable, filterable, paginated table of articles or
 * errors, and an article's sentences coloured by label.  The figures and
 * charts are drawn by khabar itself; this only pages through the data. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kb-data").textContent);
  var PAGE = 50;
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function chip(li) {
    return el("span", { "class": "chip", style: "background:" + D.colors[li], text: D.labels[li] });
  }
  function shareBar(counts, n) {
    var b = el("div", { "class": "bar", title: counts.map(function (c, i) {
      return D.labels[i] + " " + c; }).join(", ") });
    counts.forEach(function (c, i) {
      if (c > 0) b.appendChild(el("i", { style: "width:" + (100 * c / n).toFixed(2) + "%;background:" + D.colors[i] }));
    });
    return b;
  }
  function pct(x) { return (100 * x).toFixed(1) + "%"; }

  /* A table over rows (arrays): columns say how to show and sort each. */
  function Table(root, rows, columns, filterFn, filterSelect) {
    var state = { page: 0, sort: null, desc: false, text: "", pick: "" };
    var view = rows.slice();
    var controls = el("div", { "class": "controls" });
    var search = el("input", { type: "search", placeholder: "filter", "aria-label": "filter" });
    controls.appendChild(search);
    var select = null;
    if (filterSelect) {
      select = el("select", { "aria-label": filterSelect.name });
      select.appendChild(el("option", { value: "", text: "all " + filterSelect.name }));
      D.labels.forEach(function (l, i) { select.appendChild(el("option", { value: String(i), text: l })); });
      controls.appendChild(select);
    }
    var count = el("span", { "class": "muted" });
    controls.appendChild(count);
    var table = el("table", { "class": "kb-table" });
    var head = el("tr");
    columns.forEach(function (c, i) {
      var th = el("th", { text: c.title, "class": (c.cls || "") });
      if (c.key) { th.setAttribute("data-sort", String(i)); th.addEventListener("click", function () { sortBy(i); }); }
      head.appendChild(th);
    });
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    table.appendChild(body);
    var pager = el("div", { "class": "pager" });
    var prev = el("button", { type: "button", text: "previous" }), next = el("button", { type: "button", text: "next" });
    var where = el("span");
    pager.appendChild(prev); pager.appendChild(where); pager.appendChild(next);
    root.appendChild(controls);
    root.appendChild(el("div", { "class": "scroll" }, [table]));
    root.appendChild(pager);
    function apply() {
      var t = state.text.toLowerCase(), p = state.pick;
      view = rows.filter(function (r) {
        return (!t || filterFn(r).toLowerCase().indexOf(t) >= 0) &&
               (p === "" || String(filterSelect.value(r)) === p);
      });
      if (state.sort !== null) {
        var key = columns[state.sort].key, s = state.desc ? -1 : 1;
        view.sort(function (a, b) {
          var x = key(a), y = key(b);
          return x < y ? -s : x > y ? s : a._i - b._i;
        });
      }
      state.page = Math.min(state.page, Math.max(0, Math.ceil(view.length / PAGE) - 1));
      draw();
    }
    function sortBy(i) {
      state.desc = state.sort === i ? !state.desc : !!columns[i].desc;
      state.sort = i;
      Array.prototype.forEach.call(head.children, function (th, j) {
        th.classList.toggle("sorted-asc", j === i && !state.desc);
        th.classList.toggle("sorted-desc", j === i && state.desc);
      });
      apply();
    }
    function draw() {
      body.textContent = "";
      var from = state.page * PAGE, rowsShown = view.slice(from, from + PAGE);
      rowsShown.forEach(function (r) {
        var tr = el("tr");
        columns.forEach(function (c) { tr.appendChild(c.cell(r)); });
        body.appendChild(tr);
      });
      var pages = Math.max(1, Math.ceil(view.length / PAGE));
      count.textContent = view.length + " of " + rows.length;
      where.textContent = "page " + (state.page + 1) + " of " + pages;
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      root.setAttribute("data-shown", String(rowsShown.length));
      root.setAttribute("data-matching", String(view.length));
    }
    search.addEventListener("input", function () { state.text = search.value; state.page = 0; apply(); });
    if (select) select.addEventListener("change", function () { state.pick = select.value; state.page = 0; apply(); });
    prev.addEventListener("click", function () { state.page--; draw(); });
    next.addEventListener("click", function () { state.page++; draw(); });
    rows.forEach(function (r, i) { r._i = i; });
    apply();
  }
  function td(text, cls, dir) {
    var a = { text: text };
    if (cls) a["class"] = cls;
    if (dir) { a.dir = dir; a.lang = "ar"; }
    return el("td", a);
  }
  function tdNode(node, cls) { return el("td", cls ? { "class": cls } : {}, [node]); }

  /* classify: articles [doc, date, source, n, label, counts, headline, hasSentences] */
  function articles() {
    var root = document.getElementById("kb-articles");
    if (!root) return;
    var rows = D.articles.map(function (a, i) { a.idx = i; return a; });
    new Table(root, rows, [
      { title: "article", key: function (r) { return r[0]; }, cell: function (r) {
          return tdNode(el("a", { href: "#article-" + r.idx, text: r[0] })); } },
      { title: "date", key: function (r) { return r[1]; }, cls: "hide-narrow", cell: function (r) { return td(r[1], "hide-narrow"); } },
      { title: "source", key: function (r) { return r[2]; }, cls: "hide-narrow", cell: function (r) { return td(r[2], "hide-narrow"); } },
      { title: "sentences", key: function (r) { return r[3]; }, desc: true, cls: "num", cell: function (r) { return td(String(r[3]), "num"); } },
      { title: "label", key: function (r) { return r[4] < 0 ? "" : D.labels[r[4]]; }, cell: function (r) {
          return r[4] < 0 ? td("") : tdNode(chip(r[4])); } },
      { title: "shares", key: function (r) { return r[3] ? r[5][Math.max(r[4], 0)] / r[3] : 0; }, desc: true,
        cell: function (r) { return tdNode(shareBar(r[5], Math.max(r[3], 1))); } },
      { title: "first sentence", cls: "hide-narrow", cell: function (r) {
          var c = td(r[6], "ar hide-narrow", "rtl"); return c; } }
    ], function (r) { return r[0] + " " + r[1] + " " + r[2] + " " + r[6]; },
    { name: "labels", value: function (r) { return r[4]; } });
  }
  function showArticle() {
    var box = document.getElementById("kb-article");
    if (!box) return;
    var m = /^#article-(\d+)$/.exec(location.hash);
    box.textContent = "";
    if (!m || !D.articles[+m[1]]) { box.hidden = true; return; }
    var i = +m[1], a = D.articles[i], s = D.sentences[String(i)];
    box.hidden = false;
    box.appendChild(el("h2", { text: "Article " + a[0] }));
    box.appendChild(el("p", { "class": "muted", text: [a[1], a[2], a[3] + " sentences"].filter(Boolean).join(" \u00b7 ") }));
    box.appendChild(shareBar(a[5], Math.max(a[3], 1)));
    if (!s) {
      box.appendChild(el("p", { "class": "muted", text: "Its sentences are not in this page (over the page's text budget, --max-text-mb); the JSONL has them." }));
    } else {
      var ol = el("ol", { id: "kb-article-sentences" });
      s.forEach(function (x, n) {
        var li = el("li", { style: "--c:" + D.colors[x[0]], "data-label": D.labels[x[0]] });
        li.appendChild(el("div", { "class": "meta" }, [document.createTextNode((n + 1) + " "), chip(x[0]),
          document.createTextNode(" " + x[1].toFixed(4))]));
        li.appendChild(el("div", { "class": "ar", dir: "rtl", lang: "ar", text: x[2] }));
        ol.appendChild(li);
      });
      box.appendChild(el("div", { "class": "sentences" }, [ol]));
    }
    box.scrollIntoView();
  }
  /* eval: errors [line, doc, gold, pred, confidence, text] */
  function errors() {
    var root = document.getElementById("kb-errors");
    if (!root) return;
    new Table(root, D.errors, [
      { title: "line", key: function (r) { return r[0]; }, cls: "num", cell: function (r) { return td(String(r[0]), "num"); } },
      { title: "doc", key: function (r) { return r[1]; }, cls: "hide-narrow", cell: function (r) { return td(r[1], "hide-narrow"); } },
      { title: "gold", key: function (r) { return D.labels[r[2]]; }, cell: function (r) { return tdNode(chip(r[2])); } },
      { title: "predicted", key: function (r) { return D.labels[r[3]]; }, cell: function (r) { return tdNode(chip(r[3])); } },
      { title: "confidence", key: function (r) { return r[4]; }, desc: true, cls: "num", cell: function (r) { return td(r[4].toFixed(4), "num"); } },
      { title: "sentence", cell: function (r) { return td(r[5], "ar", "rtl"); } }
    ], function (r) { return r[1] + " " + r[5]; },
    { name: "gold labels", value: function (r) { return r[2]; } });
  }
  articles();
  errors();
  showArticle();
  window.addEventListener("hashchange", showArticle);
  document.body.setAttribute("data-ready", "1");
})();
