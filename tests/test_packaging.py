"""What a wheel holds: setuptools packages only the packages pyproject.toml names, so every package of the code
must be named there (a wheel without index/reading/attribution/ installs a newsbot that cannot index)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_names_every_package() -> None:
    named = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "index")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - named == set(), "add these to [tool.setuptools] packages in pyproject.toml"
