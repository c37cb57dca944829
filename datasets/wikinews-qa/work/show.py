"""Pass-2 helper: print a chosen article as numbered rough sentences, with its pass-1 questions."""
import json, re, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from verify import sentences
HERE = Path(__file__).resolve().parent.parent
docs = {}
for line in (HERE.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
    d = json.loads(line); docs[d["doc_id"]] = d
leads = [json.loads(l) for l in (HERE / "pass1_leads.jsonl").open(encoding="utf-8")]
p1 = [json.loads(l) for l in (HERE / "pass1.jsonl").open(encoding="utf-8")]
SPLIT = re.compile(r'(?<=[.!?])["”’\']?\s+(?=["“‘(]?[A-Z0-9])')
for i in map(int, sys.argv[1:]):
    d = docs[leads[i]["doc_id"]]
    print(f"=== [{i}] {d['title']} ({d['published']}, {len(d['text'])} chars)")
    for n, s in enumerate(sentences(d["text"])):
        print(f"  {n} {s}")
    for q in p1:
        if q["doc_id"] == d["doc_id"]:
            print(f"Q {q['pid']} [{q['type']}] {q['question']}")
    print()
