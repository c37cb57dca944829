"""Which ranker and reader answer: the rankers by name (`RANKERS`, Settings.ranker), the shipped learned ranker
and reader, or, when a file is unusable, the fallback with a warning."""

from __future__ import annotations

import logging

from index.ranking.base import Ranker
from index.ranking.features import CorpusView
from index.ranking.learned import LearnedRanker, load_ranker
from index.ranking.reader import Reader, load_reader

log = logging.getLogger(__name__)

# The rankers newsbot answers with, by the name Settings.ranker (NEWSBOT_RANKER) gives: the shipped learned ranker
# (the default; score fusion when its file is unusable), or score fusion (index.ranking.base.fuse) alone.
RANKERS: tuple[str, ...] = ("learned", "fusion")


def default_reader(settings_reader: bool, ranker: Ranker | None) -> Reader | None:
    """Return the shipped reader when the settings want it (Settings.reader) and `ranker` (or the ranker it wraps,
    `inner`) is the learned one, else None: the reader's weight is on the learned ranker's scale, so with score
    fusion it stays out."""
    learned = isinstance(ranker, LearnedRanker) or isinstance(getattr(ranker, "inner", None), LearnedRanker)
    return load_default_reader() if settings_reader and learned else None


def load_default_reader() -> Reader | None:
    """Return the reader shipped with newsbot, or None (the ranker's order) with a warning when it is unusable."""
    try:
        return load_reader()
    except Exception as e:  # noqa: BLE001 - any problem with the file means: answer without it, and say so
        log.warning("the reader is unusable (%s); answering in the ranker's order", e)
        return None


def load_default_ranker(corpus: CorpusView) -> Ranker | None:
    """Return the learned ranker shipped with newsbot reading `corpus`, or None (fusion) with a warning when it
    is unusable."""
    try:
        return load_ranker(corpus)
    except Exception as e:  # noqa: BLE001 - any problem with the file means: fall back, and say so
        log.warning("the learned ranker is unusable (%s); falling back to score fusion", e)
        return None
