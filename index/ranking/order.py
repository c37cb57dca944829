"""The orders laid over the ranker's scores at answer time: the bonus of a speaker the question names, the
reader's reorder of the best story groups, and "newest first"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.ranking.base import Candidate, Ranker
from index.ranking.reader import Reader

# What a question naming a speaker ("what did Dempsey say") adds to the scores of that speaker's sentences, as a
# share of the spread of the best scores: evidence that a much better sentence can still overcome, not an override.
SPEAKER_BONUS = 0.5
SPEAKER_SPREAD_OVER = 10  # the best scores the spread is measured over
# "Newest first" orders the best NEWEST_POOL candidates that the ranker finds relevant by their article's date
# (undated last, then by score); the others follow by score.
NEWEST_POOL = 10


def speaker_bonus(scores: np.ndarray) -> float:
    """Return what a sentence of a speaker the question names gets added to its score: SPEAKER_BONUS times the
    spread of the best SPEAKER_SPREAD_OVER scores (at least a tiny amount, so that it breaks ties)."""
    best = np.sort(scores)[::-1][:SPEAKER_SPREAD_OVER]
    return SPEAKER_BONUS * float(best[0] - best[-1]) + 1e-6 if len(best) else 0.0


# A card after the first is left out by the front ends (Answer.shown) when its score with the reader's falls this
# far below the first answer's: chosen on the Wikinews validation questions (bench/RESULTS.md, "Fewer cards")
WEAK_GAP = 4.0
# An added sentence of the best story (see `reread`) counts at no less than the best group's score minus this:
# offline on the gathered candidates, lifting them to the best score itself gained most on news but let the
# reader alone choose among a one-article corpus's sentences (bench/RESULTS.md, "Reading inside the best story").
STORY_MARGIN = 0.5


def reread(reader: Reader, question: str, groups: list[list[tuple[Candidate, float]]],
           ranked: Sequence[tuple[Candidate, float]] = ()
           ) -> tuple[list[list[tuple[Candidate, float]]], dict[int, float]]:
    """Return the groups reordered and each read sentence's logit by its id. The reader reads the first
    `reader.read` groups and the sentences of the best group's article that `story_sentences` adds from the
    `ranked` candidates (with their scores); they are ordered by score plus `reader.weight` times the logit, where
    an added sentence counts at no less than the best group's score minus STORY_MARGIN (the ranker chose the
    story, the reader may choose a sentence inside it that the ranker put low); the rest follow in the ranker's
    order. Each group keeps its own score."""
    head, tail = groups[: reader.read], groups[reader.read :]
    if not head:
        return groups, {}
    read_first = len(head)
    extra = story_sentences(head, tail, ranked, reader.story)
    leaders = {g[0][0].id: i for i, g in enumerate(tail)}
    head = head + [tail[leaders[c.id]] if c.id in leaders else [(c, float(score))] for c, score in extra]
    pulled = {leaders[c.id] for c, _ in extra if c.id in leaders}
    tail = [g for i, g in enumerate(tail) if i not in pulled]
    if len(head) < 2:
        return groups, {}
    floor = head[0][0][1] - STORY_MARGIN
    basis = np.array([g[0][1] if i < read_first else max(g[0][1], floor) for i, g in enumerate(head)])
    logits = reader.scores(question, [g[0][0].sentence.text for g in head])
    order = np.argsort(-(basis + reader.weight * logits), kind="stable")
    read = {g[0][0].id: float(x) for g, x in zip(head, logits, strict=True)}
    return [head[i] for i in order] + tail, read


def story_sentences(head: list[list[tuple[Candidate, float]]], others: list[list[tuple[Candidate, float]]],
                    ranked: Sequence[tuple[Candidate, float]], n: int) -> list[tuple[Candidate, float]]:
    """Return up to `n` of the ranked candidates (with their scores) of the first group's article, closest to the
    question (by cosine) first, that no group of `head` holds and that lead a group of `others` or belong to
    none: the answer is often a sentence of the story the ranker found that it ranked low (bench/RESULTS.md,
    "Reading inside the best story")."""
    if n <= 0 or not head:
        return []
    article = head[0][0][0].sentence.article_id
    held = {c.id for g in head for c, _ in g} | {c.id for g in others for c, _ in g[1:]}
    own = [(c, s) for c, s in ranked if c.sentence.article_id == article and c.id not in held]
    return sorted(own, key=lambda p: -p[0].cos)[:n]


def newest_first(cands: list[Candidate], scores: np.ndarray, ranker: Ranker, pool: int = NEWEST_POOL
                 ) -> tuple[list[Candidate], np.ndarray]:
    """Return the ranked candidates reordered newest first: of the best `pool`, the best one and those the ranker
    finds relevant by their article's publication time, newest first (undated last, then by score); the rest
    follow by score."""
    top = [i for i in range(min(pool, len(cands))) if i == 0 or ranker.is_relevant(float(scores[i]), cands[i])]
    ts = [cands[i].sentence.source.published_ts for i in top]
    ordered = [i for _, i in sorted(zip(ts, top, strict=True), key=lambda p: (p[0] is None, -(p[0] or 0.0), p[1]))]
    chosen = set(top)
    idx = ordered + [i for i in range(len(cands)) if i not in chosen]
    return [cands[i] for i in idx], scores[idx]
