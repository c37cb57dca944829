"""What reading reports instead of raising: a `ReadProblem` for a file or line skipped (or a note on an article
changed on the way), and why a parser failed on hostile input, in a few words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadProblem:
    """A file or JSONL line that was skipped (`name`) and why (`reason`); with `skipped` False, a note about an
    article that was read but changed on the way (a title clipped, a URL dropped)."""

    name: str
    reason: str
    skipped: bool = True


def _failure(e: Exception) -> str:
    """Return in a few words why a parser failed on hostile input ("nested too deeply")."""
    if isinstance(e, RecursionError):
        return "nested too deeply"
    if isinstance(e, MemoryError):
        return "too large"
    detail = " ".join(str(e).split())
    detail = detail if len(detail) <= 120 else detail[:119] + "…"
    return f"{type(e).__name__}: {detail}" if detail else type(e).__name__
