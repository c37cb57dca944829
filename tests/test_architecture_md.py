"""ARCHITECTURE.md keeps step with the code: every module of `bot` and `index` is named in its layout."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_is_named_in_the_layout() -> None:
    layout = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    unnamed = [
        str(path.relative_to(ROOT))
        for top in ("bot", "index")
        for path in sorted((ROOT / top).rglob("*.py"))
        if path.name != "__init__.py" and not re.search(rf"(?<![\w.]){re.escape(path.name)}\b", layout)
    ]
    assert unnamed == [], "name each module in ARCHITECTURE.md with its one idea"
