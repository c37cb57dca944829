"""Attribution evaluation on JSONL docs and labels (the format of shared/eval/polnear-train): who newsbot says makes
each annotated claim, read from the stored records `ask` shows, scored as that folder's README says.

A label is aligned to the stored sentence that contains its `sentence_contains` snippet (found by character
offset in the stored article text). Then, by the label's kind:
- named (a non-pronoun Source): right when newsbot's speaker shares a content word with the annotated Source,
  titles ("Sen.", "Mr.", "President") and stopwords not counting;
- null (no Source annotated): right when newsbot names nobody;
- pronoun (he, she, they ...): right when newsbot names the person it stands for. The labels do not say who that
  is, so the candidates are the named Sources annotated before it in the same article: right when newsbot's
  speaker matches one of them (a pronoun with no named Source before it cannot be right).
The quote share scores the labels whose content has quotation marks, each by its kind's rule. The own-voice share
is over the stored sentences no label's content, source or snippet touches: right when newsbot names nobody.
Annotators often label only the first sentence of a quotation that runs on, so the sentences after it count as
"own voice" although they are somebody's words; the report therefore also gives the own-voice share outside
quotations (`own_voice_outside_quotes`: sentences with no quotation mark that newsbot does not read as inside
a quotation) and, for the unlabelled sentences in quotations, how often newsbot names their speaker
(`unlabelled_quotes_with_speaker`, a count, not a target).

Issue 23 measures what a reader of a card needs (`reader` in the report): precision where newsbot names a speaker
on a labelled sentence (right for any of its labels; a role Source such as "the spokesman" is right for the person
the article gave that role), the speech and writing cues (`SPEECH_CUES`) apart from belief, action and document
cues, the sentences in or continuing a quotation that carry a speaker or are marked an unattributed quotation, and
the speakers that are no name by a fixed list (`non_name_reason`). `--no-embed` reads, splits and attributes the
articles as the indexer does without embedding them: the same attributions in about a minute."""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import NewsbotError
from index.model import Sentence, StoredSentence
from index.reading import attribute, in_quotations, read_articles, repair_text, split_sentences
from index.settings import Settings
from index.terms import content_terms, word_set

# The targets (issue 10): share of labels of each kind newsbot gets right.
TARGETS = {"named": 0.85, "quote": 0.95, "own_voice": 0.85, "pronoun": 0.75}
# Words of a Source that name no one in particular: titles, honorifics and party labels.
TITLES: frozenset[str] = word_set(
    """
    mr mrs ms miss dr prof sir dame lord lady sen senator rep representative congressman congresswoman gov
    governor president vice pres gen general lt col sgt capt adm secretary sec minister chairman chairwoman
    chair speaker leader judge justice mayor ambassador former candidate nominee hopeful spokesman
    spokeswoman spokesperson jr sr st r d i
    """
)
TOP_CUES = 20  # cue rows shown in the text report
# Issue 23's targets: what a reader of a card needs.
TARGETS_23 = {"named_precision": 0.95, "speech_named": 0.90, "speech_pronoun": 0.90, "quotes_owned": 1.0,
              "quoted_labels_right": 0.92, "own_voice_outside_quotes_named": 0.02}
# Cues of speech and writing (issue 23): the words a card's "said" stands for. Every other annotated cue (belief,
# stance, action, a document's finding) is of the other class, reported but not a target.
SPEECH_CUES: frozenset[str] = word_set(
    """
    say says said saying tell tells told telling write writes wrote writing written add adds added adding
    according_to :
    """
)


def cue_class(cue: str) -> str:
    """Return an annotated cue's class: "speech" (said, told, wrote, added, according to, ":") or "other"."""
    key = cue_key(cue)
    if key.startswith("according to") or key in {":", "according"}:
        return "speech"
    words = [w for w in re.findall(r"[a-z:]+", key) if w not in {"has", "have", "had", "also", "later", "not",
                                                                   "was", "were", "is", "did", "would", "will"}]
    return "speech" if words and words[0] in SPEECH_CUES else "other"


# What never speaks on a card (issue 23, part 3), as a fixed list the report counts speakers against: datelines,
# sentence adverbs, headings, years and dates, credits, and common nouns or roles without a name.
SENTENCE_ADVERBS: frozenset[str] = word_set(
    """
    conversely unfortunately fortunately however meanwhile moreover furthermore nevertheless nonetheless
    additionally ultimately similarly likewise instead indeed finally separately overall importantly
    interestingly notably surprisingly clearly obviously apparently basically essentially frankly honestly
    still also then thus hence therefore yet
    """
)
NON_NAME_WORDS: frozenset[str] = word_set(
    """
    corrected correction update updated editor editors note related read watch video photo photos image images
    caption credit getty reuters/ file breaking exclusive advertisement transcript subscribe
    company companies release statement report story article website page site plan plans bill law policy
    deal campaign's council's
    """
)
NON_NAME_ROLES: frozenset[str] = word_set(
    """
    dr dr. mr mr. mrs mrs. ms ms. gen gen. sen sen. rep rep. gov gov. president nominee candidate senator
    manager general spokesman spokeswoman spokesperson current former democratic republican presidential
    """
)
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{2,}$")  # "LOS ANGELES", "WASHINGTON, D.C."
OUTLETS_IN_CAPITALS = frozenset({"POLITICO", "USA TODAY", "REUTERS", "BREITBART", "HUFFPOST", "MSNBC", "NBC NEWS",
                                 "CBS NEWS", "ABC NEWS", "FOX NEWS", "CNN", "NPR", "AFP"})
_ADVERB_ENDINGS = ("ally", "ately", "ously", "ently", "antly", "ively", "edly", "ingly", "fully", "ibly", "ably")
_MONTHS = word_set("january february march april may june july august september october november december "
                   "jan feb mar apr jun jul aug sep sept oct nov dec")


_AFTER_HEAD = word_set("of at in on for from with who whom whose that which familiar close")


def head_word(words: Sequence[str]) -> str:
    """Return the head of a speaker's lower-cased words: the last word before "of", "at", "who" and the like
    ("report" in "report at the time", "proponents" in "proponents of the bill")."""
    for n, w in enumerate(words):
        if n and w in _AFTER_HEAD:
            return words[n - 1]
    return words[-1] if words else ""


def non_name_reason(speaker: str | None) -> str | None:
    """Return why a speaker a card shows is not a name (dateline, adverb, heading, year, credit, common noun, role),
    or None when it may be one (or there is no speaker)."""
    if speaker is None:
        return None
    text = " ".join(speaker.split())
    words = re.findall(r"[\w.'’/-]+", text.lower())
    if not words:
        return "empty"
    if _DATELINE.match(text) and (" " in text or len(text) >= 7) and text not in OUTLETS_IN_CAPITALS:
        return "dateline or heading in capitals"
    if ":" in text or "—" in text or text.endswith((",", ":")):
        return "heading"
    if any(re.fullmatch(r"(?:1[89]|20)\d\d", w) for w in words) or all(w.isdigit() for w in words) or (
            words[0] in _MONTHS and len(words) == 1):
        return "year or date"
    if len(words) == 1 and (words[0] in SENTENCE_ADVERBS or words[0].endswith(_ADVERB_ENDINGS)):
        return "sentence adverb"
    if words[0] in {"photo", "credit", "getty", "image", "file"} or "photo" in words:
        return "credit"
    if words[0] in {"according", "to", "by", "of"}:
        return "common noun"
    if head_word(words) in NON_NAME_WORDS and not any(w[:1].isupper() for w in text.split()[1:]):
        return "common noun"  # "the report", "Democratic plan"; "law enforcement officials" are people
    if all(w.strip(".,") in NON_NAME_ROLES for w in words) and (any(c.isupper() for c in text) or "." in text):
        return "role without a name"  # "Dr.", "Republican presidential candidate"; "the senator" is a role noun
    if "," in text:
        return "role or place in the name"
    return None


@dataclass(frozen=True)
class Label:
    """One annotated attribution: the claim's snippet, the Source as written (None: none annotated) and the
    cue, with where the content and Source lie in the docs' text."""

    doc_id: str
    snippet: str
    speaker: str | None
    is_pronoun: bool
    cue: str
    quoted: bool
    content_span: tuple[int, int]
    source_span: tuple[int, int] | None  # where the first Source span lies (None: no Source)

    @property
    def source_start(self) -> int | None:
        """Return where the first Source span begins, or None."""
        return None if self.source_span is None else self.source_span[0]

    @property
    def kind(self) -> str:
        """Return how the label is scored: named, pronoun or null."""
        if self.speaker is None:
            return "null"
        return "pronoun" if self.is_pronoun else "named"


def read_labels(path: Path) -> list[Label]:
    """Return the labels of a labels.jsonl file; raise NewsbotError naming the first unreadable line."""
    out: list[Label] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise NewsbotError(f"{path}: cannot read the labels ({e.strerror})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            speaker = r.get("speaker")
            spans = r.get("source_spans") or []
            out.append(Label(
                doc_id=str(r["doc_id"]),
                snippet=str(r["sentence_contains"]),
                speaker=" ".join(str(s) for s in speaker) if speaker else None,
                is_pronoun=bool(r.get("speaker_is_pronoun")),
                cue=str(r.get("cue") or ""),
                quoted=bool(r.get("content_has_quote_marks")),
                content_span=(int(r["content_span"][0]), int(r["content_span"][1])),
                source_span=(int(spans[0][0]), int(spans[0][1])) if spans else None,
            ))
        except (ValueError, KeyError, TypeError, IndexError) as e:
            raise NewsbotError(f"{path}, line {n}: not a label ({type(e).__name__}: {e})") from None
    return out


def speaker_words(name: str) -> frozenset[str]:
    """Return the content words of a speaker's name that identify it (no titles, stopwords or initials)."""
    return frozenset(w for w in content_terms(name) if w not in TITLES and len(w) > 1)


def speaker_matches(speaker: str | None, annotated: str) -> bool:
    """Return whether newsbot's speaker shares a content word with an annotated Source; when either names no
    one in particular ("Most of the candidates", "the nominee"), whether they share a word at all."""
    if speaker is None:
        return False
    mine, theirs = speaker_words(speaker), speaker_words(annotated)
    if mine and theirs:
        return bool(mine & theirs)
    return not mine and not theirs and bool(set(content_terms(speaker)) & set(content_terms(annotated)))


def is_right(label: Label, speaker: str | None, antecedents: Sequence[str] = ()) -> bool:
    """Return whether newsbot's speaker is right for the label; `antecedents` are the named Sources annotated
    before a pronoun label in its article."""
    if label.speaker is None:
        return speaker is None
    if label.is_pronoun:
        return any(speaker_matches(speaker, a) for a in antecedents)
    return speaker_matches(speaker, label.speaker)


def is_role(annotated: str) -> bool:
    """Return whether an annotated Source is a role or common noun phrase, no name in it ("the spokesman")."""
    words = annotated.split()
    return bool(words) and not any(w[:1].isupper() for w in words[1:]) and not (
        words[0][:1].isupper() and words[0].lower() not in {"the", "a", "an", "his", "her", "their", "its"})


def role_matches(speaker: str | None, as_written: str | None, annotated: str,
                 sentences: Sequence[StoredSentence]) -> bool:
    """Return whether newsbot's speaker is the person a role Source stands for in the article: newsbot read the
    role itself (`as_written`), or a sentence of the article puts the role's head noun beside the speaker's
    surname ("the spokesman" for Tom Hart after "party spokesman Tom Hart")."""
    if speaker is None or not is_role(annotated):
        return False
    if as_written is not None and speaker_matches(as_written, annotated):
        return True
    head = [w for w in content_terms(annotated) if w not in {"former", "top", "senior"}]
    names = content_terms(speaker)
    if not head or not names:
        return False
    last = names[-1]
    return any(head[-1] in (words := set(content_terms(s.text))) and last in words for s in sentences)


RELATIVE_PRONOUNS = word_set("who whom which that")


def relative_matches(speaker: str | None, label: Label, raw: str) -> bool:
    """Return whether newsbot's speaker is what a relative pronoun Source stands for: the noun phrase the
    annotated "who" or "which" follows in its sentence ("Donald Trump, who has threatened …")."""
    if speaker is None or label.speaker is None or label.source_start is None or (
            label.speaker.lower() not in RELATIVE_PRONOUNS):
        return False
    before = raw[max(0, label.source_start - 120) : label.source_start]
    before = re.split(r"[.!?]\s", before)[-1]  # only the pronoun's own sentence
    return bool(speaker_words(speaker) & speaker_words(before))


def antecedents_of(label: Label, labels: Iterable[Label]) -> list[str]:
    """Return the named Sources annotated before a label's Source in the same article, nearest last."""
    if label.source_start is None:
        return []
    before = sorted(
        (other.source_start, other.speaker)
        for other in labels
        if other.doc_id == label.doc_id and other.kind == "named" and other.source_start is not None
        and other.speaker is not None and other.source_start < label.source_start
    )
    return [name for _, name in before]


def _find(text: str, piece: str, near: int = 0) -> int:
    """Return where a piece of the docs' text lies in the stored text (as written or repaired), nearest to
    `near`, or -1."""
    for form in (piece, repair_text(piece)):
        if not form:
            continue
        hits = [m.start() for m in re.finditer(re.escape(form), text)]
        if hits:
            return min(hits, key=lambda h: abs(h - near))
    return -1


def sentence_at(sentences: Sequence[StoredSentence], offset: int) -> int | None:
    """Return the position of the stored sentence that holds a character offset (or the next one)."""
    for i, s in enumerate(sentences):
        if offset < s.end:
            return i
    return None


def align(
    label: Label, raw: str, stored: str, sentences: Sequence[StoredSentence]
) -> tuple[int | None, set[int]]:
    """Return the position of the label's sentence (None: the snippet is not in the stored text) and the
    positions of every sentence its content, source and snippet touch."""
    pos = _find(stored, label.snippet)
    if pos < 0:
        return None, set()
    at = sentence_at(sentences, pos)
    touched = {at} if at is not None else set()
    a, b = label.content_span
    head, tail = raw[a : min(b, a + 40)], raw[max(a, b - 40) : b]
    start, end = _find(stored, head.strip(), pos), _find(stored, tail.strip(), pos)
    if start >= 0 and end >= start:
        touched |= {i for i, s in enumerate(sentences) if s.start < end + len(tail) and s.end > start}
    if label.source_span is not None:
        # the Source where it lies from the content in the raw text ("…," then "Trump said." after the quotation),
        # not its nearest mention to the snippet, which may be an earlier sentence
        expected = start + (label.source_span[0] - a) if start >= 0 else pos
        src = _find(stored, raw[label.source_span[0] : label.source_span[1]].strip(), expected)
        if src >= 0 and (i := sentence_at(sentences, src)) is not None:
            touched.add(i)
    return at, touched


@dataclass
class Tally:
    """Right and total counts of one kind of label."""

    n: int = 0
    right: int = 0

    def add(self, ok: bool) -> None:
        """Count one label."""
        self.n += 1
        self.right += ok

    def to_json(self, target: float | None = None) -> dict[str, Any]:
        """Return the counts and share (and the target, if any) as a JSON-able dict."""
        out: dict[str, Any] = {"n": self.n, "right": self.right, "share": round(self.right / self.n, 4)
                               if self.n else None}
        if target is not None:
            out["target"] = target
        return out


def cue_key(cue: str) -> str:
    """Return a cue as a confusion row's key: lowercased, spaces collapsed, curly apostrophes plain."""
    return " ".join(cue.lower().replace("’", "'").split()) or "(none)"


def score_article(
    labels: Sequence[Label], raw: str, stored: str, sentences: Sequence[StoredSentence]
) -> list[dict[str, Any]]:
    """Return one outcome per label of an article (aligned or not, right or not, what newsbot said), and one
    per own-voice sentence (kind "own_voice")."""
    outcomes: list[dict[str, Any]] = []
    touched: set[int] = set()
    verdicts: dict[int, list[bool]] = {}  # a labelled sentence's position: whether newsbot is right for each label
    for label in labels:
        at, near = align(label, raw, stored, sentences)
        touched |= near
        if at is None:
            outcomes.append({"kind": label.kind, "quoted": label.quoted, "cue": cue_key(label.cue),
                             "aligned": False, "right": False, "speaker": None, "newsbot_kind": None,
                             "newsbot_cue": None, "newsbot_as_written": None, "vague": False})
            continue
        a = sentences[at].attribution
        ok = is_right(label, a.speaker, antecedents_of(label, labels) if label.is_pronoun else ()) or (
            label.kind == "named" and label.speaker is not None
            and role_matches(a.speaker, a.as_written, label.speaker, sentences)) or relative_matches(
            a.speaker, label, raw)
        verdicts.setdefault(at, []).append(ok)
        outcomes.append({"kind": label.kind, "quoted": label.quoted, "cue": cue_key(label.cue), "aligned": True,
                         "cue_class": cue_class(label.cue),
                         "right": ok, "speaker": a.speaker, "newsbot_kind": a.kind, "newsbot_cue": a.cue,
                         "newsbot_as_written": a.as_written, "vague": a.vague,
                         "pronoun": label.speaker.lower() if label.is_pronoun and label.speaker else None})
    quoting = in_quotations([Sentence(s.text, s.paragraph, s.position, s.start, s.end) for s in sentences])
    for i, s in enumerate(sentences):
        a = s.attribution
        # one record a sentence: the card as a reader sees it (issue 23)
        outcomes.append({"kind": "card", "aligned": True, "named": a.speaker is not None,
                         "labelled": i in verdicts, "right": any(verdicts.get(i, ())),
                         "in_quotation": quoting[i], "unattributed": a.kind == "quote" and a.speaker is None,
                         "non_name": non_name_reason(a.speaker), "speaker": a.speaker})
    for i, s in enumerate(sentences):
        if i not in touched:
            outcomes.append({"kind": "own_voice", "quoted": in_quotation(s), "cue": None, "aligned": True,
                             "right": s.attribution.speaker is None, "speaker": s.attribution.speaker,
                             "newsbot_kind": s.attribution.kind, "newsbot_cue": s.attribution.cue,
                             "newsbot_as_written": s.attribution.as_written, "vague": s.attribution.vague})
    return outcomes


_QUOTE_MARKS = re.compile(r"[\"“”]|''|``")


def in_quotation(s: StoredSentence) -> bool:
    """Return whether a stored sentence holds a quotation mark or newsbot reads it as inside a quotation."""
    return bool(_QUOTE_MARKS.search(s.text)) or s.attribution.kind == "quote"


def summarise(outcomes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Return the shares (named, quote, own voice, pronoun, null) and the confusion by cue of scored outcomes."""
    tallies = {k: Tally() for k in ("named", "quote", "own_voice", "own_voice_outside_quotes", "pronoun", "null")}
    unlabelled_quotes = Tally()
    unaligned = 0
    by_cue: dict[str, Counter[str]] = {}
    by_pronoun: dict[str, Tally] = {}
    wrong_kind: Counter[str] = Counter()
    wrong_cue: Counter[str] = Counter()
    over_cue: Counter[str] = Counter()
    cards = {k: Tally() for k in ("named_precision", "quotes_owned", "quotes_with_speaker")}
    non_names: Counter[str] = Counter()
    non_name_examples: dict[str, Counter[str]] = {}
    by_class = {k: Tally() for k in ("speech_named", "speech_pronoun", "other_named", "other_pronoun")}
    quoted_labels = Tally()
    quoted_speech = Tally()  # the quoted labels whose cue is one of speech or writing (the rest: belief, stance, act)
    for o in outcomes:
        if o["kind"] == "card":
            if o["named"] and o["labelled"]:
                cards["named_precision"].add(o["right"])
            if o["in_quotation"]:
                cards["quotes_owned"].add(o["named"] or o["unattributed"])
                cards["quotes_with_speaker"].add(o["named"])
            if o["non_name"] is not None:
                non_names[o["non_name"]] += 1
                non_name_examples.setdefault(o["non_name"], Counter())[o["speaker"]] += 1
            continue
        if not o["aligned"]:
            unaligned += 1
            continue
        kind = o["kind"]
        if kind in {"named", "pronoun"}:
            by_class[f"{o['cue_class']}_{kind}"].add(o["right"])
            if o["quoted"]:
                quoted_labels.add(o["right"])
                if o["cue_class"] == "speech":
                    quoted_speech.add(o["right"])
        tallies[kind].add(o["right"])
        if kind == "own_voice":
            if o["quoted"]:
                unlabelled_quotes.add(not o["right"])
            else:
                tallies["own_voice_outside_quotes"].add(o["right"])
            if not o["right"]:
                over_cue[cue_key(o["newsbot_cue"] or "")] += 1
            continue
        if o["quoted"]:
            tallies["quote"].add(o["right"])
        if kind == "pronoun":
            by_pronoun.setdefault(o["pronoun"], Tally()).add(o["right"])
        row = by_cue.setdefault(o["cue"], Counter())
        row["n"] += 1
        if o["right"]:
            row["right"] += 1
        elif o["speaker"] is None:
            row["nobody"] += 1
        elif kind == "null":
            row["someone"] += 1
        else:
            row["other"] += 1
        if not o["right"]:
            wrong_kind[o["newsbot_kind"]] += 1
            if o["speaker"] is not None:
                wrong_cue[cue_key(o["newsbot_cue"] or "")] += 1
    outside = tallies["own_voice_outside_quotes"]
    named_outside = Tally(outside.n, outside.n - outside.right)
    reader = {
        **{k: t.to_json(TARGETS_23.get(k)) for k, t in cards.items()},
        **{k: t.to_json(TARGETS_23.get(k)) for k, t in by_class.items()},
        "quoted_labels_right": quoted_labels.to_json(TARGETS_23["quoted_labels_right"]),
        "quoted_speech_labels_right": quoted_speech.to_json(None),
        "own_voice_outside_quotes_named": named_outside.to_json(TARGETS_23["own_voice_outside_quotes_named"]),
    }
    return {
        "reader": reader,
        "non_name_speakers": {"total": sum(non_names.values()), "by_reason": dict(non_names.most_common()),
                              "examples": {r: [n for n, _ in c.most_common(5)] for r, c in non_name_examples.items()}},
        "shares": {k: t.to_json(TARGETS.get(k)) for k, t in tallies.items()},
        "unaligned_labels": unaligned,
        "by_cue": [
            {"cue": cue, "n": c["n"], "right": c["right"], "share": round(c["right"] / c["n"], 4),
             "nobody": c["nobody"], "other": c["other"], "someone": c["someone"]}
            for cue, c in sorted(by_cue.items(), key=lambda kv: (-kv[1]["n"], kv[0]))
        ],
        "by_pronoun": {p: t.to_json() for p, t in sorted(by_pronoun.items(), key=lambda kv: -kv[1].n)},
        "errors_by_newsbot_kind": dict(wrong_kind.most_common()),
        "wrong_speaker_by_newsbot_cue": dict(wrong_cue.most_common(TOP_CUES)),
        "own_voice_named_by_newsbot_cue": dict(over_cue.most_common(TOP_CUES)),
        "unlabelled_quotes_with_speaker": unlabelled_quotes.to_json(),
    }


def read_raw_docs(path: Path) -> dict[str, str]:
    """Return each doc_id's text as the docs file holds it (the offsets of the labels point into it)."""
    out: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise NewsbotError(f"{path}: cannot read the docs ({e.strerror})") from None
    for line in lines:
        try:
            r = json.loads(line)
            out[str(r["doc_id"])] = str(r["text"])
        except (ValueError, KeyError, TypeError):
            continue  # the reader reports unreadable lines when it indexes them
    return out


def attribution_seconds(articles: Iterable[Sequence[StoredSentence]]) -> float:
    """Return the time `attribute` takes over the stored sentences of these articles (the indexer's own step)."""
    split = [
        [Sentence(s.text, s.paragraph, s.position, s.start, s.end) for s in sentences] for sentences in articles
    ]
    started = time.perf_counter()
    for sentences in split:
        attribute(sentences)
    return time.perf_counter() - started


def read_attributed(docs: Path, keep: set[str]) -> dict[str, tuple[str, list[StoredSentence]]]:
    """Return each kept article's text and sentences, attributed as the indexer attributes them (read, split,
    attribute) but neither embedded nor stored."""
    articles, problems = read_articles([docs], root=docs.parent)
    problems = [p for p in problems if p.skipped]
    if problems:
        raise NewsbotError(f"{docs}: {len(problems)} unreadable lines, first: {problems[0].name}: "
                           f"{problems[0].reason}")
    out: dict[str, tuple[str, list[StoredSentence]]] = {}
    for a in articles:
        if a.doc_id not in keep:
            continue
        split = split_sentences(a.text)
        out[a.doc_id] = (a.text, [
            StoredSentence(0, 0, s.text, s.paragraph, s.position, s.start, s.end, attr, a.source)
            for s, attr in zip(split, attribute(split), strict=True)
        ])
    return out


def evaluate_attribution(
    docs: Path, labels_path: Path, limit: int | None = None, settings: Settings | None = None,
    embed: bool = True,
) -> dict[str, Any]:
    """Return the attribution report: index the docs (the first `limit` articles) with the real indexer in a
    temporary folder, read each article's stored attributions and score the labels against them; with `embed`
    False, read, split and attribute the articles as the indexer does without embedding or storing them (the
    same attributions, in a fraction of the time)."""
    raw = read_raw_docs(docs)
    order = list(raw)
    keep = set(order[:limit] if limit is not None else order)
    labels = [lab for lab in read_labels(labels_path) if lab.doc_id in keep]
    by_doc: dict[str, list[Label]] = {}
    for lab in labels:
        by_doc.setdefault(lab.doc_id, []).append(lab)
    if not embed:
        started = time.perf_counter()
        read = read_attributed(docs, keep)
        index_seconds = time.perf_counter() - started
        outcomes: list[dict[str, Any]] = []
        stored_articles: list[list[StoredSentence]] = []
        missing = 0
        for doc_id in order:
            if doc_id not in keep:
                continue
            if doc_id not in read or not read[doc_id][1]:
                missing += 1
                continue
            text, sentences = read[doc_id]
            stored_articles.append(sentences)
            outcomes.extend(score_article(by_doc.get(doc_id, []), raw[doc_id], text, sentences))
        attr_seconds = attribution_seconds(stored_articles)
        return _report(docs, labels_path, labels, outcomes, stored_articles, missing, index_seconds, attr_seconds,
                       embedded=False)
    from index.evaluation.evaluate import build_engine  # the same temporary index `newsbot eval` builds

    with tempfile.TemporaryDirectory(prefix="newsbot-eval-attribution-") as tmp:
        started = time.perf_counter()
        engine = build_engine(docs, Path(tmp), settings, exclude=set(order) - keep)
        index_seconds = time.perf_counter() - started
        try:
            outcomes = []
            stored_articles = []
            missing = 0
            for doc_id in order:
                if doc_id not in keep:
                    continue
                sentences = engine.library.attributions(doc_id)
                found = engine.library.article(doc_id)
                if found is None or not sentences:
                    missing += 1
                    continue
                stored_articles.append(sentences)
                outcomes.extend(score_article(by_doc.get(doc_id, []), raw[doc_id], found[1], sentences))
            attr_seconds = attribution_seconds(stored_articles)
        finally:
            engine.close()
    return _report(docs, labels_path, labels, outcomes, stored_articles, missing, index_seconds, attr_seconds,
                   embedded=True)


def _report(
    docs: Path, labels_path: Path, labels: Sequence[Label], outcomes: Sequence[dict[str, Any]],
    stored_articles: Sequence[Sequence[StoredSentence]], missing: int, index_seconds: float, attr_seconds: float,
    embedded: bool,
) -> dict[str, Any]:
    """Return the report of scored outcomes, with the counts and the timing."""
    report: dict[str, Any] = {
        "docs": str(docs),
        "labels": str(labels_path),
        "articles": len(stored_articles),
        "articles_not_indexed": missing,
        "sentences": sum(len(s) for s in stored_articles),
        "label_count": len(labels),
    }
    report.update(summarise(outcomes))
    report["timing"] = {
        "embedded": embedded,
        "index_seconds": round(index_seconds, 2),
        "attribute_seconds": round(attr_seconds, 4),
        "attribution_share_of_indexing": round(attr_seconds / index_seconds, 4) if index_seconds else None,
    }
    return report


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def format_attribution_report(report: dict[str, Any]) -> str:
    """Return the report as a text table: shares against targets, the confusion by cue, and the timing."""
    lines = [
        f"{report['articles']} articles, {report['sentences']} sentences, {report['label_count']} labels "
        f"({report['unaligned_labels']} not aligned to a stored sentence)",
        "",
        f"{'share':<24} {'n':>6} {'right':>6} {'share':>6} {'target':>7}",
    ]
    for k, v in report["shares"].items():
        target = v.get("target")
        lines.append(f"{k:<24} {v['n']:>6} {v['right']:>6} {_pct(v['share']):>6} "
                     f"{'' if target is None else f'≥ {target:.2f}':>7}")
    lines += ["", "what a reader of a card needs (issue 23):",
              f"{'measure':<32} {'n':>6} {'count':>6} {'share':>6} {'target':>7}"]
    for k, v in report["reader"].items():
        target = v.get("target")
        bound = "≤" if k == "own_voice_outside_quotes_named" else "≥"
        lines.append(f"{k:<32} {v['n']:>6} {v['right']:>6} {_pct(v['share']):>6} "
                     f"{'' if target is None else f'{bound} {target:.2f}':>7}")
    nn = report["non_name_speakers"]
    lines.append(f"non-name speakers (fixed list): {nn['total']}" + "".join(
        f"; {r} {n} (e.g. {', '.join(repr(x) for x in nn['examples'][r][:3])})" for r, n in nn["by_reason"].items()))
    lines += ["", f"{'cue (annotated)':<28} {'n':>5} {'right':>6} {'share':>6} {'nobody':>7} {'other':>6} "
                  f"{'someone':>8}"]
    for row in report["by_cue"][:TOP_CUES]:
        lines.append(f"{row['cue'][:28]:<28} {row['n']:>5} {row['right']:>6} {row['share']:>6.3f} "
                     f"{row['nobody']:>7} {row['other']:>6} {row['someone']:>8}")
    lines += ["", "pronoun labels: " + ", ".join(f"{p} {v['right']}/{v['n']}"
                                                 for p, v in list(report["by_pronoun"].items())[:8])]
    lines.append("errors by newsbot's kind: " + ", ".join(f"{k} {n}" for k, n in
                                                          report["errors_by_newsbot_kind"].items()))
    lines.append("wrong speakers by newsbot's cue: " + ", ".join(
        f"{k} {n}" for k, n in report["wrong_speaker_by_newsbot_cue"].items()))
    lines.append("own voice given a speaker, by newsbot's cue: " + ", ".join(
        f"{k} {n}" for k, n in report["own_voice_named_by_newsbot_cue"].items()))
    q = report["unlabelled_quotes_with_speaker"]
    lines.append(f"unlabelled sentences in quotations given a speaker: {q['right']} of {q['n']}")
    t = report["timing"]
    step = "indexing" if t["embedded"] else "reading (not embedded)"
    lines += ["", f"{step} {t['index_seconds']} s, of which attribute {t['attribute_seconds']} s "
                  f"({_pct(t['attribution_share_of_indexing'])} of indexing)"]
    return "\n".join(lines)
