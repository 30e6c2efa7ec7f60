"""docs/operations.md "Backfills", followed as written: `make airflow` in one shell, the
documented commands in a second one, and the backfill's runs complete (none stays queued)
and sync each day's invoices exactly once.

The commands are read from the document's marked blocks (``<!-- backfill: NAME -->``) and run
in bash in the repository root. Only this is adapted, as a reader's machine differs from a
test's: `make airflow` gets this test's databases, QuickBooks emulator, key, a scratch
AIRFLOW_HOME and a free port through the environment variables it already honours (and
``-o .venv/.installed``, so the shared virtualenv is not reinstalled); the second shell starts
from an empty environment, and ``$PWD/.local/airflow`` in its export is that scratch home;
before step 2 the test waits for the DAG processor to have parsed ``qbo_sync``, as the reader
waits for the UI to list it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from qbo_sync.db.sqlfiles import load_sql
from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"
MARK = re.compile(r"<!-- backfill: (\w+) -->")
WAIT = 480  # seconds at most for Airflow to come up and the runs to end (a bound on waiting, not a measure)


def blocks() -> dict[str, list[str]]:
    """The commands of each marked block of the Backfills section, in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Backfills") :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    found = {}
    for match in MARK.finditer(section):
        block = section[match.end() :].split("```", 2)[1]
        found[match.group(1)] = [line.strip() for line in block.strip("\n").splitlines() if line.strip()]
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LOCKED = "database is locked"


def second_shell(commands: list[str], home: Path, scratch: Path) -> subprocess.CompletedProcess:
    """The reader's second shell: a fresh environment, in the repository, the commands as
    written (each call is a new bash: the caller repeats step 2's export first). A command
    that meets SQLite's lock is run again, as the document says to."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(scratch), "LANG": "C.UTF-8"}
    lines = [c.replace("$PWD/.local/airflow", str(home)) for c in commands]
    script = [f"cd {ROOT}"]
    for line in lines:
        if line.startswith("export "):
            script.append(line)
        else:  # up to 5 tries, only while the answer is SQLite's lock
            script.append(
                f"for try in 1 2 3 4 5; do {{ {line} ; }} 2>/tmp/.e.$$ && break; rc=$?; "
                f"cat /tmp/.e.$$ >&2; grep -q '{LOCKED}' /tmp/.e.$$ || exit $rc; "
                "[ $try = 5 ] && exit $rc; sleep 2; done"
            )
    script = [part.replace("/tmp/.e.$$", str(scratch / "stderr")) for part in script]
    return subprocess.run(["bash", "-c", "\n".join(script)], env=env, capture_output=True, text=True, timeout=300)


def metadata(home: Path, statement: str) -> list[tuple]:
    """Read Airflow's metadata database (SQLite under ``make airflow``) without writing."""
    try:
        with sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute(statement).fetchall()
    except sqlite3.OperationalError:  # not created yet, or locked for a moment
        return []


def test_the_documented_steps_are_there():
    found = blocks()
    assert list(found) == ["airflow", "preview", "create", "watch"]
    assert found["airflow"][-1].endswith("make airflow")
    assert "dags unpause qbo_sync" in " ".join(found["preview"])  # else its runs stay queued
    assert found["preview"][-1] == found["create"][0] + " --dry-run"


def _days(create: str) -> list[date]:
    start = date.fromisoformat(re.search(r"--from-date (\S+)", create).group(1))
    end = date.fromisoformat(re.search(r"--to-date (\S+)", create).group(1))
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.fixture
def make_airflow(tmp_path, database_url, airflow_conns):
    """Step 1, `make airflow` as the document writes it, with this test's parts."""
    home = tmp_path / "airflow"
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__") and k not in ("AIRFLOW_HOME", "PYTHONPATH")
    }
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "QBO_SYNC_DATABASE_URL": database_url,
            "QBO_SYNC_LOCAL_DIR": str(tmp_path / "local"),  # nothing of the test lands in .local/
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
        }
    )
    command = blocks()["airflow"][-1].replace("make airflow", "make -o .venv/.installed airflow")
    log = tmp_path / "make-airflow.log"
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield home, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _backfill_states(output: str) -> dict[str, str]:
    """run_id -> state of the backfill runs in `airflow dags list-runs` output."""
    states = {}
    for line in output.splitlines():
        run = re.search(r"(backfill__\S+)", line)
        state = re.search(r"\b(queued|running|success|failed)\b", line)
        if run and state:
            states[run.group(1)] = state.group(1)
    return states


def test_the_backfill_procedure_works_as_written(db, make_airflow, qbo_factory, airflow_conns, tmp_path):
    home, log = make_airflow
    steps = blocks()
    days = _days(steps["create"][0])
    assert len(days) == 3
    # One good invoice changed on each day of the range; everything else long before it.
    build_au_tenant(db, airflow_conns)
    db.execute(
        load_sql("companies/set_sync_from"),
        {"tenant_id": 1, "sync_from": datetime.combine(days[0], datetime.min.time(), UTC) - timedelta(days=30)},
    )
    for invoice_id, day in zip((1, 2, 11), days, strict=False):
        moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
        db.execute(
            "UPDATE billing.invoices SET finalized_at = %s, updated_at = %s WHERE id = %s", (moment, moment, invoice_id)
        )
    db.execute(
        "UPDATE billing.invoices SET updated_at = %s WHERE id NOT IN (1, 2, 11)",
        (datetime.combine(days[0], datetime.min.time(), UTC) - timedelta(days=10),),
    )

    shell_home = tmp_path / "shell"
    shell_home.mkdir()
    deadline = time.monotonic() + WAIT
    while not metadata(home, "SELECT 1 FROM serialized_dag WHERE dag_id = 'qbo_sync'"):
        # the reader waits for the UI to list qbo_sync
        assert time.monotonic() < deadline, f"qbo_sync never parsed:\n{log.read_text()[-3000:]}"
        time.sleep(2)

    preview = second_shell(steps["preview"], home, shell_home)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    for day in days:
        assert day.isoformat() in preview.stdout, preview.stdout

    created = second_shell([steps["preview"][0], *steps["create"]], home, shell_home)
    assert created.returncode == 0, created.stdout + created.stderr

    ended = "SELECT run_id FROM dag_run WHERE run_type = 'backfill' AND state IN ('success', 'failed')"
    while len(metadata(home, ended)) < 3:
        assert time.monotonic() < deadline, (
            f"runs did not end: {metadata(home, 'SELECT run_id, state FROM dag_run')}\n{log.read_text()[-3000:]}"
        )
        time.sleep(3)
    watched = second_shell([steps["preview"][0], *steps["watch"]], home, shell_home)  # as written
    assert watched.returncode == 0, watched.stderr
    states = _backfill_states(watched.stdout)
    assert len(states) == 3 and set(states.values()) == {"success"}, watched.stdout

    # One at a time, oldest first (--max-active-runs 1): each run started after the previous ended.
    spans = metadata(
        home, "SELECT logical_date, start_date, end_date FROM dag_run WHERE run_type = 'backfill' ORDER BY logical_date"
    )
    assert len(spans) == 3 and all(later[1] >= earlier[2] for earlier, later in zip(spans, spans[1:], strict=False)), (
        spans
    )

    synced = {}
    for run_id, logical_date in metadata(home, "SELECT run_id, logical_date FROM dag_run WHERE run_type = 'backfill'"):
        rows = db.execute(
            "SELECT source_id FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'invoice' AND status = 'synced'",
            (run_id,),
        ).fetchall()
        synced[logical_date[:10]] = {r[0] for r in rows}
    assert synced == {days[0].isoformat(): {1}, days[1].isoformat(): {2}, days[2].isoformat(): {11}}
    with qbo_factory(1) as client:  # each in QuickBooks once
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3
