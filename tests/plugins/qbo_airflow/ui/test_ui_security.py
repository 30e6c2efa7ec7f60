"""Issue 16, against the page in a real Airflow API server: tenant scoping with two users who
see different tenants (and one who sees none), no request forgery through ``Host``, no
messages taken from the URL, no framing by other sites, and escaping that stays on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from conftest import ROOT  # this folder's conftest (pytest puts the folder on sys.path)
from markupsafe import escape

from qbo_sync import outcomes
from qbo_sync.operations import controls
from support.access import grant
from support.rows import insert
from support.scenario import build_au_tenant


def log(db, tenant_id, source_id, ref, status="failed", **fields):
    outcomes.record(
        db,
        outcomes.RunContext("qbo_sync", fields.pop("run_id", "manual__sec"), "load_invoices"),
        outcomes.Outcome(
            tenant_id=tenant_id,
            entity="invoice",
            source_id=source_id,
            source_ref=ref,
            action="create",
            status=status,
            amount=Decimal("10.00"),
            cause=fields.pop("cause", "Bad number"),
            fix=fields.pop("fix", "Renumber it."),
            **fields,
        ),
    )


@pytest.fixture
def two_tenants(db, qbo_app):
    """Harbour Physio (tenant 1, synced for real) and Northside Dental (tenant 2)."""
    build_au_tenant(db, qbo_app)
    insert(db, "billing.tenants", id=2, name="Northside Dental", currency="AUD", timezone="Australia/Sydney")
    log(db, 1, 5, "INV-0005")
    log(db, 2, 7, "ND-0007")
    return db


def tenants_cli(database_url, *args):
    """`python -m qbo_sync.tenants access ...`, as an admin types it (no code)."""
    env = {
        **os.environ,
        "QBO_SYNC_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "qbo_sync.tenants", "access", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class User:
    def __init__(self, server, name):
        self.server, self.name = server, name
        self.auth = {"Authorization": f"Bearer {server.token(name)}"}

    def get(self, path, **params):
        return requests.get(
            f"{self.server.url}/qbo-sync{path}", params=params, headers=self.auth, timeout=30, allow_redirects=False
        )

    def csrf(self, tenant_id):
        page = self.get("/", tenant_id=tenant_id)
        assert page.status_code == 200, page.text
        return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)

    def post(self, path, data, csrf, **headers):
        return requests.post(
            f"{self.server.url}/qbo-sync{path}",
            data={**data, "csrf": csrf},
            timeout=30,
            headers={**self.auth, **headers},
            allow_redirects=False,
        )


def resync_runs(server):
    response = requests.get(
        f"{server.url}/api/v2/dags/qbo_resync/dagRuns",
        timeout=30,
        headers={"Authorization": f"Bearer {server.token('admin')}"},
    )
    response.raise_for_status()
    return response.json()["dag_runs"]


def test_two_users_see_and_act_on_different_tenants_and_an_unmapped_one_sees_none(
    airflow_server, two_tenants, database_url
):
    db = two_tenants
    said = tenants_cli(database_url, "grant", "--user", "clerk", "--tenant-id", "1")
    assert "user clerk: tenant 1 granted" in said
    assert "role op: tenant 2 granted" in tenants_cli(database_url, "grant", "--role", "Op", "--tenant-id", "2")
    listed = tenants_cli(database_url, "list")
    assert "user clerk: tenant 1 (Harbour Physio)" in listed and "role op: tenant 2 (Northside Dental)" in listed
    clerk, ops, admin, nobody = (User(airflow_server, u) for u in ("clerk", "ops", "admin", "nobody"))

    # clerk (a Viewer granted tenant 1 by name): tenant 1 only.
    page = clerk.get("/")
    assert page.status_code == 200 and "INV-0005" in page.text
    assert "Harbour Physio" in page.text and "Northside Dental" not in page.text and "ND-0007" not in page.text
    refused = clerk.get("/", tenant_id=2)
    assert refused.status_code == 403 and "ND-0007" not in refused.text
    assert "clerk may not see or act on tenant 2" in refused.text
    assert "python -m qbo_sync.tenants access grant --user clerk --tenant-id N" in refused.text
    assert clerk.get("/records.csv", tenant_id=1).status_code == 200
    exported = clerk.get("/records.csv", tenant_id=2)
    assert exported.status_code == 403 and "ND-0007" not in exported.text

    # ops (role Op, granted tenant 2 through the role): tenant 2 only, and may act there only.
    page = ops.get("/")
    assert page.status_code == 200 and "ND-0007" in page.text and "Harbour Physio" not in page.text
    assert "INV-0005" not in page.text
    assert ops.get("/", tenant_id=1).status_code == 403
    assert ops.get("/records.csv", tenant_id=1).status_code == 403
    runs_before = len(resync_runs(airflow_server))
    csrf = ops.csrf(2)
    for action in ("resync_failed", "resync", "exclude", "include"):
        form = {"action": action, "tenant_id": "1", "entity": "invoice", "source_id": "5"}
        answered = ops.post("/actions", form, csrf)
        assert answered.status_code == 403 and "may not see or act on tenant 1" in answered.text, action
    started = ops.post("/connect", {"tenant_id": "1"}, csrf)
    assert started.status_code == 403 and "may not see or act on tenant 1" in started.text
    assert len(resync_runs(airflow_server)) == runs_before
    assert db.execute("SELECT count(*) FROM qbo_sync.oauth_connect_states").fetchone() == (0,)
    acted = ops.post("/actions", {"action": "exclude", "tenant_id": "2", "entity": "invoice", "source_id": "7"}, csrf)
    assert acted.status_code == 303 and "Exclude+requested" in acted.headers["location"]
    runs = resync_runs(airflow_server)
    assert len(runs) == runs_before + 1 and runs[-1]["conf"]["tenant_id"] == 2

    # admin: every tenant, without any grant.
    page = admin.get("/", tenant_id=2)
    assert page.status_code == 200 and "Harbour Physio" in page.text and "Northside Dental" in page.text
    assert admin.get("/records.csv", tenant_id=1).status_code == 200

    # nobody (no grant): nothing, and who grants access.
    page = nobody.get("/")
    assert page.status_code == 200 and 'id="no-access"' in page.text
    assert "INV-0005" not in page.text and "ND-0007" not in page.text and "Harbour" not in page.text
    assert "python -m qbo_sync.tenants access grant --user nobody --tenant-id N" in page.text
    assert nobody.get("/records.csv", tenant_id=1).status_code == 403

    # Revoked without code: clerk now sees nothing either.
    assert "user clerk: tenant 1 revoked" in tenants_cli(database_url, "revoke", "--user", "clerk", "--tenant-id", "1")
    page = clerk.get("/")
    assert 'id="no-access"' in page.text and "INV-0005" not in page.text
    assert clerk.get("/", tenant_id=1).status_code == 403


@pytest.fixture
def catcher():
    """An HTTP server standing for an attacker's: records every request it gets."""
    got = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self):
            got.append({"path": self.path, "authorization": self.headers.get("Authorization")})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"dag_run_id": "stolen", "detail": "token received"}')

        do_GET = do_POST = _record

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.got = got
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_forged_host_header_does_not_send_the_users_token_elsewhere(airflow_server, two_tenants, catcher):
    admin = User(airflow_server, "admin")
    csrf = admin.csrf(1)
    runs_before = len(resync_runs(airflow_server))
    forged = f"127.0.0.1:{catcher.server_address[1]}"
    answered = admin.post("/actions", {"action": "resync_failed", "tenant_id": "1"}, csrf, Host=forged)
    assert catcher.got == []  # the attacker's server heard nothing, and saw no token
    assert answered.status_code == 303 and "Resync+of+all+failures+requested" in answered.headers["location"]
    assert len(resync_runs(airflow_server)) == runs_before + 1  # it went to this Airflow's own API


def test_messages_are_shown_only_when_the_server_signed_them_for_this_user(airflow_server, two_tenants):
    from urllib.parse import parse_qs, urlparse

    admin, ops = User(airflow_server, "admin"), User(airflow_server, "ops")
    spoof = "Your session expired: sign in again at https://evil.example/login"
    for params in ({"error": spoof}, {"msg": spoof}, {"error": spoof, "sig": "0" * 64}):
        page = admin.get("/", tenant_id=1, **params)
        assert page.status_code == 200 and "evil.example" not in page.text and 'class="flash' not in page.text
    # A real action's message is shown to the user it was made for...
    acted = admin.post("/actions", {"action": "resync_failed", "tenant_id": "1"}, admin.csrf(1))
    location = acted.headers["location"]
    shown = requests.get(f"{airflow_server.url}{location}", headers=admin.auth, timeout=30)
    assert 'class="flash ok"' in shown.text and "Resync of all failures requested" in shown.text
    # ...but its link, with its signature, shows nothing to another user, nor edited.
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    grant(two_tenants, [1], user="ops")
    other = ops.get("/", **query)
    assert other.status_code == 200 and 'class="flash' not in other.text
    edited = admin.get("/", **{**query, "msg": query["msg"] + " Now sign in at https://evil.example"})
    assert 'class="flash' not in edited.text


def test_no_site_may_frame_any_answer(airflow_server, two_tenants):
    admin = User(airflow_server, "admin")
    answers = {
        "page": admin.get("/", tenant_id=1),
        "csv": admin.get("/records.csv", tenant_id=1),
        "refused": User(airflow_server, "nobody").get("/records.csv", tenant_id=1),
        "no login": requests.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1", allow_redirects=False, timeout=30),
        "stylesheet": requests.get(f"{airflow_server.url}/qbo-sync/static/page.css", timeout=30),
        "action redirect": admin.post("/actions", {"action": "resync_failed", "tenant_id": "1"}, admin.csrf(1)),
    }
    assert [a.status_code for a in answers.values()] == [200, 200, 403, 307, 200, 303]
    for name, answer in answers.items():
        assert answer.headers.get("content-security-policy") == "frame-ancestors 'self'", name
        assert answer.headers.get("x-frame-options") == "SAMEORIGIN", name


HOSTILE = "<script>alert('{0}')</script><img src=x onerror=\"{0}\">&amp;"


def test_hostile_strings_in_every_field_come_out_escaped(airflow_server, db):
    """Names, numbers, codes, causes, fixes, notes, adjustments, run ids, the connection's
    reason and realm, the user's note: each carries markup that must come out as text."""
    fields = {}

    def h(name):
        fields[name] = HOSTILE.format(name)
        return fields[name]

    insert(db, "billing.tenants", id=1, name=h("tenant_name"), currency="AUD", timezone="Australia/Sydney")
    insert(
        db,
        "qbo_sync.tenant_connections",
        tenant_id=1,
        realm_id=h("realm"),
        status="connected",
        status_reason=h("status_reason"),
    )
    log(
        db,
        1,
        5,
        h("source_ref"),
        cause=h("cause"),
        fix=h("fix"),
        error_code=h("error_code"),
        adjustments=h("adjustments"),
        qbo_id=h("qbo_id"),
        run_id=h("run_id"),
    )
    controls.apply(
        db,
        action="exclude",
        tenant_id=1,
        entity="invoice",
        source_ids=[5],
        requested_by=h("updated_by"),
        note=h("note"),
    )
    page = User(airflow_server, "admin").get("/", tenant_id=1, q="", status="")
    assert page.status_code == 200
    text = page.text
    for name, value in fields.items():
        if name == "updated_by":
            continue  # shown only through its note
        assert str(escape(value)) in text, name  # as text, every character kept
    assert "<script" not in text and "<img" not in text  # no markup of theirs at all
    # The search box echoes the query: escaped too.
    searched = User(airflow_server, "admin").get("/", tenant_id=1, q=HOSTILE.format("q"))
    assert str(escape(HOSTILE.format("q"))) in searched.text and "<script" not in searched.text
