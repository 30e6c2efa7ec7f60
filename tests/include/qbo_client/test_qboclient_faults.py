"""Every shape of failure QuickBooks sends becomes a typed QboFault of a known kind (key, category,
retryable). The words for people are the sync's: tests/include/qbo_sync/test_catalog_quickbooks.py."""

from __future__ import annotations

import json
import re

import pytest

from qbo_client import QboFault, classify, parse_body
from qbo_client.codes import BY_KEY, CATEGORIES, KINDS
from qbo_client.jsonutil import dumps, loads

THROTTLE_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse time="2024-01-01T00:00:00.000-08:00">'
    b'<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; '
    b"statusCode=429</Message><Detail>The request limit was reached.  Try again later</Detail></Error>"
    b"</Fault></IntuitResponse>"
)


def test_xml_429_body_is_a_fault_not_a_crash():
    fault = parse_body(429, "application/xml", THROTTLE_XML).fault
    assert fault.code == "3001" and fault.fault_type == "SERVICE" and fault.http_status == 429
    assert "request limit" in fault.detail
    assert fault.category == "transient" and fault.retryable


def test_lower_case_401_body_and_token_in_detail_is_redacted():
    body = json.dumps(
        {
            "fault": {
                "error": [
                    {
                        "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                        "detail": "Token expired: eyJhbGciOiJk",
                        "code": "3200",
                        "element": None,
                    }
                ],
                "type": "AUTHENTICATION",
            }
        }
    )
    fault = parse_body(401, "application/json", body.encode()).fault
    assert fault.code == "3200" and fault.fault_type == "AUTHENTICATION"
    assert "eyJhbGciOiJk" not in fault.detail and "[redacted]" in fault.detail
    assert fault.category == "connection"


def test_several_errors_in_one_fault():
    body = {
        "Fault": {
            "Error": [
                {
                    "Message": "Invalid Reference Id",
                    "Detail": "Invalid Reference Id : inactive",
                    "code": "2500",
                    "element": "Line.SalesItemLineDetail.ItemRef",
                },
                {
                    "Message": "A business validation error has occurred while processing your request",
                    "Detail": "Business Validation Error: Make sure all your transactions have a GST rate before you "
                    "save.",
                    "code": "6000",
                    "element": "",
                },
            ],
            "type": "ValidationFault",
        },
        "time": "x",
    }
    fault = parse_body(400, "application/json", json.dumps(body).encode(), entity_name="Invoice").fault
    assert [e.code for e in fault.errors] == ["2500", "6000"]
    assert [e.key for e in fault.errors] == ["2500.item", "6000.tax"]
    assert fault.entity_name == "Invoice" and fault.more[0].entity_name == "Invoice"


@pytest.mark.parametrize(
    "status,body,code",
    [
        (502, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "html_body"),
        (200, b"", "empty_body"),
        (200, b"   ", "empty_body"),
        (200, b'{"Invoice": {"Id": ', "unparseable_body"),
        (503, b'{"something": 1}', "http_503"),
    ],
)
def test_gateway_garbage_is_transient(status, body, code):
    fault = parse_body(status, "", body).fault
    assert fault.code == code
    assert fault.category == "transient" and fault.retryable


def test_invalid_grant_oauth_body():
    fault = parse_body(400, "application/json", b'{"error":"invalid_grant","error_description":"x"}').fault
    assert fault.code == "invalid_grant" and fault.key == "invalid_grant"
    assert fault.category == "connection" and not fault.retryable


# Every row of the faults table of Intuit's error-code reference, with the variants the table names.
TABLE = [
    (dict(code="2020", detail="Required parameter Line is missing in the request.", element="Line"), "2020.line"),
    (
        dict(
            code="6140",
            detail="Duplicate Document Number Error : DocNumber=INV-1 is assigned to TxnType=Invoice with TxnId=45",
            entity_name="Invoice",
        ),
        "6140",
    ),
    (dict(code="6140", entity_name="Payment"), "6140.payment"),
    (
        dict(
            code="6240",
            detail="The name supplied already exists. : Another customer, vendor or employee is "
            "already using this name.",
        ),
        "6240",
    ),
    (dict(code="6000", detail="Business Validation Error: The tax code is inactive"), "6000.tax"),
    (dict(code="6000", detail="Business Validation Error: You must set a transaction amount."), "6000.amount"),
    (dict(code="2500", element="Line.SalesItemLineDetail.ItemRef"), "2500.item"),
    (dict(code="2500", element="Line.SalesItemLineDetail.TaxCodeRef"), "2500.tax"),
    (dict(code="2500", element="CustomerRef"), "2500.customer"),
    (dict(code="2500", element="ParentRef"), "2500.parent"),
    (dict(code="2500", element="DepositToAccountRef"), "2500.account"),
    (dict(code="610", detail="Object Not Found : Another user has deleted this transaction."), "610.deleted"),
    (
        dict(
            code="610",
            detail="Object Not Found : Something you're trying to use has been made inactive.",
            element="CustomerRef",
        ),
        "610.customer",
    ),
    (dict(code="610", element="Line.LinkedTxn"), "610.linked"),
    (dict(code="5010"), "5010"),
    (dict(code="6210"), "6210"),
    (dict(code="2050", element="DocNumber"), "2050.doc_number"),
    (dict(code="2050", element="PaymentRefNum"), "2050.payment_ref"),
    (dict(code="620", element="Line.LinkedTxn"), "620"),
    (dict(code="6080"), "6080"),
    (dict(code="6070", element="Line.Amount"), "6070"),
    (dict(code="6250", element="CustomerRef"), "6250"),
    (dict(code="4000"), "4000"),
    (dict(code="4001"), "4001"),
    (dict(code="10000", http_status=500), "10000"),
    (dict(code="3001", http_status=429), "3001"),
    (
        dict(code="3001", http_status=429, detail="The monthly CorePlus API call limit of this app was reached."),
        "reads_blocked",
    ),
    (
        dict(
            code="2210",
            detail="Email Address does not conform to the syntax rules of RFC 822. Supplied value:a b",
            element="PrimaryEmailAddr.Address",
        ),
        "2210",
    ),
    (dict(code="3200", http_status=401), "3200"),
    (dict(code="003100", http_status=403), "3100"),
    (dict(code="invalid_grant"), "invalid_grant"),
]


@pytest.mark.parametrize("fault,key", TABLE, ids=[k for _, k in TABLE])
def test_every_row_of_the_faults_table(fault, key):
    kind = classify(fault.pop("code"), **fault)
    assert kind.key == key
    assert kind.category in CATEGORIES and isinstance(kind.retryable, bool)


def test_unknown_codes_still_get_a_kind():
    assert classify("99999", http_status=400).key == "unknown"
    assert classify("99999", http_status=503).key == "unknown.server"
    assert classify("99999", http_status=503).category == "transient"
    assert classify("http_429").key == "3001" and classify("http_401").key == "3200"
    fault = QboFault("99999", "Something new", http_status=400, entity_name="Invoice")
    assert fault.key == "unknown" and fault.category == "data" and not fault.retryable


def test_the_most_specific_kind_wins_and_leading_zeros_do_not_matter():
    assert classify("0610", element="Line.LinkedTxn").key == "610.linked"
    # element (4) beats detail (2) beats entity (1); all three narrow the same code
    assert (
        classify("610", element="CustomerRef", detail="Another user has deleted this", entity_name="Customer").key
        == "610.customer"
    )
    assert classify("610", detail="deleted", entity_name="Customer").key == "610.deleted"
    assert classify("610", entity_name="Customer").key == "610.customer_entity"
    assert classify("6240", detail="item", entity_name="Invoice").key == "6240"  # entity must fit too


def test_every_kind_has_a_unique_key_and_a_category():
    keys = [k.key for k in KINDS]
    assert len(keys) == len(set(keys)) and set(BY_KEY) == set(keys) | {"unknown", "unknown.server"}
    for kind in BY_KEY.values():
        assert kind.category in CATEGORIES, kind
        assert kind.retryable == (kind.category in ("transient",) or kind.key == "3200"), kind
    # A code's bare kind (no narrowing) exists for every QuickBooks code, so a variant that
    # does not fit falls back to the code's own kind, not to "unknown".
    for code in {k.code for k in KINDS}:
        assert classify(code).code == code, code


def test_json_money_round_trip_is_exact():
    from decimal import Decimal

    parsed = loads(b'{"TotalAmt": 0.1, "Qty": 3, "Rate": 1E+2}')
    assert parsed["TotalAmt"] == Decimal("0.1") and isinstance(parsed["TotalAmt"], Decimal)
    assert (
        dumps({"a": Decimal("0.10"), "b": [Decimal("100"), 2, None, True], "c": 'x"y'})
        == '{"a":0.10,"b":[100,2,null,true],"c":"x\\"y"}'
    )
    assert dumps({"a": Decimal("1E+2")}) == '{"a":100}'
    with pytest.raises(TypeError):
        dumps({"Amount": 0.1})


def _json_trees():
    from decimal import Decimal

    from hypothesis import strategies as st

    class Code(str):  # subclasses take the slow path: same text
        pass

    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(),
        st.text().map(Code),
        st.decimals(allow_nan=False, allow_infinity=False, places=4),
        st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: d * Decimal(1)),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(st.lists(inner), st.lists(inner).map(tuple), st.dictionaries(st.text(), inner)),
        max_leaves=25,
    )


def _plain(value):
    """What a JSON round trip can keep: tuples become lists, Decimals compare by value."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def test_json_encoder_is_plain_json_and_exact():
    """dumps (the fast, type-dispatched encoder) is JSON that reads back exactly, Decimals
    without exponents, strings escaped as json.dumps(ensure_ascii=False) does."""
    from hypothesis import given, settings

    @settings(max_examples=300, deadline=None)
    @given(_json_trees())
    def check(tree):
        text = dumps(tree)
        assert loads(text) == _plain(tree)
        bare = re.sub(r'"(?:[^"\\]|\\.)*"|true|false|null', "", text)
        assert "e" not in bare.lower()  # no 1E+2 outside strings
        if isinstance(tree, str):
            assert text == json.dumps(tree, ensure_ascii=False)

    check()
