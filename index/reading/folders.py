"""Reading the files and folders given to `newsbot index`: walking a folder (hidden files skipped, links inside it
followed, links leading outside it left unread, loops read once), reading each regular file by its format, and
naming each article after its path."""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.model import Article
from index.reading.formats import SUFFIXES, articles_from_bytes
from index.reading.problems import ReadProblem


def display_name(name: str | os.PathLike[str]) -> str:
    """Return a file name as valid Unicode: bytes that are not UTF-8 (kept by Python as surrogates) become
    backslash escapes ("caf\\xe9.txt"), stable from run to run and safe to store and print."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _relative_name(path: Path, root: Path) -> str:
    """Return the path relative to root as a posix string (the absolute path when it lies outside root)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel.startswith(".."):
        return display_name(Path(os.path.abspath(path)).as_posix())
    return display_name(Path(rel).as_posix())


def _os_reason(e: OSError) -> str:
    """Return why a file or folder cannot be read, in a few words."""
    if isinstance(e, PermissionError):
        return "cannot be read (permission denied)"
    return f"cannot be read ({e.strerror or e})"


def _within(real: str, root: str) -> bool:
    """Return whether a resolved path is the resolved folder `root` or lies inside it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@dataclass
class _Walk:
    """What walking one folder found: its files, the folders skipped with why, and the links left unread because
    they lead outside it."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)


def _walk(folder: Path, follow_links: bool = False) -> _Walk:
    """Return the files under a folder sorted by their relative path, without hidden files and folders; the folders
    skipped with why (unreadable, or already read by their real path: a symlink loop or a second link); and the
    symlinks whose target lies outside the folder (resolved), which are not read unless `follow_links`. Links
    inside it are followed; real folders are walked before linked ones and a file reached twice is read once, by
    its own path rather than a link's."""
    out = _Walk()
    root = os.path.realpath(folder)
    visited: dict[str, Path] = {}
    stack = [folder]  # real folders, walked first
    linked: list[Path] = []  # folders reached through a link, walked once every real one is
    found: list[tuple[bool, Path]] = []  # (whether the file is a link, its path), in the order walked
    while stack or linked:
        current = stack.pop() if stack else linked.pop(0)
        real = os.path.realpath(current)
        if real in visited:
            first = display_name(visited[real].as_posix())
            out.skipped.append((current, f"the same folder as {first} (a symlink loop or a second link); read once"))
            continue
        visited[real] = current
        try:
            with os.scandir(current) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError as e:
            out.skipped.append((current, _os_reason(e) + "; what was indexed from it is kept"))
            continue
        subfolders: list[Path] = []
        for entry in listed:
            if entry.name.startswith("."):
                continue
            path = current / entry.name
            link = entry.is_symlink()
            if link and not follow_links:
                target = os.path.realpath(path)
                if os.path.exists(target) and not _within(target, root):
                    out.outside.append(path)
                    continue
            try:
                is_dir = entry.is_dir()  # follows a symlink
            except OSError:
                is_dir = False
            if is_dir:
                (linked if link else subfolders).append(path)
            else:
                found.append((link, path))
        stack.extend(reversed(subfolders))
    by_real: dict[str, Path] = {}
    for _link, path in sorted(found, key=lambda f: f[0]):  # a file's own path before a link's
        by_real.setdefault(os.path.realpath(path), path)
    out.files = sorted(by_real.values(), key=lambda p: p.relative_to(folder).parts)
    out.outside.sort(key=lambda p: p.relative_to(folder).parts)
    return out


def _read_bytes(path: Path) -> bytes:
    """Return a regular file's bytes; raise OSError for anything else (a FIFO, socket or device is never opened
    for a blocking read) or when it cannot be read."""
    _check_regular(os.stat(path).st_mode)  # a device is not even opened
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        _check_regular(os.fstat(f.fileno()).st_mode)  # what was opened, should it have been swapped meanwhile
        return f.read()


def _check_regular(mode: int) -> None:
    """Raise _NotRegular unless the mode is a regular file's."""
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"
        )
        raise _NotRegular(f"not a regular file ({kind}), skipped")


class _NotRegular(OSError):
    """A path that is not a regular file."""


def _read_file(path: Path, name: str) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles of one file and the problems met reading it."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return [], [
            ReadProblem(
                name, f"unknown file type {display_name(path.suffix) or '(none)'!r}; expected {', '.join(SUFFIXES)}"
            )
        ]
    try:
        data = _read_bytes(path)
    except _NotRegular as e:
        return [], [ReadProblem(name, str(e))]
    except OSError as e:
        return [], [ReadProblem(name, _os_reason(e))]
    try:
        return articles_from_bytes(data, suffix, name, name)
    except ValueError as e:
        return [], [ReadProblem(name, str(e))]


@dataclass
class FolderReading:
    """What reading files and folders found: the articles, the problems, the file each article came from, and
    the files and folders that could not be read (what was indexed from them must be kept)."""

    articles: list[Article] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # doc_id -> absolute path of its file (display form)
    unreadable: list[str] = field(default_factory=list)  # absolute paths (display form)
    # folder given (display form, with a slash) -> the links in it left unread because they lead outside it
    links_outside: dict[str, list[str]] = field(default_factory=dict)
    # a field of JSONL records or front matter that newsbot does not read -> how many articles read had it
    ignored: Counter[str] = field(default_factory=Counter)


def absolute_name(path: Path) -> str:
    """Return a path's absolute, normalised posix form as valid Unicode (how the indexer records files)."""
    return display_name(Path(os.path.abspath(path)).as_posix())


def read_paths(
    paths: Sequence[Path], root: Path | None = None, home: Path | None = None, follow_links: bool = False
) -> FolderReading:
    """Return everything read from the given files and folders (recursively). Inside a folder given, a symlink is
    followed when its target lies inside that folder too, else left unread and listed in `links_outside` (with
    `follow_links`, every link is followed); a file given is read wherever it leads. Names are relative to
    `root`; without it, to `home` for paths inside home, else to the folder given (a file's folder)."""
    out = FolderReading()
    seen: dict[str, str] = {}
    for given in paths:
        given = Path(given)
        if root is None and home is not None and absolute_name(given).startswith(absolute_name(home) + "/"):
            root_here: Path | None = home
        else:
            root_here = root
        if given.is_dir():
            base = root_here if root_here is not None else given
            walk = _walk(given, follow_links)
            files = walk.files
            for folder, reason in walk.skipped:
                out.problems.append(ReadProblem(_relative_name(folder, base) + "/", reason))
                out.unreadable.append(absolute_name(folder))
            if walk.outside:
                out.links_outside[display_name(given.as_posix()).rstrip("/") + "/"] = [
                    _relative_name(link, base) for link in walk.outside
                ]
        elif given.exists() or given.is_symlink():
            base = root_here if root_here is not None else given.parent
            files = [given]
        else:
            out.problems.append(ReadProblem(display_name(given.as_posix()), "no such file or folder"))
            continue
        for path in files:
            name = _relative_name(path, base)
            found, trouble = _read_file(path, name)
            out.problems.extend(trouble)
            if trouble:
                out.unreadable.append(absolute_name(path))
            for article in found:
                if article.doc_id in seen:
                    out.problems.append(
                        ReadProblem(
                            name,
                            f"duplicate doc_id {article.doc_id!r} (already read from {seen[article.doc_id]})",
                        )
                    )
                    continue
                seen[article.doc_id] = name
                out.articles.append(article)
                out.ignored.update(article.ignored)
                out.files[article.doc_id] = absolute_name(path)
    return out


def read_articles(paths: Sequence[Path], root: Path | None = None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles in the given files and folders (recursively) and the problems of skipped ones."""
    reading = read_paths(paths, root)
    return reading.articles, reading.problems
