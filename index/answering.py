"""The question path (`Engine.answerer`): a question checked and read for its time words (`asked`), encoded and
searched in the vector index and the store (dense and lexical candidates, the sentences of a speaker it names),
scored by the ranker and decided relevant or not (`ranked`), its sentences grouped into stories across outlets,
reread by the reader, and the page of hits made into an Answer (`answer`; `answers` for many at once)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index import characters
from index.encoder import Encoder
from index.errors import QuestionError
from index.identity import SpeakerIdentities
from index.library import stored_hit
from index.model import Answer, Query
from index.questions import (
    CorpusWords,
    TimeAsked,
    asks_what_someone_said,
    frames_time,
    is_chitchat,
    normalized_question,
    quiz_parts,
    read_time,
    speakers_named,
)
from index.ranking import Candidate, FusionRanker, Ranker, cosines, mark_articles, merge_candidates
from index.ranking.order import WEAK_GAP, newest_first, reread, speaker_bonus
from index.ranking.reader import Reader
from index.settings import Settings
from index.store import Store
from index.stories import group_stories, in_report_order
from index.terms import matched_words
from index.vector_sync import LiveVectors
from index.vectors import VectorIndex

ANSWER_BATCH = 8  # questions encoded (and searched) together: 16 answered no faster on 2 cores and held 10 MB more
# A question with a date window searches this many times deeper (dense and lexical), since the candidates outside
# its window are dropped before ranking.
WINDOW_DEPTH = 4
# How much more the reader must read a sentence next to the first answer as answering the question before it goes
# first (logits; chosen among 0-2.5 on polnear-qa, Wikinews validation and SQuAD: bench/RESULTS.md)
NEIGHBOUR_MARGIN = 1.5
BARE_CACHE = 4096  # bare sentence vectors kept for story grouping (1.5 kB each with MiniLM)


@dataclass(frozen=True)
class EncodedQuestion:
    """A question ready to rank: its ranked form, its vector, and its dense hits in the vector index searched."""

    ranked: str
    qvec: np.ndarray
    vectors: VectorIndex
    dense: list[tuple[int, float]]


@dataclass(frozen=True)
class Gathered:
    """A question's candidates before the ranker scores them: its ranked form, its vector, the candidates (their
    articles marked) and the stored keys of the speakers it asks about (index.identity)."""

    question: str
    qvec: np.ndarray
    cands: list[Candidate]
    speakers: list[str]


class Answerer:
    """Answers questions from the live vector index and the store with a ranker and, when there is one, a reader;
    thread-safe, so a bot may call it from worker threads."""

    def __init__(self, settings: Settings, store: Store, live: LiveVectors, encoder: Encoder,
                 ranker: Ranker | None = None, reader: Reader | None = None) -> None:
        self.settings = settings
        self.store = store
        self._live = live  # the vector index searched, swapped whole when another process saves a newer one
        self.encoder = encoder
        self.ranker: Ranker = ranker or FusionRanker()
        self.reader = reader  # rereads the ranker's best candidates (index.ranking.reader); None: the ranker's order
        # how the corpus writes its words and how often, for the question as ranked: read from the store's counts
        # for the question's own words, so another process's indexing is seen at the next question
        self._words = CorpusWords(store)
        # bare sentences' vectors (without their titles) that story grouping compared, by text
        self._bare: dict[str, np.ndarray] = {}

    def check_question(self, question: str) -> str:
        """Return the question cleaned up as it is shown back (no bidirectional control, invisible or control
        character, single spaces); raise QuestionError when it is empty or too long."""
        q = " ".join(characters.shown(question).split())
        if not q:
            raise QuestionError("Please ask a question: the message was empty.")
        if len(q) > self.settings.max_question_chars:
            raise QuestionError(
                f"That question is too long ({len(q)} characters); please keep it under "
                f"{self.settings.max_question_chars}."
            )
        return q

    def asked(self, question: str | Query, k: int = 3, offset: int = 0) -> Query:
        """Return the question as a Query (a str asked with k and offset), its text checked (see check_question)
        and its time words read (questions.read_time, relative to the newest article): the window they name
        narrows the Query's own (a front end's --since/--until), "latest" makes the order newest first, and
        `searched` is the text without them. A Query already read (`searched` set) keeps its window and order.
        Raise QuestionError when only time words are left ("latest news": latest on what?)."""
        query = question if isinstance(question, Query) else Query(question, k, offset)
        text = self.check_question(query.text)
        if query.searched is not None:
            return replace(query, text=text)
        if is_chitchat(text):
            return replace(query, text=text, searched=text)
        # time words ask for a window only where the question frames itself by time, over a corpus with dates;
        # over an undated one they are still no words to search for ("Derna in 2015" asks what "Derna" does)
        time_asked = read_time(text, self._newest_time) if frames_time(text) else TimeAsked(text)
        if time_asked.rest != text and self._newest_time() is None:
            time_asked = TimeAsked(time_asked.rest)
        if not time_asked.rest:
            raise QuestionError(f"“{text}”: about what? Name a topic as well, e.g. “latest on Derna”.")
        since, until = query.since, query.until
        if time_asked.since is not None:
            since = time_asked.since if since is None else max(since, time_asked.since)
        if time_asked.until is not None:
            until = time_asked.until if until is None else min(until, time_asked.until)
        period = " and ".join(p for p in (query.period, time_asked.period) if p) or _period(since, until)
        order = "newest" if time_asked.newest or query.order == "newest" else query.order
        return Query(text, query.k, query.offset, since, until, order, period, time_asked.rest)

    def _newest_time(self) -> float | None:
        """Return when the newest dated article was published (what "this week" is relative to), or None."""
        newest = self.store.newest()
        return newest.published_ts if newest is not None else None

    def answer(self, question: str | Query, k: int = 3, offset: int = 0) -> Answer:
        """Return the best k attributed sentences after `offset` (or as the Query says), or an Answer with
        no_answer set (and nothing_dated, when the question's window holds nothing that answers)."""
        query = self.asked(question, k, offset)
        if is_chitchat(query.text):
            return Answer(question=query.text, hits=[], no_answer=True, small_talk=True, query=query)
        return self._answered(query, self.ranked(query.searched or query.text, window=query))

    def answers(self, questions: Iterable[str | Query], k: int = 3, offset: int = 0,
                batch: int = ANSWER_BATCH) -> Iterator[Answer]:
        """Yield the answer to each question (a str asked with k and offset, or a Query) in order, as `answer`
        gives it; the questions are checked, encoded, searched (one encoder call, one FAISS call), read from the
        store (one statement for their lexical lookups, one for their sentences) and scored (one matrix for the
        learned ranker's trees) `batch` at a time; then each is grouped and reread when its answer is asked for."""
        pending = iter(questions)
        while chunk := list(itertools.islice(pending, max(1, batch))):
            asked = [self.asked(q, k, offset) for q in chunk]
            talk = [is_chitchat(a.text) for a in asked]
            searched = [a for a, t in zip(asked, talk, strict=True) if not t]
            depth = self.settings.candidates * (WINDOW_DEPTH if any(a.windowed for a in searched) else 1)
            encoded = self._encoded([a.searched or a.text for a in searched], depth)
            gathered = self._gathered(encoded, searched)
            ranked: Iterator[tuple[Gathered, np.ndarray]]
            if getattr(self.ranker, "score_many", None) is not None:
                ranked = iter(zip(gathered, self._scores(gathered), strict=True))
            else:  # scored as each answer is asked for: a recording ranker (the eval's) sees that question's own
                ranked = ((g, self._scores([g])[0]) for g in gathered)
            for a, t in zip(asked, talk, strict=True):
                yield self.answer(a) if t else self._answered(a, self._decided(*next(ranked)))

    def _answered(self, query: Query, ranked: tuple[list[Candidate], np.ndarray, bool]) -> Answer:
        """Return the answer to a question asked (not small talk) from its ranked candidates: copies and reports
        of one story grouped, the reader's reread, the page of hits."""
        q = query.text
        searched = query.searched or q
        cands, scores, relevant = ranked
        if not cands or not relevant:
            return Answer(question=q, hits=[], no_answer=True, query=query, nothing_dated=query.windowed)
        if query.order == "newest":
            cands, scores = newest_first(cands, scores, self.ranker)
        k, offset = query.k, query.offset
        reader = self.reader if query.order != "newest" else None  # newest first: time decides the order
        groups = group_stories(cands, scores, self._bare_vectors,
                               limit=max(offset + k + 1, reader.read if reader else 0))
        read: dict[int, float] = {}
        named = {s.lower() for s in self._asked_about(searched)[1]} if reader is not None else set()
        if reader is not None:  # what a named speaker said is found by who said it, not within one story
            inside = list(zip(cands, scores, strict=True)) if reader.story and not named else []
            groups, read = reread(reader, searched, groups, inside)
        first = groups[0][0] if groups else None
        top = first[1] + reader.weight * read[first[0].id] if reader and first and first[0].id in read else None
        parts = quiz_parts(searched) if query.order != "newest" else None
        if parts is not None and groups:
            groups, read = self._ask_chooses(parts[1], groups, read, query)
        elif reader is not None and groups and not named:
            groups, read = self._neighbour_first(searched, groups, read)
        page = groups[offset : offset + k]
        hits = []
        for group in page:
            (best, score), others = group[0], group[1:]
            hit = stored_hit(self.store, best.sentence, score)
            hit.also_in = [c.sentence.source for c, _ in others if c.sentence.source != hit.source]
            hit.reported_by = in_report_order([c for c, _ in group])
            hit.features = dict(best.features)
            if best.id in read:
                hit.features["reader"] = read[best.id]
                if reader is not None and top is not None and (best.sentence.speaker_key or "").lower() not in named:
                    # what a speaker the question names said answers it, however the reader scores it
                    hit.weak = bool(score + reader.weight * read[best.id] < top - WEAK_GAP)
            hit.matched = matched_words(hit.sentence, searched)
            hits.append(hit)
        if hits and offset == 0:
            hits[0].weak = False  # the answer shown first is never filler, whichever part of the question chose it
        return Answer(question=q, hits=hits, no_answer=False, offset=offset, more=len(groups) > offset + k,
                      query=query)

    def _ask_chooses(self, ask: str, groups: list[list[tuple[Candidate, float]]], read: dict[int, float],
                     window: Query) -> tuple[list[list[tuple[Candidate, float]]], dict[int, float]]:
        """Return the groups with the sentence the ask chooses first, and the reader's logits with its own: for a
        question that opens with context and then asks (`quiz_parts`), the whole question found the story (the
        first group's article) and the ask alone, ranked over that story's sentences (`_ask_ranked`) and reread by
        the reader over its best ones, chooses the sentence shown first; the others keep their order. Read on our
        Wikinews questions of that kind, the whole question picks the sentence that repeats its context
        (bench/RESULTS.md, "The question in parts")."""
        own = self._ask_ranked(ask, groups[0][0][0], window)
        if not own:
            return groups, read
        chosen, logit = own[0][0], None
        if self.reader is not None and len(own) > 1:
            head = own[: self.reader.read]
            logits = self.reader.scores(ask, [c.sentence.text for c, _ in head])
            best = int(np.argmax([x + self.reader.weight * y for (_, x), y in zip(head, logits, strict=True)]))
            chosen, logit = head[best][0], float(logits[best])
        if logit is not None and chosen.id not in read:
            read = {**read, chosen.id: logit}
        return _put_first(groups, chosen), read

    def _neighbour_first(self, question: str, groups: list[list[tuple[Candidate, float]]], read: dict[int, float]
                         ) -> tuple[list[list[tuple[Candidate, float]]], dict[int, float]]:
        """Return the groups with the sentence just before or after the first one's in its article first, when the
        reader reads it as answering the question by more than NEIGHBOUR_MARGIN over the first, and the reader's
        logits with its own; else both as they were. The first answer is often the sentence that repeats the
        question, and the answer the one next to it (bench/RESULTS.md, "The sentence next to the first")."""
        reader, first = self.reader, groups[0][0][0]
        if reader is None or first.id not in read:
            return groups, read
        near = self.store.neighbour_sentences(first.sentence.article_id, first.sentence.position)
        logits = {sid: read[sid] for sid in near if sid in read}
        said = {sid: s for sid, s in near.items() if sid not in read}
        if said:
            todo = list(said)
            logits.update(zip(todo, (float(x) for x in reader.scores(question, [said[s].text for s in todo])),
                              strict=True))
        best = max(logits, key=logits.__getitem__, default=None)
        if best is None or logits[best] <= read[first.id] + NEIGHBOUR_MARGIN:
            return groups, read
        leads = {g[0][0].id for g in groups}
        if best not in leads and best not in said:
            return groups, read  # a copy inside another group: shown there
        chosen = next((g[0][0] for g in groups if g[0][0].id == best), None) or Candidate(
            best, said[best], first.cos, 0.0, None, None)
        return _put_first(groups, chosen), {**read, best: logits[best]}

    def _ask_ranked(self, ask: str, top: Candidate, window: Query) -> list[tuple[Candidate, float]]:
        """Return the sentences of the top candidate's article ranked for the ask alone, best first, with their
        scores: the ask's own candidates (retrieved and scored as any question's) and every other sentence of that
        story, added as the sentences of a speaker a question names are (their cosine; the story's article
        evidence)."""
        article = top.sentence.article_id
        encoded = self._encoded([ask], self.settings.candidates)[0]
        gathered = self._gathered([encoded], [window])[0]
        held = {c.id for c in gathered.cands}
        added = self._added([sid for sid, _, _ in self.store.article_sentence_ids(article) if sid not in held], encoded)
        if added:
            marked = next((c for c in gathered.cands if c.sentence.article_id == article), top)
            for c in added:
                c.article_rank, c.article_bm25 = marked.article_rank, marked.article_bm25
            gathered = replace(gathered, cands=[*gathered.cands, *added])
        scores = self._scores([gathered])[0]
        return [(gathered.cands[i], float(scores[i])) for i in np.argsort(-scores, kind="stable")
                if gathered.cands[i].sentence.article_id == article]

    def _added(self, ids: Sequence[int], e: EncodedQuestion) -> list[Candidate]:
        """Return candidates for sentences no retriever found (a speaker's the question names, a story's other
        sentences): the stored ones, with their cosine to the question and no lexical evidence."""
        if not ids:
            return []
        said = self.store.sentences(ids)
        cos = cosines([sid for sid in ids if sid in said], e.vectors, e.qvec, self.store)
        return [Candidate(sid, said[sid], cos[sid], 0.0, None, None) for sid in ids if sid in cos]

    def _bare_vectors(self, sentences: Sequence[str]) -> np.ndarray:
        """Return the sentences' vectors without their articles' titles (the stored ones carry them, and two
        articles on one event share a title's words): what index.stories compares, for a handful of sentences;
        each text is encoded once and kept (BARE_CACHE of them), since the same candidates come back."""
        cache = self._bare
        missing = list(dict.fromkeys(t for t in sentences if t not in cache))
        if missing:
            if len(cache) + len(missing) > BARE_CACHE:
                cache.clear()
            cache.update(zip(missing, np.asarray(self.encoder.encode(missing, "document"), dtype=np.float32),
                             strict=True))
        return np.stack([cache[t] for t in sentences]) if sentences else np.zeros((0, self.encoder.dimension))

    def ranked(self, question: str, window: Query | None = None) -> tuple[list[Candidate], np.ndarray, bool]:
        """Return the candidates and their scores, best first, and whether the best is relevant at all.

        The question is ranked in its normalised form (ranked_question). When it asks what someone said ("What
        did Noman Benotman say?") and names a speaker the articles attribute claims to, that speaker's sentences
        join the candidates and get a bounded bonus (SPEAKER_BONUS), which a much better sentence overcomes. With
        a `window` (a Query with since/until), only the sentences of articles published in it are candidates,
        searched WINDOW_DEPTH times deeper."""
        windowed = window is not None and window.windowed
        depth = self.settings.candidates * (WINDOW_DEPTH if windowed else 1)
        encoded = self._encoded([question], depth)[0]
        gathered = self._gathered([encoded], [window])[0]
        return self._decided(gathered, self._scores([gathered])[0])

    def ranked_question(self, question: str) -> str:
        """Return the form of a question that is ranked: `normalized_question` with the corpus's word cases, so
        that "how far is crete from derna" and "How far is Crete from Derna?" get one answer."""
        return normalized_question(question, self._words)

    def speakers_asked_about(self, question: str) -> list[str]:
        """Return the attributed speakers a question asks about, one name each ("what did Benotman say" → Noman
        Benotman; "what did Makar say" → Cale Makar, under whatever name each article gave him)."""
        return self._asked_about(question)[0]

    def _asked_about(self, question: str) -> tuple[list[str], list[str]]:
        """Return the speakers a question asks about (their identities' names) and every stored key of theirs."""
        if not asks_what_someone_said(question):  # most questions: no need to read the corpus's speakers
            return [], []
        identities = SpeakerIdentities(self.store.speaker_counts())
        named: list[str] = []
        for found in speakers_named(question, [*identities.names, *identities.keys]):
            name = identities.of(found) or found
            if name not in named:
                named.append(name)
        return named, identities.keys_of(named)

    def _encoded(self, questions: Sequence[str], depth: int | None = None) -> list[EncodedQuestion]:
        """Return each checked question in its ranked form with its vector and `depth` dense hits (default: the
        settings' candidates): the questions are encoded in one encoder call and searched in one FAISS call
        (looks for a newer saved index first)."""
        if not questions:
            return []
        self._live.refresh()
        ranked = [self.ranked_question(q) for q in questions]
        qvecs = self.encoder.encode(ranked, "query")
        vectors = self._live.vectors  # one index for the whole batch, even if a newer one is swapped in meanwhile
        dense = vectors.search_many(qvecs, depth or self.settings.candidates)
        return [EncodedQuestion(r, v, vectors, d) for r, v, d in zip(ranked, qvecs, dense, strict=True)]

    def _gathered(self, encoded: Sequence[EncodedQuestion], windows: Sequence[Query | None]) -> list[Gathered]:
        """Return each encoded question's candidates (see `ranked`), read for all of them at once: every
        question's lexical lookups (its sentences, WINDOW_DEPTH times deeper with a window, and its articles) in
        one SQL statement, the sentences they and the dense hits name in one more."""
        n = self.settings.candidates
        asked: list[tuple[str, str, int]] = []
        for e, w in zip(encoded, windows, strict=True):
            depth = n * (WINDOW_DEPTH if w is not None and w.windowed else 1)
            asked += [("sentences_fts", e.ranked, depth), ("articles_fts", e.ranked, n)]
        found = self.store.lexical_many(asked)
        lexical, articles = found[0::2], found[1::2]
        stored = self.store.sentences({sid for e in encoded for sid, _ in e.dense}
                                      | {sid for lex in lexical for sid, _ in lex})
        out = []
        for e, w, lex, arts in zip(encoded, windows, lexical, articles, strict=True):
            cands = merge_candidates(e.dense, lex, stored, e.vectors, e.qvec, store=self.store)
            _, speakers = self._asked_about(e.ranked)
            if speakers:
                known = {c.id for c in cands}
                extra = [sid for sid in self.store.sentence_ids_by_speaker(speakers, n) if sid not in known]
                cands += self._added(extra, e)
            if w is not None and w.windowed:
                cands = [c for c in cands if w.holds(c.sentence.source.published_ts)]
            mark_articles(cands, arts)
            out.append(Gathered(e.ranked, e.qvec, cands, speakers))
        return out

    def _scores(self, gathered: Sequence[Gathered]) -> list[np.ndarray]:
        """Return the ranker's scores of each question's candidates: in one matrix when the ranker scores many
        questions at once (`score_many`, the learned ranker's), else question by question."""
        todo = [g for g in gathered if g.cands]
        many = getattr(self.ranker, "score_many", None)
        if many is not None:
            scored = iter(many([(g.question, g.qvec, g.cands) for g in todo]))
        else:
            scored = iter([self.ranker.score(g.question, g.qvec, g.cands) for g in todo])
        return [np.asarray(next(scored), dtype=np.float64) if g.cands else np.zeros(0) for g in gathered]

    def _decided(self, g: Gathered, scores: np.ndarray) -> tuple[list[Candidate], np.ndarray, bool]:
        """Return a question's candidates and scores, best first, and whether the best is relevant (see
        `ranked`): the named speaker's sentences lifted by SPEAKER_BONUS."""
        cands, speakers = g.cands, g.speakers
        if not cands:
            return [], np.zeros(0), False
        best = int(np.argmax(scores))
        relevant = self.ranker.is_relevant(float(scores[best]), cands[best])
        if not relevant and not speakers:  # a broad question on what the corpus is about is answered
            relevant = self._words.about_the_corpus(g.question)
        if speakers:
            wanted = {s.lower() for s in speakers}
            said = np.array([(c.sentence.speaker_key or "").lower() in wanted for c in cands])
            if said.any():
                scores = scores + said * speaker_bonus(scores)
                relevant = relevant or bool(said[int(np.argmax(scores))])  # their own words, asked for by name
        order = np.argsort(-scores, kind="stable")
        return [cands[i] for i in order], scores[order], relevant

    def candidates(self, question: str, qvec: np.ndarray) -> list[Candidate]:
        """Return the union of the dense and lexical candidates for a question, with their scores: the retrieval
        alone, without the named speaker's sentences, a window or the articles' marks that `ranked` adds."""
        vectors = self._live.vectors  # one index for the whole question, even if a newer one is swapped in meanwhile
        dense = vectors.search(qvec, self.settings.candidates)
        lexical = self.store.lexical(question, self.settings.candidates)
        stored = self.store.sentences({sid for sid, _ in dense} | {sid for sid, _ in lexical})
        return merge_candidates(dense, lexical, stored, vectors, qvec, store=self.store)


def _put_first(groups: list[list[tuple[Candidate, float]]], chosen: Candidate) -> list[list[tuple[Candidate, float]]]:
    """Return the groups with the one `chosen` leads first, the others in their order; a sentence no group leads
    comes first alone, at the first group's score."""
    at = next((i for i, g in enumerate(groups) if g[0][0].id == chosen.id), None)
    if at == 0:
        return groups
    lead = groups[at] if at is not None else [(chosen, groups[0][0][1])]
    return [lead, *(g for i, g in enumerate(groups) if i != at)]


def _period(since: float | None, until: float | None) -> str | None:
    """Return a window in words ("since 1 Mar 2019", "before 1 Jan 2016"), or None when it is open."""

    def day(ts: float) -> str:
        moment = dt.datetime.fromtimestamp(ts, dt.UTC)
        return f"{moment.day} {moment:%b %Y}"

    if since is not None and until is not None:
        return f"between {day(since)} and {day(until - 1)}"
    if since is not None:
        return f"since {day(since)}"
    if until is not None:
        return f"before {day(until)}"
    return None


