"""Every DAG file imports cleanly, is documented, owned, tagged, retried, and light to parse (it
imports nothing heavy; how fast it parses is measured by `make bench`, section dags)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAG_FILES = sorted((ROOT / "dags").glob("*.py"))
HEAVY_MODULES = ("great_expectations", "pandas", "qbo_client", "qbo_emulator", "psycopg")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_there_are_dag_files():
    assert DAG_FILES, "dags/ holds no DAG file"


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_every_file_defines_a_dag(dagbag):
    files_with_dags = {Path(d.fileloc).name for d in dagbag.dags.values()}
    assert {f.name for f in DAG_FILES} <= files_with_dags


@pytest.mark.parametrize("dag_id", ["qbo_sync", "qbo_resync", "qbo_reconcile"])
def test_expected_dags_exist(dagbag, dag_id):
    assert dag_id in dagbag.dags


def test_dags_have_tags_owner_retries_and_docs(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 200, f"{dag_id} lacks doc_md for newcomers"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
            assert task.retries >= 1, f"{dag_id}.{task.task_id} is not retried"


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_parsing_imports_nothing_heavy(dag_file):
    # Heavy libraries belong inside tasks: the DAG processor re-parses files constantly.
    code = (
        "import json, runpy, sys; runpy.run_path(sys.argv[1]);"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")]))
    out = subprocess.run(
        [sys.executable, "-c", code, str(dag_file)], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_a_dag_file_never_shadows_a_package(dag_file):
    # Airflow puts dags/ on sys.path: dags/qbo_sync.py would hide include/qbo_sync from tasks.
    for folder in ("include", "plugins"):
        assert not (ROOT / folder / dag_file.stem).exists(), f"{dag_file.name} shadows {folder}/{dag_file.stem}"
