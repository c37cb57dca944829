"""Pass-2 reading aid for batch C: print chosen articles (indexes into ../pass1_leads.jsonl) as numbered rough
sentences (the split of verify.py), then their pass-1 questions."""
import json, sys
from pathlib import Path
C = Path(__file__).resolve().parent.parent
QA = C.parent.parent
sys.path.insert(0, str(QA))
from verify import sentences
docs = {}
for line in (QA.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
    d = json.loads(line); docs[d["doc_id"]] = d
leads = [json.loads(l) for l in (C / "pass1_leads.jsonl").open(encoding="utf-8")]
p1 = [json.loads(l) for l in (C / "pass1.jsonl").open(encoding="utf-8")]
for i in map(int, sys.argv[1:]):
    d = docs[leads[i]["doc_id"]]
    print(f"=== [{i}] {d['title']} ({d['published']}, {len(d['text'])} chars)")
    for n, s in enumerate(sentences(d["text"])):
        print(f"  {n} {s}")
    for q in p1:
        if q["doc_id"] == d["doc_id"]:
            print(f"Q {q['pid']} [{q['type']}] {q['question']}")
    print()
