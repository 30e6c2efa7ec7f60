"""QuickBooksHook: the quickbooks connection from AIRFLOW_CONN_QUICKBOOKS_DEFAULT, a real call."""

from __future__ import annotations

import json
import secrets

import pytest


@pytest.fixture(scope="module")
def hook_emulator():
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--no-limits") as emu:
        yield emu


@pytest.fixture
def quickbooks_conn(hook_emulator, monkeypatch):
    from cryptography.fernet import Fernet

    company = hook_emulator.create_company(region="AU")
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv(
        "AIRFLOW_CONN_QUICKBOOKS_DEFAULT",
        json.dumps(
            {
                "conn_type": "quickbooks",
                "login": company["client_id"],
                "password": company["client_secret"],
                "extra": {
                    "environment": "custom",
                    "api_base_url": hook_emulator.base_url,
                    "discovery_url": hook_emulator.sandbox_discovery_url,
                    "minor_version": "75",
                    "requests_per_minute": "10000",
                    "batches_per_minute": "10000",
                    "max_concurrent": "5",
                    "requests_per_second": "0",
                    "minute_seconds": "60",
                    "throttle_wait_seconds": "2",
                    "max_tries": "4",
                },
            }
        ),
    )
    return company


def test_hook_reads_the_connection_and_makes_a_real_call(db, database_url, quickbooks_conn, monkeypatch):
    from qbo_airflow.hooks.quickbooks_hook import QuickBooksHook
    from qbo_client import TokenSet
    from qbo_sync.companies import connect_tenant

    masked = []
    monkeypatch.setattr("qbo_airflow.hooks.quickbooks_hook._mask", masked.append)
    connect_tenant(db, 21, quickbooks_conn["realm_id"], TokenSet(None, quickbooks_conn["refresh_token"], None, None))

    hook = QuickBooksHook()
    settings = hook.get_app_settings()
    assert settings.environment.name == "custom" and settings.minor_version == 75
    assert settings.budget.max_concurrent == 5 and settings.budget.throttle_wait_seconds == 2.0
    assert settings.retry.max_tries == 4
    assert quickbooks_conn["client_secret"] not in repr(settings) + repr(hook)
    with hook.get_client(21, db=database_url) as qbo:
        rows = qbo.query("select * from CompanyInfo")
        assert rows and qbo.realm_id == quickbooks_conn["realm_id"]
        stored = qbo._store.current()
    # The client secret and every token the client saw were handed to mask_secret.
    assert quickbooks_conn["client_secret"] in masked
    assert stored.access_token in masked and stored.refresh_token in masked
    assert hook.test_connection()[0] is True


def test_mask_secret_is_airflows():
    # Outside a task too, the value goes to Airflow's own masker: any text Airflow redacts
    # for its logs shows it as ***.
    from airflow.sdk._shared.secrets_masker import redact

    from qbo_airflow.hooks import quickbooks_hook

    secret = f"a-long-enough-secret-value-{secrets.token_hex(4)}"
    assert redact(f"token={secret}") == f"token={secret}"  # not masked before
    quickbooks_hook._mask(secret)
    assert redact(f"token={secret}") == "token=***"


def test_ui_structures():
    from qbo_airflow.hooks.quickbooks_hook import QuickBooksHook

    assert QuickBooksHook.conn_type == "quickbooks" and QuickBooksHook.default_conn_name == "quickbooks_default"
    assert QuickBooksHook.hook_name and QuickBooksHook.conn_name_attr == "quickbooks_conn_id"
    behaviour = QuickBooksHook.get_ui_field_behaviour()
    assert set(behaviour) == {"hidden_fields", "relabeling", "placeholders"}
    assert behaviour["relabeling"] == {"login": "Client ID", "password": "Client Secret"}
    assert "host" in behaviour["hidden_fields"] and "password" not in behaviour["hidden_fields"]
    widgets = QuickBooksHook.get_connection_form_widgets()
    for key in (
        "environment",
        "api_base_url",
        "discovery_url",
        "minor_version",
        "requests_per_minute",
        "batches_per_minute",
        "max_concurrent",
        "minute_seconds",
        "throttle_wait_seconds",
        "max_tries",
    ):
        assert key in widgets
    if isinstance(widgets["environment"], dict):  # without the Flask UI packages
        assert widgets["minor_version"]["default"] == 75 and widgets["environment"]["default"] == "production"


def test_bad_connection_is_a_clear_error(monkeypatch):
    from qbo_airflow.hooks.quickbooks_hook import QuickBooksHook
    from qbo_sync.companies import AppSettingsError

    monkeypatch.setenv(
        "AIRFLOW_CONN_QB_BAD",
        json.dumps(
            {"conn_type": "quickbooks", "login": "id", "password": "secret-value", "extra": {"environment": "custom"}}
        ),
    )
    with pytest.raises(AppSettingsError) as caught:
        QuickBooksHook("qb_bad").get_app_settings()
    assert "api_base_url" in str(caught.value) and "secret-value" not in str(caught.value)
