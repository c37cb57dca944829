"""Example questions drawn from the corpus, for a bot's greeting: about the people quoted and the places and
names the articles mention most."""

from __future__ import annotations

import re
from collections import Counter

from index.store import Store

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_SKIP = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "So",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "This",
    "That",
    "Other",
    "Some",
    "Many",
    "Mr",
    "Mrs",
    "Ms",
    "Gen",
    "President",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
}


def example_questions(store: Store, n: int = 3, sample: int = 2000) -> list[str]:
    """Return up to n questions a reader could ask of this corpus."""
    speakers = store.speakers(most=20)
    texts = store.recent_sentences(sample)
    out: list[str] = []
    people = [s for s in speakers if len(s.split()) >= 2 and s.split()[0][0].isupper()]
    for person in people[:1]:
        out.append(f"What did {person} say?")
    names: Counter[str] = Counter()
    for t in texts:
        for m in _NAME.finditer(t):
            name = m.group(1)
            if name.split()[0] not in _SKIP and len(name) > 3:
                names[name] += 1
    for name, _ in names.most_common(10):
        if len(out) >= n:
            break
        if any(name in q for q in out):
            continue
        out.append(
            f"What is happening in {name}?" if len(out) % 2 else f"What do the articles say about {name}?"
        )
    return out[:n]
