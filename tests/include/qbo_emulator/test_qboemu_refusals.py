"""Refusals (refusals.py): a test makes QuickBooks refuse one record's write with a business
fault - inside a batch as the item's Fault in a 200 answer, as a 400 for a plain request -
applying nothing, used up by its count."""

from __future__ import annotations

import requests

BUSINESS = "A business validation error has occurred while processing your request"


def _update(invoice: dict, **fields) -> dict:
    return {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, **fields}


def test_a_refused_update_is_a_400_validation_fault_and_changes_nothing(qbo, au):
    customer = au.customer("Refused Rita")
    invoice = au.invoice(customer["Id"])
    queued = qbo.refuse_write(au.realm_id, "Invoice", invoice["Id"], detail="Pick another customer.")
    assert [(r["entity"], r["operation"], r["id"], r["code"], r["remaining"]) for r in queued] == [
        ("Invoice", "update", invoice["Id"], "6000", 1)
    ]
    response = au.post("invoice", _update(invoice, PrivateNote="x"))
    assert response.status_code == 400
    fault = response.json()["Fault"]
    assert fault["type"] == "ValidationFault"
    assert (fault["Error"][0]["code"], fault["Error"][0]["Message"]) == ("6000", BUSINESS)
    assert fault["Error"][0]["Detail"] == "Business Validation Error: Pick another customer."
    held = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert held["SyncToken"] == invoice["SyncToken"] and "PrivateNote" not in held
    assert au.post("invoice", _update(invoice, PrivateNote="x")).status_code == 200  # used up
    assert qbo.stats(au.realm_id)["faults_by_kind"]["refusal"] == 1


def test_a_refused_item_of_a_batch_is_its_fault_in_a_200_answer(qbo, au):
    customer = au.customer("Batch Bea")
    first, second = au.invoice(customer["Id"]), au.invoice(customer["Id"])
    qbo.refuse_write(au.realm_id, "Invoice", second["Id"], code="6190", message="Invalid Company Status")
    items = [
        {"bId": "1", "operation": "update", "Invoice": _update(first, PrivateNote="one")},
        {"bId": "2", "operation": "update", "Invoice": _update(second, PrivateNote="two")},
    ]
    response = au.post("batch", {"BatchItemRequest": items})
    assert response.status_code == 200
    answers = {a["bId"]: a for a in response.json()["BatchItemResponse"]}
    assert answers["1"]["Invoice"]["PrivateNote"] == "one"
    assert answers["2"]["Fault"]["type"] == "ValidationFault"
    error = answers["2"]["Fault"]["Error"][0]
    assert (error["code"], error["Message"]) == ("6190", "Invalid Company Status")
    assert au.get(f"invoice/{second['Id']}").json()["Invoice"]["SyncToken"] == second["SyncToken"]


def test_a_refusal_matches_only_its_record_and_operation_and_a_stale_token_comes_first(qbo, au):
    customer = au.customer("Only Olga")
    invoice, other = au.invoice(customer["Id"]), au.invoice(customer["Id"])
    qbo.refuse_write(au.realm_id, "Invoice", invoice["Id"], operation="void", count=2)
    assert au.post("invoice", _update(other, PrivateNote="fine")).status_code == 200  # another record
    assert au.post("invoice", _update(invoice, PrivateNote="fine")).status_code == 200  # an update, not a void
    stale = {"Id": invoice["Id"], "SyncToken": "0"}
    assert au.fault("invoice", stale, operation="void")["code"] == "5010"  # the refusal is not used
    fresh = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["SyncToken"]
    voiding = {"Id": invoice["Id"], "SyncToken": fresh}
    assert au.fault("invoice", voiding, operation="void")["code"] == "6000"
    assert au.fault("invoice", voiding, operation="void")["code"] == "6000"
    assert au.post("invoice", voiding, operation="void").status_code == 200
    qbo.refuse_write(au.realm_id, "Customer", None, operation="create")
    assert au.fault("customer", {"DisplayName": "Never Nell"})["code"] == "6000"
    assert au.query("select * from Customer where DisplayName = 'Never Nell'") == {}


def test_refusals_are_listed_cleared_and_checked(qbo, au):
    url = f"{qbo.base_url}/_emulator/companies/{au.realm_id}/refusals"
    qbo.refuse_write(au.realm_id, "Payment", "7", operation="delete")
    assert [r["id"] for r in requests.get(url, timeout=10).json()["refusals"]] == ["7"]
    qbo.clear_refusals(au.realm_id)
    assert requests.get(url, timeout=10).json()["refusals"] == []
    for bad in (
        {"entity": "Nope", "id": "1"},
        {"entity": "Invoice"},  # an update names its record
        {"entity": "Invoice", "id": "1", "operation": "merge"},
        {"entity": "Invoice", "id": "1", "code": "610"},  # another code needs its message
        {"entity": "Invoice", "id": "1", "count": 0},
    ):
        assert requests.post(url, json=bad, timeout=10).status_code == 400, bad
