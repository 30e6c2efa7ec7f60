"""`tenants set` / `map-tax` refuse what contradicts the company; `--sync-from` moves where
history starts, with its consequences said and carried out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_devkit.provision import provision_tenant
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.tenants.__main__ import main
from support.rows import insert
from support.scenario import CONNECTED, add_invoice, build_au_tenant


@pytest.fixture
def au(db, qbo_app, database_url, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1"))
    return provision_tenant(db, qbo_app, 1, region="AU")


def settings(db):
    return db.execute("SELECT region, no_tax_code_id FROM qbo_sync.tenant_settings WHERE tenant_id = 1").fetchone()


def test_region_is_the_companys_and_another_is_refused(db, au, capsys):
    assert settings(db)[0] == "AU"  # recorded from the company, not typed
    assert main(["set", "--tenant-id", "1", "--region", "US"]) == 2
    err = capsys.readouterr().err
    assert "--region US contradicts the company" in err and "is in Australia" in err
    assert "drop --region" in err and "Nothing was changed" in err
    assert settings(db)[0] == "AU"
    assert main(["set", "--tenant-id", "1", "--region", "AU"]) == 0  # the company's own: harmless


def test_us_codes_are_refused_outside_the_us(db, au, capsys):
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "GST", "--tax-code", "TAX"]) == 2
    err = capsys.readouterr().err
    assert "--tax-code 'TAX' is a US sales tax code" in err and "Australia" in err and "GST free" in err
    assert main(["set", "--tenant-id", "1", "--no-tax-code", "NON"]) == 2
    assert "--no-tax-code 'NON' is a US sales tax code" in capsys.readouterr().err
    assert db.execute("SELECT count(*) FROM qbo_sync.tax_code_map").fetchone() == (0,)


def test_settings_made_for_another_company_are_refused_until_its_facts_are_read(db, au, capsys):
    db.execute("UPDATE qbo_sync.tenant_settings SET region = 'US', company_country = 'US' WHERE tenant_id = 1")
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "GST", "--tax-code", "GST"]) == 2
    err = capsys.readouterr().err
    assert "settings are for a company in the United States" in err and "is in Australia" in err
    assert "python -m qbo_sync.companies facts --tenant-id 1" in err
    assert db.execute("SELECT count(*) FROM qbo_sync.tax_code_map").fetchone() == (0,)


def test_show_tells_the_company_and_the_sync_from(db, au, capsys):
    db.execute("UPDATE qbo_sync.tenant_connections SET connected_at = '2026-03-01T00:00:00Z'")
    assert main(["show", "--tenant-id", "1"]) == 0
    out = capsys.readouterr().out
    assert "company country        AU" in out and "home currency          AUD" in out
    assert "tax model              tax_codes" in out
    assert "sync from              2026-03-01 (records finalized earlier do not sync)" in out


def test_a_tenant_never_connected_has_no_region(db, database_url, monkeypatch, capsys):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=5, name="Not yet")
    assert main(["set", "--tenant-id", "5", "--name-clash-policy", "suffix"]) == 0
    assert db.execute("SELECT region FROM qbo_sync.tenant_settings WHERE tenant_id = 5").fetchone() == (None,)
    assert "(not known: the company was never read" in capsys.readouterr().out
    assert main(["set", "--tenant-id", "5", "--sync-from", "2026-01-01"]) == 2
    assert "is not connected to QuickBooks" in capsys.readouterr().err


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1))


def test_sync_from_earlier_syncs_what_was_historical_without_doubling(
    db, qbo_app, qbo_factory, database_url, monkeypatch, capsys
):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    build_au_tenant(db, qbo_app)  # INV-0007 was finalized two days before the tenant connected
    earlier = CONNECTED - timedelta(days=10)
    add_invoice(db, 20, "INV-0020", 1, [("1", "50", 1, None, None)], finalized=CONNECTED - timedelta(days=3))
    with qbo_factory(1) as qbo:  # INV-0020 was keyed into QuickBooks by hand meanwhile
        customer = qbo.create("Customer", {"DisplayName": "Hand keyed"})
        item, no_tax = db.execute(
            "SELECT default_service_item_id, no_tax_code_id FROM qbo_sync.tenant_settings"
        ).fetchone()
        qbo.create(
            "Invoice",
            {
                "DocNumber": "INV-0020",
                "CustomerRef": {"value": customer.id},
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": 50,
                        "SalesItemLineDetail": {"ItemRef": {"value": item}, "TaxCodeRef": {"value": no_tax}},
                    }
                ],
            },
        )
    run_once(db, window("before"), qbo_factory)
    status = dict(
        db.execute(
            "SELECT source_id, status FROM qbo_sync.sync_log WHERE run_id = 'before' AND entity = 'invoice'"
        ).fetchall()
    )
    assert status.get(7) is None or status[7] == "skipped"

    assert main(["set", "--tenant-id", "1", "--sync-from", earlier.date().isoformat()]) == 0
    out = capsys.readouterr().out
    assert "sync-from moved earlier" in out and "2 invoice(s)" in out and "not doubled" in out
    run_once(db, window("after"), qbo_factory)  # a plain hourly run: neither invoice changed
    got = dict(
        db.execute(
            "SELECT source_id, status || ' ' || coalesce(error_code, '') FROM qbo_sync.sync_log"
            " WHERE run_id = 'after' AND entity = 'invoice'"
        ).fetchall()
    )
    assert got[7] == "synced "
    assert got[20] == "failed number_used_in_quickbooks"  # found in QuickBooks: explained, not doubled
    with qbo_factory(1) as qbo:
        assert len(qbo.query("select * from Invoice where DocNumber = 'INV-0020'")) == 1
        assert len(qbo.query("select * from Invoice where DocNumber = 'INV-0007'")) == 1

    assert main(["set", "--tenant-id", "1", "--sync-from", datetime.now(UTC).date().isoformat()]) == 0
    out = capsys.readouterr().out
    assert "sync-from moved later" in out and "stay in QuickBooks as they are" in out
    with qbo_factory(1) as qbo:
        assert len(qbo.query("select * from Invoice where DocNumber = 'INV-0007'")) == 1
