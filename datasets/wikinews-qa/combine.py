"""Write the whole wikinews-qa set: the pilot (this folder's questions.jsonl and unanswerable.jsonl) and every batch
under batches/, one file each, ids unique (standard library only).

    python3 datasets/wikinews-qa/combine.py

Writes all/questions.jsonl and all/unanswerable.jsonl, which `python3 datasets/wikinews-qa/verify.py
datasets/wikinews-qa/all` checks and `newsbot eval --questions datasets/wikinews-qa/all/questions.jsonl` reads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = [HERE, *sorted(p for p in (HERE / "batches").iterdir() if p.is_dir())]


def combined(name: str) -> list[dict]:
    """Return the records of `name` (questions.jsonl or unanswerable.jsonl) from every part, in order."""
    records: list[dict] = []
    for part in PARTS:
        with (part / name).open(encoding="utf-8") as f:
            records += [json.loads(line) for line in f if line.strip()]
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise SystemExit(f"{name}: duplicate ids across the parts")
    return records


def main() -> int:
    out = HERE / "all"
    out.mkdir(exist_ok=True)
    for name in ("questions.jsonl", "unanswerable.jsonl"):
        records = combined(name)
        (out / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        print(f"all/{name}: {len(records)} records from {len(PARTS)} parts")
    return 0

if __name__ == "__main__":
    sys.exit(main())
