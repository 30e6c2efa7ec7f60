"""Every shape of failure QuickBooks sends becomes a typed QboFault with our explanation."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qbo_client import QboFault, catalog, explain, parse_body
from qbo_client.jsonutil import dumps, loads

SEEDS = Path("/work/shared/seeds")

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
    body = json.dumps({"fault": {"error": [{"message": "message=AuthenticationFailed; errorCode=003200; "
                                            "statusCode=401", "detail": "Token expired: eyJhbGciOiJk",
                                            "code": "3200", "element": None}], "type": "AUTHENTICATION"}})
    fault = parse_body(401, "application/json", body.encode()).fault
    assert fault.code == "3200" and fault.fault_type == "AUTHENTICATION"
    assert "eyJhbGciOiJk" not in fault.detail and "[redacted]" in fault.detail
    assert fault.category == "connection"


def test_several_errors_in_one_fault():
    body = {"Fault": {"Error": [
        {"Message": "Invalid Reference Id", "Detail": "Invalid Reference Id : inactive", "code": "2500",
         "element": "Line.SalesItemLineDetail.ItemRef"},
        {"Message": "A business validation error has occurred while processing your request",
         "Detail": "Business Validation Error: Make sure all your transactions have a GST rate before you "
                   "save.", "code": "6000", "element": ""}], "type": "ValidationFault"}, "time": "x"}
    fault = parse_body(400, "application/json", json.dumps(body).encode(), entity_name="Invoice").fault
    assert [e.code for e in fault.errors] == ["2500", "6000"]
    assert [e.explanation.key for e in fault.errors] == ["2500.item", "6000.tax"]
    assert fault.entity_name == "Invoice" and fault.more[0].entity_name == "Invoice"


@pytest.mark.parametrize("status,body,code", [
    (502, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "html_body"),
    (200, b"", "empty_body"),
    (200, b"   ", "empty_body"),
    (200, b'{"Invoice": {"Id": ', "unparseable_body"),
    (503, b'{"something": 1}', "http_503"),
])
def test_gateway_garbage_is_transient(status, body, code):
    fault = parse_body(status, "", body).fault
    assert fault.code == code
    assert fault.category == "transient" and fault.retryable


def test_invalid_grant_oauth_body():
    fault = parse_body(400, "application/json", b'{"error":"invalid_grant","error_description":"x"}').fault
    assert fault.code == "invalid_grant" and fault.category == "connection" and not fault.retryable
    assert "python -m qbo_sync.companies authorize" in fault.fix


# Every row of the faults table in qbo-api.md, with the variants the table names.
TABLE = [
    (dict(code="2020", detail="Required parameter Line is missing in the request.", element="Line"), "2020.line"),
    (dict(code="6140", detail="Duplicate Document Number Error : DocNumber=INV-1 is assigned to TxnType=Invoice "
          "with TxnId=45", entity_name="Invoice"), "6140"),
    (dict(code="6140", entity_name="Payment"), "6140.payment"),
    (dict(code="6240", detail="The name supplied already exists. : Another customer, vendor or employee is "
          "already using this name."), "6240"),
    (dict(code="6000", detail="Business Validation Error: The tax code is inactive"), "6000.tax"),
    (dict(code="6000", detail="Business Validation Error: You must set a transaction amount."), "6000.amount"),
    (dict(code="2500", element="Line.SalesItemLineDetail.ItemRef"), "2500.item"),
    (dict(code="2500", element="Line.SalesItemLineDetail.TaxCodeRef"), "2500.tax"),
    (dict(code="2500", element="CustomerRef"), "2500.customer"),
    (dict(code="2500", element="ParentRef"), "2500.parent"),
    (dict(code="2500", element="DepositToAccountRef"), "2500.account"),
    (dict(code="610", detail="Object Not Found : Another user has deleted this transaction."), "610.deleted"),
    (dict(code="610", detail="Object Not Found : Something you're trying to use has been made inactive.",
          element="CustomerRef"), "610.customer"),
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
    (dict(code="3001", http_status=429, detail="The monthly CorePlus API call limit of this app was reached."),
     "reads_blocked"),
    (dict(code="2210", detail="Email Address does not conform to the syntax rules of RFC 822. Supplied value:a b",
          element="PrimaryEmailAddr.Address"), "2210"),
    (dict(code="3200", http_status=401), "3200"),
    (dict(code="003100", http_status=403), "3100"),
    (dict(code="invalid_grant"), "invalid_grant"),
]


@pytest.mark.parametrize("fault,key", TABLE, ids=[k for _, k in TABLE])
def test_every_row_of_the_faults_table(fault, key):
    entry = explain(fault.pop("code"), **fault)
    assert entry.key == key
    assert entry.category in ("data", "configuration", "connection", "transient")
    assert len(entry.cause) > 40 and len(entry.fix) > 40


def test_unknown_codes_still_explained():
    assert explain("99999", http_status=400).key == "unknown"
    assert explain("99999", http_status=503).category == "transient"
    fault = QboFault("99999", "Something new", http_status=400, entity_name="Invoice")
    assert "99999" in fault.cause and fault.fix


def _seed_text() -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(SEEDS.glob("0*.txt")))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not on this machine")
def test_every_seeds_error_has_a_specific_catalog_entry(capsys):
    """Walks the seeds' QuickBooks errors and shows each one's entry (run with -s to read it)."""
    text = re.sub(r"\s+", " ", _seed_text()).lower()
    project_words = ("qbo_sync.", "python -m qbo_sync", "qbo_resync", "sync", "quickbooks")
    for name, key in catalog.SEEDS_ERRORS.items():
        entry = catalog.entry(key)
        # Named errors are quoted verbatim from the pages; Workiz's lost names are described.
        if "(" not in name:
            probe = re.sub(r"\s+", " ", name).lower().strip(' ."').split("ref#")[0].strip()
            assert probe[:30] in text, f"{name!r} is not in the seeds"
        assert entry.category in ("data", "configuration", "connection", "transient")
        assert isinstance(entry.retryable, bool)
        assert entry.cause and entry.fix and entry.cause != entry.fix
        assert any(word in entry.fix for word in project_words), key
        # Our own words: no sentence copied from the seeds.
        for sentence in re.split(r"(?<=[.!?]) ", entry.fix):
            if len(sentence) > 40:
                assert sentence.lower() not in text, f"{key} copies the seeds: {sentence!r}"
        print(f"\n[{name}] -> {entry.key} ({entry.category}, retryable={entry.retryable})\n"
              f"  cause: {entry.render_cause()}\n  fix:   {entry.render_fix()}")
    # The QuickBooks errors every seed page names are all covered.
    covered = set(catalog.SEEDS_ERRORS)
    for must in ("Create failed: Required param missing", "Invalid refresh token", "Duplicate document number",
                 "Business validation error (tax)", "The name supplied already exists",
                 "No fee item mapped for line item", "Payment Ref#: Already exists for Customer",
                 "Unauthorized - 401", "'<' is an invalid start of a value", "Rate limited",
                 "SKU Not Found Error", "Tax code not found", "Invoice: Already exists for Customer"):
        assert must in covered, must
    assert len(covered) >= 35
    out = capsys.readouterr().out
    assert out.count("cause:") == len(covered)


def test_json_money_round_trip_is_exact():
    from decimal import Decimal

    parsed = loads(b'{"TotalAmt": 0.1, "Qty": 3, "Rate": 1E+2}')
    assert parsed["TotalAmt"] == Decimal("0.1") and isinstance(parsed["TotalAmt"], Decimal)
    assert dumps({"a": Decimal("0.10"), "b": [Decimal("100"), 2, None, True], "c": "x\"y"}) == \
        '{"a":0.10,"b":[100,2,null,true],"c":"x\\"y"}'
    assert dumps({"a": Decimal("1E+2")}) == '{"a":100}'
    with pytest.raises(TypeError):
        dumps({"Amount": 0.1})


def _json_trees():
    from decimal import Decimal

    from hypothesis import strategies as st

    class Code(str):  # subclasses take the slow path: same text
        pass

    leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.text().map(Code),
                     st.decimals(allow_nan=False, allow_infinity=False, places=4),
                     st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: d * Decimal(1)))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner), st.lists(inner).map(tuple), st.dictionaries(st.text(), inner)), max_leaves=25)


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
