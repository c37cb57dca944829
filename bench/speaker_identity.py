"""One person, one speaker, measured over a corpus read as the indexer reads it (read, split, attribute; no
embedding): how many distinct speakers the articles name as stored (`speaker`), as keys (index.identity.speaker_key,
what the store groups by) and as identities (SpeakerIdentities, what /who shows), the time the keys take, and the
identities that gather the most written forms.

    python -m bench.speaker_identity --docs ../shared/eval/polnear-train/docs.jsonl [--limit N] [--show 15]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Print the table; return the exit code."""
    from index.evaluation.attribution import read_attributed, read_raw_docs
    from index.identity import SpeakerIdentities, speaker_key

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=Path, required=True, help="a JSONL docs file (doc_id, text)")
    p.add_argument("--limit", type=int, default=None, help="only the first N articles")
    p.add_argument("--show", type=int, default=15, help="how many merged identities to list")
    args = p.parse_args(argv)
    keep = set(list(read_raw_docs(args.docs))[: args.limit])
    articles = read_attributed(args.docs, keep)
    speakers: Counter[str] = Counter()
    pairs: list[tuple[str, str]] = []  # (speaker, article text) of every claim
    for text, sentences in articles.values():
        for s in sentences:
            a = s.attribution
            if a.speaker and a.kind != "none":
                speakers[a.speaker] += 1
                pairs.append((a.speaker, text))
    started = time.perf_counter()
    keys = [speaker_key(sp, text) for sp, text in pairs]
    key_seconds = time.perf_counter() - started
    counted = Counter(k for k in keys if k is not None)
    started = time.perf_counter()
    identities = SpeakerIdentities(counted.items())
    tally = identities.tally(counted.items())
    id_seconds = time.perf_counter() - started
    forms: dict[str, set[str]] = {}
    for (sp, _), key in zip(pairs, keys, strict=True):
        forms.setdefault(identities.of(key) or sp, set()).add(sp)
    print(f"articles {len(articles)}, claims with a speaker {len(pairs)}")
    print(f"distinct speakers as stored   {len(speakers):6}")
    print(f"distinct keys                 {len(counted):6}   ({key_seconds:.2f} s for every claim's key)")
    print(f"distinct identities (/who)    {len(tally):6}   ({id_seconds:.3f} s to group the keys)")
    merged = sorted(((name, f) for name, f in forms.items() if len(f) > 1), key=lambda x: (-len(x[1]), x[0]))
    print(f"identities with more than one written form: {len(merged)}")
    for name, f in merged[: args.show]:
        print(f"  {name}: {', '.join(sorted(f))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
