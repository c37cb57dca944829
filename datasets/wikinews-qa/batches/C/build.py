"""Build batch C's questions.jsonl and unanswerable.jsonl from pass1.jsonl and work/pass2.txt (standard library only).

    python3 datasets/wikinews-qa/batches/C/build.py

work/pass2.txt has one line per pass-1 question: `<pid>|A|<answer> || <answer> ...` (1-3 strings copied verbatim
from the article, each from a sentence that answers it) or `<pid>|U|<note>` (the article does not answer it).
Questions keep their pass-1 wording and type. Answerable questions are numbered wnq-3001..., unanswerable ones
wnq-u3001..., in pass-1 order; the split comes from ../../splits.json. Prints counts and how many answerable
questions have every answer outside the lead paragraph.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
QA = HERE.parent.parent
FIRST = 3001


def main() -> None:
    pass1 = [json.loads(line) for line in (HERE / "pass1.jsonl").open(encoding="utf-8") if line.strip()]
    splits = json.loads((QA / "splits.json").read_text(encoding="utf-8"))
    docs = {}
    for line in (QA.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        docs[d["doc_id"]] = d
    judged: dict[str, tuple[str, list[str]]] = {}
    for line in (HERE / "work" / "pass2.txt").open(encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        pid, verdict, rest = line.rstrip("\n").split("|", 2)
        if pid in judged:
            raise SystemExit(f"{pid} judged twice")
        answers = [a.strip() for a in rest.split("||")] if verdict == "A" else []
        if verdict not in ("A", "U") or (verdict == "A" and not all(answers)):
            raise SystemExit(f"bad pass-2 line: {line!r}")
        judged[pid] = (verdict, answers)
    qa, un = [], []
    outside = 0
    for q in pass1:
        if q["pid"] not in judged:
            continue
        verdict, answers = judged[q["pid"]]
        split = splits[q["doc_id"]]
        if verdict == "A":
            lead = " ".join(docs[q["doc_id"]]["text"].strip().split("\n\n", 1)[0].split())
            outside += not any(a in lead for a in answers)
            qa.append({"id": f"wnq-{FIRST + len(qa):04d}", "question": q["question"], "doc_id": q["doc_id"],
                       "answers": answers, "type": q["type"], "split": split})
        else:
            un.append({"id": f"wnq-u{FIRST + len(un)}", "question": q["question"], "doc_id": q["doc_id"],
                       "split": split})
    for name, rows in (("questions.jsonl", qa), ("unanswerable.jsonl", un)):
        with (HERE / name).open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    arts = len({q["doc_id"] for q in pass1 if q["pid"] in judged})
    print(f"{len(judged)} of {len(pass1)} pass-1 questions judged over {arts} articles: {len(qa)} answerable "
          f"({outside} with every answer outside the lead paragraph), {len(un)} unanswerable")
    print("answers per question:", dict(sorted(Counter(len(r["answers"]) for r in qa).items())))
    print("answerable by type:", dict(Counter(r["type"] for r in qa)))
    print("unanswerable by type:", dict(Counter(q["type"] for q in pass1 if judged.get(q["pid"], ("",))[0] == "U")))


if __name__ == "__main__":
    main()
