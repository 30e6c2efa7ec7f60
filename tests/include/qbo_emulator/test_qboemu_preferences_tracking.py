"""Preferences as QuickBooks answers and updates them, and class / location tracking:
the switches a user turns on in QuickBooks' settings, the Class and Department lists, and
ClassRef / DepartmentRef on an invoice in each tracking mode."""

from __future__ import annotations

import pytest

SECTIONS = {
    "EmailMessagesPrefs",
    "ProductAndServicesPrefs",
    "ReportPrefs",
    "AccountingInfoPrefs",
    "SalesFormsPrefs",
    "VendorAndPurchasesPrefs",
    "TaxPrefs",
    "OtherPrefs",
    "TimeTrackingPrefs",
    "CurrencyPrefs",
}


def prefs(company):
    response = company.get("preferences")
    assert response.status_code == 200, response.text
    return response.json()["Preferences"]


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_answer_every_section_and_tracking_is_off_in_a_new_company(au):
    body = prefs(au)
    assert SECTIONS <= set(body)
    assert (body["Id"], body["SyncToken"]) == ("1", "0")
    info = body["AccountingInfoPrefs"]
    assert (info["ClassTrackingPerTxn"], info["ClassTrackingPerTxnLine"], info["TrackDepartments"]) == (
        False,
        False,
        False,
    )
    assert "DepartmentTerminology" not in info  # named only while locations are tracked
    assert body["CurrencyPrefs"] == {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "AUD"}}
    assert body["TimeTrackingPrefs"]["WorkWeekStartDate"] == "Monday"
    assert body["ProductAndServicesPrefs"]["ForSales"] is True
    assert au.query("select * from Preferences")["Preferences"][0] == body


def test_full_update_with_id_and_synctoken_is_accepted_and_versions_the_object(au):
    body = prefs(au)
    body["AccountingInfoPrefs"]["ClassTrackingPerTxnLine"] = True
    body["AccountingInfoPrefs"]["TrackDepartments"] = True
    body["AccountingInfoPrefs"]["DepartmentTerminology"] = "Store"
    body["TimeTrackingPrefs"]["WorkWeekStartDate"] = "Sunday"
    updated = au.ok("preferences", body)
    assert updated["SyncToken"] == "1"
    info = updated["AccountingInfoPrefs"]
    assert (info["ClassTrackingPerTxnLine"], info["TrackDepartments"], info["DepartmentTerminology"]) == (
        True,
        True,
        "Store",
    )
    assert updated["TimeTrackingPrefs"]["WorkWeekStartDate"] == "Sunday"
    assert prefs(au) == updated
    # The old SyncToken is stale now.
    assert au.fault("preferences", body)["code"] == "5010"


def test_full_update_resets_omitted_writable_fields_sparse_keeps_them(au):
    au.ok("preferences", {"Id": "1", "SyncToken": "0", "sparse": True, "ReportPrefs": {"ReportBasis": "Cash"}})
    assert prefs(au)["ReportPrefs"]["ReportBasis"] == "Cash"
    assert prefs(au)["SalesFormsPrefs"]["CustomTxnNumbers"] is True  # untouched by the sparse update
    full = au.ok("preferences", {"Id": "1", "SyncToken": "1", "TimeTrackingPrefs": {"UseServices": False}})
    assert full["ReportPrefs"]["ReportBasis"] == "Accrual"  # omitted from a full update: its default
    assert full["SalesFormsPrefs"]["CustomTxnNumbers"] is False
    assert full["TimeTrackingPrefs"]["UseServices"] is False


def test_read_only_preferences_do_not_change_through_the_api(au):
    body = prefs(au)
    body["CurrencyPrefs"]["MultiCurrencyEnabled"] = True  # only in QuickBooks' settings, never by the API
    body["AccountingInfoPrefs"]["CustomerTerminology"] = "Patients"
    updated = au.ok("preferences", body)
    assert updated["CurrencyPrefs"]["MultiCurrencyEnabled"] is False
    assert updated["AccountingInfoPrefs"]["CustomerTerminology"] == "Customers"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"SyncToken": "0"}, "2020"),
        ({"Id": "1"}, "2020"),
        ({"Id": "2", "SyncToken": "0"}, "610"),
        ({"Id": "1", "SyncToken": "0", "Nonsense": {}}, "2010"),
        ({"Id": "1", "SyncToken": "0", "sparse": True, "ReportPrefs": {"ReportBasis": "Sometimes"}}, "2010"),
        ({"Id": "1", "SyncToken": "0", "sparse": True, "TimeTrackingPrefs": {"UseServices": "yes"}}, "2010"),
        (
            {
                "Id": "1",
                "SyncToken": "0",
                "sparse": True,
                "AccountingInfoPrefs": {"ClassTrackingPerTxn": True, "ClassTrackingPerTxnLine": True},
            },
            "6000",
        ),
        ({"Id": "1", "SyncToken": "0", "sparse": True, "SalesFormsPrefs": {"DefaultTerms": {"value": "999"}}}, "2500"),
    ],
)
def test_bad_preferences_updates_are_refused_and_change_nothing(au, body, code):
    before = prefs(au)
    assert au.fault("preferences", body)["code"] == code
    assert prefs(au) == before


def test_default_terms_through_the_api(au):
    net30 = au.info["terms"]["Net 30"]
    updated = au.ok(
        "preferences",
        {"Id": "1", "SyncToken": "0", "sparse": True, "SalesFormsPrefs": {"DefaultTerms": {"value": net30}}},
    )
    assert updated["SalesFormsPrefs"]["DefaultTerms"] == {"value": net30}
    customer = au.customer("Terms by preference")
    assert au.invoice(customer["Id"], TxnDate="2026-01-01")["DueDate"] == "2026-01-31"


def test_a_user_turns_tracking_on_in_the_settings_and_the_preferences_say_so(qbo, au):
    qbo.set_preferences(au.realm_id, class_tracking="per_transaction", track_locations=True)
    body = prefs(au)
    info = body["AccountingInfoPrefs"]
    assert (info["ClassTrackingPerTxn"], info["ClassTrackingPerTxnLine"], info["TrackDepartments"]) == (
        True,
        False,
        True,
    )
    assert info["DepartmentTerminology"] == "Location"
    assert body["SyncToken"] == "1"  # the settings screen saves a new version too
    qbo.set_preferences(au.realm_id, multicurrency=True)
    assert prefs(au)["CurrencyPrefs"]["MultiCurrencyEnabled"] is True


@pytest.mark.parametrize("change", [{"class_tracking": "sometimes"}, {"location_terminology": "Clinic"}])
def test_the_control_api_refuses_switch_values_quickbooks_has_not(qbo, au, change):
    import requests

    response = requests.patch(f"{qbo.base_url}/_emulator/companies/{au.realm_id}/preferences", json=change, timeout=10)
    assert response.status_code == 400, response.text


# --- Class and Department -------------------------------------------------------------------


def test_classes_and_departments_are_lists_with_parents_unique_names_and_active(au):
    clinics = au.ok("class", {"Name": "Clinics"})
    bondi = au.ok("class", {"Name": "Bondi", "SubClass": True, "ParentRef": {"value": clinics["Id"]}})
    assert (bondi["FullyQualifiedName"], bondi["SubClass"], bondi["Active"]) == ("Clinics:Bondi", True, True)
    assert au.fault("class", {"Name": "clinics"})["code"] == "6240"
    assert au.fault("class", {"Name": "A:B"})["code"] == "6000"
    assert au.fault("class", {"Name": "Orphan", "SubClass": True, "ParentRef": {"value": "999"}})["code"] == "2500"
    site = au.ok("department", {"Name": "Sydney"})
    assert au.get(f"department/{site['Id']}").json()["Department"]["Name"] == "Sydney"
    au.ok("class", {**bondi, "Active": False})
    assert [c["Name"] for c in au.query("select * from Class")["Class"]] == ["Clinics"]
    assert len(au.query("select * from Class where Active in (true, false)")["Class"]) == 2
    assert au.post("class", {"Id": bondi["Id"], "SyncToken": "1"}, operation="delete").status_code == 400


def _line(company, **detail):
    return {
        "Amount": 100.0,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": company.info["service_item_id"]},
            "Qty": 1,
            "UnitPrice": 100.0,
            "TaxCodeRef": {"value": company.info["tax_codes"]["GST"]},
            **detail,
        },
    }


def _sale(company, customer, cls, dept):
    return {
        "CustomerRef": {"value": customer["Id"]},
        "ClassRef": {"value": cls["Id"]},
        "DepartmentRef": {"value": dept["Id"]},
        "Line": [_line(company, ClassRef={"value": cls["Id"]})],
    }


@pytest.mark.parametrize(
    ("mode", "header", "line"),
    [("per_transaction", True, False), ("per_line", False, True), ("off", False, False)],
)
def test_invoice_keeps_the_class_refs_of_the_tracking_mode_in_use(qbo, au, mode, header, line):
    cls = au.ok("class", {"Name": "Physio"})
    dept = au.ok("department", {"Name": "Bondi"})
    qbo.set_preferences(au.realm_id, class_tracking=mode, track_locations=mode != "off")
    invoice = au.ok("invoice", _sale(au, au.customer(f"Tracked {mode}"), cls, dept))
    assert ("ClassRef" in invoice) is header
    assert ("ClassRef" in invoice["Line"][0]["SalesItemLineDetail"]) is line
    assert ("DepartmentRef" in invoice) is (mode != "off")
    if header:
        assert invoice["ClassRef"] == {"value": cls["Id"], "name": "Physio"}
    if mode != "off":
        assert invoice["DepartmentRef"]["value"] == dept["Id"]


def test_an_inactive_or_unknown_class_or_location_is_2500_while_tracked(qbo, au):
    cls = au.ok("class", {"Name": "Retired"})
    dept = au.ok("department", {"Name": "Closed site"})
    au.ok("class", {**cls, "Active": False})
    qbo.set_preferences(au.realm_id, class_tracking="per_transaction", track_locations=True)
    customer = au.customer("Inactive class")
    error = au.fault("invoice", _sale(au, customer, cls, dept))
    assert (error["code"], error["element"]) == ("2500", "ClassRef")
    active = au.ok("class", {"Name": "Active one"})
    error = au.fault("invoice", _sale(au, customer, active, {"Id": "999"}))
    assert (error["code"], error["element"]) == ("2500", "DepartmentRef")
    qbo.set_preferences(au.realm_id, class_tracking="per_line")
    error = au.fault("invoice", _sale(au, customer, cls, dept))
    assert (error["code"], error["element"]) == ("2500", "Line.SalesItemLineDetail.ClassRef")
