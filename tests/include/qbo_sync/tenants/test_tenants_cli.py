"""`python -m qbo_sync.tenants`: settings checked against the tenant's QuickBooks company."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from qbo_devkit.provision import provision_tenant
from qbo_sync.tenants.__main__ import main
from support.rows import insert


@pytest.fixture
def tenant(db, qbo_app, database_url, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1"))
    return provision_tenant(db, qbo_app, 1, region="AU")


def test_map_tax_links_a_rate_to_the_code_with_that_name(db, tenant, capsys):
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "GST", "--tax-code", "GST"]) == 0
    stored = db.execute("SELECT qbo_tax_code_id FROM qbo_sync.tax_code_map WHERE tenant_id = 1").fetchone()
    assert stored == (tenant["tax_codes"]["GST"],)
    assert "GST" in capsys.readouterr().out


def test_a_misspelt_tax_code_is_refused_with_what_exists(db, tenant, capsys):
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "GST", "--tax-code", "GTS"]) == 2
    err = capsys.readouterr().err
    assert "no active TaxCode called 'GTS'" in err and "GST free" in err
    assert db.execute("SELECT count(*) FROM qbo_sync.tax_code_map").fetchone() == (0,)


def test_an_unknown_app_tax_rate_is_refused(tenant, capsys):
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "VAT", "--tax-code", "GST"]) == 2
    assert "no tax rate named 'VAT'" in capsys.readouterr().err


def test_set_resolves_item_names_and_policies(db, tenant, capsys):
    code = main(
        [
            "set",
            "--tenant-id",
            "1",
            "--default-product-item",
            "Product",
            "--name-clash-policy",
            "suffix",
            "--display-name-template",
            "{name} #{tag}",
        ]
    )
    assert code == 0
    row = db.execute(
        "SELECT default_product_item_id, name_clash_policy, display_name_template"
        " FROM qbo_sync.tenant_settings WHERE tenant_id = 1"
    ).fetchone()
    assert row == (tenant["product_item_id"], "suffix", "{name} #{tag}")
    assert "NOT LINKED" in capsys.readouterr().out  # GST is not linked yet


def test_a_template_without_the_name_is_refused(tenant, capsys):
    assert main(["set", "--tenant-id", "1", "--display-name-template", "client {tag}"]) == 2
    assert "{name}" in capsys.readouterr().err


def test_map_tax_refuses_a_code_whose_rate_differs_and_changes_nothing(db, tenant, capsys):
    insert(db, "billing.tax_rates", id=2, tenant_id=1, name="Half GST", rate=D("0.0500"))
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "Half GST", "--tax-code", "GST"]) == 2
    err = capsys.readouterr().err
    assert "app tax rate Half GST is 5% but QuickBooks tax code 'GST' charges 10%" in err
    assert "No active QuickBooks tax code charges 5%" in err and "Nothing was changed" in err
    assert db.execute("SELECT count(*) FROM qbo_sync.tax_code_map").fetchone() == (0,)
    # A zero rate goes to any zero-rated code.
    insert(db, "billing.tax_rates", id=3, tenant_id=1, name="Exempt", rate=D("0"))
    assert main(["map-tax", "--tenant-id", "1", "--tax-rate", "Exempt", "--tax-code", "GST free"]) == 0


def test_map_tax_names_the_codes_with_the_app_rate(db, qbo_app, database_url, monkeypatch, capsys):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=2, name="Camden Dental")
    insert(db, "billing.tax_rates", id=20, tenant_id=2, name="Reduced VAT", rate=D("0.0500"))
    provision_tenant(db, qbo_app, 2, region="UK")
    assert main(["map-tax", "--tenant-id", "2", "--tax-rate", "Reduced VAT", "--tax-code", "20.0% S"]) == 2
    assert "Tax codes with 5%: 5.0% R." in capsys.readouterr().err
    assert main(["map-tax", "--tenant-id", "2", "--tax-rate", "Reduced VAT", "--tax-code", "5.0% R"]) == 0


def test_map_tax_does_not_compare_us_codes(db, qbo_app, database_url, monkeypatch):
    # A US line says TAX; the rate comes from the customer's location, not the code.
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=3, name="Austin Physio")
    insert(db, "billing.tax_rates", id=30, tenant_id=3, name="Sales tax", rate=D("0.0500"))
    provision_tenant(db, qbo_app, 3, region="US")
    assert main(["map-tax", "--tenant-id", "3", "--tax-rate", "Sales tax", "--tax-code", "California"]) == 0
    # What a US user picks: the pseudo code TAX every US company lists.
    assert main(["map-tax", "--tenant-id", "3", "--tax-rate", "Sales tax", "--tax-code", "TAX"]) == 0
    linked = "SELECT qbo_tax_code_id FROM qbo_sync.tax_code_map WHERE tenant_id = 3 AND tax_rate_id = 30"
    assert db.execute(linked).fetchone() == ("TAX",)


def test_invalid_email_policy_defaults_to_omit_and_can_be_set(db, tenant, capsys):
    policy = "SELECT invalid_email_policy FROM qbo_sync.tenant_settings WHERE tenant_id = 1"
    assert db.execute(policy).fetchone() == ("omit",)
    assert main(["set", "--tenant-id", "1", "--invalid-email-policy", "fail"]) == 0
    assert db.execute(policy).fetchone() == ("fail",)
    assert main(["set", "--tenant-id", "1", "--sync", "on"]) == 0  # other changes keep it
    assert db.execute(policy).fetchone() == ("fail",)
    with pytest.raises(SystemExit):
        main(["set", "--tenant-id", "1", "--invalid-email-policy", "drop"])
    assert "invalid choice: 'drop'" in capsys.readouterr().err


def test_the_refund_bank_account_must_be_a_bank_account(db, tenant, capsys):
    """The cheque paying back customer credit is drawn on it (payments/refund_checks.py)."""
    assert main(["set", "--tenant-id", "1", "--refund-bank-account", "Undeposited Funds"]) == 2
    err = capsys.readouterr().err
    assert "is of type Other Current Asset" in err and "Business Bank Account" in err
    stored = "SELECT refund_bank_account_id FROM qbo_sync.tenant_settings WHERE tenant_id = 1"
    assert db.execute(stored).fetchone() in (None, (None,))
    assert main(["set", "--tenant-id", "1", "--refund-bank-account", "Business Bank Account"]) == 0
    assert db.execute(stored).fetchone() == (tenant["bank_account_id"],)
    assert f"refund bank account    {tenant['bank_account_id']}\n" in capsys.readouterr().out
