"""Build questions.jsonl and unanswerable.jsonl from pass1.jsonl and the pass-2 judgements (standard library only).

    python3 datasets/wikinews-qa/build.py                              # the pilot, in this folder
    python3 datasets/wikinews-qa/build.py datasets/wikinews-qa/batches/A 1001   # a batch, its ids from 1001

work/pass2.txt has one line per pass-1 question: `<pid>|A|<answer> || <answer> ...` (1-3 strings copied verbatim
from the article, each from a sentence that answers it) or `<pid>|U|<note>` (the article does not answer it).
Questions keep their pass-1 wording and type. Answerable questions are numbered wnq-0001..., unanswerable ones
wnq-u001..., in pass-1 order (a batch: from its first id, wnq-1001... and wnq-u1001...); the split comes from
splits.json. Prints how many answers lie outside the lead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    folder = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    first = int(sys.argv[2]) if len(sys.argv) > 2 else None  # None: the pilot's zero-padded numbering

    def number(prefix: str, n: int, width: int) -> str:
        return f"wnq-{prefix}{first + n}" if first is not None else f"wnq-{prefix}{n + 1:0{width}d}"

    pass1 = [json.loads(line) for line in (folder / "pass1.jsonl").open(encoding="utf-8") if line.strip()]
    splits = json.loads((HERE / "splits.json").read_text(encoding="utf-8"))
    docs = {}
    for line in (HERE.parent / "wikinews" / "docs.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        docs[d["doc_id"]] = d
    judged: dict[str, tuple[str, list[str]]] = {}
    for line in (folder / "work" / "pass2.txt").open(encoding="utf-8"):
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
            qa.append({"id": number("", len(qa), 4), "question": q["question"], "doc_id": q["doc_id"],
                       "answers": answers, "type": q["type"], "split": split})
        else:
            un.append({"id": number("u", len(un), 3), "question": q["question"], "doc_id": q["doc_id"],
                       "split": split})
    for name, rows in (("questions.jsonl", qa), ("unanswerable.jsonl", un)):
        with (folder / name).open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    arts = len({q["doc_id"] for q in pass1 if q["pid"] in judged})
    print(f"{len(judged)} of {len(pass1)} pass-1 questions judged over {arts} articles: {len(qa)} answerable "
          f"({outside} with every answer outside the lead paragraph), {len(un)} unanswerable")


if __name__ == "__main__":
    main()
