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


def candidate_questions(store: Store, limit: int = 12, sample: int = 2000) -> list[str]:
    """Return up to `limit` questions a reader could ask of this corpus, the likeliest first: what its most quoted
    people said, then what happens in and what the articles say about the names it mentions most. Whether the
    corpus answers them is the engine's to check (`Engine.library.example_questions`)."""
    speakers = store.speakers(most=20)
    texts = store.recent_sentences(sample)
    people = [s for s in speakers if len(s.split()) >= 2 and s.split()[0][0].isupper()]
    names: Counter[str] = Counter()
    for t in texts:
        for m in _NAME.finditer(t):
            name = m.group(1)
            if name.split()[0] not in _SKIP and len(name) > 3:
                names[name] += 1
    out = [f"What did {person} say?" for person in people[:1]]
    templates = ("What do the articles say about {}?", "What is happening in {}?", "What happened in {}?")
    for name, _ in names.most_common(10):
        if any(name in q for q in out):
            continue
        out.append(templates[len(out) % 2].format(name))
    out += [f"What did {person} say?" for person in people[1:3]]
    out += [templates[2].format(name) for name, _ in names.most_common(3)]
    return list(dict.fromkeys(out))[:limit]


def example_questions(store: Store, n: int = 3) -> list[str]:
    """Return up to n questions a reader could ask of this corpus, unchecked (see candidate_questions)."""
    return candidate_questions(store, n)
