"""README's "Configuration" table lists exactly the environment variables the product reads.

Found by AST over include/, plugins/ and dags/ (not by grep, so a mention in a message or
a docstring does not count, and a name kept in a constant or a loop does):

* reads of the environment: ``os.environ.get(X)``, ``os.environ[X]``, ``os.getenv(X)`` and
  ``.get(X)`` / ``[X]`` on a mapping named ``env``/``environ`` (the settings' ``from_env``),
  with ``X`` a literal, a module constant, or a loop variable over literal tuples;
  writes (``setdefault``, assignments) are not reads;
* the Airflow connections the product opens by a fixed id (``*_CONN_ID`` constants,
  ``default_conn_name``, ``*_conn_id="..."`` keywords): each can be given as
  ``AIRFLOW_CONN_<ID>``;
* docker-compose.yaml's own ``${VAR}`` settings, except those of Airflow's reference compose
  file (image, uid, extra pip packages, the first login) and Airflow's ``AIRFLOW__*``.

Left out, on purpose: include/qbo_devkit and include/qbo_devkit/generator (the tooling behind
``make demo``, ``make airflow``, ``make bench`` and the chaos run: it sets variables for the
processes it starts, and its knobs are the developers', documented with it) and
include/qbo_emulator (a separate program with its own README). Test-only variables live
under tests/, which is not scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("include", "plugins", "dags")
EXCLUDED = ("include/qbo_devkit", "include/qbo_devkit/generator", "include/qbo_emulator")
AIRFLOW_COMPOSE_OWN = {
    "AIRFLOW_IMAGE_NAME",
    "AIRFLOW_UID",
    "_PIP_ADDITIONAL_REQUIREMENTS",
    "_AIRFLOW_WWW_USER_USERNAME",
    "_AIRFLOW_WWW_USER_PASSWORD",
}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
ENV_MAPPINGS = {"os.environ", "environ", "env"}


def _sources() -> list[Path]:
    files = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(EXCLUDED):
                files.append(path)
    return files


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


class _Reads(ast.NodeVisitor):
    def __init__(self, tree: ast.Module) -> None:
        self.found: set[str] = set()
        self.conn_ids: set[str] = set()
        self.constants = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        self.loop_values: dict[str, list[str]] = {}
        self.visit(tree)

    def _names(self, node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return [self.constants[node.id]]
            return self.loop_values.get(node.id, [])
        return []

    def _is_env(self, node: ast.AST) -> bool:
        text = ast.unparse(node)
        return text in ENV_MAPPINGS or "os.environ" in text

    def visit_For(self, node: ast.For) -> None:
        targets = [t for t in ast.walk(node.target) if isinstance(t, ast.Name)]
        for t in targets:
            self.loop_values[t.id] = [s for s in _strings(node.iter) if ENV_NAME.match(s)]
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and node.args:
            if (func.attr == "get" and self._is_env(func.value)) or ast.unparse(func) == "os.getenv":
                self.found.update(n for n in self._names(node.args[0]) if ENV_NAME.match(n))
        for kw in node.keywords:
            if kw.arg and kw.arg.endswith("conn_id") and isinstance(kw.value, ast.Constant):
                self.conn_ids.add(kw.value.value)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load) and self._is_env(node.value):
            self.found.update(n for n in self._names(node.slice) if ENV_NAME.match(n))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            if (
                isinstance(t, ast.Name)
                and (t.id.endswith("CONN_ID") or t.id == "default_conn_name")
                and isinstance(node.value, ast.Constant)
            ):
                self.conn_ids.add(node.value.value)
        self.generic_visit(node)


def variables_read() -> set[str]:
    found: set[str] = set()
    for path in _sources():
        reads = _Reads(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found |= reads.found
        found |= {f"AIRFLOW_CONN_{conn_id.upper()}" for conn_id in reads.conn_ids}
    compose = (ROOT / "docker-compose.yaml").read_text(encoding="utf-8")
    found |= set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", compose)) - AIRFLOW_COMPOSE_OWN
    return {name for name in found if not name.startswith("AIRFLOW__")}


def readme_rows() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_][A-Z0-9_]*)` \|", section, re.M))


def test_readme_configuration_table_matches_the_code():
    read, documented = variables_read(), readme_rows()
    assert read - documented == set(), "read by the code but missing from README's Configuration table"
    assert documented - read == set(), "in README's Configuration table but read by nothing"


def test_the_scan_finds_each_way_of_reading():
    # Each form the product uses, so a change in the scan cannot silently hide one.
    read = variables_read()
    assert {
        "QBO_SYNC_SCHEDULE",  # os.environ.get in a DAG file
        "QBO_SYNC_FERNET_KEY",  # a module constant (crypto.KEY_ENV)
        "QBO_ENVIRONMENT",  # a loop over literal pairs (companies/settings.py)
        "QBO_CLIENT_ID",  # env.get on the mapping passed in
        "AIRFLOW_CONN_QBO_SYNC_DB",  # an Airflow connection id
        "AIRFLOW_JWT_SECRET",  # docker-compose.yaml
    } <= read
    assert "GX_ANALYTICS_ENABLED" not in read  # set with setdefault: a write, not a read
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in read  # dev tooling only
