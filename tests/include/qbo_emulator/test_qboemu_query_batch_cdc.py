"""Query language, batch requests and change data capture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from qbo_emulator import faults
from qbo_emulator.query import parse


def _customers(company, *names):
    return [company.customer(name) for name in names]


# --- query -----------------------------------------------------------------------------------


def test_select_star_where_equals_with_escaped_quote(au):
    _customers(au, "O'Brien Plumbing", "Other")
    result = au.query(r"select * from Customer where DisplayName = 'O\'Brien Plumbing'")
    assert [c["DisplayName"] for c in result["Customer"]] == ["O'Brien Plumbing"]
    assert result["startPosition"] == 1 and result["maxResults"] == 1


def test_entity_and_keywords_case_insensitive_and_post_text(au):
    _customers(au, "Case One")
    response = au.session.post(
        f"{au.url}/query",
        data="SELECT * FROM customer WHERE DisplayName LIKE '%one%'",
        headers={"Content-Type": "application/text"},
        params={"minorversion": 75},
    )
    assert response.status_code == 200
    assert [c["DisplayName"] for c in response.json()["QueryResponse"]["Customer"]] == ["Case One"]


def test_in_like_comparisons_and_and(au):
    customers = _customers(au, "Alpha", "Beta", "Gamma", "Delta")
    ids = [c["Id"] for c in customers]
    result = au.query(f"select * from Customer where Id in ('{ids[0]}', '{ids[2]}')")
    assert sorted(c["DisplayName"] for c in result["Customer"]) == ["Alpha", "Gamma"]
    # Was `Id >= ...`: QuickBooks takes only = and IN on Id (issue 20), so the range is now on
    # MetaData.CreateTime-free ground: an IN list, ordered by Id.
    result = au.query(
        f"select * from Customer where Id in ('{ids[1]}', '{ids[2]}', '{ids[3]}') "
        "and DisplayName like '%a' ORDERBY Id DESC"
    )
    assert [c["DisplayName"] for c in result["Customer"]] == ["Delta", "Gamma", "Beta"]
    assert au.query("select * from Customer where DisplayName like 'Be%'")["Customer"][0]["DisplayName"] == "Beta"


def test_a_look_up_by_id_answers_as_a_scan_would(au):
    """``Id in (...)`` and ``Id = n`` read only the records named (a speed-up of the emulator's,
    bench/README.md): the answer is the one every record's comparison gives, in the same order:
    an Id written with leading zeros is the same number, an Id not there or not a number
    matches nothing, and the other conditions still apply."""
    customers = _customers(au, "Id One", "Id Two", "Id Three")
    ids = [c["Id"] for c in customers]
    padded = "00" + ids[1]
    got = au.query(f"select * from Customer where Id in ('{ids[2]}', '{padded}', '999999', '{ids[0]}')")
    assert [c["DisplayName"] for c in got["Customer"]] == ["Id One", "Id Two", "Id Three"]  # the records' order
    assert au.query(f"select * from Customer where Id = '{padded}'")["Customer"][0]["DisplayName"] == "Id Two"
    assert au.query("select * from Customer where Id = '999999'") == {}
    got = au.query(f"select * from Customer where Id in ('{ids[0]}', '{ids[1]}') and DisplayName like '%Two'")
    assert [c["DisplayName"] for c in got["Customer"]] == ["Id Two"]
    assert au.query(f"select count(*) from Customer where Id in ('{ids[0]}', '{ids[1]}')")["totalCount"] == 2


def test_metadata_time_and_refs(au):
    customer, other = _customers(au, "Meta", "Other Meta")
    invoice = au.invoice(customer["Id"], DocNumber="Q-1")
    au.invoice(other["Id"], DocNumber="Q-2")
    result = au.query(f"select * from Invoice where CustomerRef = '{customer['Id']}'")
    assert [i["DocNumber"] for i in result["Invoice"]] == ["Q-1"]
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert len(au.query(f"select * from Invoice where MetaData.LastUpdatedTime > '{past}'")["Invoice"]) == 2
    assert au.query(f"select * from Invoice where MetaData.LastUpdatedTime > '{future}'") == {}
    assert au.query(f"select * from Invoice where TotalAmt > '100' and Id = '{invoice['Id']}'")["Invoice"]


def _query_fault(company, text):
    response = company.get("query", query=text)
    assert response.status_code == 400, response.text
    return response.json()["Fault"]["Error"][0]


def test_only_filterable_properties_can_be_queried(au):
    customer = au.customer("Filter Rules")
    au.invoice(customer["Id"], DocNumber="F-1", PrivateNote="[qbo-sync invoice 1]")
    for text, name in [
        ("select * from Invoice where PrivateNote = '[qbo-sync invoice 1]'", "PrivateNote"),
        ("select * from Payment where PrivateNote like '%qbo-sync%'", "PrivateNote"),
        ("select * from Vendor where PrimaryEmailAddr = 'a@b.c'", "PrimaryEmailAddr"),
        ("select * from Customer where Notes = 'x'", "Notes"),
        ("select * from Invoice where DocNumber = 'F-1' ORDER BY PrivateNote", "PrivateNote"),
    ]:
        error = _query_fault(au, text)
        assert error["code"] == "4001" and error["Message"] == "Invalid query", text
        assert error["Detail"] == f"QueryValidationError: property '{name}' is not queryable", text
    # Filterable ones answer: DocNumber, CustomerRef, TxnDate, MetaData.LastUpdatedTime.
    assert au.query(
        f"select * from Invoice where DocNumber = 'F-1' and CustomerRef = '{customer['Id']}' "
        "and TxnDate >= '2000-01-01' and MetaData.LastUpdatedTime > '2000-01-01T00:00:00Z'"
    )["Invoice"]


def test_attribute_names_are_case_insensitive(au):
    customer = au.customer("Any Case")
    au.invoice(customer["Id"], DocNumber="C-1")
    rows = au.query(
        f"select * from invoice where docnumber = 'C-1' and customerref = '{customer['Id']}' "
        "orderby metadata.lastupdatedtime desc"
    )["Invoice"]
    assert [r["DocNumber"] for r in rows] == ["C-1"]
    assert au.query("select * from Customer where DISPLAYNAME = 'any case' and active IN (true, false)")["Customer"]


def test_id_takes_only_equals_and_in(au):
    customer = au.customer("Id Ops")
    assert au.query(f"select * from Customer where Id = '{customer['Id']}'")["Customer"]
    assert au.query(f"select * from Customer where id in ('{customer['Id']}')")["Customer"]
    for op in (">", ">=", "<", "<="):
        error = _query_fault(au, f"select * from Customer where Id {op} '0'")
        assert error["code"] == "4001" and f"operator '{op}'" in error["Detail"] and "'Id'" in error["Detail"]
    error = _query_fault(au, "select * from Customer where Id like '1%'")
    assert error["code"] == "4001"


def test_paging_count_and_order(au):
    _customers(au, *[f"Page {i:02d}" for i in range(12)])
    assert au.query("select count(*) from Customer where DisplayName like 'Page%'") == {"totalCount": 12}
    page = au.query(
        "select * from Customer where DisplayName like 'Page%' ORDER BY DisplayName DESC STARTPOSITION 4 MAXRESULTS 5"
    )
    assert [c["DisplayName"] for c in page["Customer"]] == [f"Page {i:02d}" for i in (8, 7, 6, 5, 4)]
    assert page["startPosition"] == 4 and page["maxResults"] == 5
    assert au.query("select * from Customer where DisplayName like 'Page%' STARTPOSITION 13") == {}


def test_default_100_and_cap_1000(au):
    for start in range(0, 1050, 30):
        items = [
            {"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"Bulk {start + i}"}}
            for i in range(min(30, 1050 - start))
        ]
        assert au.post("batch", {"BatchItemRequest": items}).status_code == 200
    assert len(au.query("select * from Customer")["Customer"]) == 100
    # MAXRESULTS above 1000 is capped silently: a client must page (and notice) itself.
    assert len(au.query("select * from Customer MAXRESULTS 5000")["Customer"]) == 1000


def test_inactive_hidden_unless_asked(au):
    customer = au.customer("Sleeper")
    au.ok("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert au.query("select * from Customer where DisplayName = 'Sleeper'") == {}
    found = au.query("select * from Customer where DisplayName = 'Sleeper' and Active in (true, false)")
    assert found["Customer"][0]["Active"] is False
    assert au.query("select * from Customer where Active = false")["Customer"][0]["DisplayName"] == "Sleeper"


def test_selected_fields_only(au):
    _customers(au, "Fields")
    row = au.query("select Id, DisplayName from Customer where DisplayName = 'Fields'")["Customer"][0]
    assert set(row) == {"Id", "DisplayName", "domain", "sparse"}


@pytest.mark.parametrize(
    "text, code",
    [
        ("select * form Customer", "4000"),
        ("select * from Customer where DisplayName = 'unterminated", "4000"),
        ("select * from Customer where DisplayName = 'a' or DisplayName = 'b'", "4000"),
        ("select * from Customer where", "4000"),
        ("select * from Unicorn", "4001"),
        ("select * from Customer where Colour = 'red'", "4001"),
    ],
)
def test_bad_queries(au, text, code):
    response = au.get("query", query=text)
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == code
    assert error["Message"] == ("Error parsing query" if code == "4000" else "Invalid query")


def test_parser_unit():
    query = parse(
        "SELECT * FROM Invoice WHERE DocNumber = 'A\\'B' AND TotalAmt >= 10.5 ORDERBY TxnDate "
        "MAXRESULTS 2000 STARTPOSITION 0"
    )
    assert query.entity == "Invoice" and query.max_results == 1000 and query.start == 1
    assert query.conditions[0].values == ["A'B"]
    with pytest.raises(faults.QBOError) as raised:
        parse("")
    assert raised.value.code == "4000"


# --- batch -----------------------------------------------------------------------------------


def test_batch_bid_correlation_partial_failure_and_query(au):
    customer = au.customer("Batch Owner")
    items = [
        {"bId": "b1", "operation": "create", "Customer": {"DisplayName": "Batch New"}},
        {"bId": "b2", "operation": "create", "Customer": {"DisplayName": "Batch Owner"}},
        {"bId": "b3", "Query": "select * from Customer where DisplayName = 'Batch Owner'"},
    ]
    response = au.post("batch", {"BatchItemRequest": items})
    assert response.status_code == 200
    by_bid = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert by_bid["b1"]["Customer"]["DisplayName"] == "Batch New"
    assert by_bid["b2"]["Fault"]["type"] == "ValidationFault"
    assert by_bid["b2"]["Fault"]["Error"][0]["code"] == "6240"
    assert by_bid["b3"]["QueryResponse"]["Customer"][0]["Id"] == customer["Id"]


def test_batch_items_cannot_see_each_others_creates(au):
    response = au.post(
        "batch",
        {
            "BatchItemRequest": [
                {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Fresh"}},
                {
                    "bId": "2",
                    "operation": "create",
                    "Invoice": {
                        "CustomerRef": {"value": str(int(au.customer("Probe")["Id"]) + 1)},
                        "Line": [
                            {
                                "Amount": 1,
                                "DetailType": "SalesItemLineDetail",
                                "SalesItemLineDetail": {"TaxCodeRef": {"value": au.info["tax_codes"]["GST"]}},
                            }
                        ],
                    },
                },
            ]
        },
    )
    items = {i["bId"]: i for i in response.json()["BatchItemResponse"]}
    created_id = items["1"]["Customer"]["Id"]
    fault = items["2"]["Fault"]["Error"][0]
    assert (fault["code"], fault["element"]) == ("2500", "CustomerRef")
    # After the batch the customer is visible to everyone.
    assert au.invoice(created_id)["CustomerRef"]["value"] == created_id


def test_batch_void_update_delete(au):
    customer = au.customer("Batch Ops")
    to_void = au.invoice(customer["Id"])
    to_delete = au.invoice(customer["Id"])
    to_update = au.invoice(customer["Id"])
    response = au.post(
        "batch",
        {
            "BatchItemRequest": [
                {
                    "bId": "v",
                    "operation": "update",
                    "optionsData": "void",
                    "Invoice": {"Id": to_void["Id"], "SyncToken": "0"},
                },
                {"bId": "d", "operation": "delete", "Invoice": {"Id": to_delete["Id"], "SyncToken": "0"}},
                {
                    "bId": "u",
                    "operation": "update",
                    "Invoice": {"Id": to_update["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "batched"},
                },
                {
                    "bId": "s",
                    "operation": "update",
                    "Invoice": {"Id": to_update["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "stale"},
                },
            ]
        },
    )
    items = {i["bId"]: i for i in response.json()["BatchItemResponse"]}
    assert items["v"]["Invoice"]["PrivateNote"] == "Voided" and items["v"]["Invoice"]["TotalAmt"] == 0
    assert items["d"]["Invoice"]["status"] == "Deleted"
    assert items["u"]["Invoice"]["PrivateNote"] == "batched"
    assert items["s"]["Fault"]["Error"][0]["code"] == "5010"


def test_batch_limits(au):
    items = [{"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"Over {i}"}} for i in range(31)]
    response = au.post("batch", {"BatchItemRequest": items})
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["element"] == "BatchItemRequest"
    assert au.query("select count(*) from Customer where DisplayName like 'Over%'") == {"totalCount": 0}
    long_bid = [{"bId": "x" * 11, "operation": "create", "Customer": {"DisplayName": "Long bId"}}]
    assert au.post("batch", {"BatchItemRequest": long_bid}).status_code == 200  # no requestid: allowed
    long_bid[0]["Customer"]["DisplayName"] = "Long bId 2"
    response = au.post("batch", {"BatchItemRequest": long_bid}, requestid="r-batch-1")
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "2050"
    response = au.post("batch", {"BatchItemRequest": long_bid[:0] + [dict(long_bid[0], bId="ok")]}, requestid="r" * 37)
    assert response.status_code == 400 and response.json()["Fault"]["Error"][0]["element"] == "requestid"


# --- change data capture -----------------------------------------------------------------------


def _cdc(company, entities, since):
    response = company.get("cdc", entities=entities, changedSince=since)
    assert response.status_code == 200, response.text
    return response.json()["CDCResponse"][0]["QueryResponse"]


def test_cdc_changes_and_deletes(au):
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    customer = au.customer("CDC Customer")
    invoice = au.invoice(customer["Id"])
    gone = au.invoice(customer["Id"])
    au.ok("invoice", {"Id": gone["Id"], "SyncToken": "0"}, operation="delete")
    payment = au.ok("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 5})
    answer = _cdc(au, "Payment,Invoice", since)
    payments, invoices = answer[0]["Payment"], answer[1]["Invoice"]
    assert [p["Id"] for p in payments] == [payment["Id"]]
    by_id = {i["Id"]: i for i in invoices}
    assert by_id[invoice["Id"]]["TotalAmt"] == 110.0
    assert by_id[gone["Id"]]["status"] == "Deleted" and "LastUpdatedTime" in by_id[gone["Id"]]["MetaData"]


def test_cdc_empty_entity_and_window(qbo, au):
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _cdc(au, "Customer", later) == [{}]
    too_old = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    response = au.get("cdc", entities="Customer", changedSince=too_old)
    assert response.status_code == 400
    assert "older than" in response.json()["Fault"]["Error"][0]["Detail"]


def test_cdc_caps_at_1000_earliest_first(au):
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    for start in range(0, 1020, 30):
        items = [
            {"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"CDC Bulk {start + i:04d}"}}
            for i in range(min(30, 1020 - start))
        ]
        au.post("batch", {"BatchItemRequest": items})
    rows = _cdc(au, "Customer", since)[0]["Customer"]
    assert len(rows) == 1000
    assert rows[0]["DisplayName"] == "CDC Bulk 0000" and rows[-1]["DisplayName"] == "CDC Bulk 0999"


def test_clock_moves_metadata_and_cdc(qbo, make_company):
    company = make_company()
    before = company.customer("Before Jump")
    qbo.advance_clock(3 * 86400)
    try:
        # The old access token expired with the jump (1 hour): a fresh one is needed.
        assert company.get(f"customer/{before['Id']}").status_code == 401
        company.session.headers["Authorization"] = "Bearer " + qbo.issue_tokens(company.realm_id)["access_token"]
        after = company.customer("After Jump")
        assert after["MetaData"]["CreateTime"][:10] > before["MetaData"]["CreateTime"][:10]
        # Emulator "now" is 3 days ahead, so the window counts from there.
        since = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        rows = _cdc(company, "Customer", since)[0]["Customer"]
        assert [r["DisplayName"] for r in rows] == ["After Jump"]
    finally:
        qbo.store.clock.offset -= 3 * 86400  # the in-process fixture lets us wind back for later tests


def test_cdc_lists_deleted_objects_after_live_ones_with_only_their_id(au):
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    customer = au.customer("CDC Order")
    gone = au.invoice(customer["Id"])
    au.ok("invoice", {"Id": gone["Id"], "SyncToken": "0"}, operation="delete")
    kept = au.invoice(customer["Id"])  # changed after the deletion, listed before it
    invoices = _cdc(au, "Invoice", since)[0]["Invoice"]
    assert [i["Id"] for i in invoices] == [kept["Id"], gone["Id"]]
    assert set(invoices[1]) == {"Id", "status", "domain", "MetaData"} and invoices[1]["status"] == "Deleted"


def test_cdc_shows_a_voided_invoice_whole_with_zero_amounts_and_a_voided_note(au):
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    invoice = au.invoice(au.customer("CDC Void")["Id"], PrivateNote="ours")
    au.ok("invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")
    [row] = _cdc(au, "Invoice", since)[0]["Invoice"]
    assert row["Id"] == invoice["Id"] and row["SyncToken"] == "1" and row["TotalAmt"] == 0
    assert row["PrivateNote"].startswith("Voided") and "status" not in row


def test_a_merge_deletes_the_customer_and_moves_its_transactions_to_the_survivor(qbo, au):
    old, survivor = au.customer("Merge Old"), au.customer("Merge Kept")
    invoice = au.invoice(old["Id"], DocNumber="M-1")
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    answer = qbo.merge_customers(au.realm_id, old["Id"], survivor["Id"])
    assert answer["deletedid"] == old["Id"] and answer["moved"]["Invoice"] == [invoice["Id"]]
    moved = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert moved["CustomerRef"]["value"] == survivor["Id"] and moved["SyncToken"] == "1"
    assert au.get(f"customer/{old['Id']}").status_code == 400  # Object Not Found
    got = _cdc(au, "Customer,Invoice", since)
    customers = {c["Id"]: c for c in got[0]["Customer"]}
    assert customers[old["Id"]]["status"] == "Deleted" and customers[survivor["Id"]]["SyncToken"] == "1"
    assert [i["CustomerRef"]["value"] for i in got[1]["Invoice"]] == [survivor["Id"]]
    # The name is free again, as after any merge.
    assert au.customer("Merge Old")["DisplayName"] == "Merge Old"
    bad = requests.post(
        f"{qbo.base_url}/_emulator/companies/{au.realm_id}/merge",
        json={"from_id": survivor["Id"], "into_id": survivor["Id"]},
        timeout=10,
    )
    assert bad.status_code == 400 and "itself" in bad.json()["error"]
