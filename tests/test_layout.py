"""Where code may reach: the product never leans on tooling or on the emulator, the client knows
nothing of the product, and the emulator (our stand-in for QuickBooks, an independent judge)
shares no code with anything of ours. Read from the source with ``ast``: every ``import``, at
module level or inside a function, counts."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package (its folder) -> the top-level packages of ours it must never import
PRODUCT = ("include/qbo_sync/", "include/qbo_client/", "plugins/", "dags/")
RULES = {
    PRODUCT: {"qbo_devkit", "qbo_emulator"},
    ("include/qbo_client/",): {"qbo_sync", "qbo_airflow", "qbo_devkit", "qbo_emulator"},
    ("include/qbo_emulator/",): {"qbo_sync", "qbo_client", "qbo_airflow", "qbo_devkit"},
    ("include/qbo_sync/",): {"qbo_airflow"},
}


def python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in listed if (ROOT / f).is_file()]


def imported_packages(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def loaded_sql_names(source: str) -> set[str]:
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("load_sql", "load_composed")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


@pytest.mark.parametrize("places, forbidden", list(RULES.items()), ids=lambda v: ",".join(sorted(v)))
def test_no_package_imports_what_it_must_not(places, forbidden):
    files = [f for f in python_files() if f.startswith(places)]
    assert len(files) > 3, f"nothing found under {places}: the rule checks nothing"
    problems = [
        f"{path} imports {', '.join(sorted(bad))}"
        for path in files
        if (bad := imported_packages((ROOT / path).read_text(encoding="utf-8")) & forbidden)
    ]
    assert not problems, "\n".join(problems)


def test_product_runs_no_tooling_sql_and_tooling_sql_lives_in_devkit():
    product_names = set()
    for path in python_files():
        if path.startswith(PRODUCT):
            product_names |= loaded_sql_names((ROOT / path).read_text(encoding="utf-8"))
    assert len(product_names) > 80, "the scan saw too few statements to mean anything"
    assert not sorted(n for n in product_names if n.startswith("devkit/"))
    tooling_dirs = {p.name for p in (ROOT / "sql").iterdir() if p.is_dir()} & {"dev", "demo", "bench", "chaos"}
    assert not tooling_dirs, f"tooling SQL outside sql/devkit/: {sorted(tooling_dirs)}"


def test_the_scan_sees_every_kind_of_import():
    source = "import a.b\nfrom c.d import e\nfrom . import f\ndef g():\n    from h import i\n"
    assert imported_packages(source) == {"a", "c", "h"}


def test_no_test_reads_a_path_outside_the_repository():
    """A fresh clone on another machine must run every test: no absolute path of this machine,
    no sibling folder of the checkout (the seeds stand in as fingerprints)."""
    outside = ("/work/", "/home/", "/root/", "/Users/", "../shared", "shared/seeds", "shared/reference")
    problems = []
    for path in python_files():
        if not path.startswith("tests/") or path == "tests/test_layout.py":  # this list itself
            continue
        for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(outside):
                problems.append(f"{path}:{node.lineno}: {node.value[:60]}")
    assert not problems, "\n".join(problems)
