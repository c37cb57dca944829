"""Print articles for labelling (standard library only): paragraphs numbered, sentences that hold a quotation mark, a
speech or writing cue, or an interview turn marked, so that a person reading them writes the labels.

    python3 datasets/wikinews-attribution/propose.py DOC_ID [DOC_ID ...]
    python3 datasets/wikinews-attribution/propose.py --turns DOC_ID [DOC_ID ...]

With --turns it prints, for an interview, one candidate batch line per paragraph: a `Speaker:` turn, or a
paragraph that continues the turn before it (`cont`), to be read and corrected against the article.

It proposes candidates only; every label in batches/ was decided by reading the article.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "wikinews" / "docs.jsonl"
CUES = re.compile(
    r"\b(said|says|say|told|tells|according to|added|adds|wrote|writes|stated|explained|announced|asked|replied|"
    r"claimed|noted|described|called|warned|confirmed|denied|believes?|thinks?|hopes?|expects?|urged|"
    r"reported|insisted|argued|tweeted|posted|commented)\b|[\"“”]|^[A-Z][\w .'-]{0,30}: "
)


TURN = re.compile(r"^([A-Z][\w .'-]{0,30}): (.*)$")


def turn_lines(text: str) -> list[str]:
    """Return a candidate batch line for each paragraph of an interview (its turn's speaker, or none yet)."""
    out: list[str] = []
    speaker = "?"
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        m = TURN.match(para)
        if m:
            speaker, words = m.group(1), m.group(2)
            out.append(f": | {speaker} | {' '.join(words.split()[:8])} | para")
        else:
            out.append(f": | {speaker} | {' '.join(para.split()[:8])} | para cont")
    return out


def main(argv: list[str]) -> int:
    """Print each named article with its candidate sentences marked; return the exit code."""
    turns = argv[:1] == ["--turns"]
    argv = argv[1:] if turns else argv
    docs = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        docs[r["doc_id"]] = r
    for doc_id in argv:
        r = docs[doc_id]
        print(f"= {doc_id}\n# {r['title']}")
        if turns:
            print("\n".join(turn_lines(r["text"])) + "\n")
            continue
        for n, para in enumerate(p for p in r["text"].split("\n") if p.strip()):
            mark = "*" if CUES.search(para) else " "
            print(f"{mark}{n:>3} {para}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
