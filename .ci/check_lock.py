"""Check that requirements.lock matches pyproject.toml, offline and in a second; `--digest` prints its header line.

The lock records a digest of what pyproject.toml declares (Python range, dependencies, extras) and of the torch
pin; a change to any of them without `make lock` fails here. Each declared requirement must also be pinned in the
lock at a version its range admits, so a hand-edited lock fails too.

torch is the CPU build, which PyPI does not carry: the Makefile installs it from a wheel folder (`--wheels`, where
the folder holds it) or from PyTorch's CPU index. So the lock names no folder or index of its own, and a wheel in
the folder must be the very file the lock's hash pins (the one the index serves); hashing it takes about a second.
"""

from __future__ import annotations

import argparse
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
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
SOURCES = ("--find-links", "-f ", "--index-url", "-i ", "--extra-index-url")  # where pip looks: the Makefile's choice


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


def hashes_of(text: str, name: str) -> list[str]:
    """Return the sha256 hashes the lock pins for package `name` (empty when it is not pinned)."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        pin = PIN.match(line)
        if pin:
            inside = canonicalize_name(pin[1]) == canonicalize_name(name)
        elif not line.startswith(" "):
            inside = False
        if inside:
            out += HASH.findall(line)
    return out


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def wheel_problems(text: str, torch_pin: str, wheels: Path) -> list[str]:
    """Return what is wrong with the torch wheel in the folder `wheels`: not the file the lock pins (nothing when
    the folder does not hold the pinned version: then the index serves it, checked by the same hash)."""
    req = Requirement(torch_pin)
    version = next(iter(req.specifier)).version
    pinned = hashes_of(text, req.name)
    out = []
    for wheel in sorted(wheels.glob(f"{req.name}-{version}-*.whl")):
        if sha256_of(wheel) not in pinned:
            out.append(f"{wheel} is not the {req.name} {version} the lock pins (another sha256): replace it with "
                       f"the file from PyTorch's CPU index, or remove it to install from the index")
    return out


def problems(torch_pin: str, wheels: Path | None = None) -> list[str]:
    """Return what does not match between pyproject.toml, the lock and the torch wheel in `wheels`; empty when they
    agree."""
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
    named = [line for line in text.splitlines() if line.startswith(SOURCES)]
    if named:
        out.append(f"the lock names where to look ({named[0]!r}): leave that to the Makefile (TORCH_FROM)")
    if not hashes_of(text, Requirement(torch_pin).name):
        out.append(f"{torch_pin} has no sha256 in the lock")
    elif wheels is not None:
        out += wheel_problems(text, torch_pin, wheels)
    return out


def main(argv: list[str]) -> int:
    """Print the digest line (`--digest TORCH_PIN`) or check the lock (`[--wheels DIR] TORCH_PIN`); return the
    exit code."""
    parser = argparse.ArgumentParser(prog="check_lock.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("torch_pin", help="the torch requirement the lock pins, e.g. torch==2.13.0+cpu")
    parser.add_argument("--digest", action="store_true", help="print the lock's digest line and stop")
    parser.add_argument("--wheels", type=Path, help="the wheel folder the Makefile installs torch from, if it holds it")
    args = parser.parse_args(argv)
    if args.digest:
        print(DIGEST_PREFIX + digest(args.torch_pin))
        return 0
    found = problems(args.torch_pin, args.wheels)
    for p in found:
        print(f"{LOCK.name}: {p}", file=sys.stderr)
    if found:
        print(f"{LOCK.name} does not match pyproject.toml or the torch wheel: see above (after a change to "
              "pyproject.toml, run `make lock` and commit the result)", file=sys.stderr)
        return 1
    print(f"{LOCK.name} matches pyproject.toml ({len(pins(LOCK.read_text()))} pins)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
