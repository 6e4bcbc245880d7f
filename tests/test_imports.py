"""No import cycle in src/xxgk: every import (module level and inside functions) is an edge.

Imports under `if TYPE_CHECKING:` are not edges (they never run). `from pkg import name` is an
edge to `pkg.name` when that is a module, else to `pkg`. A parent package is not imported
implicitly by the graph: only the imports the code writes.
"""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "xxgk"

# Cycles closed by files other engineers own (issue 8), removed on their branches: the store ↔
# check.rules.cross_report ↔ identity knot (the `scale` branch; store.store's
# `from xxgk import __version__` also runs it through xxgk/__init__ and xxgk.api) and
# synth.truth ↔ synth.defects (the `parser` branch). A cycle that runs through none of these
# modules is this branch's and fails test_no_import_cycle.
OTHERS: frozenset[str] = frozenset()


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool, known: set[str] | None = None) -> set[str]:
    """Modules imported by `tree` (of `module`). `from pkg import name` counts as `pkg.name`
    when that is one of the `known` modules (or when `known` is None), else as `pkg`."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.add(sub if known is None or sub in known else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = _imports(tree, name, path.name == "__init__.py", set(mods))
        edges[name] = {t for t in targets if t in mods and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(out)


def import_lines() -> dict[tuple[str, str], int]:
    """(importer, imported) -> the line of the first import that makes the edge."""
    mods = modules()
    known = set(mods)
    out: dict[tuple[str, str], int] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _imports(ast.Module(body=[node], type_ignores=[]), name, path.name == "__init__.py",
                                       known):
                    out.setdefault((name, target), node.lineno)
    return out


def path_of(edges: dict[str, set[str]], comp: list[str], lines: dict[tuple[str, str], int] | None = None) -> str:
    """One concrete cycle through the component's first module, each step with the line of its
    import, for the failure message: a → b (a.py:12) → a (b.py:40)."""
    members = set(comp)
    start = comp[0]
    prev: dict[str, str] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v] & members):
            if w == start:
                chain = [v]
                while chain[-1] != start:
                    chain.append(prev[chain[-1]])
                steps = [*reversed(chain), start]
                if lines is None:
                    return " → ".join(steps)
                files = {m: p.relative_to(SRC).as_posix() for m, p in modules().items()}
                shown = [steps[0]]
                for a, b in pairwise(steps):
                    shown.append(f"{b} ({files.get(a, a)}:{lines.get((a, b), '?')})")
                return " → ".join(shown)
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return " ↔ ".join(comp)


def test_graph_sees_function_level_imports() -> None:
    edges = graph()
    assert "xxgk.api" in edges["xxgk"]
    tree = ast.parse("def f():\n    from xxgk.store import Store\n")
    assert "xxgk.store" in _imports(tree, "xxgk.x", False, {"xxgk.store"})
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from xxgk.store import Store\n")
    assert "xxgk.store" not in _imports(tree, "xxgk.x", False, {"xxgk.store"})


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert path_of({"a": {"b"}, "b": {"a"}}, ["a", "b"]) == "a → b → a"


def _mine_and_others() -> tuple[list[str], list[str]]:
    edges = graph()
    lines = import_lines()
    mine, others = [], []
    for comp in cycles(edges):
        (others if OTHERS & set(comp) else mine).append(f"{len(comp)} modules: {path_of(edges, comp, lines)}")
    return mine, others


def test_no_import_cycle_anywhere() -> None:
    mine, others = _mine_and_others()
    assert mine + others == [], "import cycles:\n" + "\n".join(mine + others)
