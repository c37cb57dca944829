"""Choose the pilot's articles and fix the split of every Wikinews article (standard library only).

    python3 datasets/wikinews-qa/select_articles.py

Writes, next to this script:
- splits.json: every doc_id of ../wikinews/docs.jsonl -> "train" or "validation", by a seeded hash of the doc_id
  (about 70 % train). The split is by article and does not depend on which articles are chosen, so the later full
  set keeps it.
- pilot_articles.json: the 60 chosen doc_ids with year, topic and whether it is an interview.
- pass1_leads.jsonl: ONLY the headline and the first paragraph of each chosen article (what the pass-1 writer reads).

The choice: 6 interviews drawn at random, then 54 other articles spread over four periods (2004-2009, 2010-2018
and 2023, 2019, 2020-2021) and, within a period, round-robin over rough keyword topics in a seeded order. No article
is skipped for being long or hard.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "wikinews" / "docs.jsonl"
SEED = 21
SPLIT_SALT = "newsbot-wikinews-qa-split-v1"
TRAIN_SHARE = 0.70
N_INTERVIEWS = 6
PERIOD_QUOTA = {"2004-2009": 8, "2010-2018": 8, "2019": 20, "2020-2021": 18}  # 54 articles that are not interviews

TOPICS = {  # first match wins, over title and lead, lower-cased
    "sport": r"\b(football|soccer|cricket|rugby|olympic|paralympic|tennis|basketball|chess|league|cup|match)\b",
    "disaster": r"\b(earthquake|flood|fire|storm|cyclone|hurricane|typhoon|crash|killed|dead|died|explosion|"
                r"volcan|tsunami|accident|collapse|bushfire|wildfire|landslide)\w*",
    "health_science": r"\b(covid|coronavirus|virus|measles|vaccin|health|disease|scien|study|research|nasa|space|"
                      r"planet|species|astronom|researchers|hospital|outbreak|epidemic|ebola)\w*",
    "crime_law": r"\b(court|police|arrest|charged|trial|judge|sentenced|murder|lawsuit|prison|guilty|shooting|"
                 r"attack|investigat)\w*",
    "business": r"\b(company|market|shares|bank|econom|business|trade|billion|stock|tariff|firm|ceo)\w*",
    "politics": r"\b(election|elected|president|minister|parliament|government|vote|party|senate|congress|"
                r"brexit|protest|candidate|mayor|referendum|prime)\w*",
}
INTERVIEW_TITLE = re.compile(
    r"\binterview(s|ed)?\b.*|tells wikinews|with wikinews|an interview|interviewed", re.IGNORECASE
)


def split_of(doc_id: str) -> str:
    """Return "train" or "validation" for an article, by a salted SHA-256 of its doc_id."""
    h = int(hashlib.sha256(f"{SPLIT_SALT}:{doc_id}".encode()).hexdigest()[:8], 16)
    return "train" if h / 2**32 < TRAIN_SHARE else "validation"


def lead_of(text: str) -> str:
    """Return the first paragraph (paragraphs are separated by a blank line)."""
    return text.strip().split("\n\n", 1)[0].strip()


def topic_of(doc: dict) -> str:
    s = (doc["title"] + " " + lead_of(doc["text"])).lower()
    for name, rx in TOPICS.items():
        if re.search(rx, s):
            return name
    return "other"


def is_interview(doc: dict) -> bool:
    """Wikinews Q&A interviews: the title says so, or many paragraphs start with a 'Speaker: ' turn."""
    if INTERVIEW_TITLE.search(doc["title"]) and "questionnaire" not in doc["title"]:
        return True
    turns = sum(1 for p in doc["text"].split("\n") if re.match(r"^(WN|WSS|[A-Z][\w.' -]{0,40}): ", p))
    return turns >= 20 and ("WN: " in doc["text"] or "WSS: " in doc["text"])


def period_of(doc: dict) -> str:
    y = int(doc["published"][:4])
    if y <= 2009:
        return "2004-2009"
    if y <= 2018 or y >= 2022:
        return "2010-2018"
    return "2019" if y == 2019 else "2020-2021"


def main() -> None:
    docs = [json.loads(line) for line in DOCS.open(encoding="utf-8") if line.strip()]
    splits = {d["doc_id"]: split_of(d["doc_id"]) for d in docs}
    rng = random.Random(SEED)

    interviews = sorted((d for d in docs if is_interview(d)), key=lambda d: d["doc_id"])
    chosen = rng.sample(interviews, N_INTERVIEWS)
    rest = [d for d in docs if not is_interview(d)]
    for period, quota in PERIOD_QUOTA.items():
        by_topic: dict[str, list[dict]] = {}
        for d in sorted((d for d in rest if period_of(d) == period), key=lambda d: d["doc_id"]):
            by_topic.setdefault(topic_of(d), []).append(d)
        for pool in by_topic.values():
            rng.shuffle(pool)
        order = sorted(by_topic)
        rng.shuffle(order)
        taken = 0
        while taken < quota and any(by_topic.values()):
            for t in order:
                if taken < quota and by_topic[t]:
                    chosen.append(by_topic[t].pop())
                    taken += 1
    chosen.sort(key=lambda d: (d["published"], d["doc_id"]))

    (HERE / "splits.json").write_text(json.dumps(dict(sorted(splits.items())), indent=1, ensure_ascii=False) + "\n")
    meta = [
        {"doc_id": d["doc_id"], "published": d["published"], "period": period_of(d), "topic": topic_of(d),
         "interview": is_interview(d), "chars": len(d["text"]), "split": splits[d["doc_id"]]}
        for d in chosen
    ]
    (HERE / "pilot_articles.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    with (HERE / "pass1_leads.jsonl").open("w", encoding="utf-8") as f:
        for d in chosen:
            f.write(json.dumps({"doc_id": d["doc_id"], "published": d["published"], "title": d["title"],
                                "lead": lead_of(d["text"])}, ensure_ascii=False) + "\n")
    n_train = sum(1 for s in splits.values() if s == "train")
    print(f"{len(docs)} articles: {n_train} train, {len(docs) - n_train} validation; chose {len(chosen)}")
    for key in ("period", "topic", "interview", "split"):
        counts: dict = {}
        for m in meta:
            counts[m[key]] = counts.get(m[key], 0) + 1
        print(key, dict(sorted(counts.items(), key=str)))


if __name__ == "__main__":
    main()
