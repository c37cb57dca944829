"""Pass-1 input for batch C: ONLY the headline and first paragraph of each article in batch_articles.json.

    python3 datasets/wikinews-qa/batches/C/leads.py [BATCH_JSON]

Writes pass1_leads.jsonl here ({"doc_id", "published", "title", "lead", "split"}), in the batch file's order.
The first paragraph is the text up to the first blank line, as in select_articles.py.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QA = HERE.parent.parent
batch = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else str(HERE / "batch_articles.json")).read_text(encoding="utf-8"))
splits = json.loads((QA / "splits.json").read_text(encoding="utf-8"))
docs = {}
for line in (QA.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
    d = json.loads(line)
    docs[d["doc_id"]] = d
with (HERE / "pass1_leads.jsonl").open("w", encoding="utf-8") as f:
    for doc_id in batch:
        d = docs[doc_id]
        lead = d["text"].strip().split("\n\n", 1)[0].strip()
        f.write(json.dumps({"doc_id": doc_id, "published": d["published"], "title": d["title"], "lead": lead,
                            "split": splits[doc_id]}, ensure_ascii=False) + "\n")
print(f"{len(batch)} leads written")
