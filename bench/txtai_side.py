"""txtai's side of `make bench` (bench/run.py): run only with the txtai venv's python (bench/.txtai-venv), never
newsbot's; it imports nothing from newsbot, only txtai and bench/txtai_bench.py's standard-library helpers.

    index   DIR OUT        index DIR/sentences.jsonl (written by `python -m bench.txtai_bench export`) with
                           txtai's hybrid config (--content: with its content store, so that a search returns
                           the text, as newsbot's does), save it to OUT; print sentences, seconds, peak memory
    answer  OUT QUESTIONS  load the saved index, time each question alone (one thread), then all of them in one
                           `batchsearch`; print the milliseconds and peak memory
    cold    OUT QUESTION   load the saved index and search once; print the first result (the parent times the
                           whole process, from its start to this line)

Each step prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/txtai_bench.py, run as a script

from txtai_bench import SENTENCES, read_jsonl, txtai_config  # noqa: E402

K = 10


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one_thread() -> None:
    import torch  # txtai's dependency

    torch.set_num_threads(1)


def index(folder: Path, out: Path, model: str, content: bool = False) -> dict:
    """Index the exported sentences ("title. sentence", the text newsbot embeds) and save the index; with
    `content`, txtai stores the text and returns it with each result."""
    import txtai

    sentences = read_jsonl(folder / SENTENCES)
    embeddings = txtai.Embeddings({**txtai_config(model), "content": content})
    t = time.perf_counter()
    embeddings.index((s["id"], f"{s['title']}. {s['text']}" if s["title"] else s["text"], None) for s in sentences)
    embeddings.save(str(out))
    seconds = time.perf_counter() - t
    return {"sentences": len(sentences), "seconds": seconds, "rss_mb": _rss_mb()}


def answer(out: Path, questions: list[str]) -> dict:
    """Load the saved index; time each question alone, then every question in one batchsearch."""
    import txtai

    _one_thread()
    embeddings = txtai.Embeddings()
    embeddings.load(str(out))
    embeddings.search("warm up", K)  # the first query loads lazily what the others reuse
    times = []
    for q in questions:
        t = time.perf_counter()
        embeddings.search(q, K)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    embeddings.batchsearch(questions, K)
    batch_s = time.perf_counter() - t
    return {"times_ms": times, "batch_s": batch_s, "batched": True, "rss_mb": _rss_mb()}


def cold(out: Path, question: str) -> dict:
    """Load the saved index and answer one question."""
    import txtai

    _one_thread()
    embeddings = txtai.Embeddings()
    embeddings.load(str(out))
    found = embeddings.search(question, K)
    if not found:
        return {"first": None}
    first = found[0]  # (id, score), or with the content store a dict with the text
    return {"first": int(first["id"] if isinstance(first, dict) else first[0])}


def main(argv: list[str] | None = None) -> int:
    """Run one step; print its JSON."""
    p = argparse.ArgumentParser(prog="txtai_side", description=__doc__.split("\n\n")[0])
    p.add_argument("step", choices=("index", "answer", "cold"))
    p.add_argument("--dir", type=Path, help="the export folder (sentences.jsonl)")
    p.add_argument("--out", type=Path, required=True, help="the saved txtai index")
    p.add_argument("--model", help="the local all-MiniLM-L6-v2 folder")
    p.add_argument("--questions", type=Path, help="a JSON list of questions")
    p.add_argument("--question")
    p.add_argument("--content", action="store_true", help="index: keep the text (txtai's content store)")
    a = p.parse_args(argv)
    if a.step == "index":
        res = index(a.dir, a.out, a.model, a.content)
    elif a.step == "answer":
        res = answer(a.out, json.loads(a.questions.read_text(encoding="utf-8")))
    else:
        res = cold(a.out, a.question)
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
