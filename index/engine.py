"""The engine: one object that opens the store, the vector index and the model, indexes articles and answers
questions with attributed sentences. The CLI and the bot are thin layers over it."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import shutil
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index import characters
from index.encoder import Encoder, build_encoder
from index.errors import (
    ArticleNotFoundError,
    QuestionError,
)
from index.examples import candidate_questions
from index.indexer import Embedder, Indexer, IndexReport, rebuild_vectors
from index.model import (
    Answer,
    Article,
    ArticleClaims,
    Claim,
    ContextView,
    FeedbackEntry,
    Hit,
    Query,
    Removal,
    Source,
    SourceSummary,
    SourceView,
    SpeakerClaims,
    SpeakerTally,
    StoredAnswer,
    StoredSentence,
    Summary,
)
from index.questions import (
    CorpusWords,
    TimeAsked,
    asks_what_someone_said,
    frames_time,
    is_chitchat,
    normalized_question,
    read_time,
    speakers_named,
)
from index.ranking import Candidate, FusionRanker, Ranker, cosines, mark_articles, merge_candidates
from index.ranking.choice import default_reader, load_default_ranker
from index.ranking.features import CorpusView
from index.ranking.order import WEAK_GAP, newest_first, reread, speaker_bonus
from index.ranking.reader import Reader
from index.settings import Settings
from index.sharing import index_lock
from index.store import Store
from index.stories import collapse_copies, group_stories, in_report_order
from index.terms import matched_words
from index.vector_sync import LiveVectors, data_leftovers, open_vectors
from index.vectors import VectorIndex, manifest_signature

log = logging.getLogger(__name__)

__all__ = [
    "ArticleClaims", "Claim", "EncodedQuestion", "Engine", "IndexReport", "Removal",
    "SourceSummary", "SpeakerClaims", "SpeakerTally", "collapse_copies",
]

ANSWER_BATCH = 16  # questions encoded (and searched) together: bigger batches gained nothing on 2 cores
FEEDBACK_LOOKUP = 900  # sentence ids looked up together for `feedback`
EXAMPLE_CANDIDATES = 12  # example questions tried, in order, for the `n` a greeting suggests
# A question with a date window searches this many times deeper (dense and lexical), since the candidates outside
# its window are dropped before ranking.
WINDOW_DEPTH = 4
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
    articles marked) and the speakers it asks about."""

    question: str
    qvec: np.ndarray
    cands: list[Candidate]
    speakers: list[str]


class Engine:
    """Answers questions over the indexed articles; thread-safe, so a bot may call it from worker threads."""

    def __init__(self, settings: Settings, store: Store, vectors: VectorIndex, encoder: Encoder,
                 ranker: Ranker | None = None, reader: Reader | None = None) -> None:
        self.settings = settings
        self.store = store
        self._live = LiveVectors(store, vectors, settings.vectors_path, settings.data_dir)
        self.encoder = encoder
        self.ranker: Ranker = ranker or FusionRanker()
        self.reader = reader  # rereads the ranker's best candidates (index.ranking.reader); None: the ranker's order
        self._write_lock = threading.Lock()
        # how the corpus writes its words and how often, for the question as ranked: read from the store's counts
        # for the question's own words, so another process's indexing is seen at the next question
        self._words = CorpusWords(store)
        # example questions the corpus answers: (corpus state, the questions, whether every candidate was tried)
        self._examples: tuple[tuple[object, ...], list[str], bool] | None = None
        # bare sentences' vectors (without their titles) that story grouping compared, by text
        self._bare: dict[str, np.ndarray] = {}

    @classmethod
    def open(cls, settings: Settings, encoder: Encoder | None = None, ranker: Ranker | None = None) -> Engine:
        """Return an engine over the settings' data folder, loading the model and the saved index."""
        encoder = encoder or build_encoder(settings)
        data_leftovers(settings, clear=True)
        store = Store(settings.db_path)
        seen = manifest_signature(settings.vectors_path)  # before loading: a save meanwhile is noticed later
        vectors, saved = open_vectors(store, settings.vectors_path, encoder.dimension, encoder.model_id,
                                      settings.vector_index)
        if ranker is None and settings.ranker == "learned":
            ranker = load_default_ranker(CorpusView(store, encoder.dimension))
        engine = cls(settings, store, vectors, encoder, ranker, default_reader(settings.reader, ranker))
        engine._live = LiveVectors(store, vectors, settings.vectors_path, settings.data_dir, seen, saved)
        return engine

    @property
    def vectors(self) -> VectorIndex:
        """Return the vector index answers search now (swapped whole when another process saves a newer one)."""
        return self._live.vectors

    def refresh(self) -> bool:
        """Swap in the vector index another process (`newsbot index`) saved since this engine loaded its own;
        return whether it did. Costs one stat of the manifest when nothing changed. An index this engine could
        not save (a full disk) is saved here once there is room again, tried at most every SAVE_RETRY seconds."""
        seen = manifest_signature(self.settings.vectors_path)
        changed = seen is not None and seen != self._live.seen
        if not changed and not self._live.save_due():
            return False
        if not self._write_lock.acquire(blocking=False):
            return False  # this engine is writing (and saves its own index); look again at the next question
        try:
            if changed and seen is not None:
                return self._live.swap_in(seen)
            self._live.save_unsaved()
            return False
        finally:
            self._write_lock.release()

    @classmethod
    def rebuild(cls, settings: Settings, encoder: Encoder | None = None) -> int:
        """Rebuild the vector index from the store, keeping every article (uploads and /add too) and all
        feedback: from the stored vectors, or, when another model made them, by re-embedding every stored
        sentence; return how many sentences were re-embedded. `reset` is what empties the data folder."""
        encoder = encoder or build_encoder(settings)
        store = Store(settings.db_path)
        try:
            with index_lock(settings.data_dir):
                vectors, reembedded = rebuild_vectors(store, encoder, progress=settings.progress,
                                                      kind=settings.vector_index)
                vectors.save(settings.vectors_path)
        finally:
            store.close()
        return reembedded

    @classmethod
    def data_files(cls, settings: Settings) -> list[Path]:
        """Return the files of the data folder that newsbot made and `reset` deletes (those that exist), with the
        temporary files and folders killed processes left there and beside the model's export."""
        db, vec = settings.db_path, settings.vectors_path
        named = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), vec, Path(f"{vec}.json")]
        return [p for p in named if p.exists()] + data_leftovers(settings)

    @classmethod
    def reset(cls, settings: Settings) -> list[Path]:
        """Delete the store (articles, uploads, feedback), the vector index and what killed processes left
        behind, waiting for a run that is indexing; return the files deleted."""
        with index_lock(settings.data_dir):
            gone = cls.data_files(settings)
            for p in gone:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
        return gone

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    def __enter__(self) -> Engine:
        """Return the engine itself, for `with Engine.open(settings) as engine:`."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the engine (its store) when the `with` block ends, however it ends."""
        self.close()

    # -- indexing ----------------------------------------------------------------------------------------

    def _indexer(self, embedder: Embedder | None = None, batch_sentences: int | None = None) -> Indexer:
        """Return an indexer writing into this engine's store and vector index (embedding with the embedder,
        when one is given, rather than with this engine's encoder)."""
        seen = manifest_signature(self.settings.vectors_path)  # write over the newest index, not a stale one
        if seen is not None and seen != self._live.seen:
            self._live.swap_in(seen)
        return Indexer(self.store, self.vectors, self.encoder, self.settings.vectors_path,
                       progress=self.settings.progress, embedder=embedder, batch_sentences=batch_sentences)

    def index_paths(
        self, paths: Sequence[Path], embedder: Embedder | None = None, batch_sentences: int | None = None,
        follow_links: bool = False,
    ) -> IndexReport:
        """Index files and folders incrementally: new and changed articles embedded; articles whose file lay
        inside a folder given and is gone removed (never for a file given, never uploads or /add articles).
        Links inside a folder that lead outside it are left unread unless `follow_links` (see read_paths).
        An embedder (index.distributed's Ray embedder) makes the encoder's vectors elsewhere, `batch_sentences`
        at a time; everything else, the store's rows and the vector index, is the same."""
        with self._write_lock, index_lock(self.settings.data_dir):
            return self._saved(self._indexer(embedder, batch_sentences).index_paths(
                paths, home=self.settings.corpus_dir, follow_links=follow_links))

    def add_document(self, name: str, data: bytes) -> IndexReport:
        """Read an uploaded document and index its articles; raise ReadError and change nothing if unreadable."""
        from index.reading import read_document  # reading is for indexing: a question never imports it

        articles = read_document(name, data)
        with self._write_lock, index_lock(self.settings.data_dir):
            return self._saved(self._indexer().index_articles(articles, origin="upload"))

    def add_url(self, url: str) -> IndexReport:
        """Fetch an article from the web and index it; raise ReadError and change nothing if it fails, or if
        the URL (or a redirect) leads to an internal address the settings do not allow."""
        from index.fetching import fetch_url  # lazy: httpx and the HTML reader, only for /add

        article = fetch_url(url, self.settings.fetch_policy())
        return self.add_articles([article], origin="url")

    def add_articles(self, articles: Sequence[Article], origin: str) -> IndexReport:
        """Index articles read elsewhere (a fetched page, a followed feed's items; `origin` says which): new and
        changed ones embedded, unchanged ones skipped; return the report."""
        with self._write_lock, index_lock(self.settings.data_dir):
            return self._saved(self._indexer().index_articles(articles, origin=origin))

    def removal(self, names: Sequence[str]) -> list[Removal]:
        """Return the articles the names name (see find_article), each once, in the order named, changing
        nothing; raise ArticleNotFoundError when a name fits none or several."""
        sources = [self.find_article(name) for name in names]
        found = {r.source.doc_id: r for r in self._removals([s.doc_id for s in sources])}
        return [found[d] for d in dict.fromkeys(s.doc_id for s in sources) if d in found]

    def remove(self, doc_ids: Sequence[str]) -> list[Removal]:
        """Remove these articles as indexing removes an article whose file is gone: their sentences and word
        counts from the store in one transaction, their vectors from the index, the index saved (under the
        index lock); return those removed (an id no longer stored is left out)."""
        with self._write_lock, index_lock(self.settings.data_dir):
            found = {r.source.doc_id: r for r in self._removals(doc_ids)}  # read under the lock
            if not found:
                return []
            report = self._saved(self._indexer().index_articles([], remove=list(found)))
        return [found[d] for d in report.removed]

    def _removals(self, doc_ids: Sequence[str]) -> list[Removal]:
        """Return what removing the stored ones of these articles removes, in the order given."""
        wanted = set(doc_ids)
        counts = {r.source.doc_id: r for r in self.store.sources(0, -1) if r.source.doc_id in wanted}
        out: list[Removal] = []
        for doc_id, origin, _path, file in self.store.article_files():
            if doc_id in counts:
                kept = file if origin == "file" and file and Path(file).is_file() else None
                row = counts[doc_id]
                out.append(Removal(row.source, row.sentences, origin, kept))
        order = {d: i for i, d in enumerate(doc_ids)}
        return sorted(out, key=lambda r: order[r.source.doc_id])

    def _saved(self, report: IndexReport) -> IndexReport:
        """Return the report of an indexing run, its index saved (see LiveVectors.indexed)."""
        self._live.indexed(report)
        return report

    # -- reading what is there ---------------------------------------------------------------------------

    def sources(self, offset: int = 0, limit: int = 10) -> list[SourceSummary]:
        """Return a page of the indexed articles, newest first."""
        return self.store.sources(offset, limit)

    def warm_up(self) -> None:
        """Load the model now (it loads lazily), so that a server's first question is not the slow one."""
        self.encoder.load()

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
        with the most claims first, from the stored attributions `ask` shows."""
        source = self.find_article(article)
        groups: dict[str, list[Claim]] = {}
        own_voice = 0
        for s in self.attributions(source.doc_id):
            a = s.attribution
            if not a.speaker or a.kind == "none":
                own_voice += 1
                continue
            groups.setdefault(a.speaker, []).append(Claim(s.text, a.cue, a.kind, s.position))
        ordered = sorted(groups.items(), key=lambda g: (-len(g[1]), g[1][0].position))
        return ArticleClaims(source, [SpeakerClaims(sp, cl) for sp, cl in ordered], own_voice)

    def speakers(self, doc_id: str | None = None, limit: int = 20) -> SpeakerTally:
        """Return the speakers of the corpus (or of the article `doc_id`) with their claim counts, the most
        first, at most `limit` of them, and the totals."""
        counts = self.store.speaker_counts(doc_id)
        source = None
        if doc_id is not None:
            found = self.store.article(doc_id)
            source = found[0] if found is not None else None
        return SpeakerTally(counts[:limit], len(counts), sum(n for _, n in counts), source)

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
        return self._hit(found[sentence_id], 0.0) if sentence_id in found else None

    def record_feedback(self, question: str, sentence_ids: list[int], helpful: bool, user_id: int | None = None,
                        chat_id: int | None = None) -> None:
        """Store a reader's 👍/👎 with the question and the sentences shown."""
        self.store.add_feedback(question, sentence_ids, helpful, user_id, chat_id)

    def remember_answer(self, answer: Answer, chat_id: int | None = None) -> int:
        """Keep the answer's question, offset and shown sentences server-side; return the id its buttons carry."""
        ids = [h.sentence_id for h in answer.hits]
        return self.store.add_answer(answer.question, answer.offset, ids, answer.more, chat_id, asked=answer.query)

    def sent_answer(self, answer_id: int) -> StoredAnswer | None:
        """Return an answer kept by `remember_answer`, or None when it is unknown."""
        return self.store.sent_answer(answer_id)

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
                if not self.answer(q, k=1).no_answer:
                    answered.append(q)
            cached = self._examples = (state, answered, len(answered) < n)
        return cached[1][:n]

    # -- answering ---------------------------------------------------------------------------------------

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

    def candidates(self, question: str, qvec: np.ndarray) -> list[Candidate]:
        """Return the union of the dense and lexical candidates for a question, with their scores."""
        vectors = self.vectors  # one index for the whole question, even if a newer one is swapped in meanwhile
        return self._candidates(question, qvec, vectors, vectors.search(qvec, self.settings.candidates))

    def _candidates(self, question: str, qvec: np.ndarray, vectors: VectorIndex,
                    dense: list[tuple[int, float]], depth: int | None = None) -> list[Candidate]:
        """Return the union of the dense hits (found in `vectors`) and the `depth` best lexical candidates."""
        lexical = self.store.lexical(question, depth or self.settings.candidates)
        stored = self.store.sentences({sid for sid, _ in dense} | {sid for sid, _ in lexical})
        return merge_candidates(dense, lexical, stored, vectors, qvec, store=self.store)

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
            speakers = self.speakers_asked_about(e.ranked)
            if speakers:
                known = {c.id for c in cands}
                extra = [sid for sid in self.store.sentence_ids_by_speaker(speakers, n) if sid not in known]
                if extra:
                    said = self.store.sentences(extra)
                    cos = cosines([sid for sid in extra if sid in said], e.vectors, e.qvec, self.store)
                    cands += [Candidate(sid, said[sid], cos[sid], 0.0, None, None) for sid in extra if sid in cos]
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
            said = np.array([(c.sentence.attribution.speaker or "").lower() in wanted for c in cands])
            if said.any():
                scores = scores + said * speaker_bonus(scores)
                relevant = relevant or bool(said[int(np.argmax(scores))])  # their own words, asked for by name
        order = np.argsort(-scores, kind="stable")
        return [cands[i] for i in order], scores[order], relevant

    def encoded_questions(self, questions: Sequence[str], depth: int | None = None) -> list[EncodedQuestion]:
        """Return each checked question in its ranked form with its vector and `depth` dense hits (default: the
        settings' candidates): the questions are encoded in one encoder call and searched in one FAISS call
        (looks for a newer saved index first)."""
        if not questions:
            return []
        self.refresh()
        ranked = [self.ranked_question(q) for q in questions]
        qvecs = self.encoder.encode(ranked, "query")
        vectors = self.vectors  # one index for the whole batch, even if a newer one is swapped in meanwhile
        dense = vectors.search_many(qvecs, depth or self.settings.candidates)
        return [EncodedQuestion(r, v, vectors, d) for r, v, d in zip(ranked, qvecs, dense, strict=True)]

    def ranked_question(self, question: str) -> str:
        """Return the form of a question that is ranked: `normalized_question` with the corpus's word cases, so
        that "how far is crete from derna" and "How far is Crete from Derna?" get one answer."""
        return normalized_question(question, self._words)

    def ranked(self, question: str, encoded: EncodedQuestion | None = None, window: Query | None = None
               ) -> tuple[list[Candidate], np.ndarray, bool]:
        """Return the candidates and their scores, best first, and whether the best is relevant at all.

        The question is ranked in its normalised form (ranked_question). When it asks what someone said ("What
        did Noman Benotman say?") and names a speaker the articles attribute claims to, that speaker's sentences
        join the candidates and get a bounded bonus (SPEAKER_BONUS), which a much better sentence overcomes.
        `encoded` is the question as `encoded_questions` returned it (encoded with others); None: encode it. With a
        `window` (a Query with since/until), only the sentences of articles published in it are candidates, searched
        WINDOW_DEPTH times deeper."""
        windowed = window is not None and window.windowed
        depth = self.settings.candidates * (WINDOW_DEPTH if windowed else 1)
        if encoded is None:
            encoded = self.encoded_questions([question], depth)[0]
        gathered = self._gathered([encoded], [window])[0]
        return self._decided(gathered, self._scores([gathered])[0])

    def speakers_asked_about(self, question: str) -> list[str]:
        """Return the attributed speakers a question asks about ("what did Benotman say" → Noman Benotman)."""
        if not asks_what_someone_said(question):  # most questions: no need to read the corpus's speakers
            return []
        return speakers_named(question, self.store.speakers())

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

    def answer(self, question: str | Query, k: int = 3, offset: int = 0,
               encoded: EncodedQuestion | None = None) -> Answer:
        """Return the best k attributed sentences after `offset` (or as the Query says), or an Answer with
        no_answer set (and nothing_dated, when the question's window holds nothing that answers); `encoded`: the
        searched text already encoded (`encoded_questions`), as `answers` passes it."""
        query = self.asked(question, k, offset)
        if is_chitchat(query.text):
            return Answer(question=query.text, hits=[], no_answer=True, small_talk=True, query=query)
        return self._answered(query, self.ranked(query.searched or query.text, encoded, window=query))

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
        named = {s.lower() for s in self.speakers_asked_about(searched)} if reader is not None else set()
        if reader is not None:  # what a named speaker said is found by who said it, not within one story
            groups, read = reread(reader, searched, groups, () if named else list(zip(cands, scores, strict=True)))
        page = groups[offset : offset + k]
        first = groups[0][0] if groups else None
        top = first[1] + reader.weight * read[first[0].id] if reader and first and first[0].id in read else None
        hits = []
        for group in page:
            (best, score), others = group[0], group[1:]
            hit = self._hit(best.sentence, score)
            hit.also_in = [c.sentence.source for c, _ in others if c.sentence.source != hit.source]
            hit.reported_by = in_report_order([c for c, _ in group])
            hit.features = dict(best.features)
            if best.id in read:
                hit.features["reader"] = read[best.id]
                if reader is not None and top is not None and (hit.attribution.speaker or "").lower() not in named:
                    # what a speaker the question names said answers it, however the reader scores it
                    hit.weak = score + reader.weight * read[best.id] < top - WEAK_GAP
            hit.matched = matched_words(hit.sentence, searched)
            hits.append(hit)
        return Answer(question=q, hits=hits, no_answer=False, offset=offset, more=len(groups) > offset + k,
                      query=query)

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
            encoded = self.encoded_questions([a.searched or a.text for a in searched], depth)
            gathered = self._gathered(encoded, searched)
            ranked: Iterator[tuple[Gathered, np.ndarray]]
            if getattr(self.ranker, "score_many", None) is not None:
                ranked = iter(zip(gathered, self._scores(gathered), strict=True))
            else:  # scored as each answer is asked for: a recording ranker (the eval's) sees that question's own
                ranked = ((g, self._scores([g])[0]) for g in gathered)
            for a, t in zip(asked, talk, strict=True):
                yield self.answer(a) if t else self._answered(a, self._decided(*next(ranked)))

    def _hit(self, s: StoredSentence, score: float) -> Hit:
        before, after = self.store.neighbours(s.article_id, s.position)
        return Hit(sentence_id=s.id, sentence=s.text, score=score, attribution=s.attribution, source=s.source,
                   before=before, after=after, paragraph=s.paragraph, position=s.position)

    # -- views: one call for each reply a front end sends ------------------------------------------------

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

    def feedback(self) -> list[FeedbackEntry]:
        """Return readers' 👍/👎 feedback, oldest first, each sentence shown with its text (None once removed)."""
        rows = self.store.feedback()
        shown = sorted({sid for _, _, ids, _ in rows for sid in ids})
        stored: dict[int, StoredSentence] = {}
        for start in range(0, len(shown), FEEDBACK_LOOKUP):  # under SQLite's limit on a query's parameters
            stored.update(self.store.sentences(shown[start : start + FEEDBACK_LOOKUP]))
        return [
            FeedbackEntry(at, q, list(ids), helpful, [stored[i].text if i in stored else None for i in ids])
            for at, q, ids, helpful in rows
        ]


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


