"""Build labels.jsonl from the hand-written batches (standard library only).

    python3 datasets/wikinews-attribution/build.py

It writes labels.jsonl and docs.jsonl (the labelled articles, their lines copied unchanged from
../wikinews/docs.jsonl, so that `newsbot eval-attribution` indexes and scores only them).

Each file in batches/ holds articles and their labels, written by a person reading each article:

    = wikinews:Doc_id
    cue | speaker | snippet | flags

- `cue`: the attributing words as written ("said", "told", "according to", ":" for an interview turn);
- `speaker`: the Source as written in the text, `-` for none, or `he>Donald Trump` for a pronoun (or a role noun)
  and the named person it stands for;
- `snippet`: the start of the claim's sentence, verbatim and found once in the article;
- `flags` (optional, space separated): `para` (the content runs to the end of the paragraph: an interview turn or
  a quotation of several sentences), `cont` (a sentence that continues a quotation begun in an earlier sentence,
  with no cue of its own), `class=speech|writing|interview|belief|action` (overrides the class the cue gives).

The offsets (`content_span`, `source_spans`) are computed here from the text, in the format of
shared/eval/polnear-train/labels.jsonl; `cue_class`, `speaker_refers_to` and `continues_quotation` are added.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "wikinews" / "docs.jsonl"
BATCHES = HERE / "batches"
LABELS = HERE / "labels.jsonl"
SUBSET = HERE / "docs.jsonl"  # the labelled articles' lines of ../wikinews/docs.jsonl, unchanged


def words(text: str) -> frozenset[str]:
    """Return the words of a whitespace-separated list."""
    return frozenset(text.split())


PRONOUNS = words("he she they we i you it his her their him them its")
# The cue class of each cue word (its first word, lowercased); anything else must say its class in the flags.
SPEECH = words("""
    said say says saying told tell tells according added adds stated explained announced asked asks replied
    commented noted claimed confirmed denied warned called described urged insisted argued remarked responded
    answered repeated continued concluded acknowledged admitted declared reiterated promised praised condemned
    criticised criticized accused suggested mentioned disclosed revealed testified pleaded thanked speaking
    stating informed expressed cited confessed emphasized spoke recalled joked quoted confirming announcing
    calling telling adding explaining noting claims claim
    reported reports characterised characterized characterizes revealed reveals describing describes denies
    denied insists promised vowed questioned identified indicated suggested urges warns announces confirms
    """)
WRITING = words("wrote writes write tweeted tweets posted published statement")
BELIEF = words("believes believed thinks thought hopes hoped expects expected feels felt fears feared "
               "considers considered suspect suspected wants wanted knows knew")
ACTION = words("rejected agreed refused decided plans planned sought ordered approved found ruled "
               "declined pledged demanded")
QUOTES = re.compile(r"[\"“”]")
END = re.compile(r"[.!?]+[\"”’')]*(?=\s|$)")
ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|St|Jr|Sr|No|vs|Inc|Co|Corp|Ltd|Mt|"
                    r"Jan|Feb|Aug|Sept|Oct|Nov|Dec)|\b[A-Z])$")


class BatchError(ValueError):
    """A batch line that cannot become a label."""


def cue_class(cue: str, flags: dict[str, str]) -> str:
    """Return the cue class a label's flags give, or that its cue's first word has."""
    if "class" in flags:
        return flags["class"]
    if cue.strip() == ":":
        return "interview"
    first = cue.lower().split()[0] if cue.split() else ""
    for name, words in (("speech", SPEECH), ("writing", WRITING), ("belief", BELIEF), ("action", ACTION)):
        if first in words:
            return name
    raise BatchError(f"cue {cue!r} has no class: add class=... to its flags")


def sentence_end(text: str, start: int) -> int:
    """Return where the sentence that runs on from `start` ends (before a newline, skipping abbreviations)."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    for m in END.finditer(text, start, line_end):
        if m.group().startswith(".") and ABBREV.search(text[start : m.start()]):
            continue
        return m.end()
    return line_end


def find_source(text: str, speaker: str, near: int, para: tuple[int, int], cont: bool) -> tuple[int, int]:
    """Return the span of the speaker's words nearest the claim: in its paragraph if there, else before it."""
    hits = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(speaker)}(?!\w)", text)]
    if not hits:
        raise BatchError(f"speaker {speaker!r} not in the text")
    inside = [h for h in hits if para[0] <= h[0] < para[1]]
    before = [h for h in hits if h[0] < near]
    pool = inside if inside and not cont else before or hits
    return min(pool, key=lambda h: abs(h[0] - near))


def build_label(doc_id: str, text: str, line: str, index: int) -> dict[str, object]:
    """Return the label record one batch line describes."""
    parts = [p.strip() for p in line.split(" | ")]
    if len(parts) not in (3, 4):
        raise BatchError("expected `cue | speaker | snippet [| flags]`")
    cue, who, snippet = parts[:3]
    flags: dict[str, str] = {}
    for f in (parts[3].split() if len(parts) == 4 else []):
        key, _, value = f.partition("=")
        flags[key] = value
    if text.count(snippet) != 1:
        raise BatchError(f"snippet found {text.count(snippet)} times: {snippet!r}")
    start = text.index(snippet)
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", start)
    p1 = len(text) if p1 < 0 else p1
    end = p1 if "para" in flags else max(sentence_end(text, start), start + len(snippet))
    refers: str | None = None
    if who == "-":
        speaker = None
        spans: list[list[int]] = []
    else:
        speaker, _, refers_to = who.partition(">")
        refers = refers_to or None
        s, e = find_source(text, speaker, start, (p0, p1), "cont" in flags)
        spans = [[s, e]]
    return {
        "doc_id": doc_id,
        "sentence_contains": snippet,
        "speaker": [speaker] if speaker else None,
        "speaker_is_pronoun": speaker is not None and speaker.lower() in PRONOUNS,
        "cue": cue,
        "content_has_quote_marks": bool(QUOTES.search(text[start:end])),
        "content_span": [start, end],
        "source_spans": spans,
        "attribution_index": index,
        "cue_class": cue_class(cue, flags),
        "speaker_refers_to": [refers] if refers else None,
        "continues_quotation": "cont" in flags,
    }


def read_batches(folder: Path = BATCHES, docs: Path = DOCS) -> list[dict[str, object]]:
    """Return every label of the batch files, in order; raise BatchError naming the file and line of a bad one."""
    texts = {}
    for line in docs.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        texts[r["doc_id"]] = r["text"]
    out: list[dict[str, object]] = []
    for path in sorted(folder.glob("*.txt")):
        doc_id: str | None = None
        index = 0
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            try:
                if line.startswith("= "):
                    doc_id = line[2:].strip()
                    if doc_id not in texts:
                        raise BatchError(f"no article {doc_id!r}")
                    index = 0
                    continue
                if doc_id is None:
                    raise BatchError("a label before any `= doc_id` line")
                out.append(build_label(doc_id, texts[doc_id], line, index))
                index += 1
            except BatchError as e:
                raise BatchError(f"{path.name}:{n}: {e}") from None
    return out


def labelled_docs(labels: list[dict[str, object]], docs: Path = DOCS) -> list[str]:
    """Return the lines of the docs file that hold a labelled article, unchanged, in the docs file's order."""
    wanted = {r["doc_id"] for r in labels}
    return [line for line in docs.read_text(encoding="utf-8").splitlines() if json.loads(line)["doc_id"] in wanted]


def main() -> int:
    """Write labels.jsonl from the batches, and docs.jsonl with the labelled articles; return the exit code."""
    try:
        labels = read_batches()
    except BatchError as e:
        print(e, file=sys.stderr)
        return 1
    SUBSET.write_text("".join(line + "\n" for line in labelled_docs(labels)), encoding="utf-8")
    with LABELS.open("w", encoding="utf-8") as f:
        for r in labels:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(labels)} labels over {len({r['doc_id'] for r in labels})} articles -> {LABELS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
