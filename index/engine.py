"""The engine: one object that opens the store, the vector index and the model, indexes articles and answers
questions with attributed sentences. The CLI and the bot are thin layers over it. It is a facade: the question
path (`engine.answerer`, index.answering), the articles read back (`engine.library`, index.library) and what
readers were sent (`engine.feedback`, index.feedback) are its attributes, each a module of its own."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from index.answering import ANSWER_BATCH, Answerer
from index.encoder import Encoder, build_encoder
from index.feedback import Feedback
from index.indexer import Embedder, Indexer, IndexReport, rebuild_vectors
from index.library import Library
from index.model import (
    Answer,
    Article,
    Query,
    Removal,
)
from index.ranking import Ranker
from index.ranking.choice import default_reader, load_default_ranker
from index.ranking.features import CorpusView
from index.ranking.reader import Reader
from index.settings import Settings
from index.sharing import index_lock
from index.store import Store
from index.vector_sync import LiveVectors, data_leftovers, open_vectors
from index.vectors import VectorIndex, manifest_signature

log = logging.getLogger(__name__)

__all__ = ["Engine"]


class Engine:
    """Indexes articles and answers questions over them; thread-safe, so a bot may call it from worker threads."""

    def __init__(self, settings: Settings, store: Store, vectors: VectorIndex, encoder: Encoder,
                 ranker: Ranker | None = None, reader: Reader | None = None, *,
                 seen: tuple[int, int, int] | None = None, saved: bool = True) -> None:
        self.settings = settings
        self.store = store
        # the vector index answers search, kept in step with the saved one (`seen`: its manifest when loaded)
        self._live = LiveVectors(store, vectors, settings.vectors_path, settings.data_dir, seen, saved)
        self.encoder = encoder
        # the question path: the ranker and the reader (engine.answerer.ranker, .reader) answer over the live index
        self.answerer = Answerer(settings, store, self._live, encoder, ranker, reader)
        # the indexed articles read back; its example questions are those this engine answers
        self.library = Library(store, lambda question: not self.answer(question, k=1).no_answer)
        # the answers sent, kept for their buttons, and readers' 👍/👎 on them
        self.feedback = Feedback(store, store.sentences)

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
        return cls(settings, store, vectors, encoder, ranker, default_reader(settings.reader, ranker),
                   seen=seen, saved=saved)

    @property
    def vectors(self) -> VectorIndex:
        """Return the vector index answers search now (swapped whole when another process saves a newer one)."""
        return self._live.vectors

    def refresh(self) -> bool:
        """Return whether a vector index another process saved since this engine loaded its own was swapped in
        (see LiveVectors.refresh; an index this engine could not save is saved once there is room)."""
        return self._live.refresh()

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
        return Indexer(self.store, self._live.latest(), self.encoder, self.settings.vectors_path,
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
        with self._live.lock, index_lock(self.settings.data_dir):
            return self._saved(self._indexer(embedder, batch_sentences).index_paths(
                paths, home=self.settings.corpus_dir, follow_links=follow_links))

    def add_document(self, name: str, data: bytes) -> IndexReport:
        """Read an uploaded document and index its articles; raise ReadError and change nothing if unreadable."""
        from index.reading import read_document  # reading is for indexing: a question never imports it

        articles = read_document(name, data)
        with self._live.lock, index_lock(self.settings.data_dir):
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
        with self._live.lock, index_lock(self.settings.data_dir):
            return self._saved(self._indexer().index_articles(articles, origin=origin))

    def removal(self, names: Sequence[str]) -> list[Removal]:
        """Return the articles the names name (see find_article), each once, in the order named, changing
        nothing; raise ArticleNotFoundError when a name fits none or several."""
        sources = [self.library.find_article(name) for name in names]
        found = {r.source.doc_id: r for r in self._removals([s.doc_id for s in sources])}
        return [found[d] for d in dict.fromkeys(s.doc_id for s in sources) if d in found]

    def remove(self, doc_ids: Sequence[str]) -> list[Removal]:
        """Remove these articles as indexing removes an article whose file is gone: their sentences and word
        counts from the store in one transaction, their vectors from the index, the index saved (under the
        index lock); return those removed (an id no longer stored is left out)."""
        with self._live.lock, index_lock(self.settings.data_dir):
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

    def warm_up(self) -> None:
        """Load the model now (it loads lazily), so that a server's first question is not the slow one."""
        self.encoder.load()

    # -- answering: the answerer's own, the one call a front end makes for a reply --------------------------

    def answer(self, question: str | Query, k: int = 3, offset: int = 0) -> Answer:
        """Return the best k attributed sentences after `offset` (or as the Query says), or an Answer with
        no_answer set (see Answerer.answer)."""
        return self.answerer.answer(question, k, offset)

    def answers(self, questions: Iterable[str | Query], k: int = 3, offset: int = 0,
                batch: int = ANSWER_BATCH) -> Iterator[Answer]:
        """Return the answers to the questions, in order and as `answer` gives each, made as they are taken:
        `batch` questions encoded, searched and scored together (see Answerer.answers)."""
        return self.answerer.answers(questions, k, offset, batch)
