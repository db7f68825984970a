#!/usr/bin/python3
"""cands.py: corpus rows that may break a Round 20 decision (id = batch:line).
Each rule: regexes that must all match, and the labels that would be suspect."""
import glob, re, os, sys
B = '/work/main/models/corpus/batches'
rules = [
 ('swap', [r'تبادل', r'(أسر|معتقل|مخطوف|محتجز)'], {'other', 'humanitarian', 'military'}, None),
 ('access-talks', [r'(مفاوض|محادث|تفاوض|اتفاق)', r'(وصول|إدخال|ممر|إيصال)', r'(الأمم المتحدة|أوتشا|الأغذية|الصليب|يونيسف|اليونيسف|الإغاثة|المفوضية|الأممي)'], {'humanitarian', 'other', 'military'}, None),
 ('camp-leaving', [r'مخيم', r'(خروج|مغادرة|دفعة|إخراج|عودة)', r'(الهول|الركبان|روج)'], {'negotiation', 'other', 'military'}, None),
 ('funeral', [r'(تشييع|شيّع|شيع |جنازة|جثمان)'], {'humanitarian', 'military', 'negotiation'}, None),
 ('mines', [r'(لغم|ألغام|مخلفات)', r'(عائد|العائدين|عودة|الأهالي|المدنيين|أطفال|طفل)'], {'military', 'other', 'negotiation'}, None),
 ('indoors', [r'(البقاء في|عدم الخروج|ملازمة|التزام)', r'(منازل|بيوت|المنازل)'], {'military', 'humanitarian', 'other'}, None),
 ('chemical-fighters', [r'(كيماو|كيميائ|الكلور|السارين|غاز)', r'(مقاتل|عناصر|جنود|جندي)'], {'humanitarian'}, None),
 ('truce-state', [r'(الهدنة|وقف إطلاق النار|التهدئة)', r'(صامد|صمود|هدوء|خرق|تمديد|تمدي|صامدة)'], {'military', 'humanitarian', 'other'}, None),
 ('migrants', [r'(مهاجر|المهاجرين|الهجرة غير)'], {'negotiation', 'military'}, None),
 ('diplomacy', [r'(السفارة|سفارة|الجامعة العربية|مقعد|تطبيع|تعليق عضوية)'], {'negotiation', 'humanitarian', 'military'}, None),
 ('water-cut', [r'(المياه|مياه الشرب|الكهرباء|محطة)', r'(انقطاع|قطع|توقف|حرمان|محروم)'], {'other', 'military', 'negotiation'}, None),
 ('border-fleeing', [r'الحدود', r'(الفارين|الهاربين|الفارّين|الفارون|اللاجئين|النازحين)', r'(النار|الرصاص|أطلق)'], {'military', 'other'}, None),
 ('sit-in-displaced', [r'(اعتصام|وقفة|احتجاج|تظاهر|مظاهرة)', r'(نازح|مهجر|النازحين|المهجرين|مخيم)'], {'other', 'military', 'negotiation'}, None),
 ('merger', [r'(اندماج|دمج|توحيد|اندمج)', r'(فصائل|الفصائل|فصيل)'], {'negotiation', 'humanitarian'}, None),
 ('sudan-2019', [r'المجلس العسكري', r'(الحرية والتغيير|قوى التغيير|المعارضة|المحتجين)'], {'other', 'military', 'humanitarian'}, None),
 ('axis', [r'محور المقاومة'], None, {'neutral', 'pro_opposition'}),
 ('rebels-liberate', [r'(يحرر|حرر|تحرير|حرّر|يحرّر)', r'(الثوار|الجيش الحر|الفصائل|فصائل المعارضة|الجيش السوري الحر)'], None, {'neutral', 'pro_government'}),
]
out = open('/work/staging/r20/cons/candidates.tsv', 'w')
out.write('rule\tid\tdoc\ttopic\tstance\ttext\n')
n = {}
for f in sorted(glob.glob(B + '/*.tsv')):
    stem = os.path.basename(f)[:-4]
    syria = 'syria' in stem or 'syrian' in stem
    for i, line in enumerate(open(f, encoding='utf-8'), 1):
        if i == 1: continue
        c = line.rstrip('\n').split('\t')
        t, s, text, doc = c[0], c[1], c[2], c[3]
        for name, pats, topics, stances in rules:
            if topics and t not in topics: continue
            if stances and (s not in stances or not syria): continue
            if all(re.search(p, text) for p in pats):
                out.write(f'{name}\t{stem}:{i}\t{doc}\t{t}\t{s}\t{text}\n')
                n[name] = n.get(name, 0) + 1
print(n, sum(n.values()))
