"""The sync fails a tenant whose settings no longer match its company before sending anything:
one explained outcome per staged record, never a QuickBooks fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.scenario import build_au_tenant


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def outcomes(db, run_id):
    return db.execute(
        "SELECT entity, source_id, status, error_code, cause, fix FROM qbo_sync.sync_log"
        " WHERE run_id = %s ORDER BY entity, source_id",
        (run_id,),
    ).fetchall()


def run_and_check_held_back(db, qbo_factory, company, run_id):
    before = len(qbo_factory(1).__enter__().query("select * from Invoice"))
    run_once(db, window(run_id), qbo_factory)
    rows = outcomes(db, run_id)
    staged = db.execute("SELECT count(*) FROM qbo_sync.run_items WHERE run_id = %s", (run_id,)).fetchone()[0]
    assert staged and len(rows) == staged
    assert {r[2:4] for r in rows} == {("failed", "company_settings_mismatch")}
    with qbo_factory(1) as qbo:
        assert len(qbo.query("select * from Invoice")) == before  # nothing was sent
        assert not qbo.query("select * from Customer where DisplayName like 'Jane%'")
    return rows[0][4], rows[0][5]


@pytest.fixture
def au_tenant(db, qbo_app):
    return build_au_tenant(db, qbo_app)


def test_a_company_in_another_country_fails_every_record_with_the_fix(db, au_tenant, qbo_factory):
    company, _good = au_tenant
    db.execute("UPDATE qbo_sync.tenant_settings SET region = 'US', company_country = 'US' WHERE tenant_id = 1")
    cause, fix = run_and_check_held_back(db, qbo_factory, company, "mismatch-country")
    name = db.execute("SELECT company_name FROM qbo_sync.tenant_settings").fetchone()[0]
    assert (
        f"settings are for a company in the United States, but its QuickBooks company '{name}' is in Australia" in cause
    )
    assert "python -m qbo_sync.companies facts --tenant-id 1" in fix
    assert "python -m qbo_sync.companies authorize --tenant-id 1" in fix


def test_a_home_currency_that_changed_fails_every_record(db, au_tenant, qbo_factory):
    company, _good = au_tenant
    db.execute("UPDATE qbo_sync.tenant_settings SET home_currency = 'NZD' WHERE tenant_id = 1")
    cause, fix = run_and_check_held_back(db, qbo_factory, company, "mismatch-currency")
    assert "home currency is NZD" in cause and "keeps its books in AUD" in cause
    assert "authorize --tenant-id 1" in fix


def test_a_tax_link_to_a_us_code_fails_outside_the_us(db, au_tenant, qbo_factory):
    company, _good = au_tenant
    db.execute("UPDATE qbo_sync.tax_code_map SET qbo_tax_code_id = 'TAX' WHERE tenant_id = 1 AND tax_rate_id = 1")
    cause, fix = run_and_check_held_back(db, qbo_factory, company, "mismatch-tax")
    assert "app tax rate 'GST' is linked to the US sales tax code TAX" in cause and "Australia" in cause
    assert "map-tax --tenant-id 1 --tax-rate 'GST'" in fix and "GST free" in fix


def test_a_tenant_whose_company_was_never_read_is_held_back(db, au_tenant, qbo_factory):
    company, _good = au_tenant
    db.execute(
        "UPDATE qbo_sync.tenant_settings SET region = NULL, company_country = NULL,"
        " home_currency = NULL WHERE tenant_id = 1"
    )
    cause, fix = run_and_check_held_back(db, qbo_factory, company, "mismatch-never-read")
    assert "do not say which country" in cause
    assert "python -m qbo_sync.companies facts --tenant-id 1" in fix


def test_matching_settings_sync_as_before(db, au_tenant, qbo_factory):
    run_once(db, window("match"), qbo_factory)
    codes = {r[3] for r in outcomes(db, "match")}
    assert "company_settings_mismatch" not in codes
    assert ("invoice", 1, "synced") in {r[:3] for r in outcomes(db, "match")}
