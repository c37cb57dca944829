"""Check the Wikinews QA set (standard library only).

    python3 datasets/wikinews-qa/verify.py [FOLDER]

FOLDER (default: this one) holds the questions.jsonl and unanswerable.jsonl to check, e.g. one batch's folder.

Checks that every answer string occurs verbatim (case-sensitive) in its article's text after the same whitespace
normalisation in both (runs of whitespace become one space), inside one sentence by a rough split; that answers are
1-10 words and at most 3; that ids are unique and well formed, doc_ids exist in ../wikinews/docs.jsonl, splits match
splits.json and types are known. Prints counts by type and split, and warns (without failing) about answer strings
that also occur in sentences of the article other than the ones chosen (they make a wrong sentence count as right).
Exits 1 on any error.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "wikinews" / "docs.jsonl"
TYPES = ("who", "what", "when", "where", "how_many", "why", "which", "say", "quiz", "other")
ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|St|Jr|Sr|No|vs|Inc|Co|Corp|Ltd|Asst|Mt|Jan|Feb|"
    r"Aug|Sept|Oct|Nov|Dec|approx|est)\.|\b[A-Z]\.|\b(?:[A-Z]\.){2,})$"
)
BREAK = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘(]?[A-Z0-9])")


def norm(s: str) -> str:
    """Collapse every run of whitespace to one space and strip."""
    return " ".join(s.split())


def sentences(text: str) -> list[str]:
    """Split an article roughly into sentences: paragraphs first, then after . ! ? (and a closing quote) before a
    capital or digit, except after common abbreviations (Mr., Dr., U.S., single initials)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = norm(para)
        if not para:
            continue
        pieces: list[str] = []
        pos = 0
        for m in BREAK.finditer(para):
            piece = para[pos:m.end()].strip()
            if pieces and ABBREV.search(pieces[-1]):
                pieces[-1] = pieces[-1] + " " + piece
            else:
                pieces.append(piece)
            pos = m.end()
        tail = para[pos:].strip()
        if tail:
            if pieces and ABBREV.search(pieces[-1]):
                pieces[-1] = pieces[-1] + " " + tail
            else:
                pieces.append(tail)
        out.extend(pieces)
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    docs = {d["doc_id"]: d for d in read_jsonl(DOCS)}
    splits = json.loads((HERE / "splits.json").read_text(encoding="utf-8"))
    answerable = read_jsonl(folder / "questions.jsonl")
    unanswerable = read_jsonl(folder / "unanswerable.jsonl")
    errors: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    sents_of: dict[str, list[str]] = {}

    def common(r: dict, kind: str) -> bool:
        rid = r.get("id")
        pattern = r"wnq-\d{4}" if kind == "answerable" else r"wnq-u\d{3,4}"
        if not isinstance(rid, str) or not re.fullmatch(pattern, rid):
            errors.append(f"{rid}: bad id for an {kind} question")
        if rid in seen:
            errors.append(f"{rid}: duplicate id")
        seen.add(rid)
        if not str(r.get("question", "")).strip():
            errors.append(f"{rid}: empty question")
        if r.get("doc_id") not in docs:
            errors.append(f"{rid}: doc_id {r.get('doc_id')!r} not in {DOCS.name}")
            return False
        if r.get("split") != splits.get(r["doc_id"]):
            errors.append(f"{rid}: split {r.get('split')!r}, splits.json says {splits.get(r['doc_id'])!r}")
        return True

    for r in answerable:
        if not common(r, "answerable"):
            continue
        rid = r["id"]
        if r.get("type") not in TYPES:
            errors.append(f"{rid}: unknown type {r.get('type')!r}")
        answers = r.get("answers")
        if not isinstance(answers, list) or not 1 <= len(answers) <= 3:
            errors.append(f"{rid}: needs 1-3 answers")
            continue
        text = docs[r["doc_id"]]["text"]
        sents = sents_of.setdefault(r["doc_id"], sentences(text))
        chosen: set[int] = set()
        for a in answers:
            if not isinstance(a, str) or norm(a) != a or not a:
                errors.append(f"{rid}: answer {a!r} is not a normalised non-empty string")
                continue
            if not 1 <= len(a.split()) <= 10:
                errors.append(f"{rid}: answer {a!r} has {len(a.split())} words (1-10)")
            if a not in norm(text):
                errors.append(f"{rid}: answer {a!r} not found verbatim in {r['doc_id']}")
                continue
            where = [i for i, s in enumerate(sents) if a in s]
            if not where:
                errors.append(f"{rid}: answer {a!r} crosses a sentence boundary (rough split)")
                continue
            chosen.add(where[0])
            if len(where) > 1:
                warnings.append(f"{rid}: answer {a!r} occurs in {len(where)} sentences")
        if len(answers) > 1 and len(chosen) < len(answers):
            warnings.append(f"{rid}: several answers share a sentence")

    for r in unanswerable:
        common(r, "unanswerable")
        if r.get("answers"):
            errors.append(f"{r.get('id')}: an unanswerable question has answers")

    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)

    by = Counter((r.get("type"), r.get("split")) for r in answerable)
    print(f"\n{'type':<10} {'train':>6} {'valid':>6} {'total':>6}")
    for t in TYPES:
        tr, va = by[(t, "train")], by[(t, "validation")]
        if tr or va:
            print(f"{t:<10} {tr:>6} {va:>6} {tr + va:>6}")
    tr = sum(1 for r in answerable if r.get("split") == "train")
    print(f"{'answerable':<10} {tr:>6} {len(answerable) - tr:>6} {len(answerable):>6}")
    tu = sum(1 for r in unanswerable if r.get("split") == "train")
    print(f"{'unanswer.':<10} {tu:>6} {len(unanswerable) - tu:>6} {len(unanswerable):>6}")
    arts = {r["doc_id"] for r in answerable + unanswerable}
    ta = sum(1 for d in arts if splits.get(d) == "train")
    print(f"{'articles':<10} {ta:>6} {len(arts) - ta:>6} {len(arts):>6}")
    print(f"\n{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
