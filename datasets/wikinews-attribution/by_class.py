"""Score newsbot on these labels by cue class (speech, writing, interview, belief, action), for quotations that
continue over several sentences, and for pronouns; besides the shares `newsbot eval-attribution` prints.

    PYTHONPATH=. python datasets/wikinews-attribution/by_class.py

It indexes docs.jsonl with the real indexer in a temporary folder (as eval-attribution does), scores each label
with the scorer's own rules (index.evaluation.attribution.score_article) and groups the outcomes by the fields the
scorer ignores. "Right where named": of the labels with a Source where newsbot names someone, the share where that
someone is right (the issue's precision).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from index.evaluation.attribution import read_labels, read_raw_docs, score_article
from index.evaluation.evaluate import build_engine

HERE = Path(__file__).resolve().parent


def outcomes_with_rows(docs: Path, labels_path: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Return each label's outcome (the scorer's) beside its record in labels.jsonl."""
    raw = read_raw_docs(docs)
    labels = read_labels(labels_path)
    rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_doc: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_doc.setdefault(lab.doc_id, []).append(i)
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="newsbot-attr-by-class-") as tmp:
        engine = build_engine(docs, Path(tmp))
        try:
            for doc_id, idx in by_doc.items():
                sentences = engine.attributions(doc_id)
                found = engine.article(doc_id)
                if found is None or not sentences:
                    continue
                scored = score_article([labels[i] for i in idx], raw[doc_id], found[1], sentences)
                out.extend(zip(scored[: len(idx)], [rows[i] for i in idx], strict=True))
        finally:
            engine.close()
    return out


def row(name: str, pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """Return one table row: labels, right, share, newsbot names nobody, names someone else, right where named."""
    pairs = [p for p in pairs if p[0]["aligned"]]
    n = len(pairs)
    right = sum(o["right"] for o, _ in pairs)
    nobody = sum(o["speaker"] is None and not o["right"] for o, _ in pairs)
    named = [o for o, r in pairs if o["speaker"] is not None and r["speaker"] is not None]
    where = sum(o["right"] for o in named)
    share = f"{right / n:.3f}" if n else "—"
    precision = f"{where / len(named):.3f} ({where}/{len(named)})" if named else "—"
    return f"| {name} | {n} | {right} | {share} | {nobody} | {n - right - nobody} | {precision} |"


def main() -> int:
    """Print the table by cue class; return the exit code."""
    pairs = outcomes_with_rows(HERE / "docs.jsonl", HERE / "labels.jsonl")
    print("| labels | n | right | share | newsbot names nobody | names another | right where newsbot names someone |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for cls in ("speech", "writing", "interview", "belief", "action"):
        print(row(cls, (p for p in pairs if p[1]["cue_class"] == cls)))
    print(row("speech + writing + interview", (p for p in pairs if p[1]["cue_class"] in
                                               ("speech", "writing", "interview"))))
    print(row("first sentence of a claim", (p for p in pairs if not p[1]["continues_quotation"])))
    print(row("continuing a quotation", (p for p in pairs if p[1]["continues_quotation"])))
    print(row("quotation marks in the content", (p for p in pairs if p[1]["content_has_quote_marks"])))
    print(row("named Source", (p for p in pairs if p[1]["speaker"] and not p[1]["speaker_is_pronoun"])))
    print(row("pronoun Source", (p for p in pairs if p[1]["speaker_is_pronoun"])))
    print(row("no Source", (p for p in pairs if p[1]["speaker"] is None)))
    print(row("all", pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
