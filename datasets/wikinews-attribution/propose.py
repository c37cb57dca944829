"""Print articles for labelling (standard library only): paragraphs numbered, sentences that hold a quotation mark, a
speech or writing cue, or an interview turn marked, so that a person reading them writes the labels.

    python3 datasets/wikinews-attribution/propose.py DOC_ID [DOC_ID ...]

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


def main(argv: list[str]) -> int:
    """Print each named article with its candidate sentences marked; return the exit code."""
    docs = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        docs[r["doc_id"]] = r
    for doc_id in argv:
        r = docs[doc_id]
        print(f"= {doc_id}\n# {r['title']}")
        for n, para in enumerate(p for p in r["text"].split("\n") if p.strip()):
            mark = "*" if CUES.search(para) else " "
            print(f"{mark}{n:>3} {para}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
