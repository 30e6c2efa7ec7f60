"""No SQL is built from strings at run time: every statement our code executes comes from a
file under sql/ through ``load_sql`` (or ``load_composed``, which quotes identifiers), and its
values travel as bind parameters. Read from the source with ``ast``: precise, no regexes
over code, so a comment or a log message that mentions SQL is never a false positive."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "sql"
RUNS_SQL = {"execute", "executemany", "copy", "stream"}  # psycopg Connection / Cursor methods
LOADERS = {"load_sql", "load_composed"}
# The one place a statement is not a load_sql call: the migration runner applies the
# migration files' text (themselves under sql/migrations/).
APPLIES_FILES = {("include/qbo_sync/db/migrations.py", "migration.text")}


def python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in listed if (ROOT / f).is_file()]


def sql_calls(tree: ast.AST):
    """(call, enclosing function or module) for every ``<x>.execute(...)``-like call."""

    def walk(node: ast.AST, scope: ast.AST):
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in RUNS_SQL
                and child.args
                and not is_operator_execute(child)
            ):
                yield child, scope
            yield from walk(child, inner)

    yield from walk(tree, tree)


def is_operator_execute(call: ast.Call) -> bool:
    """``SomeOperator(...).execute(context)``: Airflow running an operator, not SQL."""
    return isinstance(call.args[0], ast.Name) and call.args[0].id == "context"


def is_str_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def built_from_strings(node: ast.AST) -> str | None:
    """Why this expression is SQL text assembled at run time, or None."""
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "% formatting"
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and not (is_str_constant(node.left) and is_str_constant(node.right))
    ):
        return "string concatenation"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        receiver = node.func.value
        # psycopg.sql.SQL(...).format(Identifier(...)) quotes what it inserts: safe composition.
        if isinstance(receiver, ast.Call) and getattr(receiver.func, "attr", getattr(receiver.func, "id", "")) == "SQL":
            return None
        return f".{node.func.attr}()"
    return None


def assigned_values(scope: ast.AST, name: str) -> list[ast.AST]:
    return [
        n.value
        for n in ast.walk(scope)
        if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
    ]


def loader_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LOADERS:
        return node.func.id
    return None


def test_no_python_file_builds_sql_from_strings():
    problems = []
    for path in python_files():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
        for call, scope in sql_calls(tree):
            arg = call.args[0]
            candidates = [arg]
            if isinstance(arg, ast.Name):  # `query = ...; conn.execute(query)`: judge what was assigned
                candidates += assigned_values(scope, arg.id)
            for candidate in candidates:
                why = built_from_strings(candidate)
                if why:
                    problems.append(f"{path}:{call.lineno}: SQL built with {why}: {ast.unparse(candidate)[:80]}")
    assert not problems, "\n".join(problems)


def test_product_code_takes_every_statement_from_sql_files():
    problems, names = [], set()
    for path in python_files():
        if not path.startswith(("include/qbo_sync/", "include/qbo_devkit/", "plugins/", "dags/")):
            continue  # the client and the emulator run no SQL; tests may write theirs inline
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
        for call, scope in sql_calls(tree):
            arg = call.args[0]
            values = assigned_values(scope, arg.id) if isinstance(arg, ast.Name) else [arg]
            for value in values or [arg]:
                if loader_name(value):
                    first = value.args[0] if value.args else None
                    if is_str_constant(first):
                        names.add(first.value)
                    continue
                if (path, ast.unparse(value)) in APPLIES_FILES:
                    continue
                problems.append(f"{path}:{call.lineno}: executes {ast.unparse(value)[:80]}, not load_sql(...)")
    assert not problems, "\n".join(problems)
    missing = sorted(n for n in names if not (SQL_DIR / f"{n}.sql").is_file())
    assert not missing, f"load_sql names without a file under sql/: {missing}"
    assert len(names) > 100  # the scan really saw the code base


def test_sql_files_take_values_as_parameters_only():
    """No statement interpolates a value itself: psycopg's %(name)s placeholders only, and
    dynamic SQL inside the database quotes identifiers (format %I), never values."""
    problems = []
    for path in sorted(SQL_DIR.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
        rel = path.relative_to(ROOT)
        if re.search(r"(?<!%)%s\b", code):
            problems.append(f"{rel}: positional %s (name every parameter: %(name)s)")
        for fmt in re.findall(r"format\(\s*'([^']*)'", code, flags=re.I):
            if re.search(r"%[sL]", fmt):
                problems.append(f"{rel}: format('{fmt}') interpolates a value")
        if re.search(r"\bEXECUTE\b", code) and "format('%I" not in code:
            problems.append(f"{rel}: dynamic EXECUTE without quoted identifiers")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "source, expected",
    [
        ('conn.execute(f"SELECT * FROM t WHERE a = {x}")', "f-string"),
        ('conn.execute("SELECT * FROM t WHERE a = %s" % x)', "% formatting"),
        ('conn.execute("SELECT * FROM t WHERE a = " + x)', "string concatenation"),
        ('conn.execute("SELECT * FROM t WHERE a = {}".format(x))', ".format()"),
        ('q = f"DELETE FROM {t}"\nconn.execute(q)', "f-string"),
        ('conn.execute("SELECT * FROM t WHERE a = %(a)s", {"a": x})', None),
        ('conn.execute(sql.SQL("INSERT INTO {}").format(sql.Identifier(t)), v)', None),
        ('log.info("execute %s", x)\nconn.execute(load_sql("a/b"), {"x": 1})', None),
        ('TriggerDagRunOperator(task_id="t").execute(context)', None),
    ],
)
def test_the_scan_recognises_each_way_of_building_sql(source, expected):
    tree = ast.parse(source)
    found = []
    for call, scope in sql_calls(tree):
        arg = call.args[0]
        for candidate in [arg, *(assigned_values(scope, arg.id) if isinstance(arg, ast.Name) else [])]:
            found.append(built_from_strings(candidate))
    assert [f for f in found if f] == ([expected] if expected else [])
