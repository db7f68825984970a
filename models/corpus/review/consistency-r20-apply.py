#!/usr/bin/python3
"""apply_cons.py NAME...: the decided labels of cons/NAME-decided.tsv into
the corpus batches; records review/consistency-r20-NAME.tsv (changed rows)."""
import sys, collections
C = '/work/staging/r20/cons'
M = '/work/main/models/corpus'
STANCE = {'axis', 'rebels-liberate'}
edits = collections.defaultdict(dict)  # stem -> line -> (col, new)
for name in sys.argv[1:]:
    cand = [l.rstrip('\n').split('\t') for l in open(f'{C}/{name}-candidates.tsv')][1:]
    dec = [l.rstrip('\n').split('\t') for l in open(f'{C}/{name}-decided.tsv')][1:]
    dec = [d for d in dec if d and d[0]]
    assert [c[0] for c in cand] == [d[0] for d in dec], (name, len(cand), len(dec))
    col = 1 if name in STANCE else 0
    ok = ('pro_government', 'pro_opposition', 'neutral') if col else ('military', 'negotiation', 'humanitarian', 'other')
    rec = []
    for c, d in zip(cand, dec):
        assert d[1] in ok, (name, d)
        old = c[3] if col else c[2]
        if d[1] != old:
            stem, line = c[0].rsplit(':', 1)
            edits[stem][int(line)] = (col, old, d[1])
            rec.append((c[0], old, d[1], d[2] if len(d) > 2 else '', c[4]))
    with open(f'{M}/review/consistency-r20-{name}.tsv', 'w') as o:
        o.write('id\tfrom\tto\trule\ttext\n')
        for r in rec: o.write('\t'.join(r) + '\n')
    print(name, len(cand), 'read', len(rec), 'changed')
for stem, ch in edits.items():
    p = f'{M}/batches/{stem}.tsv'
    lines = open(p, encoding='utf-8').read().split('\n')
    for ln, (col, old, new) in ch.items():
        c = lines[ln - 1].split('\t')
        assert c[col] == old, (stem, ln, c[col], old)
        c[col] = new
        if col == 0 and c[4] == new: c[4] = ''
        lines[ln - 1] = '\t'.join(c)
    open(p, 'w', encoding='utf-8').write('\n'.join(lines))
