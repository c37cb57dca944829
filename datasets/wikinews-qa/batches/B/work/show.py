"""Pass-2 helper (batch B): print chosen articles (indices into pass1_leads.jsonl) as numbered sentences, with their questions."""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
QA = HERE.parent.parent
sys.path.insert(0, str(QA))
from verify import sentences  # noqa: E402

docs = {}
for line in (QA.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
    d = json.loads(line)
    docs[d["doc_id"]] = d
leads = [json.loads(line) for line in (HERE / "pass1_leads.jsonl").open(encoding="utf-8")]
p1 = [json.loads(line) for line in (HERE / "pass1.jsonl").open(encoding="utf-8")]
for i in map(int, sys.argv[1:]):
    d = docs[leads[i]["doc_id"]]
    print(f"=== [{i}] {d['title']} ({d['published']}, {len(d['text'])} chars)")
    for n, s in enumerate(sentences(d["text"])):
        print(f"  {n} {s}")
    for q in p1:
        if q["doc_id"] == d["doc_id"]:
            print(f"Q {q['pid']} [{q['type']}] {q['question']}")
    print()
