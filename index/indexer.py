"""Incremental indexing: read articles, split and attribute their sentences, embed what is new or changed, and
write store and vector index so that they always agree."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.attribution import attribute
from index.encoder import Encoder, document_text
from index.model import Article
from index.reading import ReadProblem, read_articles
from index.sentences import split_sentences
from index.store import Store
from index.vectors import VectorIndex


@dataclass
class IndexReport:
    """What one indexing run did."""

    articles_added: int = 0
    articles_updated: int = 0
    articles_removed: int = 0
    articles_unchanged: int = 0
    sentences_added: int = 0
    sentences_removed: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Return whether anything was written."""
        return bool(self.articles_added or self.articles_updated or self.articles_removed)

    def summary(self) -> str:
        """Return a one-line account of the run."""
        if not self.changed:
            return f"Nothing to do: {self.articles_unchanged} articles unchanged ({self.seconds:.2f} s)."
        return (
            f"Indexed {self.articles_added} new and {self.articles_updated} changed articles "
            f"({self.sentences_added} sentences), removed {self.articles_removed}, "
            f"{self.articles_unchanged} unchanged, in {self.seconds:.1f} s."
        )


class Indexer:
    """Writes articles into a store and its vector index, keeping both in step."""

    def __init__(
        self, store: Store, vectors: VectorIndex, encoder: Encoder, vectors_path: Path, progress: bool = False
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.encoder = encoder
        self.vectors_path = vectors_path
        self.progress = progress

    def index_paths(self, paths: Sequence[Path], remove_missing: bool = True) -> IndexReport:
        """Index files and folders; with remove_missing, articles once read from files and now gone are removed."""
        started = time.perf_counter()
        articles: list[Article] = []
        problems: list[ReadProblem] = []
        for p in paths:
            p = Path(p)
            root = p if p.is_dir() else p.parent
            found, bad = read_articles([p], root=root)
            articles.extend(found)
            problems.extend(bad)
        report = self.index_articles(
            articles,
            origin="file",
            remove_missing=remove_missing,
            keep={_problem_path(pr.name) for pr in problems},
        )
        report.problems = problems
        report.seconds = time.perf_counter() - started
        return report

    def index_articles(
        self,
        articles: Sequence[Article],
        origin: str = "file",
        remove_missing: bool = False,
        keep: set[str] | None = None,
    ) -> IndexReport:
        """Index these articles: embed new and changed ones, skip unchanged ones, optionally remove the rest."""
        started = time.perf_counter()
        report = IndexReport()
        known = self.store.article_hashes()
        seen: dict[str, Article] = {}
        for a in articles:
            seen[a.doc_id] = a  # a later duplicate wins; the reader reports duplicates
        todo = [a for a in seen.values() if known.get(a.doc_id) != a.content_hash]
        report.articles_unchanged = len(seen) - len(todo)
        gone: list[str] = []
        if remove_missing:
            keep = keep or set()
            gone = [
                d
                for d, o, path in self.store.article_origins()
                if o == origin and d not in seen and (path or d) not in keep
            ]
        if not todo and not gone:
            report.seconds = time.perf_counter() - started
            return report

        # Split, attribute and embed everything new before touching the store: a failure here changes nothing.
        prepared = []
        texts: list[str] = []
        for a in todo:
            sentences = split_sentences(a.text)
            prepared.append((a, sentences, attribute(sentences)))
            texts.extend(document_text(s.text, a.source.topic) for s in sentences)
        vecs = self.encoder.encode(texts, "document", progress=self.progress and len(texts) > 200)

        removed_ids: list[int] = []
        added_ids: list[int] = []
        added_vecs: list[np.ndarray] = []
        offset = 0
        with self.store.transaction() as db:
            for doc_id in gone:
                removed_ids.extend(self.store.delete_article(db, doc_id))
            for a, sentences, attrs in prepared:
                n = len(sentences)
                if a.doc_id in known:
                    report.articles_updated += 1
                else:
                    report.articles_added += 1
                removed_ids.extend(self.store.delete_article(db, a.doc_id))
                ids = self.store.insert_article(
                    db, a, sentences, attrs, vecs[offset : offset + n], origin=origin
                )
                added_ids.extend(ids)
                added_vecs.append(vecs[offset : offset + n])
                offset += n
                report.sentences_added += n
                report.titles.append(a.source.label)
        report.articles_removed = len(gone)
        report.sentences_removed = len(removed_ids)
        self.vectors.delete(removed_ids)
        if added_ids:
            self.vectors.append(added_ids, np.vstack(added_vecs))
        self.vectors.save(self.vectors_path)
        report.seconds = time.perf_counter() - started
        return report


def _problem_path(name: str) -> str:
    """Return the file part of a problem's name ("a/b.jsonl:12" → "a/b.jsonl")."""
    head, sep, tail = name.rpartition(":")
    return head if sep and tail.isdigit() else name


def sync_vectors(store: Store, vectors: VectorIndex) -> bool:
    """Make the vector index hold exactly the store's sentences (after a crash between the two writes);
    return whether it had to change anything."""
    ids, vecs = store.all_vectors(vectors.dimension)
    held = vectors.ids()
    if len(held) == len(ids) and np.array_equal(np.sort(held), ids):
        return False
    vectors.index(ids, vecs)
    return True
