"""The emulator's modules import each other one way only: no import circle, not even one
hidden in a function (read from the source with ``ast``, like tests/test_layout.py)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "include" / "qbo_emulator"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that ``name`` imports (a package's own __init__ is not an
    edge: Python has it loaded before any of its modules)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")  # a submodule: from . import faults
                elif target in known:
                    found.add(target)
    return {module for module in found if module != name and not name.startswith(module + ".")}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, set(known)) for name, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_scan_sees_relative_imports_and_finds_a_circle():
    graph = import_graph()
    assert "qbo_emulator.entities.crud" in graph["qbo_emulator.api"]  # from .entities import crud
    assert "qbo_emulator.faults" in graph["qbo_emulator.batch"]  # from . import faults
    assert "qbo_emulator.entities.common" in graph["qbo_emulator.entities.crud"]  # from .common import ...
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_the_emulator_is_part_of_an_import_circle():
    graph = import_graph()
    assert len(graph) > 20, "the scan saw too few modules to mean anything"
    assert circles(graph) == []


def test_oauth_and_control_share_the_company_maker_and_neither_imports_the_other():
    graph = import_graph()
    assert "qbo_emulator.oauth" not in graph["qbo_emulator.control"]
    assert "qbo_emulator.control" not in graph["qbo_emulator.oauth"]
    assert "qbo_emulator.seed" in graph["qbo_emulator.control"] & graph["qbo_emulator.oauth"]
