"""Classes and locations (issue 13, item 4), synced for real against the emulator and the
database: a tenant's class and location, or each app location's own, land on its invoices
in QuickBooks; tracking off in the company, an inactive class or location, and an app
location without a link each fail the invoice with cause and fix before anything is sent.
The switches are turned on as a user does in QuickBooks' settings (the emulator's control
API), the classes made through QuickBooks' API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from qbo_sync.pipeline import run_once
from qbo_sync.tenants.__main__ import main as tenants
from support.rows import insert
from support.runs import full_window, logged
from support.scenario import CONNECTED, add_invoice

LINES = [("1", "100.00", 1, None, None)]


@pytest.fixture
def tenant(db, qbo_app, database_url, monkeypatch):
    from qbo_devkit.provision import provision_tenant

    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=1, name="Harbour Physio", currency="AUD", timezone="Australia/Sydney")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1000"))
    insert(db, "billing.tax_rates", id=2, tenant_id=1, name="GST free", rate=D("0.0000"))
    insert(db, "billing.catalog_items", id=1, tenant_id=1, name="Consult", kind="service", unit_price=D("90"))
    insert(db, "billing.catalog_items", id=2, tenant_id=1, name="Brace", kind="product", unit_price=D("45"))
    insert(db, "billing.clients", id=1, tenant_id=1, first_name="Jane", last_name="Smith", email="j@example.com")
    company = provision_tenant(
        db, qbo_app, 1, region="AU", connected_at=CONNECTED, tax_map={"GST": "GST", "GST free": "GST free"}
    )
    return company


def make(qbo_factory, entity, name, **fields):
    with qbo_factory(1) as client:
        return client.create(entity, {"Name": name, **fields}).entity


def invoice(db, iid, location=None):
    add_invoice(db, iid, f"INV-{iid:04d}", 1, LINES)
    if location is not None:
        db.execute("UPDATE billing.invoices SET location = %s WHERE id = %s", (location, iid))


def in_quickbooks(qbo_factory, number):
    with qbo_factory(1) as client:
        rows = client.query(f"select * from Invoice where DocNumber = '{number}'")
    return rows[0] if rows else None


def test_the_tenants_class_and_location_land_on_its_invoices(db, tenant, qbo_app, qbo_factory, capsys):
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="per_transaction", track_locations=True)
    physio = make(qbo_factory, "Class", "Physio")
    bondi = make(qbo_factory, "Department", "Bondi")
    assert tenants(["tracking", "--tenant-id", "1", "--class", "Physio", "--location", "Bondi"]) == 0
    assert "class                  'Physio'" in capsys.readouterr().out
    invoice(db, 1)
    run_once(db, full_window("cls-1"), qbo_factory)
    assert logged(db, "cls-1", "invoice", 1, "status")[0] == "synced"
    books = in_quickbooks(qbo_factory, "INV-0001")
    assert books["ClassRef"]["value"] == physio["Id"]
    assert books["DepartmentRef"]["value"] == bondi["Id"]
    assert D(str(books["TotalAmt"])) == D("110.00")  # the class changes nothing of the amounts


def test_per_line_class_tracking_puts_the_class_on_every_line(db, tenant, qbo_app, qbo_factory):
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="per_line")
    physio = make(qbo_factory, "Class", "Physio")
    tenants(["tracking", "--tenant-id", "1", "--class", "Physio"])
    invoice(db, 1)
    run_once(db, full_window("cls-line"), qbo_factory)
    books = in_quickbooks(qbo_factory, "INV-0001")
    sales = [ln for ln in books["Line"] if ln["DetailType"] == "SalesItemLineDetail"]
    assert sales and all(ln["SalesItemLineDetail"]["ClassRef"]["value"] == physio["Id"] for ln in sales)
    assert "ClassRef" not in books


def test_each_app_location_takes_its_own_class_and_an_unlinked_one_fails(db, tenant, qbo_app, qbo_factory, capsys):
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="per_transaction", track_locations=True)
    clinics = make(qbo_factory, "Class", "Clinics")
    bondi = make(qbo_factory, "Class", "Bondi", SubClass=True, ParentRef={"value": clinics["Id"]})
    manly = make(qbo_factory, "Class", "Manly", SubClass=True, ParentRef={"value": clinics["Id"]})
    site = make(qbo_factory, "Department", "Sydney")
    tenants(["tracking", "--tenant-id", "1", "--location", "Sydney"])
    assert (
        tenants(["map-location", "--tenant-id", "1", "--app-location", "Bondi Beach", "--class", "Clinics:Bondi"]) == 0
    )
    assert tenants(["map-location", "--tenant-id", "1", "--app-location", "manly", "--class", "Manly"]) == 0
    invoice(db, 1, "bondi  beach")  # matched whatever the case and spacing
    invoice(db, 2, "Manly")
    invoice(db, 3, "Coogee")  # no link: fails before anything is sent
    invoice(db, 4)  # no location: the tenant's own (a location, no class)
    capsys.readouterr()
    assert tenants(["show", "--tenant-id", "1"]) == 0
    assert "Coogee -> NOT LINKED (1 invoice(s))" in capsys.readouterr().out
    run_once(db, full_window("cls-map"), qbo_factory)
    assert in_quickbooks(qbo_factory, "INV-0001")["ClassRef"]["value"] == bondi["Id"]
    assert in_quickbooks(qbo_factory, "INV-0002")["ClassRef"]["value"] == manly["Id"]
    for number in ("INV-0001", "INV-0002", "INV-0004"):
        assert in_quickbooks(qbo_factory, number)["DepartmentRef"]["value"] == site["Id"]
    assert "ClassRef" not in in_quickbooks(qbo_factory, "INV-0004")
    status, code, cause, fix = logged(db, "cls-map", "invoice", 3, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "location_not_linked")
    assert "'Coogee'" in cause and "'Bondi Beach', 'manly'" in cause
    assert "map-location --tenant-id 1 --app-location 'Coogee'" in fix
    assert in_quickbooks(qbo_factory, "INV-0003") is None


def test_tracking_off_in_the_company_fails_the_invoice_with_where_to_turn_it_on(db, tenant, qbo_app, qbo_factory):
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="per_transaction", track_locations=True)
    make(qbo_factory, "Class", "Physio")
    make(qbo_factory, "Department", "Bondi")
    tenants(["tracking", "--tenant-id", "1", "--class", "Physio", "--location", "Bondi"])
    # Someone turns class tracking off in QuickBooks afterwards.
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="off")
    invoice(db, 1)
    run_once(db, full_window("cls-off"), qbo_factory)
    status, code, cause, fix = logged(db, "cls-off", "invoice", 1, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "class_tracking_off")
    assert "class 'Physio'" in cause and "does not track classes" in cause
    assert "Track classes" in fix and "--no-class" in fix
    assert in_quickbooks(qbo_factory, "INV-0001") is None
    qbo_app.set_preferences(tenant["realm_id"], track_locations=False, class_tracking="per_line")
    run_once(db, full_window("loc-off"), qbo_factory)
    assert logged(db, "loc-off", "invoice", 1, "error_code")[0] == "location_tracking_off"


def test_an_inactive_class_or_location_fails_the_invoice_by_its_name(db, tenant, qbo_app, qbo_factory):
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="per_transaction", track_locations=True)
    physio = make(qbo_factory, "Class", "Physio")
    bondi = make(qbo_factory, "Department", "Bondi")
    tenants(["tracking", "--tenant-id", "1", "--class", "Physio", "--location", "Bondi"])
    with qbo_factory(1) as client:
        client.update("Class", {**physio, "Active": False})
    invoice(db, 1)
    run_once(db, full_window("cls-gone"), qbo_factory)
    code, cause = logged(db, "cls-gone", "invoice", 1, "error_code", "cause")
    assert code == "class_inactive" and "class 'Physio', which is inactive" in cause
    with qbo_factory(1) as client:
        current = client.read("Class", physio["Id"])
        client.update("Class", {**current, "Active": True})
        client.update("Department", {**bondi, "Active": False})
    run_once(db, full_window("loc-gone"), qbo_factory)
    code, cause = logged(db, "loc-gone", "invoice", 1, "error_code", "cause")
    assert code == "location_inactive" and "location 'Bondi'" in cause


def test_the_cli_refuses_what_the_company_cannot_take_and_changes_nothing(db, tenant, qbo_app, qbo_factory, capsys):
    make(qbo_factory, "Class", "Physio")
    assert tenants(["tracking", "--tenant-id", "1", "--class", "Physio"]) == 2
    assert "does not track classes" in capsys.readouterr().err
    qbo_app.set_preferences(tenant["realm_id"], class_tracking="per_transaction")
    assert tenants(["tracking", "--tenant-id", "1", "--class", "Phsyio"]) == 2
    err = capsys.readouterr().err
    assert "no active class called 'Phsyio'" in err and "Physio" in err
    assert tenants(["tracking", "--tenant-id", "1", "--location", "Bondi"]) == 2
    assert "does not track locations" in capsys.readouterr().err
    assert tenants(["map-location", "--tenant-id", "1", "--app-location", "X", "--unlink"]) == 2
    row = db.execute("SELECT class_id, department_id FROM qbo_sync.tenant_settings WHERE tenant_id = 1").fetchone()
    assert row == (None, None)
    assert db.execute("SELECT count(*) FROM qbo_sync.location_links").fetchone() == (0,)
    assert tenants(["tracking", "--tenant-id", "1", "--class", "Physio"]) == 0
    assert tenants(["tracking", "--tenant-id", "1", "--no-class"]) == 0
    assert db.execute("SELECT class_id FROM qbo_sync.tenant_settings WHERE tenant_id = 1").fetchone() == (None,)
