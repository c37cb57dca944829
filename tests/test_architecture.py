"""The shape of the code: the graph of imports between newsbot's own modules (module level and inside
functions, read with `ast`) has no circles, the engine (`index`) never imports the front ends (`bot`,
`telegram`), and the lab (`index.evaluation`) is imported only by its entry points: the CLI's `eval` and
`eval-attribution` commands and the training module inside the lab itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "bot")
LAB = "index.evaluation"
# (importing module, function) pairs allowed to import the lab from outside it
LAB_ENTRY_POINTS = {("bot.cli_commands", "cmd_eval"), ("bot.cli_commands", "cmd_eval_attribution")}
# Circles that are known and left for a later change, each with the reason. Keep this empty when you can.
KNOWN_CIRCLES: set[frozenset[str]] = set()


@dataclass(frozen=True)
class Import:
    """One import of a project module: who imports what, and in which function (None: at module level)."""

    importer: str
    imported: str
    function: str | None
    line: int


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under ROOT."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Return every module of the project's packages by dotted name."""
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """Return the project module a dotted name refers to (a module, or a name inside one), or None."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    """Yield the imports of project modules (and of `telegram`) in one module, with the enclosing function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST, function: str | None) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{a.name}" for a in child.names] + [base]
            for target in targets:
                if target.split(".")[0] == "telegram":
                    yield Import(name, "telegram", function, child.lineno)
                    continue
                resolved = _resolve(target, known)
                if resolved and resolved != name:
                    yield Import(name, resolved, function, child.lineno)
            yield from visit(child, inner)

    seen = set()
    for imp in visit(tree, None):
        if (imp.imported, imp.function) not in seen:
            seen.add((imp.imported, imp.function))
            yield imp


@pytest.fixture(scope="module")
def graph() -> list[Import]:
    """Return every import between the project's modules."""
    known = modules()
    return [imp for name, path in known.items() for imp in imports(name, path, known)]


def circles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Return the strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            strongconnect(v)
    return out


def test_the_walk_sees_function_level_imports(graph: list[Import]) -> None:
    assert any(i.importer == "bot.cli_commands" and i.imported.startswith(LAB) and i.function == "cmd_eval"
               for i in graph)
    assert any(i.importer == "index.engine" and i.imported == "index.ranking.choice" for i in graph)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles(graph: list[Import]) -> None:
    edges: dict[str, set[str]] = {}
    for i in graph:
        if i.imported != "telegram":
            edges.setdefault(i.importer, set()).add(i.imported)
    found = set(circles(edges))
    assert found <= KNOWN_CIRCLES, f"import circles: {[sorted(c) for c in found - KNOWN_CIRCLES]}"


def test_the_engine_never_imports_the_front_ends(graph: list[Import]) -> None:
    upward = [i for i in graph if i.importer.startswith("index") and i.imported.split(".")[0] in ("bot", "telegram")]
    assert upward == []


def test_the_lab_is_imported_only_by_its_entry_points(graph: list[Import]) -> None:
    outside = [
        i
        for i in graph
        if (i.imported == LAB or i.imported.startswith(LAB + "."))
        and not (i.importer == LAB or i.importer.startswith(LAB + "."))
        and (i.importer, i.function) not in LAB_ENTRY_POINTS
    ]
    assert outside == []


FACADE_METHODS = 20  # STYLE.md habit 14: past about twenty, a concept inside wants its own class
FACADE_LINES = 400


def test_the_engine_stays_a_facade() -> None:
    path = ROOT / "index" / "engine.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    [engine] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Engine"]
    public = [n.name for n in engine.body
              if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")]
    assert len(public) <= FACADE_METHODS, f"Engine has {len(public)} public methods: {public}"
    assert len(path.read_text(encoding="utf-8").splitlines()) < FACADE_LINES


def layout_paths(text: str) -> set[str]:
    """Return the paths ARCHITECTURE.md's layout names ("index/ranking/base.py"), read from its indentation."""
    block = text.split("## The layout as it is", 1)[1].split("```", 2)[1]
    named: set[str] = set()
    stack: list[str] = []
    for line in block.splitlines():
        name = line.split()[0] if line.strip() else ""
        if not name:
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        if depth > len(stack) or not (name.endswith("/") or name.endswith(".py")):
            continue  # a description's continued line
        stack[depth:] = [name]
        named.add("".join(stack))
    return named


def test_the_layout_names_every_module() -> None:
    named = layout_paths((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    missing = [f"{p.relative_to(ROOT).as_posix()}" for p in modules().values()
               if p.name != "__init__.py" and p.relative_to(ROOT).as_posix() not in named]
    assert missing == [], f"ARCHITECTURE.md's layout does not name {missing}"


def test_the_layout_reader_follows_indentation() -> None:
    text = "## The layout as it is\n\n```\nindex/   the engine\n  a.py   one\n         more of a.py\n" \
           "  sub/   a package\n    b.py two\nbot/\n  c.py   three\n```\n"
    assert layout_paths(text) == {"index/", "index/a.py", "index/sub/", "index/sub/b.py", "bot/", "bot/c.py"}
