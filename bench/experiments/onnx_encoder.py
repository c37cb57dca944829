"""The model under onnxruntime against sentence-transformers (torch): one question's encode time (one thread),
and a cold process's time to its first answer with its peak memory, on the seed article in a temporary data folder.

    python -m bench.experiments.onnx_encoder [--repeats 30] [--cold 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How far is Crete from Derna?"
COLD = (
    "import resource, sys, time; t = time.perf_counter(); from bot.cli import main; "
    "main(['ask', sys.argv[1]]); "
    "print('COLD', time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
    "'torch' in sys.modules)"
)


def encode_ms(runtime: str, export_dir: Path, repeats: int) -> float:
    """Return the median milliseconds one question takes to encode with `runtime` (one thread: a question)."""
    from index.encoder import MiniLMEncoder

    encoder = MiniLMEncoder(runtime=runtime, export_dir=export_dir)  # type: ignore[arg-type]
    encoder.encode([QUESTION], "query")  # load (and export) first
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        encoder.encode([QUESTION], "query")
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def cold_runs(runtime: str, data: Path, runs: int) -> list[tuple[float, float, bool]]:
    """Return (seconds to the first answer, peak MB, torch imported) for `runs` fresh `newsbot ask` processes."""
    env = {**os.environ, "NEWSBOT_DATA": str(data), "NEWSBOT_ENCODER": runtime, "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    out = []
    for _ in range(runs):
        run = subprocess.run([sys.executable, "-c", COLD, QUESTION], env=env, capture_output=True, text=True,
                             check=True)
        line = next(x for x in run.stdout.splitlines() if x.startswith("COLD"))
        _, seconds, mb, torch = line.split()
        out.append((float(seconds), float(mb), torch == "True"))
    return out


def main() -> None:
    """Print the two measurements for torch and onnx."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--cold", type=int, default=3)
    args = parser.parse_args()
    from index.engine import Engine
    from index.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        shutil.copy(ROOT / "corpus" / "derna.txt", corpus)
        with Engine.open(Settings(data_dir=data, progress=False)) as engine:  # exports into the data folder
            engine.index_paths([corpus])
        print(f"{'runtime':8} {'encode 1 question (median ms)':>30} {'cold ask (s, median)':>21} {'peak MB':>8} torch")
        for runtime in ("torch", "onnx"):
            ms = encode_ms(runtime, data, args.repeats)
            cold = cold_runs(runtime, data, args.cold)
            seconds = statistics.median(c[0] for c in cold)
            mb = statistics.median(c[1] for c in cold)
            print(f"{runtime:8} {ms:30.1f} {seconds:21.2f} {mb:8.0f} {cold[0][2]}")


if __name__ == "__main__":
    main()
