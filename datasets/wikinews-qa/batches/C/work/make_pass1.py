"""Turn work/pass1.txt (index | type | question, written from ../pass1_leads.jsonl only) into ../pass1.jsonl (pids pC-0001...)."""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TYPES = ("who", "what", "when", "where", "how_many", "why", "which", "say", "quiz", "other")
leads = [json.loads(line) for line in (HERE / "pass1_leads.jsonl").open(encoding="utf-8")]
out = []
for line in (HERE / "work" / "pass1.txt").open(encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    i, kind, question = line.rstrip("\n").split("|", 2)
    assert kind in TYPES, line
    out.append({"pid": f"pC-{len(out) + 1:04d}", "doc_id": leads[int(i)]["doc_id"], "type": kind, "question": question})
with (HERE / "pass1.jsonl").open("w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(out), "pass-1 questions over", len({r["doc_id"] for r in out}), "articles")
