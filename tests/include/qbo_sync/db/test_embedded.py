"""The embedded PostgreSQL, driven as `make db` / `make stop` drive it (`python -m qbo_sync.db`),
each test in its own .local/ so it starts a real server of its own: start, reuse, stop, two
processes starting at once, and a data directory left by the old PostgreSQL 16 (pgserver)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import psycopg
import pytest

from qbo_sync.db import embedded

ROOT = Path(__file__).resolve().parents[4]


def cli_env(local: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "QBO_SYNC_DATABASE_URL"}
    env["QBO_SYNC_LOCAL_DIR"] = str(local)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "include"), env.get("PYTHONPATH", "")])
    return env


def db_cli(local: Path, command: str) -> subprocess.CompletedProcess[str]:
    # timeout: a guard against a hung start, not a measure of speed
    return subprocess.run(
        [sys.executable, "-m", "qbo_sync.db", command],
        env=cli_env(local),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def server_facts(url: str) -> tuple[int, object, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        version, started, backend = conn.execute(
            "SELECT current_setting('server_version_num')::int, pg_postmaster_start_time(), pg_backend_pid()"
        ).fetchone()
    return version, started, backend


@pytest.fixture
def local():
    """A fresh .local/ whose embedded server is stopped at the end, whatever happened.

    Not under pytest's tmp_path: as root the server runs as another user that must traverse
    the path, and every pytest session that starts resets /tmp/pytest-of-root to mode 0700."""
    local = Path(tempfile.mkdtemp(prefix="qbo-embedded-")) / "local"
    local.mkdir()
    yield local
    embedded.stop(local / "pgdata")
    shutil.rmtree(local.parent)


def test_url_starts_postgres_18_a_second_start_reuses_it_and_stop_stops_it(local):
    first = db_cli(local, "url")
    assert first.returncode == 0, first.stderr
    url = first.stdout.strip()
    assert f"host={local / 'pgdata'}" in url and "dbname=qbo_sync" in url
    assert (local / "pgdata" / "PG_VERSION").read_text().strip() == "18"
    version, started, _ = server_facts(url)
    assert version >= 180000

    second = db_cli(local, "url")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == url
    assert server_facts(url)[1] == started  # the same postmaster, not a restart

    stopped = db_cli(local, "stop")
    assert stopped.stdout.strip() == "embedded PostgreSQL stopped"
    with pytest.raises(psycopg.OperationalError):
        server_facts(url)
    assert db_cli(local, "stop").stdout.strip() == "embedded PostgreSQL was not running"


def test_a_server_that_will_not_start_says_where_its_log_is_and_what_to_do(local):
    assert db_cli(local, "url").returncode == 0
    assert db_cli(local, "stop").returncode == 0
    conf = local / "pgdata" / "postgresql.conf"
    conf.write_text(conf.read_text() + "\nno_such_setting = on\n")

    failed = db_cli(local, "url")

    assert failed.returncode == 2
    assert f"error: The embedded PostgreSQL in {local / 'pgdata'} did not start" in failed.stderr
    assert f"Its log, if it got that far: {local / 'pgdata' / 'log'}" in failed.stderr
    assert "`make clean` deletes .local/" in failed.stderr
    assert 'unrecognized configuration parameter "no_such_setting"' in (local / "pgdata" / "log").read_text()


def test_processes_starting_it_at_once_share_one_healthy_server(local):
    starters = [
        subprocess.Popen(
            [sys.executable, "-m", "qbo_sync.db", "url"],
            env=cli_env(local),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in starters]
    assert [rc for rc, _, _ in results] == [0] * 4, "\n".join(err for _, _, err in results)
    urls = {out.strip() for _, out, _ in results}
    assert len(urls) == 1
    (url,) = urls
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE probe (n int)")
        conn.execute("INSERT INTO probe SELECT generate_series(1, 100)")
        assert conn.execute("SELECT sum(n) FROM probe").fetchone() == (5050,)
    # one postmaster for the directory (its children rename themselves "postgres: ...")
    postmasters = [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and str(local / "pgdata") in (p.info["cmdline"] or [])
    ]
    assert len(postmasters) == 1
    log = (local / "pgdata" / "log").read_text()
    assert "database system is ready to accept connections" in log
    assert "another server might be running" not in log


def test_a_postgresql_16_data_directory_is_moved_aside_never_misread(local, tmp_path):
    old = local / "pgdata"
    (old / "base").mkdir(parents=True)
    (old / "PG_VERSION").write_text("16\n")
    (old / "base" / "demo-data").write_text("kept")
    # A server of the old directory still running: a process named postgres whose pid is in
    # postmaster.pid (a copy of `sleep`; the real PostgreSQL 16 is no longer installed).
    fake_postgres = tmp_path / "postgres"
    shutil.copy(shutil.which("sleep"), fake_postgres)
    # PostgreSQL handles SIGINT itself; `sleep` needs the default back where a shell that
    # started this test in the background left SIGINT ignored.
    old_server = subprocess.Popen(
        [str(fake_postgres), "600"], preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    )
    try:
        (old / "postmaster.pid").write_text(f"{old_server.pid}\n{old}\n")

        started = db_cli(local, "url")

        assert started.returncode == 0, started.stderr
        assert old_server.wait(timeout=60) is not None  # asked to shut down before the move
    finally:
        old_server.kill()
    aside = [p for p in local.iterdir() if p.name.startswith("pgdata-pg16-")]
    assert len(aside) == 1
    assert (aside[0] / "base" / "demo-data").read_text() == "kept"
    assert (aside[0] / "PG_VERSION").read_text().strip() == "16"
    assert "made by PostgreSQL 16" in started.stderr
    assert f"moved to {aside[0]}" in started.stderr and "`make demo` fills it again" in started.stderr
    assert (old / "PG_VERSION").read_text().strip() == "18"
    assert server_facts(started.stdout.strip())[0] >= 180000

    again = db_cli(local, "url")  # the new directory is this PostgreSQL's own: nothing moves
    assert again.returncode == 0 and again.stderr == ""
    assert len([p for p in local.iterdir() if p.name.startswith("pgdata-pg")]) == 1
