"""Turning the engine's answers into terminal text."""

from __future__ import annotations

import textwrap

from index.model import Answer, Attribution, Hit, Source

NO_ANSWER = "Nothing relevant in the indexed articles."


def attribution_line(attribution: Attribution) -> str | None:
    """Return who says it, as plain text ("— Noman Benotman, told CNN"), or None when the article says it."""
    speaker = (attribution.speaker or "").strip()
    cue = " ".join((attribution.cue or "").split())
    if not speaker:
        return None
    if attribution.kind == "according_to" or cue.lower().startswith("according to"):
        return f"— according to {speaker}"
    if cue and cue.lower() not in speaker.lower():
        return f"— {speaker}, {cue}"
    return f"— {speaker}"


def source_line(s: Source) -> str:
    """Return "title · outlet · date · url" with what is known."""
    parts = [s.title or s.path or s.doc_id, s.outlet, s.published, s.url]
    return " · ".join(p for p in parts if p)


def hit_text(hit: Hit, number: int, width: int = 100) -> str:
    """Return one answer as an indented terminal block."""
    lines = textwrap.wrap(hit.sentence, width=width - 4) or [hit.sentence]
    out = [f"{number}. {lines[0]}"] + [f"   {line}" for line in lines[1:]]
    who = attribution_line(hit.attribution)
    if who:
        out.append(f"   {who}")
    out.append(f"   Source: {source_line(hit.source)}")
    if hit.also_in:
        out.append(
            f"   Also in {len(hit.also_in)} more article{'s' if len(hit.also_in) > 1 else ''}: "
            + "; ".join(source_line(s) for s in hit.also_in[:3])
        )
    return "\n".join(out)


def answer_text(answer: Answer, width: int = 100) -> str:
    """Return a whole answer as terminal text."""
    if answer.no_answer or not answer.hits:
        return NO_ANSWER
    return "\n\n".join(hit_text(h, answer.offset + i + 1, width) for i, h in enumerate(answer.hits))
