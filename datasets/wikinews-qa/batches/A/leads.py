"""Batch A, step 1: write pass1_leads.jsonl with ONLY the headline and first paragraph of each batch-A article.

    python3 datasets/wikinews-qa/batches/A/leads.py

Articles: the doc_ids in batch_articles.json (copied from the batch brief), in that order. The lead is the first
paragraph (paragraphs are separated by a blank line), as in the pilot's select_articles.py.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent  # datasets/wikinews-qa
ids = json.loads((HERE / "batch_articles.json").read_text(encoding="utf-8"))
docs = {}
for line in (ROOT.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
    d = json.loads(line)
    docs[d["doc_id"]] = d
with (HERE / "pass1_leads.jsonl").open("w", encoding="utf-8") as f:
    for i in ids:
        d = docs[i]
        lead = d["text"].strip().split("\n\n", 1)[0].strip()
        f.write(json.dumps({"doc_id": i, "published": d["published"], "title": d["title"], "lead": lead},
                           ensure_ascii=False) + "\n")
print(len(ids), "leads written")
