"""Check that requirements.lock matches pyproject.toml, offline and in a second; `--digest` prints its header line.

The lock records a digest of what pyproject.toml declares (Python range, dependencies, extras) and of the torch
pin; a change to any of them without `make lock` fails here. Each declared requirement must also be pinned in the
lock at a version its range admits, so a hand-edited lock fails too.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a bare interpreter: pip carries its own copy
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef,assignment]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef,assignment]

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
EXTRAS = ("dev", "ray")  # the extras the lock holds (the Makefile's UV_COMPILE): CI tests both
DIGEST_PREFIX = "# pyproject digest: "
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def digest(torch_pin: str) -> str:
    """Return the sha256 of what pyproject.toml declares for installation, plus the torch pin."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "extras": {e: project.get("optional-dependencies", {}).get(e, []) for e in EXTRAS},
        "torch": torch_pin,
    }
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()


def pins(text: str) -> dict[str, str]:
    """Return the lock's pins: canonical package name to version."""
    return {canonicalize_name(m[1]): m[2] for m in map(PIN.match, text.splitlines()) if m}


def problems(torch_pin: str) -> list[str]:
    """Return what does not match between pyproject.toml and the lock, empty when they agree."""
    if not LOCK.is_file():
        return [f"{LOCK.name} is missing"]
    text = LOCK.read_text()
    found = [line[len(DIGEST_PREFIX) :].strip() for line in text.splitlines() if line.startswith(DIGEST_PREFIX)]
    out = []
    if found != [digest(torch_pin)]:
        out.append("pyproject.toml's requirements (or the torch pin) changed since the lock was made")
    locked = pins(text)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project.get("dependencies", []))
    for extra in EXTRAS:
        declared += project.get("optional-dependencies", {}).get(extra, [])
    for line in [*declared, torch_pin]:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            out.append(f"{req.name} is declared but not pinned")
        elif not req.specifier.contains(version, prereleases=True):
            out.append(f"{req.name}=={version} is pinned but {line!r} is declared")
    return out


def main(argv: list[str]) -> int:
    """Print the digest line (`--digest TORCH_PIN`) or check the lock (`TORCH_PIN`); return the exit code."""
    if len(argv) == 2 and argv[0] == "--digest":
        print(DIGEST_PREFIX + digest(argv[1]))
        return 0
    if len(argv) != 1:
        print("usage: check_lock.py [--digest] TORCH_PIN", file=sys.stderr)
        return 2
    found = problems(argv[0])
    for p in found:
        print(f"{LOCK.name}: {p}", file=sys.stderr)
    if found:
        print(f"{LOCK.name} does not match pyproject.toml: run `make lock` and commit the result", file=sys.stderr)
        return 1
    print(f"{LOCK.name} matches pyproject.toml ({len(pins(LOCK.read_text()))} pins)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
