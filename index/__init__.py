"""newsbot's engine: reading articles, sentences, attribution, embedding, the FAISS index and its SQLite store,
search and evaluation. Nothing here imports `bot`, `telegram` or a CLI library."""

from index.model import Answer, Article, Attribution, Hit, Sentence, Source

__all__ = ["Answer", "Article", "Attribution", "Hit", "Sentence", "Source"]
