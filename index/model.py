"""The news-domain records the engine reads, stores and returns: Article, Sentence, Attribution, Source, Hit,
Report, Answer, and the records of what is stored (StoredSentence, StoredAnswer, SourceSummary) and of what the
engine reports (Removal, ArticleClaims, SpeakerTally)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

# The longest metadata an article keeps, in characters: a longer value is clipped with "…" when the article is
# read (a URL is dropped instead), so that no article can swell or break every answer that cites it.
METADATA_LIMITS: dict[str, int] = {
    "doc_id": 512,
    "title": 300,
    "outlet": 200,
    "author": 200,
    "published": 64,
    "url": 2048,
}
_WEB_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)

Kind = Literal["quote", "reported", "according_to", "none"]
Order = Literal["relevance", "newest"]
KINDS: tuple[str, ...] = ("quote", "reported", "according_to", "none")


@dataclass(frozen=True)
class Source:
    """Where a sentence comes from: the article's identity and metadata as far as it is known."""

    doc_id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # as the article wrote it
    path: str | None = None
    author: str | None = None
    published_ts: float | None = None  # `published` as UTC epoch seconds (index.dates), None when unknown

    @property
    def label(self) -> str:
        """Return a short human name for the article: its title, else its path, else its id."""
        return self.title or self.path or self.doc_id

    @cached_property  # read for every candidate of every question
    def topic(self) -> str | None:
        """Return what the article is called for the model: its title, else its file's name without the extension
        ("corpus/derna.txt" -> "derna"). The ranker learned from sentences that all carry their article's title,
        embedded with it and matched against it; an untitled file's name is the nearest thing it has."""
        if self.title:
            return self.title
        if not self.path:
            return None
        name = self.path.replace("\\", "/").rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
        return " ".join(stem.replace("_", " ").replace("-", " ").split()) or None

    def to_json(self) -> dict[str, str | None]:
        """Return the `source` object of the `ask --json` contract."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published,
            "path": self.path,
        }


def _clipped(value: str, limit: int) -> str:
    """Return the value cut to `limit` characters, the last one an ellipsis."""
    return value[: limit - 1].rstrip() + "…"


def bounded_source(source: Source) -> tuple[Source, list[str]]:
    """Return the source with its metadata within METADATA_LIMITS, and a note for each value it had to change: a
    too-long value is clipped with "…", a URL that is too long or not http(s) without spaces is dropped, and a
    too-long doc_id keeps its start and a hash of the whole, so that it stays unique."""
    changes: dict[str, Any] = {}  # doc_id is a str, the others str or None
    notes: list[str] = []
    if len(source.doc_id) > METADATA_LIMITS["doc_id"]:
        digest = hashlib.sha256(source.doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        changes["doc_id"] = _clipped(source.doc_id, METADATA_LIMITS["doc_id"] - 17) + digest
        notes.append(f"doc_id clipped to {METADATA_LIMITS['doc_id']} characters")
    for name in ("title", "outlet", "author", "published"):
        value = getattr(source, name)
        if value is not None and len(value) > METADATA_LIMITS[name]:
            changes[name] = _clipped(value, METADATA_LIMITS[name])
            notes.append(f"{name} clipped to {METADATA_LIMITS[name]} characters")
    url = source.url
    if url is not None:
        if len(url) > METADATA_LIMITS["url"]:
            changes["url"] = None
            notes.append(f"url dropped (longer than {METADATA_LIMITS['url']} characters)")
        elif not _WEB_URL.fullmatch(url):
            changes["url"] = None
            notes.append("url dropped (not an http:// or https:// link without spaces)")
    return (replace(source, **changes) if changes else source), notes


@dataclass(frozen=True)
class Article:
    """One article as read from the corpus: repaired text (paragraphs separated by a blank line) and metadata;
    `notes` say what reading had to change in it (a clipped title, a dropped URL), and `ignored` which fields of
    its JSONL record or front matter newsbot does not read, for the operator."""

    source: Source
    text: str
    notes: tuple[str, ...] = field(default=(), compare=False)
    ignored: tuple[str, ...] = field(default=(), compare=False)  # the fields of its record that were not read

    @property
    def doc_id(self) -> str:
        """Return the article's stable id."""
        return self.source.doc_id

    @property
    def content_hash(self) -> str:
        """Return a sha256 over the text and metadata, so a metadata edit re-indexes the article too."""
        h = hashlib.sha256()
        s = self.source
        for part in (s.title, s.outlet, s.url, s.published, s.author, self.text):
            h.update((part or "").encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Attribution:
    """Who makes the claim in a sentence (`speaker`, normalised: "Martin Dempsey"), the words that say so (`cue`),
    and how (`kind`: quote, reported, according_to or none). `as_written` is the speaker as the article writes it
    ("Gen. Martin Dempsey", "he"), `role` what the article calls them ("chairman of the Joint Chiefs of Staff"),
    `via` whom the speaker cites ("IBT, citing CNN": speaker IBT, via CNN) or by whose account the speaker spoke
    ("Doe said, according to the Gazette": via "according to the Gazette"), and `vague` marks a speaker nobody can
    check ("sources", "officials")."""

    speaker: str | None = None
    cue: str | None = None
    kind: str = "none"
    as_written: str | None = None
    role: str | None = None
    via: str | None = None
    vague: bool = False

    @property
    def unattributed(self) -> bool:
        """Return whether this is a quotation whose speaker newsbot declines to name (a card says so)."""
        return self.kind == "quote" and self.speaker is None


NO_ATTRIBUTION = Attribution()


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its text and where it sits (paragraph, position, character offsets)."""

    text: str
    paragraph: int  # 0-based paragraph number in the article
    position: int  # 0-based sentence number in the article
    start: int  # offset of the first character in Article.text
    end: int  # offset after the last character: Article.text[start:end] == text


@dataclass(frozen=True)
class Report:
    """One article's sentence in a story an answer groups (index.stories): the sentence and its article's
    source."""

    sentence_id: int
    sentence: str
    source: Source

    def to_json(self) -> dict[str, Any]:
        """Return one element of a hit's `reported_by` list in the `ask --json` contract."""
        return {
            "doc_id": self.source.doc_id,
            "title": self.source.title,
            "outlet": self.source.outlet,
            "published": self.source.published,
            "sentence_id": self.sentence_id,
            "sentence": self.sentence,
        }


@dataclass
class Hit:
    """One retrieved sentence with its score, attribution, source and neighbours."""

    sentence_id: int
    sentence: str
    score: float
    attribution: Attribution
    source: Source
    before: str | None = None
    after: str | None = None
    paragraph: int = 0
    position: int = 0
    also_in: list[Source] = field(default_factory=list)  # other articles carrying the same sentence or fact
    # every article reporting it (this one included), the first dated first, the undated last (index.stories)
    reported_by: list[Report] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)  # ranking evidence, for evaluation only
    matched: list[str] = field(default_factory=list)  # the sentence's words that match the question's (for bold)
    # after the first answer: its evidence falls well below the first's, so the front ends leave it out
    weak: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return one element of the `answers` list of the `ask --json` contract."""
        return {
            "sentence": self.sentence,
            "score": round(float(self.score), 6),
            "speaker": self.attribution.speaker,
            "cue": self.attribution.cue,
            "kind": self.attribution.kind,
            "speaker_as_written": self.attribution.as_written,
            "speaker_role": self.attribution.role,
            "via": self.attribution.via,
            "vague": self.attribution.vague,
            "unattributed": self.attribution.unattributed,
            "source": self.source.to_json(),
            "context": {"before": self.before, "after": self.after},
            "also_in": [s.to_json() for s in self.also_in],
            "reported_by": [r.to_json() for r in self.reported_by],
            "weak": self.weak,
        }


@dataclass(frozen=True)
class Query:
    """A question and how it is asked, passed whole from a front end through the engine and kept behind "More":
    the text as asked, how many sentences (`k`) after how many better ones (`offset`), a date window (UTC epoch
    seconds, `since` included, `until` excluded; None: open) and the order of the answers (`relevance`, or
    `newest`: the relevant ones newest first). `period` says the window in words ("in March 2019") and
    `searched` is the text searched once the time words are taken out (None: not read yet)."""

    text: str
    k: int = 3
    offset: int = 0
    since: float | None = None
    until: float | None = None
    order: Order = "relevance"
    period: str | None = None
    searched: str | None = None

    @property
    def windowed(self) -> bool:
        """Return whether the question asks for a date window."""
        return self.since is not None or self.until is not None

    def holds(self, published_ts: float | None) -> bool:
        """Return whether an article published at `published_ts` lies in the window (an undated one lies in no
        window, and in the open one)."""
        if not self.windowed:
            return True
        if published_ts is None:
            return False
        return (self.since is None or published_ts >= self.since) and (self.until is None or published_ts < self.until)


@dataclass
class Answer:
    """What the engine returns for a question: the hits, best first, or `no_answer` when nothing is relevant;
    `small_talk` (with `no_answer`) when the message is a greeting, thanks or "who are you", not a question."""

    question: str
    hits: list[Hit]
    no_answer: bool = False
    offset: int = 0  # how many better hits came before these (for "More")
    more: bool = False  # whether further hits exist past these
    small_talk: bool = False
    query: Query | None = None  # the question as answered: its window, order and the text searched
    nothing_dated: bool = False  # with no_answer: the window holds nothing that answers (see Query.period)

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON object of `newsbot ask --json` (`small_talk: true` added for small talk only)."""
        data: dict[str, Any] = {"question": self.question, "no_answer": self.no_answer}
        if self.small_talk:
            data["small_talk"] = True
        data["answers"] = [h.to_json() for h in self.hits]
        return data

    def shown(self) -> Answer:
        """Return the answer as the front ends show it: the hits up to the first weak one (a card whose evidence
        falls well below the first answer's, filler rather than an answer); the rest stay behind More, whose pages
        (an offset) show every hit."""
        if self.offset:
            return self
        cut = next((i for i, h in enumerate(self.hits) if h.weak and i > 0), len(self.hits))
        if cut == len(self.hits):
            return self
        return replace(self, hits=self.hits[:cut], more=True)


@dataclass(frozen=True)
class ContextView:
    """What the Context button shows: the paragraph around a sentence with the sentence's offsets inside it, and
    the sentences before and after it (shown when the paragraph is the sentence alone)."""

    source: Source
    paragraph: str
    start: int
    end: int
    sentence: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class SourceView:
    """What the Source button shows: an article's source, the opening of its text, and how many sentences it has."""

    source: Source
    opening: str
    sentences: int


@dataclass(frozen=True)
class Summary:
    """What the engine knows, for a welcome or a "nothing relevant" reply: counts, the newest article, a few
    articles it covers (newest first) and example questions drawn from the corpus."""

    articles: int
    sentences: int
    newest: Source | None
    covers: list[Source]
    examples: list[str]


@dataclass(frozen=True)
class FeedbackEntry:
    """A reader's 👍/👎: when, on which question, the sentences shown (their ids and, beside each, its text, or
    None when it is no longer stored), and whether it helped."""

    at: str
    question: str
    sentence_ids: list[int]
    helpful: bool
    sentences: list[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class StoredSentence:
    """A sentence row joined with its attribution and its article's source; `speaker_key` names its speaker the
    same way in every article (index.identity.speaker_key)."""

    id: int
    article_id: int
    text: str
    paragraph: int
    position: int
    start: int
    end: int
    attribution: Attribution
    source: Source
    speaker_key: str | None = None


@dataclass(frozen=True)
class StoredAnswer:
    """An answer the bot sent: the question, the offset of its first hit, the sentences it showed and the
    question as it was answered (`asked`: its window and order; None for an answer kept before they were)."""

    id: int
    question: str
    first: int
    sentence_ids: tuple[int, ...]
    more: bool
    chat_id: int | None
    asked: Query | None = None

    def following(self, k: int) -> Query:
        """Return the question that "More" asks: the same window and order, the k hits after those shown."""
        offset = self.first + len(self.sentence_ids)
        if self.asked is None:
            return Query(self.question, k, offset)
        return replace(self.asked, k=k, offset=offset)


@dataclass(frozen=True)
class SourceSummary:
    """An indexed article's source and how many sentences it holds."""

    source: Source
    sentences: int
    indexed_at: str


@dataclass(frozen=True)
class Removal:
    """An article to remove, or removed: its source, its sentence count, where it came from (`file`, `upload` or
    `url`) and, for a file article, the file it was read from when that file is still there (the next `newsbot
    index` of its folder adds the article back)."""

    source: Source
    sentences: int
    origin: str
    file: str | None

    @property
    def only_copy(self) -> bool:
        """Return whether the store holds the article's only copy (an upload, an /add page, an article whose
        file is gone): removed, it cannot be indexed again from this machine."""
        return self.file is None


@dataclass(frozen=True)
class Claim:
    """One sentence an article attributes to a speaker: the sentence, its cue, its kind and its position."""

    sentence: str
    cue: str | None
    kind: str
    position: int

    def to_json(self) -> dict[str, str | int | None]:
        """Return one claim of the `newsbot claims --json` object."""
        return {"sentence": self.sentence, "cue": self.cue, "kind": self.kind, "position": self.position}


@dataclass(frozen=True)
class SpeakerClaims:
    """A speaker of an article and the claims the article attributes to them, in the article's order."""

    speaker: str
    claims: list[Claim]


@dataclass(frozen=True)
class ArticleClaims:
    """An article's claims grouped by speaker, the speaker with the most first; `own_voice` counts the sentences
    the article says in its own voice (no speaker)."""

    source: Source
    speakers: list[SpeakerClaims]
    own_voice: int

    def to_json(self) -> dict[str, object]:
        """Return the stable object of `newsbot claims --json`."""
        return {
            "doc_id": self.source.doc_id,
            "title": self.source.title,
            "speakers": [{"speaker": g.speaker, "claims": [c.to_json() for c in g.claims]} for g in self.speakers],
            "own_voice": self.own_voice,
        }


@dataclass(frozen=True)
class SpeakerTally:
    """The speakers of the corpus (or of one article, `source`) with their claim counts, the most first, cut to
    a limit; the totals count every speaker and claim."""

    speakers: list[tuple[str, int]]
    total_speakers: int
    total_claims: int
    source: Source | None = None
