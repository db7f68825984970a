#!/bin/sh
# test_classify_io.sh: the analyst's ways in and out of `khabar classify`:
# structured input (JSON Lines, CSV with quotes and line breaks, TSV) with
# fields carried through, TSV/CSV/JSONL output with headers, per-article
# summaries, --top, --min-confidence, the unknown label, bad records,
# streaming through a pipe, and the progress line.
# usage: test_classify_io.sh KHABAR REPO_DIR
set -u
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REPO=$(cd "$2" && pwd)
T=$(mktemp -d /tmp/khabar-io-XXXXXX)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
ART=$REPO/examples/article.txt

# --- the same article as a JSON Lines record and as plain text
"$PY" - "$ART" "$T/one.jsonl" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(json.dumps({"id": "idlib-1", "date": "2021-06-08", "source": "wire",
                        "text": text, "views": 12, "tags": ["a", 1]},
                       ensure_ascii=False) + "\n")
EOF
"$K" classify "$ART" | cut -f2-5 > "$T/plain.tsv"
"$K" classify --input jsonl --id-field id "$T/one.jsonl" > "$T/rec.tsv"
check "a JSONL record is labelled as the same plain article" sh -c "cut -f2-5 '$T/rec.tsv' | cmp -s - '$T/plain.tsv'"
check "the id names the doc, the fields follow the text" sh -c "awk -F'\t' '\$1 != \"idlib-1\" || \$6 != \"2021-06-08\" || \$7 != \"wire\" || \$8 != \"12\" { exit 1 }' '$T/rec.tsv'"

# --- JSONL output: carried fields in meta, summaries with count and mass shares
"$K" classify --input jsonl --id-field id --format jsonl --top 3 "$T/one.jsonl" > "$T/rec.jsonl"
"$PY" - "$T/rec.jsonl" <<'EOF' && ok || bad "jsonl records: meta, top, summary shares"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sents = [r for r in recs if not r.get("summary")]
summ = [r for r in recs if r.get("summary")]
assert len(summ) == 1 and summ[0]["doc"] == "idlib-1"
assert summ[0]["meta"] == {"date": "2021-06-08", "source": "wire", "views": 12, "tags": ["a", 1]}
assert all(r["meta"]["source"] == "wire" for r in sents)
assert [r["n"] for r in sents] == list(range(1, len(sents) + 1))
assert summ[0]["sentences"] == len(sents)
for r in sents:
    top = r["top"]
    assert len(top) == 3 and top[0][0] == r["label"] and top[0][1] >= top[1][1] >= top[2][1]
    assert abs(top[0][1] - r["probs"][r["label"]]) < 1e-9
labels = list(sents[0]["probs"])
for lab in labels:
    share = sum(r["label"] == lab for r in sents) / len(sents)
    assert abs(summ[0]["share"][lab] - share) < 6e-5, lab
    mass = sum(r["probs"][lab] for r in sents) / sum(sum(r["probs"].values()) for r in sents)
    assert abs(summ[0]["mass"][lab] - mass) < 1e-3, (lab, mass)
best = max(labels, key=lambda l: (summ[0]["share"][l], summ[0]["mass"][l]))
assert summ[0]["label"] == best
EOF

# --- CSV per RFC 4180: quoted commas, doubled quotes, a line break in a field
printf 'id,text,source\r\n7,"قصفت المدفعية بلدة في ريف حماة، وقتل مدنيان.\nوقال الوسيط إن ""الهدنة"" ما زالت صامدة",wire\r\n8,وصلت قافلة مساعدات إنسانية إلى المخيمات,"un, geneva"\r\n' > "$T/in.csv"
"$K" classify --input csv --id-field id --format csv --header "$T/in.csv" > "$T/out.csv"
"$PY" - "$T/out.csv" <<'EOF' && ok || bad "csv in and out: quotes, commas, line breaks, header"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert [r["doc"] for r in rows] == ["7", "7", "8"], rows
assert [r["n"] for r in rows] == ["1", "2", "1"]
assert rows[1]["text"] == 'وقال الوسيط إن "الهدنة" ما زالت صامدة', rows[1]["text"]
assert rows[2]["source"] == "un, geneva"
assert rows[0]["label"] == "military" and rows[1]["label"] == "negotiation" and rows[2]["label"] == "humanitarian", rows
EOF
printf 'text\tsource\tdate\nقصف مدفعي على الأحياء الشرقية\tsana\t2016-01-02\n' > "$T/in.tsv"
check "tsv input with a header, summary-only with a header" sh -c "'$K' classify --input tsv --summary-only --header '$T/in.tsv' | awk -F'\t' 'NR == 1 && \$1 == \"doc\" && \$2 == \"sentences\" { h = 1 } NR == 2 && \$1 == \"$T/in.tsv:2\" && \$2 == 1 && \$3 == \"military\" && \$NF == \"2016-01-02\" { r = 1 } END { exit !(h && r && NR == 2) }'"

# --- a bad record is named and skipped; the others are labelled; exit 1
printf '{"text":"قصف على المدينة"}\n{"text": 5}\n{"text":"وصلت المساعدات"\n{"text":"جولة مفاوضات جديدة"}\n' > "$T/bad.jsonl"
"$K" classify --input jsonl "$T/bad.jsonl" > "$T/out" 2> "$T/err"
rc=$?
check "bad records: exit 1, each named by line, the rest labelled" sh -c "[ $rc -eq 1 ] && grep -q 'bad.jsonl:2: field .text. is not a string' '$T/err' && grep -q 'bad.jsonl:3: expected' '$T/err' && [ \$(wc -l < '$T/out') -eq 2 ] && grep -q 'bad.jsonl:4' '$T/out'"
printf 'id,text\n1,"never closed\n' > "$T/open.csv"
"$K" classify --input csv "$T/open.csv" > /dev/null 2> "$T/err"
check "an unclosed CSV quote is an error naming the line" sh -c "[ $? -eq 1 ] && grep -q 'open.csv:2: a quoted field is not closed' '$T/err'"
printf 'id,body\n1,x\n' > "$T/nofield.csv"
"$K" classify --input csv "$T/nofield.csv" > /dev/null 2> "$T/err"
check "a missing text column names the option" sh -c "[ $? -eq 1 ] && grep -q -- \"no 'text' column (--text-field\" '$T/err'"
"$K" classify --input csv --text-field body "$T/nofield.csv" > "$T/out" 2> /dev/null
check "--text-field picks the column" sh -c "[ \$(wc -l < '$T/out') -eq 1 ]"

# --- foreign input is unknown; --min-known 0 turns that off; uncertain
printf 'Breaking: talks resume in Geneva today.\n😀 😀\nقصفت الطائرات الحربية بلدات في ريف إدلب\n' > "$T/mixed.txt"
"$K" classify --sentences "$T/mixed.txt" > "$T/out"
check "English and emoji are unknown (confidence 0), Arabic is labelled" sh -c "awk -F'\t' 'NR <= 2 && (\$3 != \"unknown\" || \$4 != \"0.0000\") { e = 1 } NR == 3 && \$3 != \"military\" { e = 1 } END { exit e || NR != 3 }' '$T/out'"
check "--min-known 0: no unknown" sh -c "! '$K' classify --sentences --min-known 0 '$T/mixed.txt' | cut -f3 | grep -q unknown"
"$K" classify --sentences --min-confidence 0.999 "$T/mixed.txt" > "$T/out"
check "--min-confidence: uncertain below it, probability kept" sh -c "awk -F'\t' 'NR == 3 && \$3 == \"uncertain\" && \$4 < 0.999 { f = 1 } END { exit !f }' '$T/out'"
check "--min-confidence out of range is a usage error" sh -c "'$K' classify --min-confidence 2 '$T/mixed.txt' > /dev/null 2>&1; [ \$? -eq 2 ]"
check "--top out of range is a usage error" sh -c "'$K' classify --top 0 '$T/mixed.txt' > /dev/null 2>&1; [ \$? -eq 2 ]"
check "--header with jsonl is a usage error" sh -c "'$K' classify --format jsonl --header '$T/mixed.txt' > /dev/null 2>&1; [ \$? -eq 2 ]"

# --- streaming: through a pipe, the first line's labels come before the
# second line is written (a co-process reads its answer, then writes more)
mkfifo "$T/in.fifo" "$T/out.fifo"
"$K" classify --sentences < "$T/in.fifo" > "$T/out.fifo" &
kpid=$!
exec 7> "$T/in.fifo" 8< "$T/out.fifo"
echo "قصفت الطائرات الحربية بلدات في ريف إدلب" >&7
IFS= read -r first <&8
echo "وصلت قافلة مساعدات إنسانية إلى المخيم" >&7
IFS= read -r second <&8
exec 7>&-
wait $kpid
krc=$?
exec 8<&-
check "streaming: each answer comes before the next question" sh -c "[ $krc -eq 0 ] && echo '$first' | grep -q military && echo '$second' | grep -q humanitarian"

# --- progress: on stderr only when asked (not a terminal here) or on a tty
( echo "قصف على المدينة"; sleep 1.5; echo "وصلت المساعدات" ) | "$K" classify --progress --sentences > /dev/null 2> "$T/err"
check "--progress prints files, MB and sentences/s" grep -q 'sentences/s' "$T/err"
( echo "قصف على المدينة"; sleep 1.5; echo "وصلت المساعدات" ) | "$K" classify --sentences > /dev/null 2> "$T/err"
check "no progress in a pipe or a log" test ! -s "$T/err"

# --- explain: the label classify gives alone, and the n-grams behind it
"$K" explain --format jsonl --top 3 "$ART" > "$T/ex.jsonl"
"$K" classify --no-context --format jsonl "$ART" > "$T/cl.jsonl"
"$PY" - "$T/ex.jsonl" "$T/cl.jsonl" <<'EOF' && ok || bad "explain: classify's labels, 3 n-grams each way, signed and sorted"
import json, sys
ex = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
cl = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if '"summary"' not in l]
assert len(ex) == len(cl) > 5
for e, c in zip(ex, cl):
    assert e["label"] == c["label"] and e["text"] == c["text"], (e["label"], c["label"])
    assert e["versus"] != e["label"]
    f = [g["push"] for g in e["for"]]
    a = [g["push"] for g in e["against"]]
    assert len(f) <= 3 and len(a) <= 3 and f and all(x > 0 for x in f) and all(x < 0 for x in a)
    assert f == sorted(f, reverse=True) and a == sorted(a)
EOF
check "explain --versus with a label the model lacks is a usage error" sh -c "'$K' explain --versus nosuch '$ART' > /dev/null 2>&1; [ \$? -eq 2 ]"
check "explain text output names the two labels" sh -c "'$K' explain --versus negotiation --top 2 '$ART' | grep -q 'over negotiation:'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
