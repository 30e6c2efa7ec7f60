"""No secret reaches the repository, the logs, XCom or the sync log.

One real run of the qbo_sync DAG (Airflow's dag.test, the project database, the emulator)
with a known client secret, Fernet key and tokens; then every place a secret could land is
read back and searched for each of them - raw and in the encodings a leak would take
(base64, URL-encoding, JSON escaping, hex, the HTTP Basic header)."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]


def encodings(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], raw.hex()}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode())
        forms.add(encode(raw).decode().rstrip("="))
    if len(secret) >= 32:  # a log line that shows "the start of the token" is a leak too
        forms.add(secret[:20])
    return {f for f in forms if len(f) >= 12}


def find(haystack: str, secrets: dict[str, set[str]]) -> list[str]:
    return sorted({name for name, forms in secrets.items() for form in forms if form in haystack})


@pytest.fixture(scope="module")
def qbo_sync_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags" / "qbo_sync_dag.py")).get_dag("qbo_sync")


def test_a_dag_run_leaves_no_secret_in_logs_xcom_or_tables(db, airflow_db, airflow_conns, qbo_sync_dag, caplog, capfd):
    import logging

    from airflow.configuration import conf

    from qbo_sync.companies import PostgresTokenStore

    for name in ("qbo_client", "qbo_sync", "qbo_airflow", "airflow.task"):
        caplog.set_level(logging.DEBUG, logger=name)
    company, _ = build_au_tenant(db, airflow_conns)
    client_id, client_secret = airflow_conns.app_credentials
    run = qbo_sync_dag.test(run_conf={"full_sync": True})
    assert run.get_task_instance("report").state == "success"

    store = PostgresTokenStore(db.info.dsn, 1)
    try:
        final = store.current()
    finally:
        store.close()
    token_calls = [r for r in airflow_conns.requests_log(company["realm_id"]) if r["path"].endswith("/tokens/bearer")]
    # One refresh in the run: the tokens below are every token that existed.
    assert len(token_calls) == 1
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    secrets = {
        "client secret": encodings(client_secret) | {basic},
        "Fernet key": encodings(os.environ["QBO_SYNC_FERNET_KEY"]),
        "first refresh token": encodings(company["refresh_token"]),
        "refresh token": encodings(final.refresh_token),
        "access token": encodings(final.access_token),
    }
    assert final.refresh_token != company["refresh_token"]

    # Everything the run printed or logged (dag.test runs the tasks in this process).
    out, err = capfd.readouterr()
    assert "Harbour Physio" in out + err + caplog.text  # the report block: the scan sees the run's output
    assert find(out + err, secrets) == []
    assert find("\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records), secrets) == []

    # Files Airflow wrote: task logs and any other log or config file under AIRFLOW_HOME.
    home = Path(os.environ["AIRFLOW_HOME"])
    scanned = 0
    for path in home.rglob("*"):
        if path.is_file() and path.suffix not in (".db", ".db-journal", ".db-wal"):
            assert find(path.read_text(errors="replace"), secrets) == [], path
            scanned += 1
    assert scanned >= 1

    # Airflow's metadata DB: XCom first, then every text of every table.
    metadata = sqlite3.connect(conf.get("database", "sql_alchemy_conn").split("///", 1)[1])
    try:
        xcoms = metadata.execute("SELECT task_id, key, value FROM xcom WHERE run_id = ?", (run.run_id,)).fetchall()
        assert {task for task, _, _ in xcoms} >= {"tenants", "tenant_groups", "sync", "report"}
        assert find(repr(xcoms), secrets) == []
        dump = "\n".join(metadata.iterdump())  # every row of every table, as SQL text
        assert run.run_id in dump and find(dump, secrets) == []
    finally:
        metadata.close()

    # The project database: the sync log and every text of every table, tokens' own table
    # included (its encrypted columns show as hex here, so plaintext bytes would show too).
    log_rows = db.execute("SELECT s::text FROM qbo_sync.sync_log AS s WHERE run_id = %s", (run.run_id,)).fetchall()
    assert len(log_rows) > 10 and find(repr(log_rows), secrets) == []
    tables = db.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_schema IN ('billing', 'qbo_sync') AND table_type = 'BASE TABLE'"
    ).fetchall()
    from psycopg import sql

    for schema, table in tables:
        rows = db.execute(sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(schema, table))).fetchall()
        assert find(repr(rows), secrets) == [], f"{schema}.{table}"
    assert ("qbo_sync", "tenant_connections") in tables


# Shapes of real secrets, whoever they belong to. Precise enough to have no false positive
# in this repository: test passwords and placeholders do not look like these.
SECRET_SHAPES = {
    "Fernet key": r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=",
    "emulator refresh token": r"RT1-[A-Za-z0-9_-]{30,}",
    "bearer token (JWT)": r"eyJ[A-Za-z0-9_-]{40,}",
    "Intuit refresh token": r"\bAB11\d{6,}[A-Za-z0-9]{20,}",
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "AWS access key": r"\bAKIA[0-9A-Z]{16}\b",
    "GitHub token": r"\bgh[pousr]_[A-Za-z0-9]{30,}",
    "Slack token": r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
}
# user:password@ in URLs: only the compose file's local-network defaults and placeholders.
URL_CREDENTIALS = re.compile(r"[a-z+]+://([^:@/\s\"'$]+):([^@/\s\"'$]+)@")
ALLOWED_URL_CREDENTIALS = {("airflow", "airflow"), ("USER", "PASSWORD")}
NEVER_TRACKED = re.compile(r"(^|/)(\.env|[^/]*\.key|[^/]*\.pem|fernet\.key|[^/]*passwords\.json[^/]*)$|^\.local/")


def tracked_files() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_the_repository_holds_no_secret():
    files = tracked_files()
    assert len(files) > 100
    assert [f for f in files if NEVER_TRACKED.search(f)] == []
    problems = []
    for name in files:
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        text = path.read_bytes().decode("utf-8", errors="replace")
        for shape, pattern in SECRET_SHAPES.items():
            for match in re.finditer(pattern, text):
                problems.append(f"{name}: looks like a {shape}: {match.group(0)[:12]}...")
        for user, password in URL_CREDENTIALS.findall(text):
            if (user, password) not in ALLOWED_URL_CREDENTIALS:
                problems.append(f"{name}: credentials in a URL for user {user}")
    assert problems == []
    # The example environment names every secret and fills in none.
    example = (ROOT / ".env.example").read_text()
    for key in ("AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "QBO_SYNC_FERNET_KEY"):
        assert re.search(rf"^{key}=$", example, flags=re.M), key


# Assembled at run time, so this file does not hold what the repository scan looks for.
@pytest.mark.parametrize(
    "text, shape",
    [
        ("QBO_SYNC_FERNET_KEY=" + "ZmDfcTF7_60GrrY167zsi" + "Pd67pEvs0aGOv2oasOM1Pg=", "Fernet key"),
        ("token RT1-" + "a" * 48, "emulator refresh token"),
        ("-----BEGIN RSA " + "PRIVATE KEY-----", "private key"),
        ("AB11745123456" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ012", "Intuit refresh token"),
    ],
)
def test_the_shapes_catch_real_looking_secrets(text, shape):
    assert re.search(SECRET_SHAPES[shape], text)
