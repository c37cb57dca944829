"""Batch B, step 1: write pass1_leads.jsonl with ONLY the headline and first paragraph of each batch-B article.

    python3 datasets/wikinews-qa/batches/B/leads.py [BATCH_JSON]

The pass-1 writer reads only this file. The lead is cut the same way as the pilot's select_articles.py.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QA = HERE.parent.parent
sys.path.insert(0, str(QA))
from select_articles import lead_of  # noqa: E402

batch = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else str(HERE / "batch_articles.json")).read_text(encoding="utf-8"))
splits = json.loads((QA / "splits.json").read_text(encoding="utf-8"))
docs = {}
for line in (QA.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
    d = json.loads(line)
    docs[d["doc_id"]] = d
with (HERE / "pass1_leads.jsonl").open("w", encoding="utf-8") as f:
    for doc_id in batch:
        d = docs[doc_id]
        f.write(json.dumps({"doc_id": doc_id, "published": d["published"], "title": d["title"],
                            "lead": lead_of(d["text"]), "split": splits[doc_id]}, ensure_ascii=False) + "\n")
print(len(batch), "leads written")
