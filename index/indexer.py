"""Incremental indexing: read articles, split and attribute their sentences, embed what is new or changed, and
write store and vector index so that they always agree.

Work is committed in batches (a few thousand sentences at a time), so a run that is stopped keeps the articles
it finished and a rerun picks up the rest. The vector index is saved at the end of a run; a run that dies between
a store commit and that save leaves an index that `sync_vectors` heals from the stored vectors on the next open."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.encoder import Encoder, document_text

if TYPE_CHECKING:
    from index.reading import ReadProblem
from index.errors import IndexMismatchError, WriteError
from index.model import Article, Attribution, Sentence
from index.store import Store
from index.vectors import ExactVectors, VectorIndex

BATCH_SENTENCES = 2000  # sentences embedded and committed together
VECTOR_MODEL_KEY = "vector_model"  # the store's meta key naming the model that made its vectors
# The version of the attribution rules (index.reading.attribution): raise it whenever they change what they store,
# and the next indexing run re-attributes every stored article from its stored sentences. Version 2: the speaker
# normalised, with as_written, role, via and vague (issue 10). A store that records none was attributed by version 1.
ATTRIBUTION_KEY = "attribution_rules"  # the store's meta key naming the rules version its attributions follow

# Turns document texts (document_text of each sentence) into the encoder's vectors, somewhere else than in this
# process (index.distributed embeds them on Ray); the indexer commits them exactly as its own encoder's.
Embedder = Callable[[Sequence[str]], np.ndarray]


@dataclass
class IndexReport:
    """What one indexing run did."""

    articles_added: int = 0
    articles_updated: int = 0
    articles_removed: int = 0
    articles_unchanged: int = 0
    sentences_added: int = 0
    sentences_removed: int = 0
    reattributed: int = 0  # stored articles re-attributed because the attribution rules changed
    problems: list[ReadProblem] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # doc_ids of the removed articles
    # folder given -> the links in it left unread because they lead outside it (see read_paths)
    links_outside: dict[str, list[str]] = field(default_factory=dict)
    # a field of JSONL records or front matter that newsbot does not read -> how many articles read had it
    ignored_fields: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # why the vector index could not be saved at the end of the run (a full disk): the store holds the run's
    # articles and the index in memory holds their vectors; the next open heals the saved index from the store
    unsaved: WriteError | None = None

    @property
    def changed(self) -> bool:
        """Return whether anything was written."""
        return bool(self.articles_added or self.articles_updated or self.articles_removed)

    def summary(self) -> str:
        """Return a one-line account of the run."""
        if not self.changed:
            return (
                f"Nothing to do: {self.articles_unchanged} articles unchanged, removed 0 "
                f"({self.seconds:.2f} s)."
            )
        return (
            f"Indexed {self.articles_added} new and {self.articles_updated} changed articles "
            f"({self.sentences_added} sentences), removed {self.articles_removed}, "
            f"{self.articles_unchanged} unchanged, in {self.seconds:.1f} s."
        )


class Indexer:
    """Writes articles into a store and its vector index, keeping both in step."""

    def __init__(
        self, store: Store, vectors: VectorIndex, encoder: Encoder, vectors_path: Path, progress: bool = False,
        embedder: Embedder | None = None, batch_sentences: int | None = None,
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.encoder = encoder  # names the model (and embeds, unless an embedder is given)
        self.vectors_path = vectors_path
        self.progress = progress
        self.embedder = embedder  # None: self.encoder embeds here; else it makes the encoder's vectors elsewhere
        self.batch_sentences = batch_sentences  # sentences embedded and committed together; None: BATCH_SENTENCES

    def index_paths(self, paths: Sequence[Path], home: Path | None = None, follow_links: bool = False) -> IndexReport:
        """Index files and folders: add and update what they hold, and remove file articles whose file lay
        inside a folder given and is gone (a file given never removes anything; uploads and URLs are kept).
        A link inside a folder that leads outside it is not read (and what was indexed through it is removed)
        unless `follow_links`.

        Files inside `home` (the corpus folder) are named relative to it, whichever path inside it is given;
        articles indexed before their file was recorded count as read from `home` / their path."""
        from index.reading import absolute_name, read_paths

        started = time.perf_counter()
        reading = read_paths([Path(p) for p in paths], home=home, follow_links=follow_links)
        folders = [absolute_name(Path(p)) for p in paths if Path(p).is_dir()]
        keep = reading.unreadable
        gone: list[str] = []
        for doc_id, origin, path, file in self.store.article_files():
            if origin != "file" or doc_id in reading.files:
                continue
            where = file or _legacy_file(path or doc_id, home)
            if where and _inside_any(where, folders) and not _inside_any(where, keep, or_equal=True):
                gone.append(doc_id)
        report = self.index_articles(
            reading.articles, origin="file", remove=gone, files=reading.files, show_progress=self.progress
        )
        report.problems = reading.problems
        report.links_outside = reading.links_outside
        report.ignored_fields = dict(reading.ignored)
        report.seconds = time.perf_counter() - started
        return report

    def index_articles(
        self,
        articles: Sequence[Article],
        origin: str = "file",
        remove: Sequence[str] = (),
        files: dict[str, str] | None = None,
        show_progress: bool = False,
    ) -> IndexReport:
        """Index these articles (new and changed ones embedded, unchanged ones skipped) in committed batches, and
        remove the articles named in `remove`; `files` records the file each article was read from. With
        show_progress, a bar of articles done is shown on stderr from the start."""
        from index.reading import attribute, split_sentences  # only indexing reads: answering never imports them

        started = time.perf_counter()
        report = IndexReport(reattributed=self.reattribute_stale())
        files = files or {}
        stored = {d: (f, o) for d, o, _p, f in self.store.article_files()}
        known = self.store.article_hashes()
        seen: dict[str, Article] = {}
        for a in articles:
            seen[a.doc_id] = a  # a later duplicate wins; the reader reports duplicates
        todo = [a for a in seen.values() if known.get(a.doc_id) != a.content_hash]
        report.articles_unchanged = len(seen) - len(todo)
        refile = [d for d, a in seen.items() if d in stored and d in files and stored[d][0] != files[d]
                  and known.get(d) == a.content_hash]
        gone = [d for d in dict.fromkeys(remove) if d in known and d not in seen]
        if not todo and not gone and not refile:
            report.seconds = time.perf_counter() - started
            return report
        self._check_model()

        removed_ids: list[int] = []
        if gone or refile:
            with self.store.transaction() as db:
                for doc_id in gone:
                    removed_ids.extend(self.store.delete_article(db, doc_id))
                for doc_id in refile:
                    self.store.set_article_file(db, doc_id, files[doc_id])
            self.vectors.delete(removed_ids)
            report.articles_removed = len(gone)
            report.removed = gone
            report.sentences_removed = len(removed_ids)

        with _progress_bar(len(todo), show_progress) as bar:
            batch: list[tuple[Article, list[Sentence], list[Attribution]]] = []
            size = 0
            for a in todo:
                sentences = split_sentences(a.text)
                batch.append((a, sentences, attribute(sentences)))
                size += len(sentences)
                if size >= (self.batch_sentences or BATCH_SENTENCES):
                    self._commit(batch, origin, files, known, report)
                    bar(len(batch))
                    batch, size = [], 0
            if batch:
                self._commit(batch, origin, files, known, report)
                bar(len(batch))
        try:
            self.vectors.save(self.vectors_path)
        except WriteError as e:
            report.unsaved = e
        report.seconds = time.perf_counter() - started
        return report

    def reattribute_stale(self) -> int:
        """Re-attribute every stored article from its stored sentences (no re-embedding) when the store's
        attributions follow older or newer rules (RULES_VERSION), in one transaction that also records the
        version; return how many articles were re-attributed (0 when the rules are the same)."""
        from index.reading import attribute
        from index.reading.attribution import RULES_VERSION  # bumped with the rules, so stored attributions follow

        if self.store.meta(ATTRIBUTION_KEY) == str(RULES_VERSION):
            return 0
        with self.store.transaction() as db:  # read inside it too: another process may be indexing
            articles = self.store.split_articles()
            rows: list[tuple[int, Attribution]] = []
            for stored in articles.values():
                rows.extend(zip((sid for sid, _ in stored), attribute([s for _, s in stored]), strict=True))
            self.store.set_attributions(db, rows)
            self.store.set_meta(db, ATTRIBUTION_KEY, str(RULES_VERSION))
        return len(articles)

    def _check_model(self) -> None:
        """Raise IndexMismatchError when the store's vectors were made by another model than the encoder."""
        made_by = self.store.meta(VECTOR_MODEL_KEY)
        if made_by is not None and made_by != self.encoder.model_id:
            raise IndexMismatchError(
                f"the store's vectors were made by {made_by}, not {self.encoder.model_id}; "
                "re-embed them with: newsbot index --rebuild"
            )

    def _commit(
        self,
        batch: list[tuple[Article, list[Sentence], list[Attribution]]],
        origin: str,
        files: dict[str, str],
        known: dict[str, str],
        report: IndexReport,
    ) -> None:
        """Embed one batch of split articles, write it in one transaction, then add it to the vector index."""
        texts = [document_text(s.text, a.source.topic) for a, sentences, _ in batch for s in sentences]
        if self.embedder is not None:
            vecs = self.embedder(texts)
            if vecs.shape != (len(texts), self.encoder.dimension):
                raise IndexMismatchError(
                    f"the embedder returned vectors of shape {vecs.shape} for {len(texts)} sentences, not "
                    f"{self.encoder.dimension} dimensions each ({self.encoder.model_id}); nothing was written"
                )
        else:
            vecs = self.encoder.encode(texts, "document", progress=self.progress and len(texts) > 5 * BATCH_SENTENCES)
        removed_ids: list[int] = []
        added_ids: list[int] = []
        offset = 0
        with self.store.transaction() as db:
            self.store.set_meta(db, VECTOR_MODEL_KEY, self.encoder.model_id)
            for a, sentences, attrs in batch:
                n = len(sentences)
                removed_ids.extend(self.store.delete_article(db, a.doc_id))
                added_ids.extend(
                    self.store.insert_article(db, a, sentences, attrs, vecs[offset : offset + n], origin=origin)
                )
                if a.doc_id in files:
                    self.store.set_article_file(db, a.doc_id, files[a.doc_id])
                offset += n
        for a, sentences, _ in batch:
            if a.doc_id in known:
                report.articles_updated += 1
            else:
                report.articles_added += 1
            report.sentences_added += len(sentences)
            report.titles.append(a.source.label)
        report.sentences_removed += len(removed_ids)
        self.vectors.delete(removed_ids)
        self.vectors.append(added_ids, vecs[:offset])


@contextmanager
def _progress_bar(total: int, show: bool) -> Iterator:
    """Yield a function advancing a progress bar of articles on stderr (a no-op when not shown)."""
    if not show or total == 0:
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="article", desc="indexing", file=sys.stderr, mininterval=0.5) as bar:
        bar.refresh()  # shown from the start, before the first batch is done
        yield bar.update


def _legacy_file(path: str, root: Path | None) -> str | None:
    """Return where an article indexed before files were recorded came from: root / its path, or None."""
    if os.path.isabs(path):
        return path
    from index.reading import absolute_name

    return None if root is None else absolute_name(root / path)


def _inside_any(file: str, folders: Sequence[str], or_equal: bool = False) -> bool:
    """Return whether a path lies inside one of the folders (or, with or_equal, is one of them)."""
    return any(file.startswith(f.rstrip("/") + "/") or (or_equal and file == f) for f in folders)


def store_vectors(store: Store, dimension: int) -> ExactVectors:
    """Return the vector index's exact_vectors hook over the store: the full vectors of the ids it keeps."""

    def exact_vectors(ids: Sequence[int]) -> dict[int, np.ndarray]:
        return store.vectors(ids, dimension)

    return exact_vectors


def sync_vectors(store: Store, vectors: VectorIndex) -> bool:
    """Make the vector index hold exactly the store's sentences (after a crash between the two writes);
    return whether it had to change anything. Raise IndexMismatchError when the store's vectors were made by
    another model."""
    made_by = store.meta(VECTOR_MODEL_KEY)
    dimension = store.stored_vector_dimension()
    if (made_by is not None and made_by != vectors.model_id) or (
        dimension is not None and dimension != vectors.dimension
    ):
        raise IndexMismatchError(
            f"the store's vectors were made by {made_by or 'another model'} (dimension {dimension}), not "
            f"{vectors.model_id}; re-embed them with: newsbot index --rebuild"
        )
    held = vectors.ids()
    stored = store.sentence_ids()  # the vectors only when needed: at a million sentences they are 1.5 GB
    if len(held) == len(stored) and np.array_equal(np.sort(held), stored):
        return False
    vectors.index(*store.all_vectors(vectors.dimension))
    return True


def rebuild_vectors(
    store: Store, encoder: Encoder, progress: bool = False, kind: str = "auto"
) -> tuple[VectorIndex, int]:
    """Return a vector index built from the store (of the kind `kind` and its size call for), and how many
    sentences had to be re-embedded: none when the stored vectors were made by this encoder, else every one, from
    its stored text (and written back). A store that does not record what made its vectors (one made before
    newsbot recorded it) is re-embedded once."""
    stale = store.meta(VECTOR_MODEL_KEY) != encoder.model_id or store.stored_vector_dimension() not in (
        None,
        encoder.dimension,
    )
    reembedded = 0
    if stale:
        with store.transaction() as db:  # a rebuild stopped midway must start again: no vector is trusted
            store.set_meta(db, VECTOR_MODEL_KEY, f"partly re-embedded for {encoder.model_id}")
        last = 0
        total = store.counts()[1]
        with _progress_bar(total, progress) as bar:
            while rows := store.sentences_to_embed(last, BATCH_SENTENCES):
                vecs = encoder.encode([document_text(text, source.topic) for _, text, source in rows], "document")
                with store.transaction() as db:
                    store.set_vectors(db, [r[0] for r in rows], vecs)
                last = rows[-1][0]
                reembedded += len(rows)
                bar(len(rows))
    with store.transaction() as db:
        store.set_meta(db, VECTOR_MODEL_KEY, encoder.model_id)
    vectors = VectorIndex(encoder.dimension, encoder.model_id, kind,
                          exact_vectors=store_vectors(store, encoder.dimension))
    ids, vecs = store.all_vectors(encoder.dimension)
    vectors.index(ids, vecs)
    return vectors, reembedded
