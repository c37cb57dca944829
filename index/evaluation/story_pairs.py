"""One story across outlets (issue 22, part 4): how precisely does `index.stories` tell two articles' sentences
that report one fact?

`python -m index.evaluation.story_pairs candidates --docs DOCS.jsonl --out PAIRS.jsonl` reads the articles as
`newsbot index` reads them, splits them into sentences, encodes the bare sentences (as the grouping does) and
writes a sample of cross-article pairs near and above the vector threshold, stratified by cosine and by the word
test (hard negatives included), for labelling by hand. Each pair names its sentences by article id, sentence
position and character offsets into the article's text as read; `--text` adds the sentences (only for a corpus
that may be shipped: never for polnear).

`python -m index.evaluation.story_pairs measure --docs DOCS.jsonl --labels LABELS.jsonl [--split test]` reads the
labelled pairs (`same`: true or false), recomputes their cosines and asks `index.stories.same_fact` (what the
answers use), and prints precision and recall; `--sweep` prints them for a grid of thresholds. The labels' `split`
field (dev or test, by a hash of the pair) says where thresholds were chosen (dev) and where they are reported
(test).

Lab code: it imports the engine's parts; the engine never imports it."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import stories
from index.encoder import Encoder, build_encoder
from index.reading import read_articles, split_sentences
from index.settings import Settings

BINS: tuple[float, ...] = (0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)  # cosine bins the sample is drawn from
LOOSE_OVERLAP = 0.3  # pairs whose content terms overlap this much are the word test's hard cases


@dataclass(frozen=True)
class Sentence:
    """One sentence of the corpus and where it is."""

    doc_id: str
    position: int
    start: int
    end: int
    text: str


def corpus_sentences(docs: Path) -> list[Sentence]:
    """Return every sentence of the articles in `docs`, as `newsbot index` reads and splits them."""
    articles, _ = read_articles([docs])
    return [
        Sentence(a.doc_id, s.position, s.start, s.end, s.text)
        for a in articles
        for s in split_sentences(a.text)
    ]


def encoded(encoder: Encoder, texts: Sequence[str], cache: Path | None) -> np.ndarray:
    """Return the bare sentences' vectors (as `Engine` encodes them for grouping), read from `cache` when it holds
    them for these very texts."""
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = cache / f"story-vectors-{digest}.npy" if cache else None
    if path is not None and path.exists():
        return np.load(path)
    vecs = np.asarray(encoder.encode(list(texts), "document", progress=True), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


def near_pairs(sents: list[Sentence], vecs: np.ndarray, floor: float) -> Iterator[tuple[int, int, float]]:
    """Yield (i, j, cosine) for every pair of sentences of different articles with cosine >= floor."""
    docs = np.array([hash(s.doc_id) for s in sents])
    for start in range(0, len(sents), 1024):
        block = vecs[start : start + 1024] @ vecs.T
        for r, row in enumerate(block):
            i = start + r
            for j in np.nonzero(row >= floor)[0]:
                if j > i and docs[i] != docs[j]:
                    yield i, int(j), float(row[j])


def pair_split(a: Sentence, b: Sentence) -> str:
    """Return "dev" or "test" for a pair, by a hash of its two sentences' places (about one pair in two each)."""
    key = f"{a.doc_id}:{a.start}|{b.doc_id}:{b.start}".encode()
    return "dev" if hashlib.sha256(key).digest()[0] % 2 == 0 else "test"


def _place(s: Sentence) -> dict[str, object]:
    return {"doc_id": s.doc_id, "position": s.position, "start": s.start, "end": s.end}


def stored_sentences(store: Path) -> tuple[list[Sentence], np.ndarray]:
    """Return the sentences of a kept index (`newsbot eval --keep-index`), read only, and their stored vectors
    (embedded with their articles' titles)."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT a.doc_id, s.position, s.start, s.end, s.text, s.vector FROM sentences s "
        "JOIN articles a ON a.id = s.article_id ORDER BY s.id"
    ).fetchall()
    db.close()
    sents = [Sentence(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    return sents, np.stack([np.frombuffer(r[5], dtype=np.float32) for r in rows])


def cmd_candidates(args: argparse.Namespace) -> int:
    """Write the sample of pairs to label; return the exit code."""
    encoder = build_encoder(Settings.from_env())
    rng = random.Random(args.seed)
    if args.store is not None:  # a big corpus: its stored (titled) vectors find the pairs, a sample is re-encoded
        sents, titled = stored_sentences(args.store)
        keep = [i for i, s in enumerate(sents) if len(stories.wording(s.text).terms) >= stories.STORY_MIN_TERMS]
        sents, titled = [sents[i] for i in keep], titled[keep]
        pool = list(near_pairs(sents, titled, BINS[0]))
        pool = sorted(pool, key=lambda p: -p[2])[: args.pool]  # the nearest by titled vectors
        used = sorted({i for p in pool for i in p[:2]})
        bare = dict(zip(used, encoded(encoder, [sents[i].text for i in used], args.cache), strict=True))
        found = [(i, j, float(bare[i] @ bare[j])) for i, j, _ in pool]
        found = [p for p in found if p[2] >= BINS[0]]
    else:
        sents = [s for s in corpus_sentences(args.docs)
                 if len(stories.wording(s.text).terms) >= stories.STORY_MIN_TERMS]
        vecs = encoded(encoder, [s.text for s in sents], args.cache)
        found = list(near_pairs(sents, vecs, BINS[0]))
    print(f"{len(sents)} sentences, {len(found)} cross-article pairs with cosine >= {BINS[0]}", file=sys.stderr)
    words: dict[bool, list[tuple[int, int, float]]] = {True: [], False: []}
    for i, j, c in found:
        wa, wb = stories.wording(sents[i].text), stories.wording(sents[j].text)
        loose = len(wa.terms & wb.terms) >= LOOSE_OVERLAP * len(wa.terms | wb.terms)
        words[loose].append((i, j, c))
    chosen: list[tuple[int, int, float]] = []
    per_bin = max(1, args.n // (2 * (len(BINS) - 1)))
    for loose in (True, False):
        for lo, hi in zip(BINS, BINS[1:], strict=False):
            inside = [p for p in words[loose] if lo <= p[2] < hi]
            chosen += rng.sample(inside, min(per_bin, len(inside)))
    rng.shuffle(chosen)
    with args.out.open("w", encoding="utf-8") as out:
        for i, j, c in chosen:
            a, b = sents[i], sents[j]
            row: dict[str, object] = {"a": _place(a), "b": _place(b), "cosine": round(c, 4), "split": pair_split(a, b)}
            if args.text:
                row["a"] = {**_place(a), "text": a.text}  # type: ignore[dict-item]
                row["b"] = {**_place(b), "text": b.text}  # type: ignore[dict-item]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen)} pairs to {args.out}", file=sys.stderr)
    return 0


@dataclass(frozen=True)
class Scored:
    """A labelled pair with its cosine, as measured now."""

    a: str
    b: str
    cosine: float
    same: bool
    split: str


def scored_pairs(docs: Path, labels: Path, cache: Path | None) -> list[Scored]:
    """Return the labelled pairs of `labels` with their sentences read from `docs` and their cosines measured."""
    by_place = {(s.doc_id, s.start, s.end): s.text for s in corpus_sentences(docs)}
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts: list[tuple[str, str]] = []
    for row in rows:
        a, b = row["a"], row["b"]
        texts.append((by_place[(a["doc_id"], a["start"], a["end"])], by_place[(b["doc_id"], b["start"], b["end"])]))
    flat = sorted({t for pair in texts for t in pair})
    vecs = dict(zip(flat, encoded(build_encoder(Settings.from_env()), flat, cache), strict=True))
    return [
        Scored(a, b, float(vecs[a] @ vecs[b]), bool(row["same"]), row.get("split", "test"))
        for (a, b), row in zip(texts, rows, strict=True)
    ]


def precision_recall(pairs: Sequence[Scored]) -> tuple[int, int, int, float, float]:
    """Return (true merges, false merges, missed, precision, recall) of `stories.same_fact` over the pairs."""
    tp = fp = fn = 0
    for p in pairs:
        said = stories.same_fact(p.a, p.b, p.cosine)
        tp += said and p.same
        fp += said and not p.same
        fn += (not said) and p.same
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return tp, fp, fn, precision, recall


def cmd_measure(args: argparse.Namespace) -> int:
    """Print precision and recall of the grouping over the labelled pairs; return the exit code."""
    pairs = [p for p in scored_pairs(args.docs, args.labels, args.cache) if args.split in ("all", p.split)]
    same = sum(p.same for p in pairs)
    print(f"{args.labels} ({args.split}): {len(pairs)} pairs, {same} same fact")
    if args.sweep:
        print("cosine  overlap  merged  wrong  missed  precision  recall")
        for overlap in (0.3, 0.4, 0.5, 0.6):
            for cosine in (0.7, 0.75, 0.8, 0.85, 0.9):
                stories.STORY_OVERLAP, stories.STORY_COSINE = overlap, cosine
                stories.wording.cache_clear()
                tp, fp, fn, p, r = precision_recall(pairs)
                print(f"{cosine:6.2f}  {overlap:7.2f}  {tp + fp:6d}  {fp:5d}  {fn:6d}  {p:9.3f}  {r:6.3f}")
        return 0
    tp, fp, fn, p, r = precision_recall(pairs)
    print(f"cosine >= {stories.STORY_COSINE}, overlap >= {stories.STORY_OVERLAP}: merged {tp + fp} "
          f"(wrongly {fp}), missed {fn}: precision {p:.3f}, recall {r:.3f}")
    if args.show:
        for q in pairs:
            said = stories.same_fact(q.a, q.b, q.cosine)
            if said != q.same:
                print(f"{'WRONG' if said else 'MISSED'} cos {q.cosine:.3f}\n  {q.a}\n  {q.b}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m index.evaluation.story_pairs", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cand = sub.add_parser("candidates", help="write cross-article sentence pairs to label")
    cand.add_argument("--docs", type=Path, required=True)
    cand.add_argument("--out", type=Path, required=True)
    cand.add_argument("-n", type=int, default=200, help="pairs to sample (about)")
    cand.add_argument("--seed", type=int, default=22)
    cand.add_argument("--text", action="store_true", help="write the sentences too (shippable corpora only)")
    cand.add_argument("--store", type=Path, default=None,
                      help="a kept index's newsbot.sqlite3: its vectors find the pairs (a big corpus)")
    cand.add_argument("--pool", type=int, default=4000, help="with --store: the nearest pairs re-encoded bare")
    cand.add_argument("--cache", type=Path, default=None, help="a folder to keep the sentence vectors in")
    cand.set_defaults(run=cmd_candidates)
    meas = sub.add_parser("measure", help="precision and recall over labelled pairs")
    meas.add_argument("--docs", type=Path, required=True)
    meas.add_argument("--labels", type=Path, required=True)
    meas.add_argument("--split", choices=("dev", "test", "all"), default="test")
    meas.add_argument("--sweep", action="store_true", help="a grid of thresholds")
    meas.add_argument("--show", action="store_true", help="print the pairs the grouping gets wrong")
    meas.add_argument("--cache", type=Path, default=None)
    meas.set_defaults(run=cmd_measure)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
