"""qbo_client is a plain QuickBooks client: it knows QuickBooks (codes, kinds, categories, how
to recognise a fault), never this project (its package, tables, commands, DAGs), and its
modules import each other without a circle. Read from the source: every string, comment and
``import`` counts, at module level, inside a function or under ``TYPE_CHECKING``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CLIENT = ROOT / "include" / "qbo_client"

# What only this project says: the product package, the resync DAG, our tables, our commands.
PROJECT_WORDS = re.compile(
    r"qbo_sync|qbo_resync|record_controls|python -m|entity_map|tenant_settings"
    r"|qbo_airflow|sync log"
)


def client_modules() -> dict[str, tuple[str, bool]]:
    """module name -> (source, is a package), for every module of the package."""
    found = {}
    for path in sorted(CLIENT.rglob("*.py")):
        parts = path.relative_to(CLIENT.parent).with_suffix("").parts
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path.read_text(encoding="utf-8"), package)
    return found


def project_words(source: str) -> list[str]:
    return [f"line {source.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in PROJECT_WORDS.finditer(source)]


def imports_of(name: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` imports: ``from a import b`` is ``a.b``
    when that is a module, else ``a`` (whose ``__init__`` runs)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".") if is_package else name.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def import_graph(modules: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: imports_of(name, source, package, known) for name, (source, package) in modules.items()}


def a_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (as a path that comes back to its start), or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            circle = visit(nxt, path + [node])
            if circle:
                return circle
        done.add(node)
        return None

    for start in sorted(graph):
        circle = visit(start, [])
        if circle:
            return circle
    return None


def test_the_client_never_names_this_project():
    modules = client_modules()
    assert {"qbo_client", "qbo_client.codes", "qbo_client.faults", "qbo_client.client"} <= set(modules)
    problems = {name: words for name, (source, _) in modules.items() if (words := project_words(source))}
    assert not problems, problems


def test_the_client_imports_no_circle():
    graph = import_graph(client_modules())
    assert graph["qbo_client.codes"] == set()  # QuickBooks' codes depend on nothing of ours
    assert graph["qbo_client.faults"] == {"qbo_client.codes", "qbo_client.jsonutil"}
    assert "qbo_client.faults" in graph["qbo_client"]  # the package's __init__ is in the graph
    assert a_circle(graph) is None, a_circle(graph)


def test_the_checks_catch_what_they_should():
    assert project_words('"""see qbo_sync.companies"""') and project_words("# trigger qbo_resync")
    assert project_words("x = 'python -m foo'") and not project_words("QuickBooks error 6240")
    # The circle this package had: a TYPE_CHECKING import one way, a function-level one back.
    faults = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.catalog import E\n"
    catalog = "def f():\n    from pkg.faults import Q\n"
    graph = import_graph({"pkg.faults": (faults, False), "pkg.catalog": (catalog, False)})
    assert graph == {"pkg.faults": {"pkg.catalog"}, "pkg.catalog": {"pkg.faults"}}
    assert a_circle(graph) == ["pkg.catalog", "pkg.faults", "pkg.catalog"]
    # A module importing names from its own package runs the package's __init__: a circle.
    init = "from pkg.faults import Q\n"
    graph = import_graph({"pkg": (init, True), "pkg.faults": ("from pkg import other\n", False)})
    assert a_circle(graph) == ["pkg", "pkg.faults", "pkg"]
    assert a_circle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    known = {"pkg", "pkg.faults", "pkg.sub", "pkg.sub.other", "pkg.sub.mod"}
    assert imports_of("pkg.sub.mod", "from ..faults import Q\nfrom . import other\n", False, known) == {
        "pkg.faults",
        "pkg.sub.other",
    }
