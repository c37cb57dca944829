"""The indexed articles read back (`Engine.library`): pages of sources, an article and its attributed sentences
found by name, its claims by speaker, the corpus's speakers, one sentence as a Hit, its context and its source,
and the summary a greeting shows with example questions the corpus answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.errors import ArticleNotFoundError
from index.examples import candidate_questions
from index.identity import SpeakerIdentities
from index.model import (
    ArticleClaims,
    Claim,
    ContextView,
    Hit,
    Source,
    SourceSummary,
    SourceView,
    SpeakerClaims,
    SpeakerTally,
    StoredSentence,
    Summary,
)
from index.store import Store

EXAMPLE_CANDIDATES = 12  # example questions tried, in order, for the `n` a greeting suggests


def stored_hit(store: Store, s: StoredSentence, score: float) -> Hit:
    """Return a stored sentence as a Hit with `score`, its neighbours read from the store."""
    before, after = store.neighbours(s.article_id, s.position)
    return Hit(sentence_id=s.id, sentence=s.text, score=score, attribution=s.attribution, source=s.source,
               before=before, after=after, paragraph=s.paragraph, position=s.position)


class Library:
    """What the store holds, read for the front ends; changes nothing. `answered(question)` says whether a
    question gets sentences rather than "nothing relevant" (the engine's answer), for the example questions."""

    def __init__(self, store: Store, answered: Callable[[str], bool]) -> None:
        self.store = store
        self._answered = answered
        # example questions the corpus answers: (corpus state, the questions, whether every candidate was tried)
        self._examples: tuple[tuple[object, ...], list[str], bool] | None = None

    def sources(self, offset: int = 0, limit: int = 10) -> list[SourceSummary]:
        """Return a page of the indexed articles, newest first."""
        return self.store.sources(offset, limit)

    def article(self, doc_id: str) -> tuple[Source, str] | None:
        """Return an article's source and text."""
        return self.store.article(doc_id)

    def attributions(self, doc_id: str) -> list[StoredSentence]:
        """Return an article's stored sentences in order, each with the attribution `ask` shows for it."""
        return self.store.article_sentences(doc_id)

    def find_article(self, name: str) -> Source:
        """Return the one stored article that `name` identifies: its doc_id, else its title, path, file name or
        file name without the extension (case ignored), else a part of its title or doc_id; raise
        ArticleNotFoundError naming the candidates when none or several fit."""
        name = " ".join(name.split())
        if not name:
            raise ArticleNotFoundError("name an article: its doc_id, title or file name (see: newsbot sources)")
        found = self.store.article(name)
        if found is not None:
            return found[0]
        sources = [row.source for row in self.store.sources(0, -1)]
        wanted = name.lower()

        def names(s: Source) -> set[str]:
            base = (s.path or s.doc_id).replace("\\", "/").rsplit("/", 1)[-1]
            return {n.lower() for n in (s.doc_id, s.title, s.path, base, base.rsplit(".", 1)[0]) if n}

        fits = [s for s in sources if wanted in names(s)]
        if not fits:
            fits = [s for s in sources if wanted in s.doc_id.lower() or wanted in (s.title or "").lower()]
        if len(fits) == 1:
            return fits[0]
        if not fits:
            raise ArticleNotFoundError(f"no article matches {name!r} (see: newsbot sources)")
        shown = ", ".join(repr(s.doc_id) for s in fits[:5]) + (f" and {len(fits) - 5} more" if len(fits) > 5 else "")
        raise ArticleNotFoundError(f"{len(fits)} articles match {name!r}: {shown}; give its doc_id")

    def claims(self, article: str) -> ArticleClaims:
        """Return the claims of the article `article` names (see find_article) grouped by speaker, the speaker
        with the most claims first, from the stored attributions `ask` shows; one person under two names ("Mr.
        Makar", "Cale Makar") is one speaker, named as /who names them (index.identity)."""
        source = self.find_article(article)
        identities = self._identities()
        groups: dict[str, list[Claim]] = {}
        own_voice = 0
        for s in self.attributions(source.doc_id):
            a = s.attribution
            if not a.speaker or a.kind == "none":
                own_voice += 1
                continue
            speaker = identities.of(s.speaker_key) or a.speaker
            groups.setdefault(speaker, []).append(Claim(s.text, a.cue, a.kind, s.position))
        ordered = sorted(groups.items(), key=lambda g: (-len(g[1]), g[1][0].position))
        return ArticleClaims(source, [SpeakerClaims(sp, cl) for sp, cl in ordered], own_voice)

    def speakers(self, doc_id: str | None = None, limit: int = 20) -> SpeakerTally:
        """Return the speakers of the corpus (or of the article `doc_id`) with their claim counts, the most
        first, at most `limit` of them, and the totals; one person under several names across the articles
        ("Makar", "Defenseman Cale Makar") is one speaker (index.identity)."""
        counts = self.store.speaker_counts(doc_id)
        tally = self._identities(counts if doc_id is None else None).tally(counts)
        source = None
        if doc_id is not None:
            found = self.store.article(doc_id)
            source = found[0] if found is not None else None
        return SpeakerTally(tally[:limit], len(tally), sum(n for _, n in tally), source)

    def _identities(self, counts: Sequence[tuple[str, int]] | None = None) -> SpeakerIdentities:
        """Return the corpus's speakers as identities, from the stored keys' claim counts (`counts`, when the
        caller has read them for the whole corpus)."""
        return SpeakerIdentities(self.store.speaker_counts() if counts is None else counts)

    def articles_of(self, sentence_ids: Sequence[int]) -> list[Source]:
        """Return the articles these sentences come from, each once, in the sentences' order (sentences no
        longer stored are left out)."""
        found = self.store.sentences(sentence_ids)
        out: list[Source] = []
        for sid in sentence_ids:
            if sid in found and found[sid].source not in out:
                out.append(found[sid].source)
        return out

    def hit(self, sentence_id: int) -> Hit | None:
        """Return one stored sentence as a Hit (score 0), or None when it no longer exists."""
        found = self.store.sentences([sentence_id])
        return stored_hit(self.store, found[sentence_id], 0.0) if sentence_id in found else None

    def context(self, sentence_id: int) -> ContextView | None:
        """Return the paragraph around a sentence and its neighbours, or None when it no longer exists."""
        found = self.store.sentences([sentence_id])
        if sentence_id not in found:
            return None
        s = found[sentence_id]
        text = self.store.article_text(s.article_id)
        p_start = text.rfind("\n\n", 0, s.start)
        p_start = 0 if p_start < 0 else p_start + 2
        p_end = text.find("\n\n", s.end)
        p_end = len(text) if p_end < 0 else p_end
        before, after = self.store.neighbours(s.article_id, s.position)
        return ContextView(s.source, text[p_start:p_end], s.start - p_start, s.end - p_start, s.text, before, after)

    def source_view(self, sentence_id: int, opening: int = 2000) -> SourceView | None:
        """Return the source of a sentence's article, its text's first `opening` characters and its sentence
        count, or None when the sentence or its article no longer exists."""
        found = self.store.sentences([sentence_id])
        if sentence_id not in found:
            return None
        s = found[sentence_id]
        article = self.store.article(s.source.doc_id)
        if article is None:
            return None
        source, text = article
        return SourceView(source, text[:opening], len(self.store.article_sentence_ids(s.article_id)))

    def summary(self, examples: int = 3, covers: int = 0) -> Summary:
        """Return what the engine knows: counts, the newest article, the `covers` newest sources and
        `examples` example questions (`summary(0)`: the counts and the newest article alone, cheaply)."""
        a, s = self.store.counts()
        shown = [row.source for row in self.store.sources(0, covers)] if covers > 0 else []
        asked = self.example_questions(examples)
        return Summary(a, s, self.store.newest(), shown, asked)

    def example_questions(self, n: int = 3) -> list[str]:
        """Return up to n example questions drawn from the corpus (its speakers and the names it mentions most)
        that the corpus answers: each one asked gets sentences, not "nothing relevant"; fewer when fewer do."""
        if n <= 0:
            return []
        newest = self.store.newest()
        state = (*self.store.counts(), newest.doc_id if newest else None)
        cached = self._examples
        if cached is None or cached[0] != state or (len(cached[1]) < n and not cached[2]):
            answered: list[str] = []
            for q in candidate_questions(self.store, EXAMPLE_CANDIDATES):
                if len(answered) >= n:
                    break
                if self._answered(q):
                    answered.append(q)
            cached = self._examples = (state, answered, len(answered) < n)
        return cached[1][:n]
