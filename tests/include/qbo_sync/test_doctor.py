"""`python -m qbo_sync doctor`: a healthy deployment passes; each check fails on a really
broken one (wrong key, unmigrated or unreachable database, missing connection, inactive
deposit account, unlinked rate, a company in another country) with its fix."""

from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
import uuid
from decimal import Decimal as D

import pytest
from cryptography.fernet import Fernet

from qbo_devkit.provision import provision_tenant
from qbo_sync.db.connection import airflow_connection_json, drop_database, ensure_database, with_dbname
from qbo_sync.doctor.cli import main
from qbo_sync.tenants.__main__ import main as tenants_main
from support.rows import insert


@pytest.fixture
def healthy(db, qbo_app, database_url, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_QBO_SYNC_DB", airflow_connection_json(database_url))
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1"))
    company = provision_tenant(db, qbo_app, 1, region="AU", tax_map={"GST": "GST"})
    db.commit()
    return company


def doctor(database_url, *args):
    out = io.StringIO()
    code = main(["--database-url", database_url, *args], out=out)
    return code, out.getvalue()


def test_a_healthy_deployment_says_all_good_per_tenant(healthy, database_url):
    code, out = doctor(database_url)
    assert code == 0, out
    assert "PROBLEM" not in out and out.rstrip().endswith("doctor: all good")
    assert "tenant 1 (Harbour Physio): all good - QuickBooks company 'Emulated AU" in out
    assert "(Australia, AUD)" in out and "none pending" in out


def test_python_m_qbo_sync_doctor_runs_it(healthy, database_url):
    done = subprocess.run(
        [sys.executable, "-m", "qbo_sync", "doctor", "--tenant-id", "1", "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tenant 1 (Harbour Physio): all good" in done.stdout


def test_a_wrong_fernet_key(healthy, database_url, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", Fernet.generate_key().decode())
    code, out = doctor(database_url)
    assert code == 1
    assert "does not open the stored QuickBooks tokens of tenant 1 (Harbour Physio)" in out
    assert "rotate-key" in out and "authorize --tenant-id N" in out


def test_an_unmigrated_database(qbo_app, pg_server_url):
    name = f"qbo_doctor_{uuid.uuid4().hex[:8]}"
    ensure_database(pg_server_url, name)
    try:
        code, out = doctor(with_dbname(pg_server_url, name))
    finally:
        drop_database(pg_server_url, name)
    assert code == 1
    assert "migration(s) not applied to the database: 0001_billing_schema" in out
    assert "0006_company_facts" in out and "`make db`" in out


def test_an_unreachable_database(qbo_app):
    code, out = doctor("postgresql://postgres@127.0.0.1:1/qbo_sync")
    assert code == 1
    assert "the project database at 127.0.0.1:1/qbo_sync cannot be reached" in out
    assert "QBO_SYNC_DATABASE_URL" in out


def test_a_missing_airflow_connection(healthy, database_url, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_QBO_SYNC_DB")
    code, out = doctor(database_url)
    assert code == 1
    assert "the Airflow connection qbo_sync_db (the project database the DAGs use) is missing" in out
    assert "python -m qbo_sync.db airflow-conn" in out and "Admin > Connections" in out


def test_an_inactive_deposit_account(db, healthy, database_url, qbo_factory):
    with qbo_factory(1) as qbo:
        bank = qbo.create("Account", {"Name": "Old Cheque Account", "AccountType": "Bank"}).entity
        db.execute("UPDATE qbo_sync.tenant_settings SET deposit_account_id = %s", (str(bank["Id"]),))
        db.commit()
        qbo.update("Account", {"Id": bank["Id"], "SyncToken": bank["SyncToken"], "Active": False}, sparse=True)
    code, out = doctor(database_url)
    assert code == 1
    assert "the deposit account 'Old Cheque Account' is inactive in QuickBooks company" in out
    assert "Chart of accounts" in out and "--deposit-account NAME" in out


def test_an_unlinked_tax_rate(db, healthy, database_url, monkeypatch):
    insert(db, "billing.tax_rates", id=2, tenant_id=1, name="Export", rate=D("0"))
    db.commit()
    code, out = doctor(database_url, "--tenant-id", "1")
    assert code == 1
    assert "app tax rate 'Export' (0%) is not linked to a tax code" in out
    # The fix names a real code that charges the rate, and can be followed as written.
    [command] = re.findall(r"`python -m qbo_sync\.tenants (map-tax --tenant-id 1 --tax-rate 'Export'[^`]*)`", out)
    assert "<" not in command and "NAME" not in command
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)  # the tenants CLI's database
    assert tenants_main(shlex.split(command)) == 0
    code, out = doctor(database_url, "--tenant-id", "1")
    assert code == 0 and "Export" not in out


def test_a_rate_no_tax_code_charges(db, healthy, database_url):
    insert(db, "billing.tax_rates", id=3, tenant_id=1, name="Old levy", rate=D("0.175"))
    db.commit()
    code, out = doctor(database_url, "--tenant-id", "1")
    assert code == 1
    assert "No tax code of the company charges 17.5%" in out and "make it inactive in the billing app" in out


def test_a_company_in_another_country_than_the_settings(db, healthy, database_url):
    db.execute("UPDATE qbo_sync.tenant_settings SET region = 'UK', company_country = 'GB'")
    db.commit()
    code, out = doctor(database_url)
    assert code == 1
    assert "settings are for a company in the United Kingdom, but its QuickBooks company" in out
    assert "is in Australia" in out and "python -m qbo_sync.companies facts --tenant-id 1" in out


def test_a_revoked_connection_is_named_with_the_command(db, healthy, database_url):
    db.execute(
        "UPDATE qbo_sync.tenant_connections SET status = 'reconnect_required',"
        " status_reason = 'run `python -m qbo_sync.companies authorize --tenant-id 1`'"
    )
    db.commit()
    code, out = doctor(database_url)
    assert code == 1
    assert "tenant 1 (Harbour Physio): the connection to QuickBooks company" in out
    assert "is reconnect_required" in out and "authorize --tenant-id 1" in out


def test_the_demo_shows_the_doctor_naming_the_revoked_tenant(db, qbo_app, database_url, monkeypatch):
    import os

    from qbo_devkit.demo import run_doctor, setup_tenants
    from qbo_devkit.generator.dataset import generate

    manifest = generate(db, seed=7, tenants=3, invoices=30, replace=True)
    db.commit()
    setup_tenants(db, qbo_app, manifest, qbo_app.app_credentials)
    revoked = [t.id for t in manifest.tenants if t.revoked]
    env = {
        **os.environ,
        "AIRFLOW_CONN_QBO_SYNC_DB": airflow_connection_json(database_url),
        "QBO_SYNC_DATABASE_URL": database_url,
    }
    text = run_doctor(env)
    assert "(exit code 1;" in text
    # Before any run the tenant still reads 'connected': the doctor's own call is refused.
    assert f"PROBLEM  tenant {revoked[0]} (" in text
    assert "QuickBooks refused the tenant's connection" in text or "is reconnect_required" in text
    assert "python -m qbo_sync.companies authorize" in text
    others = [t.id for t in manifest.tenants if not t.revoked]
    for tenant_id in others:  # the others are checked too: all good, or a problem with its fix
        assert f"tenant {tenant_id} (" in text
