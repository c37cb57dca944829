"""Check the Wikinews attribution labels (standard library only).

    python3 datasets/wikinews-attribution/verify.py [LABELS]

LABELS (default: labels.jsonl here). Checks every label against ../wikinews/docs.jsonl: the fields are well formed
(the format of shared/eval/polnear-train/labels.jsonl plus `cue_class`, `speaker_refers_to`,
`continues_quotation`); `sentence_contains` occurs verbatim, exactly once, in its article; the content span starts
at it and holds it; each source span is the speaker as written; a pronoun label names the person it stands for,
found in the article before the claim; `content_has_quote_marks` says what the content holds; attribution
indexes are unique in an article; and the file is what build.py makes from batches/. Prints the counts (by cue
class, pronouns, quotations, continuations, interview turns). Exits 1 on any error.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "wikinews" / "docs.jsonl"
sys.path.insert(0, str(HERE))
from build import PRONOUNS, QUOTES, SUBSET, labelled_docs, read_batches  # noqa: E402  (build.py sits beside this file)

CLASSES = ("speech", "writing", "interview", "belief", "action")
FIELDS: dict[str, type | tuple[type, ...]] = {
    "doc_id": str, "sentence_contains": str, "speaker": (list, type(None)), "speaker_is_pronoun": bool,
    "cue": str, "content_has_quote_marks": bool, "content_span": list, "source_spans": list,
    "attribution_index": int, "cue_class": str, "speaker_refers_to": (list, type(None)),
    "continues_quotation": bool,
}
MAX_SNIPPET = 120


def label_errors(r: dict[str, object], texts: dict[str, str]) -> list[str]:
    """Return what is wrong with one label (empty: nothing)."""
    for key, kind in FIELDS.items():
        if key not in r:
            return [f"no field {key}"]
        if not isinstance(r[key], kind):
            return [f"{key} is {type(r[key]).__name__}"]
    errors: list[str] = []
    text = texts.get(str(r["doc_id"]))
    if text is None:
        return [f"no article {r['doc_id']}"]
    snippet = str(r["sentence_contains"])
    if not 8 <= len(snippet) <= MAX_SNIPPET:
        errors.append(f"snippet of {len(snippet)} characters")
    if text.count(snippet) != 1:
        errors.append(f"snippet found {text.count(snippet)} times")
        return errors
    start = text.index(snippet)
    span = r["content_span"]
    assert isinstance(span, list)
    if len(span) != 2 or span[0] != start or not start + len(snippet) <= span[1] <= len(text):
        errors.append(f"content span {span} does not start at the snippet and hold it")
    elif bool(QUOTES.search(text[span[0] : span[1]])) != r["content_has_quote_marks"]:
        errors.append("content_has_quote_marks disagrees with the content")
    speaker = r["speaker"]
    spans = r["source_spans"]
    assert isinstance(spans, list)
    if speaker is None:
        if spans or r["speaker_is_pronoun"] or r["speaker_refers_to"]:
            errors.append("a label with no speaker has a source span, pronoun or referent")
    else:
        assert isinstance(speaker, list)
        if len(speaker) != 1 or len(spans) != 1 or not isinstance(speaker[0], str):
            errors.append("a speaker needs one name and one source span")
        elif text[spans[0][0] : spans[0][1]] != speaker[0]:
            errors.append(f"source span {spans[0]} is not {speaker[0]!r}")
        elif (speaker[0].lower() in PRONOUNS) != r["speaker_is_pronoun"]:
            errors.append("speaker_is_pronoun disagrees with the speaker")
    refers = r["speaker_refers_to"]
    if r["speaker_is_pronoun"] and not refers:
        errors.append("a pronoun label without speaker_refers_to")
    if refers:
        assert isinstance(refers, list)
        if len(refers) != 1 or not isinstance(refers[0], str) or refers[0] not in text:
            errors.append(f"speaker_refers_to {refers} is not a name in the article")
        elif r["speaker_is_pronoun"] and text.find(refers[0]) > max(start, spans[0][0] if spans else start):
            errors.append(f"the pronoun's person {refers[0]!r} is not named before it")
    if r["cue_class"] not in CLASSES:
        errors.append(f"cue_class {r['cue_class']!r}")
    if not str(r["cue"]).strip():
        errors.append("an empty cue")
    return errors


def main(argv: list[str]) -> int:
    """Check the labels, print the counts; return the exit code."""
    path = Path(argv[0]) if argv else HERE / "labels.jsonl"
    texts = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        texts[d["doc_id"]] = d["text"]
    labels = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = 0
    seen: set[tuple[str, int]] = set()
    for n, r in enumerate(labels, 1):
        errors = label_errors(r, texts)
        key = (str(r.get("doc_id")), int(r.get("attribution_index", -1)))
        if key in seen:
            errors.append("attribution_index repeated in its article")
        seen.add(key)
        for e in errors:
            print(f"{path.name}:{n}: {e}", file=sys.stderr)
        bad += bool(errors)
    if path == HERE / "labels.jsonl" and read_batches() != labels:
        print("labels.jsonl is not what build.py makes from batches/: run build.py", file=sys.stderr)
        bad += 1
    if path == HERE / "labels.jsonl" and SUBSET.read_text(encoding="utf-8").splitlines() != labelled_docs(labels):
        print("docs.jsonl is not the labelled articles of ../wikinews/docs.jsonl: run build.py", file=sys.stderr)
        bad += 1
    classes = Counter(str(r.get("cue_class")) for r in labels)
    print(f"{len(labels)} labels over {len({r.get('doc_id') for r in labels})} articles; "
          + ", ".join(f"{c} {classes[c]}" for c in CLASSES))
    print(f"named {sum(1 for r in labels if r.get('speaker') and not r.get('speaker_is_pronoun'))}, "
          f"pronoun {sum(1 for r in labels if r.get('speaker_is_pronoun'))}, "
          f"no speaker {sum(1 for r in labels if r.get('speaker') is None)}; "
          f"quoted {sum(1 for r in labels if r.get('content_has_quote_marks'))}, "
          f"continuing a quotation {sum(1 for r in labels if r.get('continues_quotation'))}")
    print("OK" if not bad else f"{bad} bad labels")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
